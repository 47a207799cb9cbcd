"""四统一 in Chromium, at a desk and on a phone: the county office loads the police extract and
reconciles; the township's clerk opens a differing household and records her finding."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.journeys import no_sideways_scroll, shoot
from tests.reconcile_data import police_people, police_workbook
from workflow.models import Household, ReconcileDifference
from workflow.platform import clock
from workflow.platform.db import db
from workflow.programme import rounds
from workflow.programme.lookback import household_in_round

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_police_extract_run_and_a_township_finding(new_page, log_in, county, user, size, tmp_path):
    clock.set_now(clock.parse_moment("2018-07-20T10:00"))
    round_ = rounds.launch_round(2018, user("fpb"))
    db.session.commit()
    people = police_people()
    aoyi = [
        h
        for h in people
        if (found := db.session.get(Household, h)).village.township.name == "奥依亚依拉克镇"
        and household_in_round(round_, found)
        and len(people[h]) >= 3
    ]
    renamed, gone = aoyi[0], aoyi[1]
    people[renamed][1]["name"] += "汗"
    people[gone][2].update(status="死亡")
    (tmp_path / "公安户籍.xlsx").write_bytes(police_workbook(people))

    page = new_page(size)
    log_in(page, "fpb")
    page.goto("/reconcile")
    expect(page.locator("h1")).to_have_text("档案四统一")
    page.set_input_files("input[name=file]", str(tmp_path / "公安户籍.xlsx"))
    page.get_by_role("button", name="载入").click()
    expect(page.locator("body")).to_contain_text("公安户籍.xlsx")
    page.get_by_role("button", name="比对", exact=True).click()
    expect(page.locator("h1")).to_contain_text("2 户不一致")
    shoot(page, "reconcile", "1-differences", size)
    assert no_sideways_scroll(page)
    page.goto("/reconcile/2018/report")
    expect(page.locator("table.numbers")).to_contain_text("乡镇合计")
    shoot(page, "reconcile", "4-report", size)
    assert no_sideways_scroll(page)
    page.goto("/reconcile")
    shoot(page, "reconcile", "0-index", size)
    assert no_sideways_scroll(page)

    clerk = new_page(size)
    log_in(clerk, "aoyi_zg")
    clerk.goto(f"/reconcile/2018/households/{renamed}")
    expect(clerk.locator("h2").first).to_contain_text("姓名不一致")
    shoot(clerk, "reconcile", "2-household-form", size)
    clerk.check("input[name=right_source][value=police]")
    clerk.fill("textarea[name=correction]", "7月20日已在全国扶贫开发信息系统更正姓名")
    clerk.get_by_role("button", name="保存核实结果").click()
    expect(clerk.locator("section.card").first).to_contain_text("以公安户籍为准")
    shoot(clerk, "reconcile", "3-household-resolved", size)
    assert no_sideways_scroll(clerk)
    db.session.expire_all()
    line = db.session.scalar(
        sa.select(ReconcileDifference).where(ReconcileDifference.household_id == renamed)
    )
    assert line.resolved_at is not None
