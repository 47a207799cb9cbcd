"""The scheduler's tick: advance every instance whose timer is due, one scheduler at a time."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from workflow import clock
from workflow.db import db
from workflow.engine import instances
from workflow.models import ProcessInstance, SchedulerLease

log = logging.getLogger(__name__)
LEASE_NAME = "tick"
LEASE_SECONDS = 300
HOLDER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class TickReport:
    """What one tick did."""

    moment: datetime
    acquired: bool = True
    advanced: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def _wall_now() -> datetime:
    # The lease is about real processes, so it uses real time even when the clock is pinned.
    return datetime.now(UTC)


def acquire_lease(holder: str = HOLDER, seconds: int = LEASE_SECONDS) -> bool:
    """Take the tick lease with one atomic UPDATE (commits); False if another holder has it."""
    now = _wall_now()
    if db.session.get(SchedulerLease, LEASE_NAME) is None:
        db.session.add(
            SchedulerLease(name=LEASE_NAME, holder="", expires_at=now - timedelta(seconds=1))
        )
        try:
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()
    result = db.session.execute(
        sa.update(SchedulerLease)
        .where(
            SchedulerLease.name == LEASE_NAME,
            sa.or_(SchedulerLease.expires_at < now, SchedulerLease.holder == holder),
        )
        .values(holder=holder, expires_at=now + timedelta(seconds=seconds))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def release_lease(holder: str = HOLDER) -> None:
    """Give the lease back so the next tick need not wait for it to expire."""
    db.session.execute(
        sa.update(SchedulerLease)
        .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder)
        .values(holder="", expires_at=_wall_now() - timedelta(seconds=1))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def tick(
    moment: datetime | None = None,
    *,
    holder: str = HOLDER,
    after_commit: Callable[[], None] | None = None,
) -> TickReport:
    """Advance every instance whose next timer is due at the moment; the job owns its commits."""
    if not acquire_lease(holder):
        return TickReport(moment or clock.now(), acquired=False)
    try:
        if moment is None:
            return _advance_due(clock.now(), after_commit)
        with clock.frozen_at(moment):
            return _advance_due(moment, after_commit)
    finally:
        release_lease(holder)


def _advance_due(moment: datetime, after_commit: Callable[[], None] | None) -> TickReport:
    report = TickReport(moment)
    seen: set[int] = set()
    while True:
        due = [i for i in instances.due_instances(moment) if i.id not in seen]
        if not due:
            return report
        for instance in due:
            seen.add(instance.id)
            _advance_one(instance.id, report)
            if after_commit is not None:
                after_commit()


def _advance_one(instance_id: int, report: TickReport) -> None:
    try:
        instance = db.session.get(ProcessInstance, instance_id)
        instances.advance_timers(instance)
        db.session.commit()
        report.advanced.append(instance_id)
    except Exception as exc:  # one broken instance must not stop the county's other timers
        db.session.rollback()
        log.exception("tick failed for process instance %s", instance_id)
        report.failed[instance_id] = str(exc)
