"""The year-end acceptance of planned exits and a household across the rounds, in a real
Chromium: the township clerk proposes on a phone or a desk, the county office confirms, and the
household's page shows the year's outcome; screenshots in /tmp/screens/."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.factories import at, department
from workflow.cases.lifecycle import Subject, open_case
from workflow.models import Household, RoundKind, SubjectKind, Township, Village
from workflow.platform import clock
from workflow.platform.db import db
from workflow.programme import rounds

pytestmark = pytest.mark.browser

SCREENS = Path("/tmp/screens")


@pytest.fixture
def year_end(county, user):
    """2018-mid and 2018-end launched; a housing gap found at 2018-end for a 布古纳村 household."""
    clock.set_now(at("2018-06-20T10:00"))
    rounds.launch_round(2018, user("fpb"))
    clock.set_now(at("2018-11-20T10:00"))
    end = rounds.launch_round(2018, user("fpb"), kind=RoundKind.END)
    household = db.session.scalars(
        sa.select(Household)
        .join(Village)
        .where(Village.name == "布古纳村", Household.exit_year.is_not(None))
        .order_by(Household.id)
    ).first()
    subject = Subject(
        SubjectKind.HOUSEHOLD, household.village.township, household.village, household
    )
    open_case(end, subject, "H-HOUSING", "住房安全有保障", department("ZJJ"), None)
    db.session.commit()
    return household


def aoyi_planned() -> list[Household]:
    return list(
        db.session.scalars(
            sa.select(Household)
            .join(Village)
            .join(Township)
            .where(
                Township.name == "奥依亚依拉克镇",
                Household.exit_year.is_(None),
                Household.planned_exit_year == 2018,
            )
            .order_by(Village.code, Household.id)
        )
    )


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_planned_exits_are_proposed_confirmed_and_read_on_the_households_page(
    new_page, log_in, year_end, size
):
    SCREENS.mkdir(parents=True, exist_ok=True)
    meets, fails = aoyi_planned()[:2]
    clerk = new_page(size)
    log_in(clerk, "aoyi_zg")
    clerk.goto("/rounds/2018-end/planned-exits")
    clerk.check(f"input[name=meets-{meets.id}][value=yes]")
    clerk.check(f"input[name=meets-{fails.id}][value=no]")
    clerk.click("button.primary")
    error = clerk.locator(f"label:has(input[name=reason-{fails.id}]) .fielderror")
    expect(error).to_be_visible()
    clerk.screenshot(path=str(SCREENS / f"planned-exits-refused-{size}.png"), full_page=True)
    clerk.fill(f"input[name=reason-{fails.id}]", "住房未达安全标准")
    clerk.click("button.primary")
    expect(clerk.locator(".flash")).to_contain_text("已记录 2 户")
    clerk.screenshot(path=str(SCREENS / f"planned-exits-township-{size}.png"), full_page=True)
    assert _no_sideways_scroll(clerk)

    office = new_page(size)
    log_in(office, "fpb")
    office.goto("/rounds")
    office.screenshot(path=str(SCREENS / f"rounds-line-{size}.png"), full_page=True)
    office.click("a[href='/rounds/2018-end/planned-exits']")
    office.check(f"input[name=confirm][value='{meets.id}']")
    office.check(f"input[name=confirm][value='{fails.id}']")
    office.click("button[value=confirm]")
    expect(office.locator(".flash")).to_contain_text("已记录 2 户")
    office.screenshot(path=str(SCREENS / f"planned-exits-county-{size}.png"), full_page=True)
    assert _no_sideways_scroll(office)

    office.goto(f"/households/{meets.id}")
    expect(office.locator(".facts")).to_contain_text("2018 年已脱贫")
    office.goto(f"/households/{year_end.id}")
    expect(office.locator("#round-2019-mid")).to_contain_text("2018-end 轮次查找出")
    office.screenshot(path=str(SCREENS / f"household-{size}.png"), full_page=True)
    assert _no_sideways_scroll(office)
