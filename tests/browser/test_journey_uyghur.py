"""Journeys in Uyghur, right to left: the village clerk chooses Uyghur on the login page and files
her 附件1 answered with ھەئە / ياق; a department clerk who reads Uyghur plans a case; her leader
looks at the overdue board. At a desk and on a 375 px phone, with screenshots to look at in
tests/artifacts/uyghur-*/."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.journeys import confirm_and_press, no_sideways_scroll, shoot
from tests.factories import at
from tests.scenario import ALL_YES_HOUSEHOLD, ALL_YES_VILLAGE
from workflow.forms.uyghur import is_uyghur_line
from workflow.models import HelpCase, SurveyAnswer, User
from workflow.platform import clock
from workflow.platform.db import db
from workflow.programme import rounds

pytestmark = pytest.mark.browser
YES_SPELLINGS = ("是", "√", "有", "1", "✓", "Y")
FONT_LOADED = """document.fonts.ready.then(() => [...document.fonts].some(
    f => f.family.includes("Noto Sans Arabic") && f.status === "loaded"))"""


@pytest.fixture
def launched(county, user):
    clock.set_now(at("2018-07-02T09:00"))
    rounds.launch_round(2018, user("fpb"))
    db.session.commit()
    clock.set_now(at("2018-07-05T10:00"))


def _speaks_uyghur(username: str) -> None:
    db.session.execute(sa.update(User).where(User.username == username).values(language="ug"))
    db.session.commit()


def _right_to_left(page) -> None:
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ug")


def _fill_in_uyghur(form: bytes, answers: dict[str, object]) -> tuple[bytes, int]:
    """Answer every row of a Uyghur-language form, yes as ھەئە; return it and its rows."""
    book = load_workbook(BytesIO(form))
    ws = book.worksheets[0]
    cols = {}
    for row in ws.iter_rows(min_row=4, max_row=5):
        for cell in row:
            if isinstance(cell.value, str):
                chinese = "".join(x for x in cell.value.split("\n") if not is_uyghur_line(x))
                cols.setdefault(chinese, cell.column)
    row = next(r for r in range(1, 12) if ws.cell(r, 1).value == 1)
    rows = 0
    while ws.cell(row, 1).value not in (None, ""):
        for header, value in answers.items():
            ws.cell(row, cols[header]).value = "ھەئە" if value in YES_SPELLINGS else value
        row, rows = row + 1, rows + 1
    out = BytesIO()
    book.save(out)
    return out.getvalue(), rows


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_village_clerk_files_her_forms_in_uyghur(new_page, launched, size, tmp_path):
    page = new_page(size)
    page.goto("/login")
    page.locator(".langswitch input[type=submit][lang=ug]").click()
    _right_to_left(page)
    expect(page.locator("h1")).to_have_text("كىرىش")
    assert page.evaluate(FONT_LOADED), "the Uyghur font is served by huitou and used"
    assert no_sideways_scroll(page)
    shoot(page, "uyghur-village-clerk", "0-login", size)

    page.fill("input[name=username]", "buguna_cun")
    page.fill("input[name=password]", "huitou-demo")
    page.click("button[type=submit]")  # the language switch is no button: the form's is first
    expect(page).to_have_url(re.compile(r"/inbox$"))
    _right_to_left(page)  # the choice made before logging in goes on after it
    expect(page.locator("h1")).to_contain_text("مېنىڭ ئىشلىرىم")
    shoot(page, "uyghur-village-clerk", "1-inbox", size)
    assert no_sideways_scroll(page)

    page.locator(".tasklist a").first.click()
    expect(page).to_have_url(re.compile(r"/survey/tasks/\d+$"))
    forms = {}
    for link in page.locator("a[href*='/form/']").all():
        number = int(re.search(r"/form/(\d)\.xlsx", link.get_attribute("href")).group(1))
        with page.expect_download() as download:
            link.click()
        forms[number] = download.value.path().read_bytes()
    assert load_workbook(BytesIO(forms[1])).sheetnames == ["附件1", "ئىزاھات"]

    answered, rows = _fill_in_uyghur(forms[1], ALL_YES_HOUSEHOLD)
    upload = tmp_path / "1.xlsx"
    upload.write_bytes(answered)
    page.set_input_files("input[name=file]", str(upload))
    page.locator("form[enctype] button[type=submit]").click()
    expect(page.locator(".card.errors")).to_have_count(0)
    expect(page.locator(".flash")).to_contain_text(f"\u2068{rows}\u2069 قۇر كىرگۈزۈلدى")
    if 2 in forms:
        village_form = tmp_path / "2.xlsx"
        village_form.write_bytes(_fill_in_uyghur(forms[2], ALL_YES_VILLAGE)[0])
        page.set_input_files("input[name=file]", str(village_form))
        page.locator("form[enctype] button[type=submit]").click()
        expect(page.locator(".card.errors")).to_have_count(0)
    shoot(page, "uyghur-village-clerk", "2-forms-on-file", size)
    assert no_sideways_scroll(page)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyAnswer)) >= rows

    confirm_and_press(page, "form[action$='/submit']")
    expect(page).to_have_url(re.compile(r"/inbox$"))
    expect(page.locator(".flash")).to_contain_text("ئىمزا قويۇلۇپ يوللاندى")
    shoot(page, "uyghur-village-clerk", "3-submitted", size)


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_department_plans_a_case_in_uyghur(new_page, log_in, water_case, size):
    _speaks_uyghur("dept_slj")
    _speaks_uyghur("dept_slj_fzr")
    case = db.session.get(HelpCase, water_case)
    id_number = case.household.id_number

    clerk = new_page(size)
    log_in(clerk, "dept_slj")
    _right_to_left(clerk)
    shoot(clerk, "uyghur-case-work", "1-inbox", size)
    clerk.goto(f"/cases/{water_case}")
    _right_to_left(clerk)
    # The ID number is isolated left to right inside the Uyghur line that names the household.
    expect(clerk.locator("main")).to_contain_text(f"\u2066{id_number}\u2069")
    expect(clerk.locator("main")).to_contain_text("ياردەم تەدبىرى")
    shoot(clerk, "uyghur-case-work", "2-case", size)
    assert no_sideways_scroll(clerk)
    clerk.fill("textarea[name=measure]", "ئائىلىگە ئىچىملىك سۇ تۇرۇبىسى ياتقۇزۇش")
    clerk.fill("input[name=target_standard]", "يىل بويى بىخەتەر ئىچىملىك سۇ")
    clerk.fill("input[name=responsible_person]", "ئابلىمىت تۇرسۇن")
    clerk.fill("input[name=planned_completion]", "2018-09-30")
    clerk.locator("form[action$='/plan'] button[type=submit]").click()
    expect(clerk.locator("form[action$='/submit']")).to_be_visible()
    expect(clerk.locator("body")).to_contain_text("ياردەم تەدبىرىنى يوللىدى")
    shoot(clerk, "uyghur-case-work", "3-planned", size)
    assert no_sideways_scroll(clerk)

    clock.set_now(at("2019-01-20T10:00"))  # long overdue: the leader's board lists it
    leader = new_page(size)
    log_in(leader, "dept_slj_fzr")
    leader.goto("/board")
    _right_to_left(leader)
    expect(leader.locator("main")).to_contain_text("مۆھلىتى ئۆتكەنلەرنى نازارەت قىلىش")
    shoot(leader, "uyghur-case-work", "4-board", size)
    assert no_sideways_scroll(leader)
