"""Domain objects as JSON: moments in ISO 8601 with the Beijing offset, deadlines as the date the
county writes and the moment it means (23:59:59 Beijing time of that day)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from web.identifiers import count_arg
from workflow.cases.lists import FINISHED
from workflow.models import (
    CaseNote,
    Department,
    Gap,
    HelpCase,
    HumanTask,
    Round,
    Township,
    User,
    Village,
)
from workflow.people.access import can_work_task
from workflow.platform import clock

T = TypeVar("T")
DEFAULT_LIMIT, MAX_LIMIT = 50, 200


def moment(value: datetime | None) -> str | None:
    """A moment as ISO 8601 with the Beijing offset."""
    return clock.in_beijing(value).isoformat() if value is not None else None


def deadline(value: datetime | None) -> dict[str, str | None]:
    """A deadline as its Beijing date and the exact moment it falls due."""
    return {
        "due": clock.in_beijing(value).date().isoformat() if value is not None else None,
        "due_at": moment(value),
    }


def day_deadline(value: date) -> dict[str, str]:
    """A deadline kept as a date (a round's): the date and its last second in Beijing."""
    return {"due": value.isoformat(), "due_at": clock.end_of_day(value).isoformat()}


def unit(row: Township | Village | Department | None) -> dict[str, Any] | None:
    """A township, village or department by its code and name."""
    return {"id": row.id, "code": row.code, "name": row.name} if row is not None else None


def person(user: User | None) -> dict[str, Any] | None:
    """Who did something: username and name."""
    if user is None:
        return None
    return {"username": user.username, "display_name": user.display_name}


def task(row: HumanTask, viewer: User, case_id: int | None = None) -> dict[str, Any]:
    """A mirrored user task."""
    return {
        "id": row.id,
        "step": row.spec_name,
        "title": row.title,
        "state": row.state.value,
        "role": row.role.value,
        "subject": row.instance.subject,
        "case_id": case_id,
        **deadline(row.due_at),
        "created_at": moment(row.created_at),
        "completed_at": moment(row.completed_at),
        "can_work": can_work_task(viewer, row),
    }


def subject(row: HelpCase | Gap) -> dict[str, Any]:
    """Whom a case or a gap is about: household, village or township, and where."""
    household = row.household
    return {
        "subject_kind": row.subject_kind.value,
        "subject": row.subject_label,
        "household": {"head_name": household.head_name, "id_number": household.id_number}
        if household
        else None,
        "township": unit(row.township),
        "village": unit(row.village),
    }


def case_summary(row: HelpCase) -> dict[str, Any]:
    """A case as a list shows it."""
    return {
        "id": row.id,
        "status": row.status.value,
        **subject(row),
        "department": unit(row.department),
        "township_leads": row.lead_township,
        "co_departments": [unit(u.department) for u in row.co_units],
        "indicator": {"code": row.indicator_code, "label": row.indicator_label},
        **deadline(row.due_at),
        "overdue": row.status not in FINISHED
        and row.verified_at is None
        and clock.now() > row.due_at,
        "escalation_level": row.escalation_level,
        "opened_at": moment(row.opened_at),
    }


def case_detail(
    row: HelpCase,
    notes: Sequence[CaseNote],
    authors: dict[int, User],
    story: Sequence[HelpCase],
    current: dict[str, Any] | None,
) -> dict[str, Any]:
    """A case with its plan, history summary and current task."""
    return {
        **case_summary(row),
        "evidence_text": row.evidence,
        "plan": {
            "measure": row.measure,
            "target_standard": row.target_standard,
            "responsible_person": row.responsible_person,
            "planned_completion": deadline(row.planned_completion)["due"],
        },
        "funds_spent": str(row.funds_spent),
        "work_done_at": moment(row.work_done_at),
        "verified_at": moment(row.verified_at),
        "closed_at": moment(row.closed_at),
        "history": [
            {
                "at": moment(n.at),
                "kind": n.kind,
                "text": n.text,
                "funds": str(n.funds),
                "by": person(authors.get(n.author_id)),
            }
            for n in notes
        ],
        "story": [{"id": c.id, "round_id": c.round_id, "status": c.status.value} for c in story],
        "current_task": current,
    }


def round_summary(row: Round) -> dict[str, Any]:
    """A round with its three deadlines."""
    return {
        "name": row.name,
        "year": row.year,
        "kind": row.kind.value,
        "status": row.status.value,
        "standard_version": row.standard_version,
        "exit_years": [row.exit_year_from, row.exit_year_to],
        "survey": day_deadline(row.survey_due),
        "results": day_deadline(row.results_due),
        "done_by": day_deadline(row.done_by),
        "launched_at": moment(row.launched_at),
    }


def gap(row: Gap) -> dict[str, Any]:
    """One line of the 补课清单."""
    return {
        "id": row.id,
        "status": row.status.value,
        **subject(row),
        "indicator": {"code": row.indicator_code, "label": row.indicator_label},
        "evidence": row.evidence,
        "department": unit(row.department),
        "found_by": row.found_by,
        "reason": row.reason,
        "due": row.due.isoformat() if row.due else None,
        "case_id": row.case_id,
    }


def page_after(
    rows: Sequence[T],
    ident: Callable[[T], int],
    key: Callable[[T], Any],
    after_key: Any | None,
    limit: int,
) -> tuple[list[T], int | None]:
    """Keyset paging over rows in a known order: those after a key, and the next page's cursor.

    The cursor is the id of the last row sent; a row that left the list meanwhile (a task
    completed) still marks its place, so paging while working skips nothing."""
    if after_key is not None:
        rows = [r for r in rows if key(r) > after_key]
    page = list(rows[:limit])
    more = len(rows) > limit
    return page, (ident(page[-1]) if page and more else None)


def limit_arg(raw: str | None) -> int:
    """The page size asked for, within bounds."""
    return count_arg(raw, DEFAULT_LIMIT, MAX_LIMIT)
