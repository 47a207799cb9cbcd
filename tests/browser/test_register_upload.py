"""The county's administrator loads the 建档立卡 register on its page: a file with one mistake is
refused naming the cell, the corrected file is loaded and its differences are listed — in
Chromium, against the real server, at a desk and on a phone."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.journeys import no_sideways_scroll, shoot
from workflow.demo.members import demo_register_workbook
from workflow.models import Household
from workflow.platform.db import db

pytestmark = pytest.mark.browser


def _column(sheet, header: str) -> int:
    row = next(r for r in sheet.iter_rows(max_row=5) if any(c.value == header for c in r))
    return next(c.column for c in row if c.value == header)


def _registers(demo) -> tuple[bytes, bytes, str, str, str]:
    """The demo's register with one household gone (good), and the same with a wrong ID check
    digit in the members' sheet (bad); the bad cell, the departed household's head and 户编号."""
    book = load_workbook(io.BytesIO(demo_register_workbook(demo)))
    households, members = book["贫困户"], book["家庭成员"]
    number_col = _column(households, "户编号")
    last = households.max_row
    gone_number = households.cell(last, number_col).value
    gone_head = households.cell(last, _column(households, "户主姓名")).value
    households.delete_rows(last)
    key_col = _column(members, "户编号")
    for row in range(members.max_row, 1, -1):
        if members.cell(row, key_col).value == gone_number:
            members.delete_rows(row)
    good = io.BytesIO()
    book.save(good)
    id_col = _column(members, "证件号码")
    cell = members.cell(3, id_col)
    number = str(cell.value)
    cell.value = number[:-1] + ("1" if number[-1] != "1" else "2")
    bad = io.BytesIO()
    book.save(bad)
    return good.getvalue(), bad.getvalue(), f"家庭成员!{cell.coordinate}", gone_head, gone_number


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_the_administrator_loads_the_register_fixing_one_mistake(
    new_page, log_in, county, size, tmp_path
):
    good, bad, bad_cell, gone_head, gone_number = _registers(county)
    (tmp_path / "bad.xlsx").write_bytes(bad)
    (tmp_path / "good.xlsx").write_bytes(good)
    before = db.session.scalar(
        sa.select(sa.func.count()).select_from(Household).where(Household.in_register)
    )

    page = new_page(size)
    log_in(page, "admin")
    page.goto("/admin/county")
    expect(page.locator("h1")).to_be_visible()
    shoot(page, "register", "0-county-setup", size)
    assert no_sideways_scroll(page)
    page.goto("/admin/register")
    expect(page.locator("h1")).to_have_text("建档立卡登记表")
    shoot(page, "register", "1-page", size)
    assert no_sideways_scroll(page)

    page.fill("input[name=year]", "2018")
    page.set_input_files("input[name=file]", str(tmp_path / "bad.xlsx"))
    page.get_by_role("button", name="载入").click()
    errors = page.locator("section.errors")
    expect(errors).to_contain_text("未载入，未做任何改动")
    expect(errors).to_contain_text(bad_cell)
    shoot(page, "register", "2-one-mistake", size)
    assert no_sideways_scroll(page)
    db.session.expire_all()
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Household).where(Household.in_register)
        )
        == before
    ), "a refused file changes nothing"

    page.fill("input[name=year]", "2018")
    page.set_input_files("input[name=file]", str(tmp_path / "good.xlsx"))
    page.get_by_role("button", name="载入").click()
    status = page.locator("section[role=status]")
    expect(status).to_contain_text("已导入2018年度建档立卡登记表第2版")
    changes = status.locator("table.changes")
    left = changes.locator("tr", has_text="移出登记表的户")
    expect(left).to_contain_text("1")
    expect(left).to_contain_text(gone_head)
    expect(page.locator("section.errors")).to_have_count(0)
    shoot(page, "register", "3-loaded", size)
    assert no_sideways_scroll(page)
    db.session.expire_all()
    # by 户编号: two households of the demo may have heads of the same name
    gone = db.session.scalar(
        sa.select(Household).where(Household.household_number == str(gone_number))
    )
    assert gone is not None and not gone.in_register, "marked as left, never deleted"
