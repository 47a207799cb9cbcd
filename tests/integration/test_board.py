"""The supervisors' overdue board: who sees which late cases, in which band, and reminders."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from notifications.models import EmailMessage, Notice
from tests.factories import at, open_household_case
from workflow.models import AuditEvent, HumanTask, Round, TaskState
from workflow.oversight import board
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied


@pytest.fixture
def late_cases(round2018):
    """Three late cases on 2018-09-10: 52 days (水利局, 布古纳村), 40 days (交通局, 喀特勒什村)
    and 9 days (水利局, 喀特勒什村); and one not due yet."""
    water = open_household_case(round2018, due=date(2018, 7, 20))
    road = open_household_case(
        round2018, "喀特勒什村", "JTJ", "H-HOUSING", "住房安全有保障", due=date(2018, 8, 1)
    )
    late_water = open_household_case(round2018, "喀特勒什村", due=date(2018, 9, 1))
    open_household_case(round2018, "喀特勒什村", due=date(2018, 12, 1))
    db.session.commit()
    clock.set_now(at("2018-09-10T10:00"))
    return water, road, late_water


def _page(browser, name: str, query: str = "") -> str:
    response = browser(name).get(f"/board{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_board_lists_late_cases_latest_first_coloured_by_band(late_cases, browser):
    water, road, late_water = late_cases
    page = _page(browser, "fpb", "?group=village")
    rows = [page.index(f'id="case-{c.id}"') for c in (water, road, late_water)]
    assert page.index("布古纳村") < page.index("喀特勒什村")  # the latest case's group first
    assert rows[1] < rows[2], "within a group, most overdue first"
    for case, days, band in ((water, 52, 3), (road, 40, 2), (late_water, 9, 1)):
        row = page[page.index(f'id="case-{case.id}"') :]
        assert row.startswith(f'id="case-{case.id}" class="band-{band}"')
        assert f"{days} 天" in row[:3000]
        assert f'href="/cases/{case.id}"' in row[:600]
    assert "制定帮扶措施" in page  # the current step, from the diagram
    summary = page[page.index('class="board-summary"') :][:1200]
    assert "<b>3</b>" in summary and "未办结共 4 件" in summary


def test_bands_follow_the_escalation_settings():
    assert [board.band_of(d) for d in (1, 13, 14, 43, 44, 200)] == [1, 1, 2, 2, 3, 3]
    assert board.bands() == ((1, 1, 13), (2, 14, 43), (3, 44, None))


def test_board_groups_by_department_by_default(late_cases, browser):
    page = _page(browser, "ldxz")
    assert "<h2>县水利局" in page and "<h2>县交通局" in page
    assert page.index("<h2>县水利局") < page.index("<h2>县交通局")  # 52 days before 40


def test_leaders_see_only_their_own_scope(late_cases, browser):
    water, road, late_water = late_cases
    township = _page(browser, "aoyi_fzr")
    assert f'id="case-{water.id}"' in township and f'id="case-{road.id}"' not in township
    department = _page(browser, "dept_slj_fzr")
    assert f'id="case-{late_water.id}"' in department and f'id="case-{road.id}"' not in department


@pytest.mark.parametrize("name", ["aoyi_zg", "dept_slj", "buguna_cun"])
def test_clerks_are_refused_the_board(late_cases, browser, user, name):
    assert browser(name).get("/board").status_code == 403
    with pytest.raises(AccessDenied):
        board.overdue_board(user(name))


def test_the_trend_chart_is_an_accessible_svg_with_a_table(late_cases, browser, user):
    page = _page(browser, "fpb")
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "<polyline" in svg and "cdn" not in page.lower()
    assert "以表格查看数据" in page
    trend = board.weekly_trend(user("fpb"), _round(), clock.now())
    assert trend.labels[0] == "07-01" and trend.labels[-1] == "09-10"
    assert trend.open[-1] == 4 and trend.done[-1] == 0 and trend.overdue[-1] == 3
    assert trend.overdue[0] == 0


def _round():
    return db.session.scalar(sa.select(Round))


def test_remind_tells_the_holders_once_a_day(late_cases, browser, user):
    water = late_cases[0]
    supervisor = browser("aoyi_fzr")
    supervisor.get("/board")
    response = supervisor.post(f"/board/cases/{water.id}/remind", {"group": "village"})
    assert response.status_code == 303 and response.headers["Location"].startswith("/board")
    notices = db.session.scalars(sa.select(Notice).where(Notice.event_key.like("%remind%"))).all()
    clerk = user("dept_slj")
    assert {n.user_id for n in notices} == {clerk.id}
    assert notices[0].link == f"/cases/{water.id}" and "催办" in notices[0].subject
    mails = db.session.scalars(sa.select(EmailMessage).where(EmailMessage.user_id == clerk.id))
    assert len(mails.all()) == (1 if clerk.email else 0)
    page = supervisor.get("/board?group=village").get_data(as_text=True)
    assert "已就第" in page  # the flash names who was reminded
    again = supervisor.post(f"/board/cases/{water.id}/remind", {})
    assert again.status_code == 303
    assert "今天已催办" in supervisor.get("/board").get_data(as_text=True)
    reminders = sa.select(sa.func.count()).where(AuditEvent.action == "case.remind")
    assert db.session.scalar(reminders) == 1
    clock.set_now(at("2018-09-11T09:00"))
    assert supervisor.post(f"/board/cases/{water.id}/remind", {}).status_code == 303
    assert db.session.scalar(reminders) == 2


def _reminders_sent() -> tuple[int, int, int]:
    """Reminder notices, e-mails and audited reminders, read fresh from the database."""
    db.session.rollback()
    count = sa.select(sa.func.count())
    return (
        db.session.scalar(count.select_from(Notice).where(Notice.event_key.like("%remind%"))),
        db.session.scalar(count.select_from(EmailMessage)),
        db.session.scalar(count.where(AuditEvent.action == "case.remind")),
    )


def test_admin_reads_the_board_but_does_not_remind(late_cases, browser):
    water = late_cases[0]
    page = _page(browser, "admin")
    assert f'id="case-{water.id}"' in page and "/remind" not in page
    before = _reminders_sent()
    assert browser("admin").post(f"/board/cases/{water.id}/remind", {}).status_code == 403
    assert _reminders_sent() == before, "a refused reminder told nobody and left no trace"


def test_a_leader_cannot_remind_outside_their_scope(late_cases, browser):
    road = late_cases[1]
    before = _reminders_sent()
    assert browser("aoyi_fzr").post(f"/board/cases/{road.id}/remind", {}).status_code == 403
    assert _reminders_sent() == before, "a refused reminder told nobody and left no trace"


def test_each_late_case_links_to_reassigning_its_task(late_cases, browser):
    water = late_cases[0]
    task = db.session.scalar(
        sa.select(HumanTask).where(
            HumanTask.instance_id == water.instance_id, HumanTask.state == TaskState.READY
        )
    )
    page = _page(browser, "fpb")
    row = page[page.index(f'id="case-{water.id}"') :][:3000]
    assert f'href="/inbox/reassign?task={task.id}"' in row
    assert f'name="task" value="{task.id}" form="bulk-reassign"' in row
    chosen = browser("fpb").get(f"/inbox/reassign?task={task.id}").get_data(as_text=True)
    assert f'<input type="hidden" name="task" value="{task.id}">' in chosen
