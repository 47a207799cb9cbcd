"""The survey's process side: one township_survey per township, its steps, its late escalation."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import sqlalchemy as sa
from blinker import signal

from workflow.engine import instances
from workflow.inbox.tasks import complete_task
from workflow.models import (
    Gap,
    GapStatus,
    Household,
    HumanTask,
    Round,
    Signature,
    SurveyEscalation,
    SurveySubmission,
    Township,
    TownshipSurvey,
    TownshipSurveyStatus,
    User,
    Village,
)
from workflow.people.access import require_task
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.errors import ConflictError, ValidationFailed
from workflow.platform.i18n import _
from workflow.platform.settings import get_settings

PROCESS_ID = "township_survey"
survey_escalated = signal("survey-escalated")


def villages_in_scope(round_: Round, township_id: int) -> list[Village]:
    """A township's villages that have work in the round: exited villages, and villages with
    households that exited in the years the round names."""
    has_households = (
        sa.select(Household.id)
        .where(
            Household.village_id == Village.id,
            Household.exit_year.between(round_.exit_year_from, round_.exit_year_to),
            Household.in_register,
        )
        .exists()
    )
    return list(
        db.session.scalars(
            sa.select(Village)
            .where(
                Village.township_id == township_id, sa.or_(Village.is_exited_poor, has_households)
            )
            .order_by(Village.code)
        )
    )


def has_households_in_scope(round_: Round, village: Village) -> bool:
    """Whether a village has households that exited in the years the round looks back at."""
    return (
        db.session.scalar(
            sa.select(Household.id)
            .where(
                Household.village_id == village.id,
                Household.exit_year.between(round_.exit_year_from, round_.exit_year_to),
                Household.in_register,
            )
            .limit(1)
        )
        is not None
    )


def start_township_surveys(round_id: int) -> int:
    """Start one township_survey per township (called by annual_round); returns how many."""
    from workflow.survey.results_flow import start_township_results

    round_ = db.session.get(Round, round_id)
    due_at = clock.end_of_day(round_.survey_due)
    county_at = due_at + timedelta(days=get_settings().survey_county_after_days)
    started = 0
    for township in db.session.scalars(sa.select(Township).order_by(Township.code)):
        village_ids = [v.id for v in villages_in_scope(round_, township.id)]
        data = {
            "round_id": round_id,
            "township_id": township.id,
            "village_ids": village_ids,
            "survey_due_at": clock.iso(due_at),
            "survey_county_at": clock.iso(county_at),
        }
        instance = instances.start_instance(
            PROCESS_ID,
            data,
            instances.Scope(round_id, township.id),
            subject=_(
                "Look-back survey %(year)s of %(township)s",
                year=round_.year,
                township=township.name,
            ),
        )
        survey = TownshipSurvey(round_id=round_id, township_id=township.id, instance_id=instance.id)
        db.session.add(survey)
        start_township_results(round_, township, survey)  # due on the results date (§五.2)
        started += 1
    return started


def township_survey(round_id: int, township_id: int) -> TownshipSurvey:
    """The survey record of a township in a round."""
    return db.session.scalar(
        sa.select(TownshipSurvey).where(
            TownshipSurvey.round_id == round_id, TownshipSurvey.township_id == township_id
        )
    )


def current_submissions(
    round_id: int, township_id: int, village_id: int | None = None
) -> list[SurveySubmission]:
    """The forms in force for a township (or one of its villages)."""
    query = sa.select(SurveySubmission).where(
        SurveySubmission.round_id == round_id,
        SurveySubmission.township_id == township_id,
        SurveySubmission.is_current,
    )
    if village_id is not None:
        query = query.where(SurveySubmission.village_id == village_id)
    return list(db.session.scalars(query.order_by(SurveySubmission.form_no, SurveySubmission.id)))


def _sign(actor: User, object_type: str, object_id: object, content: str, statement: str) -> None:
    digest = hashlib.sha256(content.encode()).hexdigest()
    db.session.add(
        Signature(
            object_type=object_type,
            object_id=str(object_id),
            signer_id=actor.id,
            signer_name=actor.display_name,
            signed_at=clock.now(),
            content_hash=digest,
            statement=statement,
        )
    )
    audit.record(
        actor, "sign", object_type, object_id, after={"hash": digest, "statement": statement}
    )


def _submissions_digest(submissions: list[SurveySubmission]) -> str:
    return "|".join(f"{s.form_no}:{s.village_id}:{s.content_hash}" for s in submissions)


def submit_village_forms(task: HumanTask, actor: User) -> None:
    """The village clerk signs the village's forms (附件1, and 附件2 for an exited village)."""
    require_task(actor, task)
    instance = task.instance
    village = db.session.get(Village, task.village_id)
    forms = {
        s.form_no for s in current_submissions(instance.round_id, village.township_id, village.id)
    }
    round_ = db.session.get(Round, instance.round_id)
    needed = {2} if village.is_exited_poor else set()
    if has_households_in_scope(round_, village):
        needed.add(1)
    missing = sorted(needed - forms)
    if missing:
        forms_missing = _(", ").join(_("Form %(n)s", n=n) for n in missing)
        raise ValidationFailed({"forms": _("Not imported yet: %(forms)s", forms=forms_missing)})
    submissions = current_submissions(instance.round_id, village.township_id, village.id)
    complete_task(task, actor, {})
    _sign(
        actor,
        "village_forms",
        f"{instance.round_id}:{village.id}",
        _submissions_digest(submissions),
        _("The survey forms of %(village)s are checked and correct.", village=village.name),
    )


