"""The county office's triage (free-text problems, an income gap's cause) and its routing page, in
a real Chromium at a desk's and a phone's width; pictures in /tmp/screens/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.scenario import ALL_YES_HOUSEHOLD
from tests.survey_filling import fill, rows_of
from workflow.models import RoutingChange, User
from workflow.platform import clock
from workflow.platform.db import db
from workflow.programme import rounds
from workflow.survey import flow as survey_flow
from workflow.survey.intake import import_survey
from workflow.survey.templates import find_township, survey_template

pytestmark = pytest.mark.browser

SCREENS = Path("/tmp/screens")


@pytest.fixture
def triage_waiting(county) -> None:
    """布古纳村 filed 附件1 with a low income and two written problems; 奥依亚依拉克镇 released."""
    clock.set_now(clock.parse_moment("2018-07-01T10:00"))

    def person(name: str) -> User:
        return db.session.scalar(sa.select(User).where(User.username == name))

    round_ = rounds.launch_round(2018, person("fpb"))
    clerk = person("buguna_cun")
    form = survey_template(1, round_, village=clerk.village)
    first, second = list(rows_of(form, "身份证号"))[:2]
    answers = {
        first: {"人均纯收入（元）": "1200", "存在问题": "家中缺少稳定收入来源，牲畜少"},
        second: {"存在问题": "房屋墙体开裂，雨季漏水，需尽快维修加固"},
    }
    import_survey(fill(form, "身份证号", answers, ALL_YES_HOUSEHOLD), clerk, round_)
    survey_flow.release_early(round_.id, find_township("奥依亚依拉克镇").id, person("fpb"))
    db.session.commit()


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_triage_page_lists_problems_and_asks_the_income_cause(
    new_page, log_in, triage_waiting, size
):
    SCREENS.mkdir(parents=True, exist_ok=True)
    page = new_page(size)
    log_in(page, "fpb")
    page.goto("/rounds/2018/triage")
    expect(page.locator("#problems")).to_contain_text("房屋墙体开裂")
    expect(page.locator("select[name^=cause-]")).to_have_count(1)
    assert _fits(page)
    page.screenshot(path=str(SCREENS / f"triage-{size}.png"), full_page=True)

    row = page.locator("#problems tr", has_text="房屋墙体开裂")
    row.locator("input[name=problem]").check()
    page.select_option("#problems select[name=indicator]", "H-HOUSING")
    page.click("#problems button[type=submit]")
    expect(page.locator(".flash.success")).to_contain_text("已生成 1 条问题")
    expect(page.locator("#triage")).to_contain_text("县住建局")
    expect(page.locator("#problems")).not_to_contain_text("房屋墙体开裂")


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_county_office_changes_the_routing_on_its_page(new_page, log_in, triage_waiting, size):
    SCREENS.mkdir(parents=True, exist_ok=True)
    page = new_page(size)
    log_in(page, "fpb")
    page.goto("/admin/routing")
    assert _fits(page)
    page.select_option("select[name=key]", "household|H-INCOME|industry")
    page.select_option("select[name=lead]", "RSJ")
    page.check("input[name=co][value=NYJ]")
    page.fill("textarea[name=reason]", "产业增收项目由人社局统筹，农业局配合")
    page.click("#change button[type=submit]")
    expect(page).to_have_url(re.compile(r"/admin/routing$"))
    expect(page.locator(".flash.success")).to_contain_text("第 1 版")
    expect(page.locator("#history")).to_contain_text("产业增收项目由人社局统筹")
    assert db.session.scalar(sa.select(RoutingChange.lead_code)) == "RSJ"
    assert _fits(page)
    page.screenshot(path=str(SCREENS / f"routing-{size}.png"), full_page=True)
