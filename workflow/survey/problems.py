"""Free-text problems (存在问题): every non-empty cell of that column on 附件1–3 becomes an item of
the county office's triage, which turns it into a gap on an indicator it chooses (then routed and
confirmed like any other gap) or closes it with a reason."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from workflow.models import (
    CatalogueRecord,
    Department,
    Gap,
    GapStatus,
    Household,
    ProblemNote,
    ProblemStatus,
    Role,
    Round,
    SubjectKind,
    SurveySubmission,
    Township,
    TownshipSurvey,
    TownshipSurveyStatus,
    User,
    Village,
)
from workflow.people.access import require_role
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.errors import NotFound, Refused, ValidationFailed
from workflow.platform.i18n import _
from workflow.programme.catalogue import standard_of
from workflow.programme.routing import UNOWNED
from workflow.programme.routing_changes import lead_unit
from workflow.programme.standards import Indicator

PROBLEMS_COLUMN = "problems"  # the 存在问题 column's key in a form's layout


def record_problems(
    round_: Round,
    submission: SurveySubmission,
    kind: SubjectKind,
    rows: list[tuple[Any, dict[str, Any]]],
) -> int:
    """Keep every non-empty 存在问题 cell of an imported form as an item for triage; returns
    how many. A corrected re-import supersedes the earlier form's items (they are no longer
    listed: only the current form's are)."""
    notes = []
    for row, subject in rows:
        text = str(row.values.get(PROBLEMS_COLUMN) or "").strip()
        if not text:
            continue
        notes.append(
            {
                "round_id": round_.id,
                "submission_id": submission.id,
                "subject_kind": kind.value,
                "household_id": subject.get("household_id"),
                "village_id": subject.get("village_id"),
                "township_id": submission.township_id,
                "row_number": row.row,
                "text": text,
                "status": ProblemStatus.OPEN.value,
                "reason": "",
                "found_at": clock.now(),
            }
        )
    if notes:
        db.session.execute(sa.insert(ProblemNote), notes)
    return len(notes)


def _in_triage() -> sa.ColumnElement[bool]:
    """Items of a current form whose township has submitted (or been released early)."""
    return sa.and_(
        SurveySubmission.is_current,
        sa.or_(
            TownshipSurvey.status == TownshipSurveyStatus.SUBMITTED,
            TownshipSurvey.released_early,
        ),
    )


def _query(round_: Round) -> sa.Select:
    return (
        sa.select(ProblemNote)
        .join(SurveySubmission, ProblemNote.submission_id == SurveySubmission.id)
        .join(
            TownshipSurvey,
            sa.and_(
                TownshipSurvey.round_id == ProblemNote.round_id,
                TownshipSurvey.township_id == ProblemNote.township_id,
            ),
        )
        .where(ProblemNote.round_id == round_.id, _in_triage())
    )


def open_problems(round_: Round) -> list[ProblemNote]:
    """The items waiting for the county office, by township, village and household."""
    query = (
        _query(round_)
        .where(ProblemNote.status == ProblemStatus.OPEN)
        .join(Township, ProblemNote.township_id == Township.id)
        .outerjoin(Village, ProblemNote.village_id == Village.id)
        .outerjoin(Household, ProblemNote.household_id == Household.id)
        .options(
            *(selectinload(r) for r in (ProblemNote.township, ProblemNote.village)),
            selectinload(ProblemNote.household),
        )
        .order_by(Township.code, Village.code, Household.id, ProblemNote.id)
    )
    return list(db.session.scalars(query))


def _chosen(round_: Round, note_ids: list[int]) -> list[ProblemNote]:
    if not note_ids:
        raise ValidationFailed({"problems": _("Choose at least one problem.")})
    notes = list(db.session.scalars(_query(round_).where(ProblemNote.id.in_(note_ids))))
    if len(notes) != len(set(note_ids)):
        raise NotFound(_("Some of the chosen problems do not exist."))
    handled = [n.id for n in notes if n.status != ProblemStatus.OPEN]
    if handled:
        raise Refused(
            _(
                "Problems %(ids)s were already handled. Reload the page.",
                ids=", ".join(map(str, handled)),
            )
        )
    return sorted(notes, key=lambda n: n.id)


def indicators_of_round(round_: Round) -> list[Indicator]:
    """The indicators a problem of this round can become a gap on (the round's catalogue)."""
    return standard_of(db.session.get(CatalogueRecord, round_.catalogue_id)).indicators


def problems_to_gaps(
    round_: Round, note_ids: list[int], indicator_code: str, actor: User
) -> list[Gap]:
    """Turn problems into gaps on one indicator of the county office's choice: each gap is
    routed like any other and waits in triage; the problem's text is its finding."""
    require_role(actor, Role.COUNTY_OFFICE)
    notes = _chosen(round_, note_ids)
    indicator = next((i for i in indicators_of_round(round_) if i.code == indicator_code), None)
    if indicator is None:
        raise ValidationFailed({"indicator": _("Choose the indicator the problem is about.")})
    wrong = [n.id for n in notes if n.subject_kind.value != indicator.subject_kind]
    if wrong:
        raise ValidationFailed(
            {
                "indicator": _(
                    "%(indicator)s is not checked for the subject of problems %(ids)s.",
                    indicator=indicator.label,
                    ids=", ".join(map(str, wrong)),
                )
            }
        )
    routed = lead_unit(indicator.subject_kind, indicator.code)
    department = (
        None
        if routed in UNOWNED
        else db.session.scalar(sa.select(Department).where(Department.code == routed))
    )
    gaps = []
    for note in notes:
        gap = Gap(
            round_id=round_.id,
            submission_id=note.submission_id,
            subject_kind=note.subject_kind,
            household_id=note.household_id,
            village_id=note.village_id,
            township_id=note.township_id,
            indicator_code=indicator.code,
            indicator_label=indicator.label,
            evidence=note.text,
            routed_to=routed,
            department=department,
            status=GapStatus.OPEN,
            reason="",
            found_at=clock.now(),
        )
        db.session.add(gap)
        db.session.flush()
        note.status, note.gap_id = ProblemStatus.GAP, gap.id
        audit.record(
            actor,
            "problem.to_gap",
            "problem_note",
            note.id,
            after={"gap": gap.id, "indicator": indicator.code, "department": routed},
        )
        gaps.append(gap)
    return gaps


def close_problems(round_: Round, note_ids: list[int], reason: str, actor: User) -> None:
    """Close problems that need no help-back work, with a reason (kept, never deleted)."""
    require_role(actor, Role.COUNTY_OFFICE)
    if not reason.strip():
        raise ValidationFailed({"reason": _("Give the reason for closing.")})
    for note in _chosen(round_, note_ids):
        note.status, note.reason = ProblemStatus.CLOSED, reason.strip()
        audit.record(actor, "problem.close", "problem_note", note.id, reason=reason.strip())
