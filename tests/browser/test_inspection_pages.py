"""In a real Chromium: the leading group schedules an inspection (定期督查) and records its
result, which the accountability report then shows; a township leader names an archive's
custodian on the archive page. Desk and phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.access_matrix import water_and_road
from tests.browser.journeys import no_sideways_scroll, shoot
from tests.factories import at
from workflow.cases.accountability_items import open_item
from workflow.platform import clock
from workflow.platform.db import db
from workflow.programme import rounds

pytestmark = pytest.mark.browser


@pytest.fixture
def open_work(county, user):
    """10 July 2018: the round is launched; 布古纳村 has a water case, and a road case whose
    accountability item waits for the leading group."""
    clock.set_now(at("2018-07-10T10:00"))
    round_ = rounds.launch_round(2018, user("fpb"))
    _water, road, _village = water_and_road(round_)
    open_item(road)
    db.session.commit()


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_leading_group_schedules_and_records_an_inspection(new_page, log_in, open_work, size):
    member = new_page(size)
    log_in(member, "ldxz")
    member.goto("/rounds/2018/inspections")
    expect(member.locator("h1")).to_contain_text("定期督查")
    member.select_option("select[name=unit]", label="奥依亚依拉克镇")
    member.fill("input[name=scheduled_on]", "2018-07-10")
    member.fill("input[name=inspectors]", "领导小组督查组（王、李）")
    shoot(member, "inspections", "1-schedule", size)
    member.click("button:has-text('确定安排')")
    expect(member).to_have_url(re.compile(r"/rounds/2018(-mid)?/inspections/\d+$"))
    expect(member.locator(".flash.success")).to_contain_text("督查清单共3项")
    selects = member.locator("select[name^=result-]")
    expect(selects).to_have_count(3)
    selects.nth(0).select_option(label="已整改")
    selects.nth(1).select_option(label="未整改")
    selects.nth(2).select_option(label="情况说明")
    member.fill("textarea[name=conclusion]", "道路硬化滞后，限期整改")
    member.click("button:has-text('记录督查结果')")
    expect(member.locator(".fielderror")).to_contain_text("请填写情况说明的内容")
    member.locator("textarea[name^=note-]").nth(2).fill("已约谈，待领导小组决定")
    assert no_sideways_scroll(member)
    shoot(member, "inspections", "2-record", size)
    member.click("button:has-text('记录督查结果')")
    expect(member.locator(".flash.success")).to_contain_text("督查结果已记录")
    expect(member.locator(".facts")).to_contain_text("道路硬化滞后")
    shoot(member, "inspections", "3-recorded", size)
    member.goto("/rounds/2018/accountability#inspections")
    expect(member.locator("#inspections + p + div")).to_contain_text("道路硬化滞后，限期整改")
    shoot(member, "inspections", "4-report", size)
    member.goto("/rounds/2018/inspections")
    expect(member.locator("table")).to_contain_text("已整改 1")
    assert no_sideways_scroll(member)
    shoot(member, "inspections", "5-list", size)


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_township_leader_names_a_custodian_on_the_archive_page(new_page, log_in, open_work, size):
    leader = new_page(size)
    log_in(leader, "aoyi_fzr")
    leader.goto("/rounds/2018")
    leader.click("a.button:has-text('档案')")
    expect(leader).to_have_url(re.compile(r"/rounds/2018(-mid)?/archive$"))
    row = leader.locator("tr", has_text="布古纳村")
    expect(row).to_contain_text("尚未指定保管人")
    row.locator("select[name=custodian]").select_option(index=1)
    row.locator("button:has-text('指定')").click()
    expect(leader.locator(".flash.success")).to_contain_text("布古纳村档案保管人")
    expect(leader.locator("tr", has_text="布古纳村")).not_to_contain_text("尚未指定保管人")
    assert no_sideways_scroll(leader)
    shoot(leader, "archive", "1-custodians", size)
