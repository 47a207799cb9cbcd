"""A department clerk works a case on a phone, in a real Chromium against a real server."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from notifications.rules import notify_case_level
from tests.factories import at, make_round, open_household_case
from tests.scenario import ALL_YES_HOUSEHOLD, AOYI, submit_township
from tests.survey_filling import fill
from workflow.models import CaseStatus, HelpCase, HumanTask, TaskState
from workflow.platform import clock
from workflow.platform.db import db
from workflow.programme import rounds
from workflow.survey.templates import survey_template

pytestmark = pytest.mark.browser

SCREENS = Path("/tmp/screens")


def reload_case(case_id: int) -> HelpCase:
    db.session.commit()
    db.session.expire_all()
    return db.session.get(HelpCase, case_id)


def test_department_clerk_plans_a_case_on_a_phone(new_page, log_in, water_case):
    page = new_page("phone")
    log_in(page, "dept_slj")
    expect(page).to_have_url(re.compile(r"/inbox$"))
    task = page.locator(".tasklist a", has_text="制定帮扶措施")
    expect(task).to_have_count(1)
    assert _no_sideways_scroll(page)

    task.click()
    expect(page).to_have_url(re.compile(rf"/cases/{water_case}$"))
    expect(page.locator(".facts")).to_contain_text("制定措施")
    page.fill("textarea[name=measure]", "铺设入户自来水管道")
    page.fill("input[name=target_standard]", "   ")  # passes the browser's check, not ours
    page.fill("input[name=responsible_person]", "张水利")
    page.fill("input[name=planned_completion]", "2018-09-30")
    page.click("button:has-text('提交帮扶措施')")

    expect(page.locator(".fielderror")).to_have_text("请填写达到的标准")
    expect(page.locator("textarea[name=measure]")).to_have_value("铺设入户自来水管道")
    case = reload_case(water_case)
    assert case.status == CaseStatus.PLANNING and not case.measure

    page.fill("input[name=target_standard]", "全天候安全饮水")
    page.click("button:has-text('提交帮扶措施')")
    expect(page.locator(".flash.success")).to_contain_text("已保存")
    expect(page.locator(".facts")).to_contain_text("落实中")
    case = reload_case(water_case)
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.measure == "铺设入户自来水管道" and case.target_standard == "全天候安全饮水"
    assert _no_sideways_scroll(page)


def test_wrong_password_is_refused_in_chinese(new_page, log_in, live_server):
    page = new_page("phone")
    log_in(page, "dept_slj", "not-the-password")
    expect(page.locator(".flash.error")).to_have_text("用户名或密码错误。")
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto("/inbox")
    expect(page.locator("input[name=password]")).to_be_visible()  # the login form, in place


def test_logout_ends_the_session(new_page, log_in, live_server):
    page = new_page("phone")
    log_in(page, "dept_slj")
    expect(page).to_have_url(re.compile(r"/inbox$"))
    page.click("button:has-text('退出登录')")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.locator(".flash")).to_contain_text("您已退出登录")
    page.goto("/inbox?overdue=1")
    expect(page.locator(".flash")).to_contain_text("请先登录")
    page.fill("input[name=username]", "dept_slj")
    page.fill("input[name=password]", "huitou-demo")
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/inbox\?overdue=1$"))  # back where she was going


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def busy_county(county):
    """A 水利局 clerk with work in several states, and a notice, for screenshots."""
    clock.set_now(at("2018-08-01T10:00"))
    round_ = make_round()
    first = open_household_case(round_)
    open_household_case(
        round_, indicator="H-HOUSING", label="住房安全有保障", due=date(2018, 7, 25)
    )
    open_household_case(round_, village_name="喀特勒什村", due=date(2018, 8, 5))
    open_household_case(round_, village_name="苏塘村", due=date(2018, 12, 31))
    db.session.commit()
    notify_case_level(first, 0)
    notify_case_level(first, 1)
    db.session.commit()
    return first.id


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_screenshots(new_page, log_in, busy_county, size):
    """Pictures of the main pages at a desk's and a phone's width, in /tmp/screens/."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    page = new_page(size)
    page.goto("/login")
    page.screenshot(path=str(SCREENS / f"login-{size}.png"), full_page=True)
    log_in(page, "dept_slj", "wrong")
    page.screenshot(path=str(SCREENS / f"login-error-{size}.png"), full_page=True)
    log_in(page, "dept_slj")
    expect(page).to_have_url(re.compile(r"/inbox$"))
    page.screenshot(path=str(SCREENS / f"inbox-{size}.png"), full_page=True)
    page.goto(f"/cases/{busy_county}")
    page.screenshot(path=str(SCREENS / f"case-{size}.png"), full_page=True)
    page.fill("textarea[name=measure]", " ")
    page.fill("input[name=target_standard]", " ")
    page.fill("input[name=responsible_person]", " ")
    page.fill("input[name=planned_completion]", "2019-03-01")
    page.click("button.primary")
    expect(page.locator(".fielderror")).to_have_count(4)
    page.screenshot(path=str(SCREENS / f"case-errors-{size}.png"), full_page=True)
    page.fill("textarea[name=measure]", "铺设入户自来水管道，更换老化水表")
    page.fill("input[name=target_standard]", "全天候安全饮水")
    page.fill("input[name=responsible_person]", "张水利")
    page.fill("input[name=planned_completion]", "2018-09-30")
    page.click("button.primary")
    expect(page.locator(".flash.success")).to_be_visible()
    page.screenshot(path=str(SCREENS / f"case-saved-{size}.png"), full_page=True)
    page.goto("/cases")
    page.screenshot(path=str(SCREENS / f"cases-{size}.png"), full_page=True)
    page.goto("/notices")
    page.screenshot(path=str(SCREENS / f"notices-{size}.png"), full_page=True)
    assert _no_sideways_scroll(page)
    county_office = new_page(size)
    log_in(county_office, "fpb")
    county_office.goto(f"/cases/{busy_county}")
    county_office.screenshot(path=str(SCREENS / f"case-county-{size}.png"), full_page=True)
    assert _no_sideways_scroll(county_office)


