"""Property tests of the survey reader: whatever a clerk (or an attacker) types into the answer
cells of a real 附件1, reading it never fails, and every refusal names its cell."""

from __future__ import annotations

import re
from datetime import date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.test_forms import TOWN, VILLAGE, edit, household
from workflow.forms import SurveyContext, read_survey_form, write_survey_form
from workflow.programme.standards_document import load_standard

STANDARD = load_standard(2018)
FORM = write_survey_form(
    1, STANDARD, SurveyContext(TOWN, VILLAGE, date(2018, 7, 10), [household(1), household(2)])
)
# The answer cells of the two households: income, growth and the ten 是/否 columns.
CELLS = [f"{c}{r}" for r in (6, 7) for c in "FGHIJKLMNOPQ"]
CELL_REF = re.compile(r"^[A-Z]{1,3}[0-9]+$")
# What openpyxl can write into a cell: text without XML-illegal characters, numbers, booleans,
# dates, and formulas.
XML_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufffe\uffff"),
    max_size=40,
).filter(lambda t: not re.search("[\x01-\x08\x0b\x0c\x0e-\x1f]", t))
VALUES = st.one_of(
    st.none(),
    XML_TEXT,
    st.sampled_from(["是", "否", "√", "×", "有", "无", "1", "0", "３２００", "=1+1", "=F6*2"]),
    st.sampled_from(["不涉及", "/", "—", "无此情况"]),  # where an indicator may not apply
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@FUZZ
@given(st.dictionaries(st.sampled_from(CELLS), VALUES, max_size=len(CELLS)))
def test_the_reader_never_fails_and_every_problem_names_its_cell(cells):
    parsed = read_survey_form(1, STANDARD, edit(FORM, cells))
    for error in parsed.errors:
        assert CELL_REF.match(error.cell), error
        assert error.message.strip()
    assert len(parsed.rows) + len({e.cell[1:] for e in parsed.errors}) >= 1


@FUZZ
@given(st.binary(max_size=2000))
def test_any_bytes_are_read_or_refused_in_one_sentence(data):
    parsed = read_survey_form(1, STANDARD, data)
    assert parsed.rows == [] and len(parsed.errors) == 1
    assert parsed.errors[0].message.strip()
