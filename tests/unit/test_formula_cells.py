"""A formula in a survey answer cell is refused as a formula, naming its cell, whether Excel saved
a computed value with it or not (openpyxl saves none: such a cell once read as "not filled")."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from tests.unit.test_forms import TOWN, VILLAGE, answered, edit, household
from workflow.forms import SurveyContext, read_survey_form, write_survey_form
from workflow.programme.standards_document import load_standard


@pytest.fixture
def std():
    return load_standard(2018)


def _form(std) -> bytes:
    context = SurveyContext(TOWN, VILLAGE, date(2018, 7, 10), [household(1)])
    return write_survey_form(1, std, context)


def _with_cached_value(data: bytes, cell: str, value: str) -> bytes:
    """The workbook as Excel saves it: the formula and its last computed value side by side."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = content.decode("utf-8")
                marker = f'<c r="{cell}"'
                start = text.index(marker)
                end = text.index("</c>", start)
                formula = text[text.index("<f>", start) : text.index("</f>", start) + 4]
                text = text[:start] + f'{marker} t="str">{formula}<v>{value}</v>' + text[end:]
                content = text.encode("utf-8")
            target.writestr(item, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("cell", "formula"), [("F6", "=3000+500"), ("H6", '=IF(1=1,"是","否")'), ("G6", "=F6/100")]
)
def test_a_formula_is_refused_as_a_formula_naming_its_cell(std, cell, formula):
    data = edit(_form(std), {**answered(6), cell: formula})
    parsed = read_survey_form(1, std, data)
    problems = {e.cell: e.message for e in parsed.errors}
    assert cell in problems, parsed.errors
    assert "公式" in problems[cell] and "未填写" not in problems[cell]


def test_a_formula_with_a_value_excel_saved_is_refused_too(std):
    data = _with_cached_value(edit(_form(std), {**answered(6), "H6": '="是"'}), "H6", "是")
    parsed = read_survey_form(1, std, data)
    assert [e.cell for e in parsed.errors] == ["H6"]
    assert "公式" in parsed.errors[0].message


def test_text_that_only_looks_like_a_formula_is_read_as_typed(std):
    data = edit(_form(std), answered(6))
    assert read_survey_form(1, std, data).errors == []
