"""回头看 end to end: launch 2018, download pre-filled forms, fill them like clerks do, import,
and get exactly the expected gaps routed to the departments §六 names."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.scenario import ALL_YES_HOUSEHOLD, ALL_YES_TOWNSHIP, ALL_YES_VILLAGE
from tests.survey_filling import column_letter, edit, fill, rows_of
from workflow.models import (
    AuditEvent,
    Gap,
    GapStatus,
    Household,
    SurveyAnswer,
    SurveySubmission,
    Village,
)
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, ImportRefused
from workflow.survey.intake import import_survey
from workflow.survey.templates import find_township, find_village, survey_template


def households(village: str) -> list[Household]:
    return list(
        db.session.scalars(
            sa.select(Household)
            .join(Village)
            .where(Village.name == village, Household.exit_year.between(2014, 2017))
            .order_by(Household.id)
        )
    )


def found(round_) -> set[tuple[str, str, str]]:
    """(subject, indicator, department code) of every live gap."""
    result = set()
    for gap in db.session.scalars(
        sa.select(Gap).where(Gap.round_id == round_.id, Gap.status != GapStatus.SUPERSEDED)
    ):
        who = (
            gap.household.id_number
            if gap.household
            else (gap.village.name if gap.village else gap.township.name)
        )
        result.add((who, gap.indicator_code, gap.routed_to))
    return result


def test_messy_but_valid_forms_give_exactly_the_expected_gaps(round2018, user):
    hh = households("布古纳村")
    assert len(hh) >= 3
    a, b, c = hh[0].id_number, hh[1].id_number, hh[2].id_number
    form1 = fill(
        survey_template(1, round2018, village=find_village("布古纳村")),
        "身份证号",
        {
            a: {"有安全饮水": "×", "基本养老有保障": "否", "人均纯收入（元）": "2,650元"},
            b: {"住房安全有保障": "无", "符合低保条件": "否", "已纳入低保": "否"},
            c: {"帮扶手册、扶持证填写规范": "0"},
        },
        ALL_YES_HOUSEHOLD,
    )
    if c.endswith("X"):  # the clerk typed the ID with a lower-case x
        form1 = edit(
            form1,
            {f"{column_letter(form1, '身份证号')}{rows_of(form1, '身份证号')[c]}": c[:-1] + "x"},
        )
    form1 = edit(form1, {"A300": None})  # a stray formatted row far below: a trailing empty row
    result = import_survey(form1, user("buguna_cun"), round2018, file_name="附件1.xlsx")
    assert result.rows == len(hh) and result.gaps == 5

    form2 = fill(
        survey_template(2, round2018, village=find_village("布古纳村")),
        "村名",
        {"布古纳村": {"集体经济年收入（万元）": "3.2", "有卫生室": "无"}},
        ALL_YES_VILLAGE,
    )
    import_survey(form2, user("buguna_cun"), round2018)
    form3 = fill(
        survey_template(3, round2018, township=find_township("奥依亚依拉克镇")),
        "乡镇",
        {"奥依亚依拉克镇": {"有计生服务站": "无", "有综治工作中心": "×"}},
        ALL_YES_TOWNSHIP,
    )
    import_survey(form3, user("aoyi_zg"), round2018)
    # a second township: 喀特勒什村 (且末镇) files its households, 且末镇 its 附件3
    d, e = (h.id_number for h in households("喀特勒什村")[:2])
    kate = fill(
        survey_template(1, round2018, village=find_village("喀特勒什村")),
        "身份证号",
        {
            d: {"有生活用电": "无", "义务教育有保障": "×"},
            e: {"符合低保条件": "是", "已纳入低保": "否", "有广播电视": "0"},
        },
        ALL_YES_HOUSEHOLD,
    )
    import_survey(kate, user("katelesh_cun"), round2018)
    qmz = fill(
        survey_template(3, round2018, township=find_township("且末镇")),
        "乡镇",
        {"且末镇": {"有标准卫生院（含体检中心）": "无"}},
        ALL_YES_TOWNSHIP,
    )
    import_survey(qmz, user("qmz_zg"), round2018)
    db.session.commit()

    assert found(round2018) == {
        (d, "H-POWER", "GW"),
        (d, "H-EDU", "JKJ"),
        (e, "H-DIBAO", "MZJ"),
        (e, "H-TV", "WGJ"),
        ("且末镇", "T-HOSPITAL", "WJW"),
        (a, "H-WATER", "SLJ"),
        (a, "H-PENSION", "FPB"),
        (a, "H-INCOME", "NYJ"),
        (b, "H-HOUSING", "ZJJ"),
        (c, "A-BOOKLET", "TOWNSHIP"),
        ("布古纳村", "V-COLLECTIVE-INCOME", "JCB"),
        ("布古纳村", "V-CLINIC", "WJW"),
        ("奥依亚依拉克镇", "T-FAMILY-PLANNING", "FPB"),
        ("奥依亚依拉克镇", "T-SECURITY", "ZFW"),
    }
    income = db.session.scalar(sa.select(Gap).where(Gap.indicator_code == "H-INCOME"))
    assert "2,650" in income.evidence and "2017 年标准 2,952" in income.evidence  # §四.1
    pension = db.session.scalar(sa.select(Gap).where(Gap.indicator_code == "H-PENSION"))
    assert pension.department_id is None, "§六 names no department: the county office decides"
    assert all(g.status == GapStatus.PENDING for g in db.session.scalars(sa.select(Gap)))


def test_a_dozen_errors_all_reported_by_cell_and_nothing_stored(round2018, user):
    hh = households("布古纳村")
    template = survey_template(1, round2018, village=find_village("布古纳村"))
    good = fill(template, "身份证号", {}, ALL_YES_HOUSEHOLD)
    rows = rows_of(good, "身份证号")
    r = [rows[h.id_number] for h in hh]
    col = {
        h: column_letter(good, h)
        for h in [
            "身份证号",
            "户主姓名",
            "人均纯收入（元）",
            "有安全饮水",
            "家庭人口",
            "脱贫年度",
            "有生活用电",
        ]
    }
    other_village = households("喀特勒什村")[0]
    unknown = "110101199003070038"  # valid checksum, not in the county register
    bad = edit(
        good,
        {
            f"{col['身份证号']}{r[0]}": hh[0].id_number[:-1]
            + ("0" if hh[0].id_number[-1] != "0" else "1"),
            f"{col['人均纯收入（元）']}{r[1]}": "-300",
            f"{col['人均纯收入（元）']}{r[2]}": "三千",
            f"{col['有安全饮水']}{r[3]}": "不清楚",
            f"{col['有生活用电']}{r[4]}": None,
            f"{col['户主姓名']}{r[5]}": None,
            f"{col['家庭人口']}{r[6]}": "0",
            f"{col['脱贫年度']}{r[7]}": "1999",
            f"{col['身份证号']}{r[8]}": hh[9].id_number,
            f"{col['身份证号']}{r[10]}": other_village.id_number,
            f"{col['身份证号']}{r[11]}": unknown,
            f"{col['户主姓名']}{r[12]}": "张三",
        },
    )
    with pytest.raises(ImportRefused) as err:
        import_survey(bad, user("buguna_cun"), round2018)
    db.session.rollback()
    problems = err.value.messages()
    text = "\n".join(problems)
    cells = {p.field for p in err.value.problems}
    for cell, words in [
        (f"{col['身份证号']}{r[0]}", "校验码"),
        (f"{col['人均纯收入（元）']}{r[1]}", "负"),
        (f"{col['人均纯收入（元）']}{r[2]}", ""),
        (f"{col['有安全饮水']}{r[3]}", "不清楚"),
        (f"{col['有生活用电']}{r[4]}", ""),
        (f"{col['户主姓名']}{r[5]}", ""),
        (f"{col['家庭人口']}{r[6]}", ""),
        (f"{col['脱贫年度']}{r[7]}", ""),
        # the duplicate is reported at the later of its two rows, naming the other
        (f"{col['身份证号']}{max(r[8], r[9])}", f"{col['身份证号']}{min(r[8], r[9])}"),
        (f"{col['身份证号']}{r[10]}", "喀特勒什村"),
        (f"{col['身份证号']}{r[11]}", "名单"),
        (f"{col['户主姓名']}{r[12]}", "不符"),
    ]:
        hits = [p for p in problems if p.startswith(f"附件1!{cell}:")]
        assert hits, f"no problem reported at {cell}:\n{text}"
        assert f"附件1!{cell}" in cells, f"{cell} is not the field of its problem"
        assert words in " ".join(hits), f"{cell}: {hits}"
    assert len(problems) >= 12
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveySubmission)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyAnswer)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Gap)) == 0

    result = import_survey(good, user("buguna_cun"), round2018)
    db.session.commit()
    assert result.rows == len(hh) and result.gaps == 0


def test_clerk_cannot_import_another_village_and_reimport_does_not_duplicate(round2018, user):
    kate = fill(
        survey_template(1, round2018, village=find_village("喀特勒什村")),
        "身份证号",
        {},
        ALL_YES_HOUSEHOLD,
    )
    with pytest.raises(ImportRefused) as err:
        import_survey(kate, user("buguna_cun"), round2018)  # her own village's name on it, not hers
    assert any("不是布古纳村的户" in p for p in err.value.messages())
    with pytest.raises(AccessDenied):
        import_survey(kate, user("buguna_cun"), round2018, village=find_village("喀特勒什村"))
    with pytest.raises(AccessDenied):
        import_survey(kate, user("dept_slj"), round2018)
    db.session.rollback()

    hh = households("布古纳村")
    template = survey_template(1, round2018, village=find_village("布古纳村"))
    first = fill(template, "身份证号", {hh[0].id_number: {"有安全饮水": "否"}}, ALL_YES_HOUSEHOLD)
    import_survey(first, user("buguna_cun"), round2018)
    db.session.commit()
    corrected = fill(
        template, "身份证号", {hh[0].id_number: {"住房安全有保障": "否"}}, ALL_YES_HOUSEHOLD
    )
    second = import_survey(corrected, user("buguna_cun"), round2018)
    db.session.commit()
    assert second.replaced is not None
    current = db.session.scalars(
        sa.select(SurveySubmission).where(SurveySubmission.is_current)
    ).all()
    assert len(current) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveySubmission)) == 2
    live = db.session.scalars(
        sa.select(Gap.indicator_code).where(Gap.status != GapStatus.SUPERSEDED)
    ).all()
    assert live == ["H-HOUSING"]
    answers = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(SurveyAnswer)
        .where(SurveyAnswer.submission_id == second.submission.id)
    )
    assert answers == len(hh)
    imports = db.session.scalars(
        sa.select(AuditEvent.after)
        .where(AuditEvent.action == "survey.import")
        .order_by(AuditEvent.seq)
    ).all()
    assert len(imports) == 2 and f'"replaces":{second.replaced.id}' in imports[1]


def test_not_an_xlsx_is_refused_clearly(round2018, user):
    with pytest.raises(ImportRefused) as err:
        import_survey(b"%PDF-1.4 not a workbook", user("buguna_cun"), round2018)
    assert err.value.problems and all(
        "xlsx" in p or "Excel" in p or "表格" in p for p in err.value.messages()
    )