def submit_township_review(task: HumanTask, actor: User) -> None:
    """The township clerk has reviewed the villages and filed 附件3."""
    require_task(actor, task)
    instance = task.instance
    forms = {
        s.form_no
        for s in current_submissions(instance.round_id, instance.township_id)
        if s.village_id is None
    }
    if 3 not in forms:
        raise ValidationFailed({"forms": _("Form 3 of the township is not imported yet.")})
    complete_task(task, actor, {})
    audit.record(actor, "survey.township_review", "township_survey", instance.id)


def sign_township_survey(task: HumanTask, actor: User) -> None:
    """The township leader signs and submits the township's survey to the county."""
    require_task(actor, task)
    instance = task.instance
    submissions = current_submissions(instance.round_id, instance.township_id)
    complete_task(task, actor, {})
    _sign(
        actor,
        "township_survey",
        f"{instance.round_id}:{instance.township_id}",
        _submissions_digest(submissions),
        _("The township's look-back survey is true; signed and submitted."),
    )


def survey_submitted(round_id: int, township_id: int) -> None:
    """The township's survey reached the county (called by township_survey): its gaps open."""
    survey = township_survey(round_id, township_id)
    if survey.status == TownshipSurveyStatus.SUBMITTED:
        return
    survey.status = TownshipSurveyStatus.SUBMITTED
    survey.submitted_at = clock.now()
    _open_pending_gaps(round_id, township_id)
    audit.record(instances.current_actor.get(), "survey.submitted", "township_survey", survey.id)


def _open_pending_gaps(round_id: int, township_id: int) -> None:
    db.session.execute(
        sa.update(Gap)
        .where(
            Gap.round_id == round_id,
            Gap.township_id == township_id,
            Gap.status == GapStatus.PENDING,
        )
        .values(status=GapStatus.OPEN)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()


def release_early(round_id: int, township_id: int, actor: User) -> None:
    """The county office starts triage for a township before it has submitted (§五.3)."""
    from workflow.models import Role
    from workflow.people.access import require_role

    require_role(actor, Role.COUNTY_OFFICE)
    survey = township_survey(round_id, township_id)
    if survey.status == TownshipSurveyStatus.SUBMITTED:
        raise ConflictError(_("The township has submitted; there is no need to release it early."))
    survey.released_early = True
    _open_pending_gaps(round_id, township_id)
    audit.record(actor, "survey.release_early", "township_survey", survey.id)


def record_late(survey: TownshipSurvey, stage: str, level: int) -> bool:
    """Record that a township's survey or results are late at a level; once per level."""
    exists = db.session.scalar(
        sa.select(SurveyEscalation.id).where(
            SurveyEscalation.round_id == survey.round_id,
            SurveyEscalation.township_id == survey.township_id,
            SurveyEscalation.stage == stage,
            SurveyEscalation.level == level,
        )
    )
    if exists is not None:
        return False
    db.session.add(
        SurveyEscalation(
            round_id=survey.round_id,
            township_id=survey.township_id,
            stage=stage,
            level=level,
            fired_at=clock.now(),
        )
    )
    audit.record(None, f"{stage}.overdue_level{level}", "township_survey", survey.id)
    survey_escalated.send(survey, level=level, stage=stage)
    return True


def escalate_survey(round_id: int, township_id: int, level: int) -> bool:
    """A township's survey is late (called by its timers): level 1 its leader, 2 the county."""
    survey = township_survey(round_id, township_id)
    if survey is None or survey.status == TownshipSurveyStatus.SUBMITTED:
        return False
    return record_late(survey, "survey", level)
