"""Importing survey forms (附件1–3): every row valid and stored at once, or nothing stored."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import sqlalchemy as sa

from workflow.archive.documents import keep_original
from workflow.forms import ParsedRow, read_survey_form
from workflow.forms.layout import SHEET_PREFIX, sheet_name
from workflow.forms.reader import summarize_errors
from workflow.models import (
    CatalogueRecord,
    Gap,
    GapStatus,
    Role,
    Round,
    RoundStatus,
    SubjectKind,
    SurveyAnswer,
    SurveySubmission,
    TownshipSurveyStatus,
    User,
    Village,
)
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.errors import (
    AccessDenied,
    ImportRefused,
    Refused,
    ValidationFailed,
)
from workflow.platform.i18n import _
from workflow.programme.catalogue import standard_of
from workflow.survey.checks import (
    Target,
    check_applicability,
    check_households,
    check_township,
    check_villages,
)
from workflow.survey.gaps import record_findings
from workflow.survey.problems import record_problems
from workflow.survey.townships import township_survey

SUBJECT_OF_FORM = {1: SubjectKind.HOUSEHOLD, 2: SubjectKind.VILLAGE, 3: SubjectKind.TOWNSHIP}
_SHEET_NAME = re.compile(r'<sheet [^>]*name="' + re.escape(SHEET_PREFIX) + r'([1-6])"')


@dataclass(frozen=True)
class ImportResult:
    """What an import stored."""

    submission: SurveySubmission
    rows: int
    gaps: int
    replaced: SurveySubmission | None


def detect_form_no(data: bytes) -> int | None:
    """The form a workbook holds, from its sheet names (附件1…3), without opening the sheets."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            info = archive.getinfo("xl/workbook.xml")
            if info.file_size > 1_000_000:
                return None
            names = _SHEET_NAME.findall(archive.read(info).decode("utf-8", "replace"))
    except (zipfile.BadZipFile, KeyError, OSError):
        return None
    survey_forms = [int(n) for n in names if int(n) <= 3]
    return survey_forms[0] if len(set(survey_forms)) == 1 else None


def resolve_target(actor: User, form_no: int, village: Village | None) -> Target:
    """Which unit the actor files for; a clerk files only for her own village or township."""
    if actor.role == Role.VILLAGE_CLERK:
        if form_no == 3:
            raise AccessDenied(_("Form 3 is filled in by the township clerk."))
        if village is not None and village.id != actor.village_id:
            raise AccessDenied(
                _(
                    "You may fill in only the forms of your own village (%(own)s), "
                    "not those of %(other)s.",
                    own=actor.village.name,
                    other=village.name,
                )
            )
        return Target(actor.village.township, actor.village)
    if actor.role == Role.TOWNSHIP_CLERK:
        if form_no == 3:
            return Target(actor.township, None)
        if village is None:
            raise ValidationFailed({"village": _("Say which village this form is for.")})
        if village.township_id != actor.township_id:
            raise AccessDenied(
                _(
                    "%(village)s is not in %(township)s; its form cannot be imported.",
                    village=village.name,
                    township=actor.township.name,
                )
            )
        return Target(actor.township, village)
    raise AccessDenied(_("Only village clerks and township clerks may import survey forms."))


def import_survey(
    data: bytes,
    actor: User,
    round_: Round,
    *,
    file_name: str = "",
    village: Village | None = None,
    form_no: int | None = None,
) -> ImportResult:
    """Check a filled form completely; store all of it in this transaction, or refuse it all."""
    if round_.status != RoundStatus.OPEN:
        raise Refused(
            _("The work of %(year)s is over; nothing more can be imported.", year=round_.year)
        )
    form_no = form_no or detect_form_no(data) or _default_form(actor)
    target = resolve_target(actor, form_no, village)
    survey = township_survey(round_.id, target.township.id)
    if survey is not None and survey.status == TownshipSurveyStatus.SUBMITTED:
        raise Refused(
            _(
                "The survey of %(township)s was signed and submitted; it cannot be changed.",
                township=target.township.name,
            )
        )
    standard = standard_of(db.session.get(CatalogueRecord, round_.catalogue_id))
    parsed = read_survey_form(form_no, standard, data)
    problems = summarize_errors(parsed.errors)
    subjects: list[dict[str, Any]] = []
    if parsed.rows:
        check = {1: check_households, 2: check_villages, 3: check_township}[form_no]
        subjects, more = check(parsed.rows, target, round_, sheet=sheet_name(form_no))
        problems += more
        if form_no == 1:
            problems += check_applicability(parsed.rows, standard, round_, sheet_name(form_no))
    if problems:
        raise ImportRefused(problems)
    return _store(data, file_name, form_no, target, round_, actor, parsed.rows, subjects, standard)


