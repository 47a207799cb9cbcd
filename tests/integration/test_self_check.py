"""The self-check: with the scheduler stopped past a deadline, `huitou doctor`, the operations
page and the overdue board say so; the next tick fires the late timer and all is well again."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from tests.factories import at, make_round, open_household_case
from web import cli, cli_support
from workflow.platform import clock
from workflow.platform.db import db


@pytest.fixture
def doctor(app, monkeypatch):
    monkeypatch.setattr(cli_support, "make_app", lambda: app)

    def run() -> tuple[int, str]:
        db.session.commit()
        result = CliRunner().invoke(cli.main, ["doctor"], catch_exceptions=False)
        return result.exit_code, result.output

    return run


def test_a_late_timer_is_reported_then_fired_by_the_next_tick(county, browser, run_tick, doctor):
    clock.set_now(at("2018-08-01T10:00"))
    case = open_household_case(make_round(), due=date(2018, 9, 30))
    run_tick("2018-09-20T09:00+08:00")  # the scheduler ran; the reminder is due on 09-23 09:00

    clock.set_now(at("2018-09-23T15:30"))  # the scheduler has been down since 09-20
    code, out = doctor()
    assert code == 1, out
    assert "[!!] 已到期未触发的定时器：1 个" in out
    assert f"流程 {case.instance_id}（gap_case" in out and "已延误 6 小时 30 分" in out
    assert "定时任务已超过 10 分钟未运行" in out
    assert "最近一次定时任务 2018-09-20 09:00（北京时间）" in out

    page = browser("fpb").get("/operations").get_data(as_text=True)
    assert "定时任务已超过 10 分钟未运行" in page and f"#{case.instance_id}</a>" in page
    board = browser("aoyi_fzr").get("/board").get_data(as_text=True)
    assert "定时任务已超过 10 分钟未运行" in board

    run_tick("2018-09-23T15:31+08:00")  # the scheduler is back
    clock.set_now(at("2018-09-23T15:33"))
    code, out = doctor()
    assert code == 0, out
    assert "[OK] 已到期未触发的定时器：0 个" in out
    assert "推进 1 个" in out
    board = browser("aoyi_fzr").get("/board").get_data(as_text=True)
    assert "定时任务已超过 10 分钟未运行" not in board
