"""The township survey's steps and deadline; then county triage of the 补课清单."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from notifications.models import Notice
from tests.factories import at
from tests.integration.test_survey_import import (
    ALL_YES_HOUSEHOLD,
    ALL_YES_TOWNSHIP,
    ALL_YES_VILLAGE,
)
from tests.survey_filling import fill, rows_of
from workflow import clock, gaps, rounds, survey_flow, tasks
from workflow.db import db
from workflow.errors import AccessDenied, ValidationFailed
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
from workflow.survey import import_survey
from workflow.survey_templates import find_township, survey_template

AOYI = "奥依亚依拉克镇"


@pytest.fixture
def round2018(county, user):
    clock.set_now(at("2018-07-01T10:00"))
    round_ = rounds.launch_round(2018, user("fpb"))
    db.session.commit()
    return round_


def village_clerk_for(village: Village, user):
    """The demo has one clerk for 布古纳村; other villages get one made on the spot."""
    from workflow.models import Role, User

    existing = db.session.scalar(sa.select(User).where(User.village_id == village.id))
    if existing:
        return existing
    clerk = User(
        username=f"clerk_{village.code}",
        display_name=f"{village.name}填报员",
        role=Role.VILLAGE_CLERK,
        village_id=village.id,
        township_id=village.township_id,
        password_hash="!",
    )
    db.session.add(clerk)
    db.session.flush()
    return clerk


def submit_township(round_, township_name: str, user, *, with_water_gap: bool = True) -> None:
    """Every village of the township files and signs; the clerk files 附件3; the leader signs."""
    township = find_township(township_name)
    village_tasks = db.session.scalars(
        sa.select(HumanTask).where(
            HumanTask.spec_name == "village_forms",
            HumanTask.state == TaskState.READY,
            HumanTask.township_id == township.id,
        )
    ).all()
    for task in village_tasks:
        village = db.session.get(Village, task.village_id)
        clerk = village_clerk_for(village, user)
        answers = {}
        form1 = survey_template(1, round_, village=village)
        if with_water_gap and has_rows(form1):
            first_id = next(iter(rows_of(form1, "身份证号")))
            answers = {first_id: {"有安全饮水": "否"}}
        if has_rows(form1):
            import_survey(fill(form1, "身份证号", answers, ALL_YES_HOUSEHOLD), clerk, round_)
        if village.is_exited_poor:
            form2 = survey_template(2, round_, village=village)
            import_survey(fill(form2, "村名", {}, ALL_YES_VILLAGE), clerk, round_)
        survey_flow.submit_village_forms(task, clerk)
    review = tasks.ready_task_of(village_tasks[0].instance_id, "township_review")
    clerk = user("aoyi_zg") if township_name == AOYI else user("qmz_zg")
    form3 = survey_template(3, round_, township=township)
    import_survey(fill(form3, "乡镇", {}, ALL_YES_TOWNSHIP), clerk, round_)
    survey_flow.submit_township_review(review, clerk)
    sign = tasks.ready_task_of(village_tasks[0].instance_id, "leader_sign")
    leader = user("aoyi_fzr") if township_name == AOYI else user("qmz_fzr")
    survey_flow.sign_township_survey(sign, leader)
    db.session.commit()


def has_rows(data: bytes) -> bool:
    """Whether a pre-filled form has any household rows (a village may have none in scope)."""
    try:
        return bool(rows_of(data, "身份证号"))
    except AssertionError:
        return False


@pytest.fixture
def run_tick(app, monkeypatch):
    from web import cli

    monkeypatch.setattr(cli, "_app", lambda: app)

    def run(moment: str) -> str:
        db.session.commit()
        result = CliRunner().invoke(cli.main, ["tick", "--now", moment], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        db.session.expire_all()
        return result.output

    return run


def test_village_cannot_sign_before_importing(round2018, user):
    task = tasks.inbox(user("buguna_cun"))[0]
    with pytest.raises(ValidationFailed) as err:
        survey_flow.submit_village_forms(task, user("buguna_cun"))
    assert "附件1" in err.value.message and "附件2" in err.value.message
    with pytest.raises(AccessDenied):
        survey_flow.submit_village_forms(task, user("katelesh_cun"))


def test_submitted_township_is_signed_and_its_gaps_open(round2018, user):
    submit_township(round2018, AOYI, user)
    survey = db.session.scalar(
        sa.select(TownshipSurvey).join(Township).where(Township.name == AOYI)
    )
    assert survey.status == TownshipSurveyStatus.SUBMITTED
    signatures = db.session.scalars(sa.select(Signature.object_type)).all()
    assert signatures.count("township_survey") == 1 and "village_forms" in signatures
    statuses = set(db.session.scalars(sa.select(Gap.status)))
    assert statuses == {GapStatus.OPEN}


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
