"""The round's progress for the leading group and the county office: each township's survey and
results tables against their deadlines, and each department's cases.

The county office, the leading group and the administrator see every row. A township's clerk
and leader see their own township's rows, a department's clerk and leader their own
department's row: the same page, narrowed. Village clerks are refused (they have their tasks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from workflow.models import (
    AccountabilityItem,
    DecisionStatus,
    Round,
    Signature,
    Township,
    TownshipSurvey,
    User,
)
from workflow.oversight import accountability
from workflow.people.access import COUNTY_WIDE_READERS
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied
from workflow.platform.i18n import _

CASE_METRICS = ("received", "open", "on_time", "late", "overdue")


@dataclass(frozen=True)
class Submission:
    """A township's survey or results tables against their deadline."""

    township: str
    township_id: int
    state: str  # "on_time", "late", "not_yet" (before the deadline) or "missing" (after it)
    submitted_at: datetime | None
    days_late: int
    signed_by: str


@dataclass(frozen=True)
class DepartmentCases:
    """One department's cases; each figure keeps the case ids behind it."""

    name: str
    cases: dict[str, list[int]]


@dataclass(frozen=True)
class Progress:
    """The round's progress as one user may see it."""

    round: Round
    as_of: datetime
    scope: str  # "county", "township" or "department"
    surveys: list[Submission]
    results: list[Submission]
    departments: list[DepartmentCases]
    items_to_decide: int

    def tally(self, rows: list[Submission]) -> dict[str, int]:
        """How many townships are in each state."""
        counts = dict.fromkeys(("on_time", "late", "not_yet", "missing"), 0)
        for row in rows:
            counts[row.state] += 1
        return counts

    def total(self, metric: str) -> list[int]:
        """The case ids of a metric over every department shown."""
        return [i for d in self.departments for i in d.cases[metric]]


def _scope_of(user: User) -> str:
    if not user.is_active:
        raise AccessDenied(_("Your role may not do this."))
    if user.role in COUNTY_WIDE_READERS:
        return "county"
    kind = user.role.scope_kind
    if kind in ("township", "department"):
        return kind
    raise AccessDenied(_("Village clerks follow their own tasks; the progress page is not theirs."))


def _signers(round_: Round, object_type: str) -> dict[int, str]:
    """The last signer of each township's object (object ids are round:township)."""
    names: dict[int, str] = {}
    for object_id, name in db.session.execute(
        sa.select(Signature.object_id, Signature.signer_name)
        .where(
            Signature.object_type == object_type,
            Signature.object_id.like(f"{round_.id}:%"),
        )
        .order_by(Signature.signed_at, Signature.id)
    ):
        names[int(object_id.split(":")[1])] = name
    return names


def _submission(
    township: Township, at: datetime | None, due: date, now: datetime, signer: str
) -> Submission:
    deadline = clock.end_of_day(due)
    if at is not None:
        late = at > deadline
        days = (clock.in_beijing(at).date() - due).days if late else 0
        return Submission(
            township.name, township.id, "late" if late else "on_time", at, days, signer
        )
    if now > deadline:
        days = (clock.in_beijing(now).date() - due).days
        return Submission(township.name, township.id, "missing", None, days, "")
    return Submission(township.name, township.id, "not_yet", None, 0, "")


def build_progress(round_: Round, viewer: User) -> Progress:
    """The round's surveys, results tables and cases, narrowed to what the viewer may see."""
    scope = _scope_of(viewer)
    now = clock.now()
    surveys = db.session.scalars(
        sa.select(TownshipSurvey)
        .join(Township)
        .where(TownshipSurvey.round_id == round_.id)
        .order_by(Township.code)
    ).all()
    if scope == "township":
        surveys = [s for s in surveys if s.township_id == viewer.township_id]
    elif scope == "department":
        surveys = []
    survey_signers = _signers(round_, "township_survey")
    results_signers = _signers(round_, "township_results")
    survey_rows = [
        _submission(
            s.township,
            s.submitted_at,
            round_.survey_due,
            now,
            survey_signers.get(s.township_id, ""),
        )
        for s in surveys
    ]
    results_rows = [
        _submission(
            s.township,
            s.results_submitted_at,
            round_.results_due,
            now,
            results_signers.get(s.township_id, ""),
        )
        for s in surveys
    ]
    departments = []
    if scope != "township":
        report = accountability.build_report(round_, now)
        for unit in sorted(report.by_department, key=lambda u: u.name):
            if scope == "department" and unit.name != viewer.department.name:
                continue
            departments.append(DepartmentCases(unit.name, {m: unit.cases[m] for m in CASE_METRICS}))
    items = 0
    if scope == "county":
        items = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AccountabilityItem)
            .where(
                AccountabilityItem.round_id == round_.id,
                AccountabilityItem.status == DecisionStatus.OPEN,
            )
        )
    return Progress(round_, now, scope, survey_rows, results_rows, departments, items or 0)
