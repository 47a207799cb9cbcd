"""Reminders and escalation of overdue cases, fired by the gap_case timers (each level once)."""

from __future__ import annotations

import sqlalchemy as sa
from blinker import signal

from workflow import audit, clock
from workflow.db import db
from workflow.engine.instances import current_actor
from workflow.models import CaseEscalation, CaseStatus, HelpCase

LEVEL_ACTIONS = {
    0: "case.reminder",
    1: "case.overdue_level1",
    2: "case.overdue_level2",
    3: "case.overdue_level3",
}

# Sent inside the transaction that recorded the escalation; notifications/ decides whom to tell.
case_escalated = signal("case-escalated")
case_closed = signal("case-closed")


def escalate_case(case_id: int, level: int) -> bool:
    """Record that a case reached a reminder or escalation level; reaching one twice is a no-op."""
    case = db.session.get(HelpCase, case_id)
    if case is None or case.status == CaseStatus.CLOSED or level not in LEVEL_ACTIONS:
        return False
    if case.work_done_at is not None and case.work_done_at <= case.due_at:
        return False  # the work was reported done in time; only a send-back reopens it
    already = db.session.scalar(
        sa.select(CaseEscalation.id).where(
            CaseEscalation.case_id == case_id, CaseEscalation.level == level
        )
    )
    if already is not None:
        return False
    db.session.add(CaseEscalation(case_id=case_id, level=level, fired_at=clock.now()))
    case.escalation_level = max(case.escalation_level, level)
    audit.record(None, LEVEL_ACTIONS[level], "help_case", case_id, after={"level": level})
    if level == 3:
        from workflow.accountability import open_item

        open_item(case)
    case_escalated.send(case, level=level)
    return True


def close_case_from_process(case_id: int) -> None:
    """The gap_case process reached its end: the county accepted the case."""
    case = db.session.get(HelpCase, case_id)
    if case is None or case.status == CaseStatus.CLOSED:
        return
    case.status = CaseStatus.CLOSED
    case.closed_at = clock.now()
    audit.record(current_actor.get(), "case.close", "help_case", case_id)
    case_closed.send(case)
