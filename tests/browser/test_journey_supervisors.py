"""Journeys 3 and 4: a township leader finds an overdue case on the board, reassigns it and names
a substitute; a leading-group member drills down from the accountability report to a case and
sees where it stands on its diagram."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.journeys import no_sideways_scroll, shoot
from tests.factories import at, make_round, open_household_case, work_done
from workflow.cases import escalation  # noqa: F401  (escalation: wiring)
from workflow.models import AuditEvent, CaseStatus, HelpCase, HumanTask, TaskState, User
from workflow.platform import clock
from workflow.platform.db import db

pytestmark = pytest.mark.browser


def _user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


@pytest.fixture
def overdue_verification(county):
    """10 October 2018: 水利局 reported a water case done on 20 September, due 30 September;
    奥依亚依拉克镇 has not verified it on site yet — ten days overdue."""
    clock.set_now(at("2018-09-20T10:00"))
    case = open_household_case(make_round(), due=date(2018, 9, 30))
    work_done(case, _user("dept_slj"), summary="入户管道已铺设", completion=date(2018, 9, 20))
    db.session.commit()
    clock.set_now(at("2018-10-10T09:00"))
    return case.id


def _verify_task(case_id: int) -> HumanTask:
    db.session.commit()
    db.session.expire_all()
    case = db.session.get(HelpCase, case_id)
    return db.session.scalar(
        sa.select(HumanTask).where(
            HumanTask.instance_id == case.instance_id, HumanTask.spec_name == "verify_on_site"
        )
    )


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_township_leader_reassigns_an_overdue_case_and_names_a_substitute(
    new_page, log_in, overdue_verification, size
):
    case_id = overdue_verification
    leader = new_page(size)
    log_in(leader, "aoyi_fzr")
    leader.locator("nav.mainnav a", has_text="逾期督办").click()
    row = leader.locator(f"#case-{case_id}")
    expect(row).to_be_visible()
    expect(row).to_contain_text("10")  # days overdue
    expect(row).to_contain_text("乡镇实地核验")
    shoot(leader, "township-leader", "1-overdue-board", size)
    assert no_sideways_scroll(leader)

    row.locator("a", has_text="改派").click()
    expect(leader).to_have_url(re.compile(r"/inbox/reassign\?task=\d+"))
    leader.select_option("select[name=assignee]", "aoyi_zg2")
    leader.fill("textarea[name=reason]", "原专干下村蹲点，改由第二专干核验")
    shoot(leader, "township-leader", "2-reassign", size)
    leader.locator("main form[method=post] button[type=submit]").click()
    expect(leader.locator(".flash")).to_be_visible()
    task = _verify_task(case_id)
    assert task.assignee_id == _user("aoyi_zg2").id and task.state == TaskState.READY

    # The second clerk falls ill: the leader names the first one her substitute for a week.
    leader.goto("/inbox/substitutes?user=aoyi_zg2")
    leader.select_option("select[name=substitute]", "aoyi_zg")
    leader.fill("input[name=starts_on]", "2018-10-10")
    leader.fill("input[name=ends_on]", "2018-10-17")
    leader.fill("textarea[name=reason]", "病假")
    leader.locator("form[method=post][action$='/inbox/substitutes'] button").click()
    expect(leader.locator("table")).to_contain_text("病假")
    shoot(leader, "township-leader", "3-substitute", size)

    clerk = new_page(size)
    log_in(clerk, "aoyi_zg")
    clerk.locator(".tasklist a", has_text="实地核验").click()
    expect(clerk).to_have_url(re.compile(rf"/cases/{case_id}$"))
    clerk.check("input[name=decision][value=ok]")
    clerk.locator("form[action$='/verify'] button[type=submit]").click()
    expect(clerk.locator("body")).to_contain_text("核验")
    shoot(clerk, "township-leader", "4-substitute-verified", size)
    db.session.expire_all()
    assert db.session.get(HelpCase, case_id).status == CaseStatus.ACCEPTING
    event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "task.complete", AuditEvent.object_id == str(task.id)
        )
    )
    assert event.actor_id == _user("aoyi_zg").id
    assert json.loads(event.after)["on_behalf_of"] == _user("aoyi_zg2").id


@pytest.fixture
def late_county(county, run_tick):
    """October 2018: a 交通局 case due 31 July was never planned; the ticks escalated it through
    three levels, so it is an accountability item for the leading group."""
    clock.set_now(at("2018-07-10T10:00"))
    case = open_household_case(
        make_round(), dept_code="JTJ", indicator="H-WATER", due=date(2018, 7, 31)
    )
    db.session.commit()
    clock.set_now(None)
    for moment in ("2018-08-01T00:30", "2018-08-15T00:30", "2018-09-14T00:30"):
        run_tick(moment + "+08:00")
    clock.set_now(at("2018-10-08T09:00"))
    return case.id


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_leading_group_drills_down_from_the_report_to_a_case_and_its_diagram(
    new_page, log_in, late_county, size
):
    case_id = late_county
    member = new_page(size)
    log_in(member, "ldxz")
    member.goto("/rounds/2018/accountability")
    expect(member.locator("h1")).to_contain_text("责任落实")
    items = member.locator("table", has=member.locator(f"a[href='/cases/{case_id}']"))
    expect(items).to_be_visible()
    shoot(member, "leading-group", "1-accountability-report", size)

    department_row = member.locator("tr", has_text="县交通局").first
    department_row.locator("a").first.click()
    expect(member).to_have_url(re.compile(r"/cases\?ids="))
    member.locator(f"a[href='/cases/{case_id}']").first.click()
    expect(member).to_have_url(re.compile(rf"/cases/{case_id}$"))
    expect(member.locator("body")).to_contain_text("三级")
    current = member.locator(".diagram-card [data-element-id=plan_measure].huitou-current")
    expect(current).to_have_count(1)
    member.locator(".diagram-card").scroll_into_view_if_needed()
    shoot(member, "leading-group", "2-case-and-diagram", size)
    assert no_sideways_scroll(member)
