"""The township survey's steps and deadline; then county triage of the 补课清单."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from notifications.models import Notice
from tests.scenario import ALL_YES_HOUSEHOLD, AOYI, certify_township, submit_township
from tests.survey_filling import fill, rows_of
from workflow.inbox import tasks
from workflow.models import (
    AuditEvent,
    Gap,
    GapStatus,
    HelpCase,
    HumanTask,
    Signature,
    SurveyEscalation,
    TaskState,
    Township,
    TownshipSurvey,
    TownshipSurveyStatus,
    Village,
)
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, ValidationFailed
from workflow.survey import flow as survey_flow
from workflow.survey import gaps
from workflow.survey.intake import import_survey
from workflow.survey.templates import find_township, survey_template


def test_village_cannot_sign_before_importing(round2018, user):
    task = tasks.inbox(user("buguna_cun"))[0]
    with pytest.raises(ValidationFailed) as err:
        survey_flow.submit_village_forms(task, user("buguna_cun"))
    assert "附件1" in err.value.message and "附件2" in err.value.message
    with pytest.raises(AccessDenied):
        survey_flow.submit_village_forms(task, user("katelesh_cun"))


def test_submitted_township_is_signed_and_its_gaps_open_once_certified(round2018, user):
    submit_township(round2018, AOYI, user, certify=False)
    survey = db.session.scalar(
        sa.select(TownshipSurvey).join(Township).where(Township.name == AOYI)
    )
    assert survey.status == TownshipSurveyStatus.SUBMITTED
    signatures = db.session.scalars(sa.select(Signature.object_type)).all()
    assert signatures.count("township_survey") == 1 and "village_forms" in signatures
    assert set(db.session.scalars(sa.select(Gap.status))) == {GapStatus.PENDING}  # 核定 first
    certify_township(AOYI, user)
    assert set(db.session.scalars(sa.select(Gap.status))) == {GapStatus.OPEN}


def test_missed_survey_deadline_escalates_only_the_late_township(round2018, user, run_tick):
    submit_township(round2018, AOYI, user)
    run_tick("2018-07-13T23:30+08:00")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyEscalation)) == 0
    run_tick("2018-07-14T00:30+08:00")
    late = db.session.execute(
        sa.select(Township.name, SurveyEscalation.level).join(
            Township, SurveyEscalation.township_id == Township.id
        )
    ).all()
    names = {name for name, level in late}
    assert AOYI not in names and "且末镇" in names and len(names) == 12
    assert {level for _, level in late} == {1}
    told = db.session.scalars(
        sa.select(Notice.user_id).where(Notice.event_key.like("survey:%"))
    ).all()
    assert user("qmz_fzr").id in told and user("aoyi_fzr").id not in told
    # village tasks of the late townships are still open: nothing was closed by the timer
    still_open = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(HumanTask)
        .where(HumanTask.spec_name == "village_forms", HumanTask.state == TaskState.READY)
    )
    assert still_open > 0
    run_tick("2018-07-14T00:30+08:00")
    run_tick("2018-07-17T00:30+08:00")  # three days later the county office hears of it
    levels = db.session.scalars(sa.select(SurveyEscalation.level)).all()
    assert levels.count(1) == 12 and levels.count(2) == 12
    assert (
        user("fpb").id
        in db.session.scalars(
            sa.select(Notice.user_id).where(Notice.event_key.like("survey:%:level:2"))
        ).all()
    )


def test_triage_opens_one_case_per_confirmed_gap_and_records_reasons(round2018, user):
    submit_township(round2018, AOYI, user)
    board = gaps.triage_board(round2018)
    water = board["县水利局"]
    assert water and all(g.indicator_code == "H-WATER" for g in water)
    fpb = user("fpb")
    case_ids = gaps.confirm_gaps(round2018, [g.id for g in water[1:]], fpb)
    gaps.reroute_gaps(round2018, [water[0].id], "ZJJ", "入户管网属危房改造一并解决", fpb)
    db.session.commit()
    assert len(case_ids) == len(water) - 1
    cases = db.session.scalars(sa.select(HelpCase)).all()
    assert len(cases) == len(water) - 1 and {c.department.code for c in cases} == {"SLJ"}
    assert all(tasks.ready_task_of(c.instance_id, "plan_measure") for c in cases)
    reroute = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "gap.reroute"))
    assert reroute.reason == "入户管网属危房改造一并解决" and '"ZJJ"' in reroute.after
    gaps.dismiss_gaps(round2018, [water[0].id], "复核时已通水，系填表错误", fpb)
    db.session.commit()
    dismiss = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "gap.dismiss"))
    assert dismiss.reason == "复核时已通水，系填表错误"
    assert db.session.get(Gap, water[0].id).status == GapStatus.DISMISSED
    with pytest.raises(AccessDenied):
        gaps.confirm_gaps(round2018, [water[0].id], user("aoyi_zg"))


def test_unowned_gaps_wait_for_the_county_office(round2018, user):
    clerk = user("buguna_cun")
    form1 = survey_template(
        1,
        round2018,
        village=db.session.scalar(sa.select(Village).where(Village.name == "布古纳村")),
    )
    first = next(iter(rows_of(form1, "身份证号")))
    import_survey(
        fill(form1, "身份证号", {first: {"基本养老有保障": "否"}}, ALL_YES_HOUSEHOLD),
        clerk,
        round2018,
    )
    survey_flow.release_early(round2018.id, find_township(AOYI).id, user("fpb"))
    db.session.commit()
    board = gaps.triage_board(round2018)
    assert next(iter(board)) == "" and board[""][0].indicator_code == "H-PENSION"
    with pytest.raises(ValidationFailed):
        gaps.confirm_gaps(round2018, [board[""][0].id], user("fpb"))
    db.session.rollback()
    gaps.reroute_gaps(round2018, [board[""][0].id], "RSJ", "养老保险归人社局", user("fpb"))
    (case_id,) = gaps.confirm_gaps(round2018, [board[""][0].id], user("fpb"))
    db.session.commit()
    assert db.session.get(HelpCase, case_id).department.code == "RSJ"
