"""The survey's process side: one township_survey per township, its steps, its late escalation."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from workflow.archive.documents import documents_of_object, file_at_village, register_with_township
from workflow.engine import instances
from workflow.inbox.tasks import complete_task
from workflow.models import (
    HumanTask,
    Role,
    Round,
    SurveySubmission,
    Township,
    TownshipSurvey,
    TownshipSurveyStatus,
    User,
    Village,
)
from workflow.people.access import require_role, require_task
from workflow.people.signing import content_hash, sign
from workflow.platform import audit, clock
from workflow.platform.acting import current_actor
from workflow.platform.db import db
from workflow.platform.errors import Refused, ValidationFailed
from workflow.platform.i18n import _
from workflow.platform.settings import get_settings
from workflow.programme.lookback import (
    has_households_in_scope,
    village_exited_in,
    villages_in_scope,
)
from workflow.survey.results_flow import start_township_results
from workflow.survey.townships import open_pending_gaps, record_late, township_survey

PROCESS_ID = "township_survey"


def start_township_surveys(round_id: int) -> int:
    """Start one township_survey per township (called by annual_round); returns how many."""
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


def _submissions_digest(submissions: list[SurveySubmission]) -> str:
    """What a survey signature covers: each form in force and its file's hash."""
    return content_hash(
        "|".join(f"{s.form_no}:{s.village_id}:{s.content_hash}" for s in submissions)
    )


def submit_village_forms(task: HumanTask, actor: User) -> None:
    """The village clerk signs the village's forms (附件1, and 附件2 for an exited village)."""
    require_task(actor, task)
    instance = task.instance
    village = db.session.get(Village, task.village_id)
    submissions = current_submissions(instance.round_id, village.township_id, village.id)
    forms = {s.form_no for s in submissions}
    round_ = db.session.get(Round, instance.round_id)
    needed = {2} if village_exited_in(round_, village) else set()
    if has_households_in_scope(round_, village):
        needed.add(1)
    missing = sorted(needed - forms)
    if missing:
        forms_missing = _(", ").join(_("Form %(n)s", n=n) for n in missing)
        raise ValidationFailed({"forms": _("Not imported yet: %(forms)s", forms=forms_missing)})
    complete_task(task, actor, {})
    signature = sign(
        actor,
        "village_forms",
        f"{instance.round_id}:{village.id}",
        _submissions_digest(submissions),
        _("The survey forms of %(village)s are checked and correct.", village=village.name),
    )
    originals = documents_of_object("survey_submission", [s.id for s in submissions])
    file_at_village(originals, signature)  # 村存档


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
    signature = sign(
        actor,
        "township_survey",
        f"{instance.round_id}:{instance.township_id}",
        _submissions_digest(submissions),
        _("The township's look-back survey is true; signed and submitted."),
    )
    register_with_township(instance.round_id, instance.township_id, signature)  # 乡镇备案


def survey_submitted(round_id: int, township_id: int) -> None:
    """The township's survey reached the county (called by township_survey); its gaps open
    when they are final, after the 核定 steps (`survey.certification`)."""
    survey = township_survey(round_id, township_id)
    if survey.status == TownshipSurveyStatus.SUBMITTED:
        return
    survey.status = TownshipSurveyStatus.SUBMITTED
    survey.submitted_at = clock.now()
    audit.record(current_actor.get(), "survey.submitted", "township_survey", survey.id)


def release_early(round_id: int, township_id: int, actor: User) -> None:
    """The county office starts triage for a township before it has submitted (§五.3)."""
    require_role(actor, Role.COUNTY_OFFICE)
    survey = township_survey(round_id, township_id)
    if survey.status == TownshipSurveyStatus.SUBMITTED:
        raise Refused(_("The township has submitted; there is no need to release it early."))
    survey.released_early = True
    open_pending_gaps(round_id, township_id)
    audit.record(actor, "survey.release_early", "township_survey", survey.id)


def escalate_survey(round_id: int, township_id: int, level: int) -> bool:
    """A township's survey is late (called by its timers): level 1 its leader, 2 the county."""
    survey = township_survey(round_id, township_id)
    if survey is None or survey.status == TownshipSurveyStatus.SUBMITTED:
        return False
    return record_late(survey, "survey", level)
