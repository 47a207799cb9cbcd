"""The self-check: is the tick running, and has every timer that was due fired?

A timer that is due and has not fired means the scheduler was down (or the instance fails:
then it is an incident as well). The tick records each run — the moment it ran for, by the
clock, and how long it took — and the check compares them with the clock's now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from workflow.models import InstanceStatus, ProcessIncident, ProcessInstance, TickRun
from workflow.platform import clock
from workflow.platform.db import db

TICK = "tick"
# A timer is late when it was due this long ago and has not fired (the tick runs every minute).
LATE_AFTER = timedelta(minutes=2)
# The overdue board warns when the tick has not run for longer than this.
STALE_AFTER = timedelta(minutes=10)


def record_tick(
    moment: datetime, started: datetime, finished: datetime, advanced: list[int], failed: dict
) -> None:
    """Keep the tick's run (committed: the tick owns its transactions)."""
    run = db.session.get(TickRun, TICK)
    if run is None:
        run = TickRun(name=TICK)
        db.session.add(run)
    run.moment, run.started_at = moment, started
    run.duration_ms = max(0, round((finished - started).total_seconds() * 1000))
    run.advanced, run.failed = len(advanced), len(failed)
    try:
        db.session.commit()
    except sa.exc.SQLAlchemyError:  # a record missing is no reason to fail the tick
        db.session.rollback()


def last_tick() -> TickRun | None:
    """The tick's last run, if it ever ran."""
    return db.session.get(TickRun, TICK)


def tick_is_stale(now: datetime | None = None) -> bool:
    """True when the tick last ran more than STALE_AFTER ago by the clock, or never ran while
    instances wait for timers."""
    now = now or clock.now()
    run = last_tick()
    if run is not None:
        return run.moment < now - STALE_AFTER
    waiting = db.session.scalar(
        sa.select(ProcessInstance.id)
        .where(
            ProcessInstance.status == InstanceStatus.RUNNING,
            ProcessInstance.next_timer_due.is_not(None),
        )
        .limit(1)
    )
    return waiting is not None


@dataclass(frozen=True)
class LateTimer:
    """An instance whose next timer was due and has not fired."""

    instance_id: int
    process_id: str
    subject: str
    due: datetime
    late_by: timedelta
    held: bool  # it failed in the tick and waits for a retry (an open incident)


@dataclass
class LateTimers:
    """The instances with late timers (the first ones, most late first) and their number."""

    count: int = 0
    rows: list[LateTimer] = field(default_factory=list)


def late_timers(now: datetime | None = None, limit: int = 50) -> LateTimers:
    """Timers that were due more than LATE_AFTER ago and have not fired."""
    now = now or clock.now()
    late = sa.and_(
        ProcessInstance.status == InstanceStatus.RUNNING,
        ProcessInstance.next_timer_due < now - LATE_AFTER,
    )
    count = db.session.scalar(sa.select(sa.func.count()).select_from(ProcessInstance).where(late))
    open_incident = (
        sa.select(ProcessIncident.id)
        .where(
            ProcessIncident.instance_id == ProcessInstance.id,
            ProcessIncident.resolved_at.is_(None),
        )
        .exists()
    )
    rows = db.session.execute(
        sa.select(
            ProcessInstance.id,
            ProcessInstance.process_id,
            ProcessInstance.subject,
            ProcessInstance.next_timer_due,
            open_incident,
        )
        .where(late)
        .order_by(ProcessInstance.next_timer_due, ProcessInstance.id)
        .limit(limit)
    ).all()
    return LateTimers(
        int(count or 0),
        [LateTimer(i, p, s, due, now - due, bool(held)) for i, p, s, due, held in rows],
    )
