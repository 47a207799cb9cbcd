"""附件1 for a Uyghur-language clerk: the official Chinese sheet, a Uyghur line under each header
and a Uyghur instruction sheet; filled with ھەئە / ياق (yes / no in Uyghur), it imports."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import sqlalchemy as sa
from openpyxl import load_workbook

from tests.scenario import ALL_YES_HOUSEHOLD
from workflow.forms.uyghur import is_uyghur_line
from workflow.models import Gap, Household, Village
from workflow.platform.db import db
from workflow.survey.intake import import_survey
from workflow.survey.templates import find_village, survey_template

YES, NO = "ھەئە", "ياق"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "uyghur"


def _households(village: str) -> list[Household]:
    return list(
        db.session.scalars(
            sa.select(Household)
            .join(Village)
            .where(Village.name == village, Household.exit_year.between(2014, 2017))
            .order_by(Household.id)
        )
    )


def _header_columns(ws) -> dict[str, int]:
    """First (Chinese) line of each header → column."""
    found: dict[str, int] = {}
    for row in ws.iter_rows(min_row=4, max_row=5):
        for cell in row:
            if isinstance(cell.value, str):
                chinese = [line for line in cell.value.split("\n") if not is_uyghur_line(line)]
                found.setdefault("".join(chinese), cell.column)
    return found


def test_a_uyghur_clerks_form_one_keeps_the_chinese_and_adds_uyghur(round2018):
    data = survey_template(1, round2018, village=find_village("布古纳村"), uyghur=True)
    book = load_workbook(BytesIO(data))
    assert book.sheetnames == ["附件1", "ئىزاھات"]
    sheet = book["附件1"]
    assert book.active.title == "附件1"
    assert "回头看" in sheet["A2"].value  # the official title stays Chinese
    headers = [c.value for row in sheet.iter_rows(min_row=4, max_row=5) for c in row if c.value]
    id_header = next(h for h in headers if h.startswith("身份证号"))
    assert id_header == "身份证号\nكىملىك نومۇرى"
    water = next(h for h in headers if h.replace("\n", "").startswith("有安全饮水"))
    assert water.endswith("بىخەتەر ئىچىملىك سۇ بار")
    notes = book["ئىزاھات"]
    assert notes.sheet_view.rightToLeft
    assert "ھەئە" in "\n".join(str(c.value) for c in notes["A"] if c.value)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "form1-ug.xlsx").write_bytes(data)  # to look at (libreoffice → pdf → png)
    plain = load_workbook(BytesIO(survey_template(1, round2018, village=find_village("布古纳村"))))
    assert plain.sheetnames == ["附件1"], "a Chinese-language clerk gets the form alone"


def test_a_form_answered_in_uyghur_imports(round2018, user):
    hh = _households("布古纳村")
    a, b = hh[0].id_number, hh[1].id_number
    book = load_workbook(
        BytesIO(survey_template(1, round2018, village=find_village("布古纳村"), uyghur=True))
    )
    ws = book["附件1"]
    cols = _header_columns(ws)
    id_col = cols["身份证号"]
    answers = {
        header: YES if value in ("是", "√", "有", "1", "✓", "Y") else value
        for header, value in ALL_YES_HOUSEHOLD.items()
    }
    row = next(r for r in range(1, 12) if ws.cell(r, 1).value == 1)
    while ws.cell(row, 1).value not in (None, ""):
        key = str(ws.cell(row, id_col).value)
        for header, value in answers.items():
            ws.cell(row, cols[header]).value = value
        if key == a:
            ws.cell(row, cols["有安全饮水"]).value = NO
        if key == b:
            ws.cell(row, cols["住房安全有保障"]).value = " ياق "
            ws.cell(row, cols["有生活用电"]).value = "هەئە"  # ھ typed as the plain Arabic ه
        row += 1
    out = BytesIO()
    book.save(out)

    result = import_survey(out.getvalue(), user("buguna_cun"), round2018, file_name="1.xlsx")
    db.session.commit()
    assert result.rows == len(hh) and result.gaps == 2
    gaps = {
        (g.household.id_number, g.indicator_code)
        for g in db.session.scalars(sa.select(Gap).where(Gap.round_id == round2018.id))
    }
    assert gaps == {(a, "H-WATER"), (b, "H-HOUSING")}
