"""The survey reader's two ways into a workbook read the same forms the same way: calamine (fast,
values only) where it can be trusted, openpyxl otherwise. A clerk gets the same rows and the same
problems, cell for cell, whichever way her file was read."""

from __future__ import annotations

import io
from datetime import date, datetime, time

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.test_survey_reader_fuzz import CELLS, VALUES
from tests.unit.test_forms import (
    TOWN,
    VILLAGE,
    answered,
    edit,
    household,
    id_ending_in_x,
    person,
)
from workflow.forms import (
    SurveyContext,
    VillageRow,
    read_survey_form,
    survey_layout,
    survey_sheets,
    write_survey_form,
)
from workflow.forms.fast_sheet import read_grid
from workflow.programme.standards_document import load_standard

STANDARD = load_standard(2018)
FORM1 = write_survey_form(
    1,
    STANDARD,
    SurveyContext(TOWN, VILLAGE, date(2018, 7, 10), [household(n) for n in range(1, 5)]),
)


def both_ways(form_no: int, data: bytes):
    """The form read by each path: (calamine where trusted, openpyxl only)."""
    try:
        survey_sheets.FAST = True
        fast = read_survey_form(form_no, STANDARD, data)
        survey_sheets.FAST = False
        slow = read_survey_form(form_no, STANDARD, data)
    finally:
        survey_sheets.FAST = True
    return fast, slow


def typed_grid(data: bytes, fast: bool) -> list:
    """The chosen sheet's values with their types (Percent, Formula, int, datetime...); calamine
    pads every row to the sheet's width, openpyxl stops at a row's last cell: blanks past the
    end of a row are not compared (the reader reads both as empty)."""
    try:
        survey_sheets.FAST = fast
        title, grid = survey_sheets.load_form_sheet(data, "附件1", lambda g: True, 20000)
    finally:
        survey_sheets.FAST = True
    rows = []
    for n, row in grid:
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        rows.append((n, [(type(v).__name__, v) for v in values]))
    return [title, rows]


