"""Reminders and escalation of overdue cases, fired by the gap_case timers (each level once)."""

from __future__ import annotations

import sqlalchemy as sa
from blinker import signal
from sqlalchemy.orm import selectinload

from workflow.cases.accountability_items import open_item
from workflow.models import CaseEscalation, CaseStatus, HelpCase
from workflow.platform import audit, clock, transaction_memo
from workflow.platform.acting import current_actor
from workflow.platform.db import db

LEVEL_ACTIONS = {
    0: "case.reminder",
    1: "case.overdue_level1",
    2: "case.overdue_level2",
    3: "case.overdue_level3",
}

# Sent inside the transaction that recorded the escalation; notifications/ decides whom to tell.
case_escalated = signal("case-escalated")
case_closed = signal("case-closed")
# Sent when a batch's cases are loaded for escalating them: notifications/ looks up at once
# whom it has already told about them.
cases_loaded = signal("cases-loaded")
# transaction_memo name: the levels each case has reached, looked up once per transaction.
_REACHED = "escalation_levels"


def escalate_case(case_id: int, level: int) -> bool:
    """Record that a case reached a reminder or escalation level; reaching one twice is a no-op."""
    case = db.session.get(HelpCase, case_id)
    if case is None or case.status == CaseStatus.CLOSED or level not in LEVEL_ACTIONS:
        return False
    if case.work_done_at is not None and case.work_done_at <= case.due_at:
        return False  # the work was reported done in time; only a send-back reopens it
    if _reached(case_id, level):
        return False
    # written with the session's next flush: a tick's batch writes all its levels at once
    db.session.add(CaseEscalation(case_id=case_id, level=level, fired_at=clock.now()))
    case.escalation_level = max(case.escalation_level, level)
    audit.record(None, LEVEL_ACTIONS[level], "help_case", case_id, after={"level": level})
    if level == 3:
        open_item(case)
    case_escalated.send(case, level=level)
    return True


def _reached(case_id: int, level: int) -> bool:
    """Whether the case already reached the level, and from now on it has (in this transaction:
    if the savepoint around it is rolled back, the next tick finds the level not reached)."""
    known = transaction_memo.for_transaction(_REACHED)
    if case_id not in known:
        known[case_id] = set(
            db.session.scalars(
                sa.select(CaseEscalation.level).where(CaseEscalation.case_id == case_id)
            )
        )
    reached = level in known[case_id]
    known[case_id].add(level)
    return reached


def preload_cases(instance_ids: list[int]) -> list[HelpCase]:
    """Load the cases of these process instances with what their reminders name (household,
    village, township, department, co-responsible units) in a few queries, so that escalating
    them in the same transaction finds them in the session instead of asking for each. Hold on
    to the list meanwhile: the session keeps unchanged rows only while someone refers to them."""
    if not instance_ids:
        return []
    cases = list(
        db.session.scalars(
            sa.select(HelpCase)
            .where(HelpCase.instance_id.in_(instance_ids))
            .options(*(selectinload(r) for r in _NAMED))
        )
    )
    known = transaction_memo.for_transaction(_REACHED)
    for case in cases:
        known.setdefault(case.id, set())
    for case_id, level in db.session.execute(
        sa.select(CaseEscalation.case_id, CaseEscalation.level).where(
            CaseEscalation.case_id.in_([case.id for case in cases])
        )
    ):
        known[case_id].add(level)
    cases_loaded.send(cases)
    return cases


_NAMED = (
    HelpCase.household,
    HelpCase.village,
    HelpCase.township,
    HelpCase.department,
    HelpCase.co_units,  # co-responsible departments hear the first two levels too
)


def close_case_from_process(case_id: int) -> None:
    """The gap_case process reached its end: the county accepted the case."""
    case = db.session.get(HelpCase, case_id)
    if case is None or case.status == CaseStatus.CLOSED:
        return
    case.status = CaseStatus.CLOSED
    case.closed_at = clock.now()
    audit.record(current_actor.get(), "case.close", "help_case", case_id)
    case_closed.send(case)
