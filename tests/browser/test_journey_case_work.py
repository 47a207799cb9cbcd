"""Journey 2: a department clerk plans a case and reports it done; the township clerk sends it
back once with a reason; the department finishes the work; the township verifies it on site."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.journeys import no_sideways_scroll, shoot
from workflow.models import CaseStatus, HelpCase
from workflow.platform.db import db

pytestmark = pytest.mark.browser


def _status(case_id: int) -> CaseStatus:
    db.session.commit()
    db.session.expire_all()
    return db.session.get(HelpCase, case_id).status


def _act(page, action: str) -> None:
    page.locator(f"form[action$='/{action}'] button[type=submit]").click()


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_case_is_planned_done_sent_back_once_and_verified(new_page, log_in, water_case, size):
    clerk = new_page(size)
    log_in(clerk, "dept_slj")
    clerk.locator(".tasklist a", has_text="制定帮扶措施").click()
    expect(clerk).to_have_url(re.compile(rf"/cases/{water_case}$"))
    clerk.fill("textarea[name=measure]", "铺设入户自来水管道")
    clerk.fill("input[name=target_standard]", "全天候安全饮水")
    clerk.fill("input[name=responsible_person]", "张水利")
    clerk.fill("input[name=planned_completion]", "2018-09-30")
    _act(clerk, "plan")
    expect(clerk.locator("form[action$='/submit']")).to_be_visible()
    assert _status(water_case) == CaseStatus.IN_PROGRESS

    clerk.fill("textarea[name=text]", "管材已到村")
    clerk.fill("input[name=funds]", "12000")
    _act(clerk, "progress")
    expect(clerk.locator("body")).to_contain_text("管材已到村")
    clerk.fill("textarea[name=summary]", "入户管道已铺设")
    _act(clerk, "submit")
    expect(clerk.locator("body")).to_contain_text("入户管道已铺设")
    shoot(clerk, "case-work", "1-department-reported-done", size)
    assert _status(water_case) == CaseStatus.VERIFYING

    township = new_page(size)
    log_in(township, "aoyi_zg")
    township.locator(".tasklist a", has_text="实地核验").click()
    expect(township).to_have_url(re.compile(rf"/cases/{water_case}$"))
    township.check("input[name=decision][value=back]")
    _act(township, "verify")  # no reason: refused next to the field, nothing moves
    expect(township.locator(".fielderror")).to_be_visible()
    assert _status(water_case) == CaseStatus.VERIFYING
    township.check("input[name=decision][value=back]")
    township.fill("textarea[name=reason]", "水龙头未安装，未通水")
    _act(township, "verify")
    expect(township.locator("body")).to_contain_text("水龙头未安装，未通水")
    shoot(township, "case-work", "2-township-sent-back", size)
    assert _status(water_case) == CaseStatus.IN_PROGRESS

    clerk.goto("/inbox")
    clerk.locator(".tasklist a").first.click()
    expect(clerk.locator("body")).to_contain_text("水龙头未安装，未通水")
    clerk.fill("textarea[name=summary]", "水龙头已安装，已通水")
    _act(clerk, "submit")
    assert _status(water_case) == CaseStatus.VERIFYING

    township.goto("/inbox")
    township.locator(".tasklist a", has_text="实地核验").click()
    township.check("input[name=decision][value=ok]")
    _act(township, "verify")
    expect(township.locator("body")).to_contain_text("水龙头已安装，已通水")
    shoot(township, "case-work", "3-township-verified", size)
    assert no_sideways_scroll(township)
    assert _status(water_case) == CaseStatus.ACCEPTING
