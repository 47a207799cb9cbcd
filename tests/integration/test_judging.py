"""Judging a household as §三 and §六 mean it, on the demo county: 不涉及 where the register says
an indicator does not apply (and only there), 低保 as 应纳尽纳、应退尽退."""

from __future__ import annotations

from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.scenario import ALL_YES_HOUSEHOLD
from tests.survey_filling import column_letter, fill, rows_of
from workflow.models import Gap, GapStatus, Household, HouseholdMember, Village
from workflow.platform.db import db
from workflow.platform.errors import ImportRefused
from workflow.programme.applicability import members_of, reference_date
from workflow.survey.intake import import_survey
from workflow.survey.templates import find_village, survey_template

SCHOOL_AGE = range(6, 16)  # 6–15 full years at the survey deadline (义务教育法 §11, nine years)


def _buguna_households(round_) -> tuple[Household, Household]:
    """One household of 布古纳村 with a child of compulsory-school age, one without."""
    households = list(
        db.session.scalars(
            sa.select(Household)
            .join(Village)
            .where(Village.name == "布古纳村", Household.exit_year.between(2014, 2017))
            .order_by(Household.id)
        )
    )
    members = members_of([h.id for h in households], reference_date(round_))
    with_child = next(h for h in households if any(m.age in SCHOOL_AGE for m in members[h.id]))
    without = next(
        h
        for h in households
        if members[h.id] and not any(m.age in SCHOOL_AGE for m in members[h.id])
    )
    return with_child, without


def _gaps(round_, household: Household) -> dict[str, Gap]:
    return {
        g.indicator_code: g
        for g in db.session.scalars(
            sa.select(Gap).where(
                Gap.round_id == round_.id,
                Gap.household_id == household.id,
                Gap.status != GapStatus.SUPERSEDED,
            )
        )
    }


def test_not_applicable_education_is_no_gap_where_no_child_is_of_school_age(round2018, user):
    with_child, without = _buguna_households(round2018)
    template = survey_template(1, round2018, village=find_village("布古纳村"))
    column = column_letter(template, "义务教育有保障")
    rows = rows_of(template, "身份证号")
    sheet = load_workbook(BytesIO(template)).active
    prefilled = {i: sheet[f"{column}{row}"].value for i, row in rows.items()}
    assert prefilled[without.id_number] == "不涉及"
    assert prefilled[with_child.id_number] is None

    # the clerk keeps the pre-filled 不涉及 and answers where a child is of school age
    answers = {k: v for k, v in ALL_YES_HOUSEHOLD.items() if k != "义务教育有保障"}
    answers_of = {i: {"义务教育有保障": "是"} for i, value in prefilled.items() if value is None}
    import_survey(fill(template, "身份证号", answers_of, answers), user("buguna_cun"), round2018)
    assert "H-EDU" not in _gaps(round2018, without)
    assert "H-EDU" not in _gaps(round2018, with_child)


def test_not_applicable_education_with_a_school_age_child_is_a_cell_error(round2018, user):
    with_child, without = _buguna_households(round2018)
    template = survey_template(1, round2018, village=find_village("布古纳村"))
    row = rows_of(template, "身份证号")[with_child.id_number]
    cell = f"{column_letter(template, '义务教育有保障')}{row}"
    bad = fill(
        template,
        "身份证号",
        {with_child.id_number: {"义务教育有保障": "/"}, without.id_number: {"义务教育有保障": "—"}},
        ALL_YES_HOUSEHOLD,
    )
    with pytest.raises(ImportRefused) as refused:
        import_survey(bad, user("buguna_cun"), round2018)
    [problem] = [str(p) for p in refused.value.problems]
    assert problem.startswith(f"附件1!{cell}: 建档立卡名册显示本户有适用成员（")
    assert "“义务教育有保障”不能填写“不涉及”" in problem
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Gap)) == 0


def test_dibao_gap_only_for_a_household_that_qualifies_and_is_not_covered(round2018, user):
    with_child, without = _buguna_households(round2018)
    template = survey_template(1, round2018, village=find_village("布古纳村"))
    filled = fill(
        template,
        "身份证号",
        {with_child.id_number: {"符合低保条件": "是", "已纳入低保": "否"}},
        ALL_YES_HOUSEHOLD,  # every other household: does not qualify, not covered
    )
    import_survey(filled, user("buguna_cun"), round2018)
    assert "H-DIBAO" not in _gaps(round2018, without)
    dibao = _gaps(round2018, with_child)["H-DIBAO"]
    assert dibao.indicator_label == "低保应纳未纳"
    assert dibao.evidence == "符合低保条件：是；已纳入低保：否"
    assert dibao.routed_to == "MZJ" and dibao.department.name == "县民政局"
    all_dibao = db.session.scalars(sa.select(Gap).where(Gap.indicator_code == "H-DIBAO")).all()
    assert [g.household_id for g in all_dibao] == [with_child.id]


def test_the_register_pre_fills_who_is_on_dibao_and_the_village_judges_who_qualifies(
    round2018, user
):
    covered = set(
        db.session.scalars(
            sa.select(HouseholdMember.household_id).where(
                HouseholdMember.subsistence, HouseholdMember.in_register
            )
        )
    )
    households = db.session.scalars(
        sa.select(Household)
        .join(Village)
        .where(Village.name == "布古纳村", Household.exit_year.between(2014, 2017))
    ).all()
    on_dibao = next(h for h in households if h.id in covered)
    off_dibao = next(h for h in households if h.id not in covered)
    template = survey_template(1, round2018, village=find_village("布古纳村"))
    column = column_letter(template, "已纳入低保")
    rows = rows_of(template, "身份证号")
    sheet = load_workbook(BytesIO(template)).active
    assert sheet[f"{column}{rows[on_dibao.id_number]}"].value == "是"
    assert sheet[f"{column}{rows[off_dibao.id_number]}"].value == "否"
    assert (
        sheet[f"{column_letter(template, '符合低保条件')}{rows[on_dibao.id_number]}"].value is None
    )

    # The village keeps the register's coverage and finds the covered household no longer
    # qualifies: 应退未退.
    answers = {k: v for k, v in ALL_YES_HOUSEHOLD.items() if k != "已纳入低保"}
    filled = fill(template, "身份证号", {on_dibao.id_number: {"符合低保条件": "否"}}, answers)
    import_survey(filled, user("buguna_cun"), round2018)
    assert _gaps(round2018, on_dibao)["H-DIBAO"].evidence == "符合低保条件：否；已纳入低保：是"
    assert "H-DIBAO" not in _gaps(round2018, off_dibao)
