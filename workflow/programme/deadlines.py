"""Moving a round's deadlines (survey due, results due, done by) while the round runs.

The date lives on the round; the running instances read it from their data (annual_round:
done_by_at; township_survey: survey_due_at and survey_county_at; township_results:
results_due_at and results_county_at), so a move re-aims their timers too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from workflow.engine.timers import move_timers
from workflow.models import (
    CaseStatus,
    HelpCase,
    InstanceStatus,
    ProcessInstance,
    Role,
    Round,
    RoundStatus,
    User,
)
from workflow.people.access import require_role
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.errors import ValidationFailed
from workflow.platform.i18n import _
from workflow.platform.settings import get_settings

KEYS = ("survey_due", "results_due", "done_by")
EDITORS = (Role.COUNTY_OFFICE, Role.ADMIN)


@dataclass(frozen=True)
class Deadline:
    """One of a round's dates as the page shows it: whether it has passed, so cannot move."""

    key: str
    day: date
    passed: bool


def round_deadlines(round_: Round, viewer: User) -> list[Deadline]:
    """The round's three dates, for the county office and the administrator."""
    require_role(viewer, *EDITORS)
    now = clock.now()
    return [
        Deadline(key, getattr(round_, key), clock.end_of_day(getattr(round_, key)) < now)
        for key in KEYS
    ]


def _problems(round_: Round, key: str, new_day: date | None, reason: str) -> dict[str, str]:
    problems: dict[str, str] = {}
    if key not in KEYS:
        return {"key": _("Choose which deadline to move.")}
    if not reason.strip():
        problems["reason"] = _("Give the reason for moving the deadline.")
    if round_.status != RoundStatus.OPEN:
        problems[key] = _("Only a running round's deadlines can be moved.")
    elif clock.end_of_day(getattr(round_, key)) < clock.now():
        problems[key] = _("This deadline has passed; it can no longer be moved.")
    elif new_day is None:
        problems[key] = _("Enter a date as YYYY-MM-DD.")
    elif new_day < clock.today():
        problems[key] = _("The new date cannot be in the past.")
    elif new_day == getattr(round_, key):
        problems[key] = _("The date is unchanged.")
    if key in problems or new_day is None:
        return problems
    dates = {k: getattr(round_, k) for k in KEYS} | {key: new_day}
    if not dates["survey_due"] <= dates["results_due"] <= dates["done_by"]:
        problems[key] = _("The dates must be in order: survey due ≤ results due ≤ done by.")
    elif key == "done_by" and new_day.year != round_.year:
        problems[key] = _("The done-by date must fall within %(year)s.", year=round_.year)
    elif key == "done_by":
        latest = db.session.scalar(
            sa.select(sa.func.max(HelpCase.due_at)).where(
                HelpCase.round_id == round_.id,
                HelpCase.status.not_in((CaseStatus.CLOSED, CaseStatus.CARRIED_OVER)),
            )
        )
        if latest is not None and clock.end_of_day(new_day) < latest:
            problems[key] = _(
                "Open cases are due as late as %(date)s; done by cannot be earlier.",
                date=f"{clock.in_beijing(latest):%Y-%m-%d}",
            )
    return problems


def _timer_moments(key: str, new_day: date) -> dict[str, str]:
    due_at = clock.end_of_day(new_day)
    county_at = due_at + timedelta(days=get_settings().survey_county_after_days)
    if key == "survey_due":
        return {"survey_due_at": clock.iso(due_at), "survey_county_at": clock.iso(county_at)}
    if key == "results_due":
        return {"results_due_at": clock.iso(due_at), "results_county_at": clock.iso(county_at)}
    return {"done_by_at": clock.iso(due_at)}


_PROCESSES = {
    "survey_due": "township_survey",
    "results_due": "township_results",
    "done_by": "annual_round",
}


def move_deadline(round_: Round, actor: User, key: str, new_day: date | None, reason: str) -> int:
    """Move one deadline that has not passed, with a reason, audited; re-aim the running
    instances' timers. Returns how many waiting timers were re-aimed."""
    require_role(actor, *EDITORS)
    problems = _problems(round_, key, new_day, reason)
    if problems:
        raise ValidationFailed(problems)
    assert new_day is not None
    before = getattr(round_, key)
    setattr(round_, key, new_day)
    db.session.flush()
    moments = _timer_moments(key, new_day)
    moved = 0
    for instance in db.session.scalars(
        sa.select(ProcessInstance)
        .where(
            ProcessInstance.round_id == round_.id,
            ProcessInstance.process_id == _PROCESSES[key],
            ProcessInstance.status == InstanceStatus.RUNNING,
        )
        .order_by(ProcessInstance.id)
    ):
        moved += move_timers(instance, moments)
    audit.record(
        actor,
        "round.move_deadline",
        "round",
        round_.id,
        before={key: str(before)},
        after={key: str(new_day), "timers_moved": moved},
        reason=reason.strip(),
    )
    return moved
