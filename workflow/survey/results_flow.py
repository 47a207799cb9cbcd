"""The results tables' process side (§五.2): each township's clerk reviews 附件4/5/6, its leader
signs and submits them by the results deadline; late townships are escalated."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from workflow.archive.documents import keep_original
from workflow.cases.results import results_form, results_rows
from workflow.engine import instances
from workflow.inbox.tasks import complete_task
from workflow.models import (
    HumanTask,
    Round,
    SurveyEscalation,
    Township,
    TownshipSurvey,
    User,
)
from workflow.people.access import require_task
from workflow.people.signing import content_hash, sign
from workflow.platform import audit, clock
from workflow.platform.acting import current_actor
from workflow.platform.blobs import sha256_of
from workflow.platform.db import db
from workflow.platform.i18n import _
from workflow.platform.settings import get_settings
from workflow.survey.townships import record_late, township_survey

PROCESS_ID = "township_results"
# one signed table file; its object id: the submission signature, the form, the village
TABLE_SIGNATURE = "results_table"


def start_township_results(round_: Round, township: Township, survey: TownshipSurvey) -> None:
    """Start the township's results process, due on the round's results date."""
    due_at = clock.end_of_day(round_.results_due)
    county_at = due_at + timedelta(days=get_settings().survey_county_after_days)
    data = {
        "round_id": round_.id,
        "township_id": township.id,
        "results_due_at": clock.iso(due_at),
        "results_county_at": clock.iso(county_at),
    }
    instance = instances.start_instance(
        PROCESS_ID,
        data,
        instances.Scope(round_.id, township.id),
        subject=_(
            "Help-back results tables %(year)s of %(township)s",
            year=round_.year,
            township=township.name,
        ),
    )
    survey.results_instance_id = instance.id


def results_digest(round_: Round, township: Township) -> str:
    """A fingerprint of the township's 附件4/5/6 as they stand (what the signature covers)."""
    parts = []
    for form_no, unit in ((6, {"township": township}), (5, {"township": township})):
        parts += [repr(row) for row in results_rows(round_, form_no=form_no, **unit)]
    for village in township.villages:
        parts += [repr(row) for row in results_rows(round_, form_no=4, village=village)]
    return content_hash("\n".join(parts))


def _sign(task: HumanTask, actor: User, statement: str, *, keep: bool = False) -> None:
    """Sign the township's results tables as they stand; `keep`: file the exact tables signed."""
    round_ = db.session.get(Round, task.instance.round_id)
    township = db.session.get(Township, task.instance.township_id)
    digest = results_digest(round_, township)
    signature = sign(actor, "township_results", f"{round_.id}:{township.id}", digest, statement)
    if not keep:
        return
    units = [(6, None), (5, None), *((4, v) for v in township.villages)]
    for form_no, village in units:
        unit = {"village": village} if village else {"township": township}
        data = results_form(round_, form_no, **unit)
        file_name = f"{_('Form %(n)s', n=form_no)}_{(village or township).name}.xlsx"
        table_signature = sign(  # each table as the file it is, its SHA-256 on the signature
            actor,
            TABLE_SIGNATURE,
            f"{signature.id}:{form_no}:{village.id if village else 0}",
            sha256_of(data),
            f"{statement} {file_name}",
            file=data,
        )
        keep_original(
            data,
            kind=f"form{form_no}",
            object_type="signature",
            object_id=table_signature.id,
            round_id=round_.id,
            file_name=file_name,
            actor=actor,
            township_id=township.id,
            village_id=village.id if village else None,
            signature=table_signature,
            filed=True,
        )


def review_results(task: HumanTask, actor: User) -> None:
    """The township clerk has checked the tables generated from the cases (填表人)."""
    require_task(actor, task)
    _sign(task, actor, _("Results tables reviewed (by the clerk who filled them)."))
    complete_task(task, actor, {})


def sign_results(task: HumanTask, actor: User) -> None:
    """The township leader signs and submits the results tables to the county."""
    require_task(actor, task)
    _sign(
        task,
        actor,
        _("The township's help-back results are true; signed and submitted."),
        keep=True,
    )
    complete_task(task, actor, {})


def results_submitted(round_id: int, township_id: int) -> None:
    """The township's results reached the county (called by township_results)."""
    survey = township_survey(round_id, township_id)
    if survey.results_submitted_at is None:
        survey.results_submitted_at = clock.now()
        audit.record(current_actor.get(), "results.submitted", "township_survey", survey.id)


def escalate_results(round_id: int, township_id: int, level: int) -> bool:
    """A township's results tables are late: level 1 its leader, level 2 the county office."""
    survey = township_survey(round_id, township_id)
    if survey is None or survey.results_submitted_at is not None:
        return False
    return record_late(survey, "results", level)


def late_results(round_id: int) -> list[int]:
    """Townships whose results tables are late (ids), for the round's overview."""
    return list(
        db.session.scalars(
            sa.select(SurveyEscalation.township_id)
            .where(SurveyEscalation.round_id == round_id, SurveyEscalation.stage == "results")
            .distinct()
        )
    )
