"""县农经局's clerk certifies 奥依亚依拉克镇's incomes in a real Chromium, on a desk and a phone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import at
from tests.scenario import AOYI, certify_tasks, submit_township
from workflow.platform import clock
from workflow.platform.db import db
from workflow.programme import rounds

pytestmark = pytest.mark.browser

SCREENS = Path("/tmp/screens")


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_certify_page_marks_a_row_and_asks_for_its_reason(new_page, log_in, county, user, size):
    clock.set_now(at("2018-07-10T10:00"))
    round_ = rounds.launch_round(2018, user("fpb"))
    db.session.commit()
    submit_township(round_, AOYI, user, certify=False)
    task = certify_tasks(AOYI)["NJJ"]
    db.session.commit()
    page = new_page(size)
    log_in(page, "dept_njj")
    page.goto(f"/tasks/{task.id}")
    expect(page).to_have_url(re.compile(rf"/survey/certify/{task.id}$"))
    expect(page.locator("h1")).to_contain_text("核定收入")
    page.screenshot(path=str(SCREENS / f"certify-{size}.png"), full_page=True)
    page.locator("input[name=fail]").first.check()
    page.click("button.primary")
    expect(page.locator(".fielderror")).to_have_text("请填写核定不通过的理由")
    page.screenshot(path=str(SCREENS / f"certify-refused-{size}.png"), full_page=True)
    page.locator("input[name^=reason-]").first.fill("经营性收入重复计算")
    page.click("button.primary")
    expect(page).to_have_url(re.compile(r"/inbox$"))
    expect(page.locator(".flash, .flashes, [role=status]").first).to_contain_text("1 户核定不通过")