@pytest.fixture
def surveyed_county(county, user):
    """The 2018 round: 奥依亚依拉克镇 has submitted (a water gap per village), 且末镇 not yet."""
    clock.set_now(at("2018-07-10T10:00"))
    round_ = rounds.launch_round(2018, user("fpb"))
    db.session.commit()
    submit_township(round_, AOYI, user)
    return round_


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_round_screenshots(new_page, log_in, surveyed_county, user, size, tmp_path):
    """Pictures of the round pages (county office) and a village's survey task with a refused
    upload, in /tmp/screens/."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    page = new_page(size)
    log_in(page, "fpb")
    for name, url in [
        ("rounds", "/rounds"),
        ("round", "/rounds/2018"),
        ("gaps", "/rounds/2018/gaps"),
        ("triage", "/rounds/2018/triage"),
    ]:
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        page.screenshot(path=str(SCREENS / f"{name}-{size}.png"), full_page=True)

    village = user("katelesh_cun").village
    task_id = db.session.scalar(
        sa.select(HumanTask.id).where(
            HumanTask.spec_name == "village_forms",
            HumanTask.village_id == village.id,
            HumanTask.state == TaskState.READY,
        )
    )
    form = survey_template(1, surveyed_county, village=village)
    broken = tmp_path / "附件1.xlsx"
    broken.write_bytes(fill(form, "身份证号", {}, {**ALL_YES_HOUSEHOLD, "有安全饮水": "大概"}))
    clerk = new_page(size)
    log_in(clerk, "katelesh_cun")
    clerk.goto(f"/survey/tasks/{task_id}")
    clerk.set_input_files("input[name=file]", str(broken))
    clerk.click("form[enctype] button[type=submit]")
    expect(clerk.locator(".card.errors")).to_be_visible()
    clerk.screenshot(path=str(SCREENS / f"survey-refused-{size}.png"), full_page=True)
    assert _no_sideways_scroll(clerk)