def _default_form(actor: User) -> int:
    return 3 if actor.role == Role.TOWNSHIP_CLERK else 1


def _json_ready(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}


def _store(
    data: bytes,
    file_name: str,
    form_no: int,
    target: Target,
    round_: Round,
    actor: User,
    rows: list[ParsedRow],
    subjects: list[dict[str, Any]],
    standard: Any,
) -> ImportResult:
    village_id = target.village.id if target.village and form_no != 3 else None
    previous = db.session.scalar(
        sa.select(SurveySubmission).where(
            SurveySubmission.round_id == round_.id,
            SurveySubmission.form_no == form_no,
            SurveySubmission.township_id == target.township.id,
            SurveySubmission.village_id.is_(None)
            if village_id is None
            else SurveySubmission.village_id == village_id,
            SurveySubmission.is_current,
        )
    )
    if previous is not None:
        previous.is_current = False
        db.session.execute(
            sa.update(Gap)
            .where(
                Gap.submission_id == previous.id,
                Gap.status.in_([GapStatus.PENDING, GapStatus.OPEN]),
            )
            .values(status=GapStatus.SUPERSEDED)
            .execution_options(synchronize_session=False)
        )
    submission = SurveySubmission(
        round_id=round_.id,
        form_no=form_no,
        township_id=target.township.id,
        village_id=village_id,
        uploaded_by_id=actor.id,
        uploaded_at=clock.now(),
        file_name=file_name[:200],
        content_hash=hashlib.sha256(data).hexdigest(),
        row_count=len(rows),
        is_current=True,
    )
    db.session.add(submission)
    db.session.flush()
    keep_original(  # the signed original, byte for byte; an earlier one stays, superseded
        data,
        kind=f"form{form_no}",
        object_type="survey_submission",
        object_id=submission.id,
        round_id=round_.id,
        file_name=file_name or f"{_('Form %(n)s', n=form_no)}.xlsx",
        actor=actor,
        township_id=target.township.id,
        village_id=village_id,
    )
    kind = SUBJECT_OF_FORM[form_no]
    answers = []
    for row, subject in zip(rows, subjects, strict=True):
        answers.append(
            {
                "submission_id": submission.id,
                "subject_kind": kind.value,
                "household_id": subject.get("household_id"),
                "village_id": subject.get("village_id"),
                "township_id": target.township.id,
                "row_number": row.row,
                "values": json.dumps(_json_ready(row.values), ensure_ascii=False),
            }
        )
    db.session.execute(sa.insert(SurveyAnswer), answers)
    gap_count = record_findings(
        round_,
        submission,
        kind,
        target.township,
        [(row, subject) for row, subject in zip(rows, subjects, strict=True)],
        standard,
    )
    problem_count = record_problems(
        round_, submission, kind, list(zip(rows, subjects, strict=True))
    )
    audit.record(
        actor,
        "survey.import",
        "survey_submission",
        submission.id,
        after={
            "form": form_no,
            "township": target.township.name,
            "village": target.village.name if village_id else None,
            "rows": len(rows),
            "gaps": gap_count,
            "problems": problem_count,
            "hash": submission.content_hash,
            "replaces": previous.id if previous else None,
        },
    )
    return ImportResult(submission, len(rows), gap_count, previous)