def saved(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def shuffled_columns_form() -> bytes:
    """A home-made 附件1: title rows, a merged title, the columns in another order, a 2nd sheet."""
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active["A1"] = "请在附件1中填写"
    ws = book.create_sheet("附件1 ")
    ws["A1"] = "且末县布古纳村脱贫人口回头看摸底表"
    ws.merge_cells("A1:H1")
    ws["A2"] = "填表日期："
    ws["B2"] = datetime(2018, 7, 10)
    ws["B2"].number_format = "yyyy年m月d日"
    layout_headers = ["户主姓名", "身份证号码", "家庭人口", "退出年度", "家庭人均纯收入（元）"]
    ws.append([])
    ws.append(["备注", *reversed(layout_headers), "饮水安全", "安全住房"])
    ws.append(["", "3,100元", 2016, "５", person(11), "阿依古丽", "是", "否"])
    ws.append([None, 2900.5, "2017年", 4, int(person(12)[:17] + "0"), "买买提", True, 0])
    ws.append(["迁出", "", 2015, 3, person(13).lower(), "张华", "√", "×"])
    ws.append(["填表人：李建国"])
    ws.append([None, 3000, 2016, 2, person(14), "迟到户"])
    return saved(book)


def shifted_form() -> bytes:
    """A 附件1 table that starts at C4, with nothing in columns A and B or above it."""
    book = openpyxl.Workbook()
    ws = book.active
    headers = [c.header for c in survey_layout(1, STANDARD).columns if c.key != "seq"]
    answers = ["是"] * 11
    rows = [
        headers,
        ["阿依古丽", person(21), 4, 2016, 3100, *answers],
        ["买买提", person(22), 3, "2017年", "２９００", *answers],
    ]
    for r, values in enumerate(rows, start=4):
        for c, value in enumerate(values, start=3):
            ws.cell(r, c, value)
    return saved(book)


def representative_forms() -> dict[str, tuple[int, bytes]]:
    idx = id_ending_in_x()
    full_width = idx[:-1].translate({ord(d): 0xFF10 + int(d) for d in "0123456789"}) + "x"
    plain = edit(FORM1, {**answered(6), **answered(7), **answered(8), **answered(9)})
    forms = {
        "filled template": (1, plain),
        "blank template": (1, FORM1),
        "messy answers": (
            1,
            edit(
                plain,
                {
                    "C6": full_width,
                    "F6": "３，２００元",
                    "T6": 13899001122,
                    "D7": "6人",
                    "E7": "２０１５年",
                    "G7": "ｙｅｓ",
                    "H7": " 是 ",
                    "I8": True,
                    "J8": 0,
                    "K8": "不涉及",
                    "F9": " 4,100.50 ",
                    "B9": "   ",
                    "R9": "饮水管道未入户",
                },
            ),
        ),
        "ID as a 15-digit number": (1, edit(plain, {"C7": 652825197003040}, {"C7": "0"})),
        "ID as an 18-digit number": (1, edit(plain, {"C7": int(person(2)[:17] + "0")})),
        "percent cells": (
            1,
            edit(
                plain,
                {"F6": 0.084, "F7": 0.5, "T8": 0.25},
                {"F6": "0.0%", "F7": "0%", "T8": "0.00%"},
            ),
        ),
        "dates and times in data cells": (
            1,
            edit(
                plain,
                {"E6": date(2016, 5, 1), "F7": datetime(2018, 7, 1, 10, 30), "T8": time(9, 15)},
            ),
        ),
        "a formula": (1, edit(plain, {"F7": "=F6*2"})),
        "an error value": (1, edit(plain, {"F7": "#N/A"})),
        "rows below the signature": (1, edit(plain, {"B13": "迟到户", "C13": person(20)})),
        "duplicate household": (1, edit(plain, {"C7": person(1)})),
        "shuffled columns, title rows": (1, shuffled_columns_form()),
        "a table starting at C4": (1, shifted_form()),
        "village form": (
            2,
            edit(
                write_survey_form(
                    2,
                    STANDARD,
                    SurveyContext(
                        TOWN,
                        villages=[VillageRow(TOWN, VILLAGE, 2017), VillageRow(TOWN, "阿尔帕村")],
                    ),
                ),
                {"E6": "有", "I6": "3.2万元", "I7": "５万", "E7": 1.0, "F7": "无"},
                sheet="附件2",
            ),
        ),
        "township form as 附件1": (1, write_survey_form(3, STANDARD, SurveyContext(TOWN))),
    }
    # openpyxl writes "#N/A" as text; Excel writes it as an error value.
    book = openpyxl.load_workbook(io.BytesIO(forms["an error value"][1]))
    book["附件1"]["F7"].data_type = "e"
    forms["an error value"] = (1, saved(book))
    return forms


FORMS = representative_forms()


@pytest.mark.parametrize("name", FORMS)
def test_both_readers_give_the_same_rows_and_problems(name):
    form_no, data = FORMS[name]
    fast, slow = both_ways(form_no, data)
    assert fast == slow
    assert typed_grid(data, fast=True) == typed_grid(data, fast=False)


def test_calamine_reads_the_plain_forms_and_leaves_the_doubtful_ones_to_openpyxl():
    trusted = {name for name, (_n, data) in FORMS.items() if read_grid(data) is not None}
    assert {"filled template", "messy answers", "percent cells", "village form"} <= trusted
    assert "a table starting at C4" in trusted
    assert "a formula" not in trusted and "an error value" not in trusted
    # The 18-digit number is read by calamine as a float: the reader falls back on openpyxl.
    fast, _slow = both_ways(1, FORMS["ID as an 18-digit number"][1])
    assert fast.errors and fast.errors[0].cell == "C7"


def test_a_table_away_from_a1_is_read_in_its_own_cells():
    fast, slow = both_ways(1, FORMS["a table starting at C4"][1])
    assert fast == slow
    assert [r.cells["id_number"] for r in fast.rows] == ["D5", "D6"]
    assert fast.rows[0].values["H-WATER"] is True


def test_a_percentage_is_still_read_as_one():
    fast, slow = both_ways(1, FORMS["percent cells"][1])
    assert fast == slow
    assert fast.rows[0].values["H-INCOME"] == pytest.approx(0.084)
    assert [str(e) for e in fast.errors] == [str(e) for e in slow.errors]


FORMATS = st.sampled_from([None, "0%", "0.00%", "yyyy-mm-dd", "@", "0.0", "[h]:mm", "h:mm"])


@settings(
    max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.dictionaries(st.sampled_from(CELLS), st.tuples(VALUES, FORMATS), max_size=8))
def test_any_cells_and_formats_are_read_the_same_both_ways(cells):
    values = {ref: value for ref, (value, _f) in cells.items()}
    formats = {ref: fmt for ref, (_v, fmt) in cells.items() if fmt}
    data = edit(FORM1, values, formats)
    fast, slow = both_ways(1, data)
    assert fast == slow
    assert typed_grid(data, fast=True) == typed_grid(data, fast=False)
