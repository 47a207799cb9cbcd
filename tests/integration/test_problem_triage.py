"""Free-text problems (存在问题) on the village's 附件1 become items of the county office's
triage: turned into a gap on an indicator it chooses (then routed and confirmed like any other),
or closed with a reason; both audited."""

from __future__ import annotations

import json

import sqlalchemy as sa

from tests.scenario import ALL_YES_HOUSEHOLD
from tests.survey_filling import fill, rows_of
from workflow.models import AuditEvent, Gap, GapStatus, HelpCase, ProblemNote, ProblemStatus
from workflow.platform.db import db
from workflow.survey import flow as survey_flow
from workflow.survey.intake import import_survey
from workflow.survey.templates import find_township, survey_template

LEAKING_ROOF = "房屋墙体开裂，雨季漏水"
NO_JOB = "家中两名劳动力无稳定工作"


def _file_buguna(round_, user, problems: dict[int, str]) -> list[str]:
    """布古纳村's clerk files 附件1, every answer yes, with problems written on some rows
    (by row index); returns the form's ID numbers in row order."""
    clerk = user("buguna_cun")
    form = survey_template(1, round_, village=clerk.village)
    ids = list(rows_of(form, "身份证号"))
    answers = {ids[n]: {"存在问题": text} for n, text in problems.items()}
    import_survey(fill(form, "身份证号", answers, ALL_YES_HOUSEHOLD), clerk, round_)
    db.session.commit()
    return ids


def _release_aoyi(round_, user) -> None:
    survey_flow.release_early(round_.id, find_township("奥依亚依拉克镇").id, user("fpb"))
    db.session.commit()


def _note(text: str) -> ProblemNote:
    return db.session.scalar(
        sa.select(ProblemNote).where(
            ProblemNote.text == text, ProblemNote.status == ProblemStatus.OPEN
        )
    )


def test_a_problem_written_on_the_form_reaches_triage_and_becomes_a_gap(round2018, user, browser):
    _file_buguna(round2018, user, {0: LEAKING_ROOF})
    fpb = browser("fpb")
    assert LEAKING_ROOF not in fpb.get("/rounds/2018/triage").get_data(as_text=True)  # not in yet

    _release_aoyi(round2018, user)
    page = fpb.get("/rounds/2018/triage").get_data(as_text=True)
    note = _note(LEAKING_ROOF)
    item = page[page.index('id="problems"') :]
    assert LEAKING_ROOF in item and note.household.head_name in item and "布古纳村" in item

    answer = fpb.post(
        "/rounds/2018/triage/problems",
        {"problem": str(note.id), "action": "gap", "indicator": "H-HOUSING"},
    )
    assert answer.status_code == 303
    db.session.expire_all()
    gap = db.session.get(Gap, note.gap_id)
    assert (gap.indicator_code, gap.evidence, gap.status) == ("H-HOUSING", LEAKING_ROOF, "open")
    assert gap.household_id == note.household_id and gap.department.code == "ZJJ"
    page = fpb.get("/rounds/2018/triage").get_data(as_text=True)
    board = page[: page.index('id="problems"')]
    assert "县住建局" in board and LEAKING_ROOF in board  # routed like any other gap
    assert LEAKING_ROOF not in page[page.index('id="problems"') :]  # no longer waiting

    fpb.post("/rounds/2018/triage", {"gap": str(gap.id), "action": "confirm"})
    db.session.expire_all()
    case = db.session.get(HelpCase, db.session.get(Gap, gap.id).case_id)
    assert (case.department.code, case.evidence) == ("ZJJ", LEAKING_ROOF)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "problem.to_gap"))
    assert json.loads(event.after)["gap"] == gap.id


def test_a_problem_is_closed_only_with_a_reason_and_the_wrong_kind_of_indicator_is_refused(
    round2018, user, browser
):
    _file_buguna(round2018, user, {1: NO_JOB})
    _release_aoyi(round2018, user)
    note, fpb = _note(NO_JOB), browser("fpb")

    wrong = fpb.post(
        "/rounds/2018/triage/problems",
        {"problem": str(note.id), "action": "gap", "indicator": "V-ROAD"},
    )
    assert wrong.status_code == 422 and "不适用于" in wrong.get_data(as_text=True)
    unreasoned = fpb.post(
        "/rounds/2018/triage/problems", {"problem": str(note.id), "action": "close"}
    )
    assert unreasoned.status_code == 422 and "请写明关闭原因" in unreasoned.get_data(as_text=True)

    closed = fpb.post(
        "/rounds/2018/triage/problems",
        {"problem": str(note.id), "action": "close", "problem_reason": "已由村委协调就业"},
    )
    assert closed.status_code == 303
    db.session.expire_all()
    note = db.session.get(ProblemNote, note.id)
    assert (note.status, note.reason, note.gap_id) == ("closed", "已由村委协调就业", None)
    assert NO_JOB not in fpb.get("/rounds/2018/triage").get_data(as_text=True)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "problem.close"))
    assert event.reason == "已由村委协调就业"
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Gap)
            .where(Gap.status == GapStatus.OPEN, Gap.evidence == NO_JOB)
        )
        == 0
    )


def test_a_corrected_form_replaces_the_problems_of_the_earlier_one(round2018, user, browser):
    _file_buguna(round2018, user, {0: LEAKING_ROOF})
    _file_buguna(round2018, user, {0: NO_JOB})  # the clerk corrects her form
    _release_aoyi(round2018, user)
    page = browser("fpb").get("/rounds/2018/triage").get_data(as_text=True)
    assert NO_JOB in page and LEAKING_ROOF not in page
