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

from workflow.cases import escalation
from workflow.engine import instances
from workflow.models import SchedulerLease
from workflow.operations import health, incidents
from workflow.platform import audit, clock
from workflow.platform.acting import acting_as
from workflow.platform.db import db

log = logging.getLogger(__name__)
LEASE_NAME = "tick"
LEASE_SECONDS = 300
HOLDER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
# Instances advanced per transaction, and how many due ids one query fetches.
BATCH = 100
LOOKAHEAD = 5000


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


# A lease that follows its holder. On PostgreSQL the ticking process holds a session-level
# advisory lock on a connection of its own: if the process dies, the server closes that
# connection and the lock is free at once. The lease row still records who ticks (and a
# worker that lost it stops). SQLite has no such lock: there the row is a short heartbeat,
# renewed with every batch, so a dead ticker blocks the tick for HEARTBEAT_SECONDS at most.
HEARTBEAT_SECONDS = 30
ADVISORY_KEY = 0x68756974  # "huit"
_lock_connections: dict[str, sa.Connection] = {}
_lock_engines: dict[str, sa.Engine] = {}


def _on_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def _default_seconds() -> int:
    return LEASE_SECONDS if _on_postgresql() else HEARTBEAT_SECONDS


def _lock_engine() -> sa.Engine:
    """An engine without a pool: closing its connection ends the server session and its lock."""
    url = db.engine.url.render_as_string(hide_password=False)
    if url not in _lock_engines:
        _lock_engines[url] = sa.create_engine(url, poolclass=sa.pool.NullPool)
    return _lock_engines[url]


def _take_lock(holder: str) -> bool:
    if holder in _lock_connections:
        return True
    connection = _lock_engine().connect()
    got = connection.execute(
        sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
    ).scalar()
    connection.commit()
    if not got:
        connection.close()
        return False
    _lock_connections[holder] = connection
    return True


def _drop_lock(holder: str) -> None:
    connection = _lock_connections.pop(holder, None)
    if connection is not None:
        connection.close()  # the session ends, and with it the advisory lock


def acquire_lease(holder: str = HOLDER, seconds: int | None = None) -> bool:
    """Take the tick lease (commits); False if another living holder has it."""
    postgresql = _on_postgresql()
    if postgresql and not _take_lock(holder):
        return False
    now = _wall_now()
    if db.session.get(SchedulerLease, LEASE_NAME) is None:
        db.session.add(
            SchedulerLease(name=LEASE_NAME, holder="", expires_at=now - timedelta(seconds=1))
        )
        try:
            db.session.commit()
        except sa.exc.IntegrityError:
            db.session.rollback()
    free = sa.or_(SchedulerLease.expires_at < now, SchedulerLease.holder == holder)
    result = db.session.execute(
        sa.update(SchedulerLease)
        # With the advisory lock in hand the row is ours whatever it says (its holder died).
        .where(SchedulerLease.name == LEASE_NAME, sa.true() if postgresql else free)
        .values(holder=holder, expires_at=now + timedelta(seconds=seconds or _default_seconds()))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if result.rowcount != 1:
        _drop_lock(holder)
    return result.rowcount == 1


def release_lease(holder: str = HOLDER) -> None:
    """Give the lease back so the next tick need not wait for it to expire."""
    try:
        db.session.execute(
            sa.update(SchedulerLease)
            .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder)
            .values(holder="", expires_at=_wall_now() - timedelta(seconds=1))
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    finally:
        _drop_lock(holder)


def renew_lease(holder: str = HOLDER, seconds: int | None = None) -> bool:
    """Extend the lease this holder has, in the current transaction (which it opens, so that a
    batch's savepoints nest inside it on SQLite too); False if the lease is no longer ours."""
    result = db.session.execute(
        sa.update(SchedulerLease)
        .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder)
        .values(expires_at=_wall_now() + timedelta(seconds=seconds or _default_seconds()))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def tick(
    moment: datetime | None = None,
    *,
    holder: str = HOLDER,
    after_commit: Callable[[], None] | None = None,
) -> TickReport:
    """Advance every instance whose next timer is due at the moment; the job owns its commits
    (one per batch), and `after_commit` runs after each of them."""
    if not acquire_lease(holder):
        return TickReport(moment or clock.now(), acquired=False)
    started = _wall_now()
    try:
        if moment is None:
            report = _advance_due(clock.now(), holder, after_commit)
        else:
            with clock.frozen_at(moment):
                report = _advance_due(moment, holder, after_commit)
        health.record_tick(report.moment, started, _wall_now(), report.advanced, report.failed)
        return report
    finally:
        release_lease(holder)


def _advance_due(
    moment: datetime, holder: str, after_commit: Callable[[], None] | None
) -> TickReport:
    report = TickReport(moment)
    # Instances that failed before wait for their next try (incidents' back-off); those
    # seen (failed, or due again at once) come first: ask for enough to pass them all.
    seen: set[int] = incidents.held_instance_ids(moment)
    failing = incidents.open_tick_incident_ids()
    while True:
        due = [
            i for i in instances.due_instance_ids(moment, len(seen) + LOOKAHEAD) if i not in seen
        ]
        if not due:
            return report
        for start in range(0, len(due), BATCH):
            batch = due[start : start + BATCH]
            seen.update(batch)
            if not _advance_batch(batch, moment, holder, report, failing):
                return report
            if after_commit is not None:
                after_commit()


def _advance_batch(
    ids: list[int], moment: datetime, holder: str, report: TickReport, failing: set[int]
) -> bool:
    """Advance a batch of instances in one transaction, each in a savepoint of its own so that
    one failing instance is rolled back, recorded as an incident and reported without losing
    the others; False when the lease was lost (another scheduler took over: this one stops)."""
    if not renew_lease(holder):
        db.session.rollback()
        log.warning("the tick lease of %s ran out; stopping this tick", holder)
        return False
    audit.lock_chain()  # one lock of the audit chain for the batch, held across its savepoints
    advanced = []
    due = instances.due_instances(ids, moment)
    cases = escalation.preload_cases([instance.id for instance in due])  # noqa: F841 - held
    for instance in due:
        instance_id = instance.id
        try:
            # the scheduler acts for nobody
            with db.session.begin_nested(), acting_as(None):
                instances.advance_timers(instance)
        except Exception as exc:  # one broken instance must not stop the county's other timers
            log.exception("tick failed for process instance %s", instance_id)
            report.failed[instance_id] = str(exc)
            incidents.record_tick_failure(instance_id, incidents.describe(exc), moment)
            continue
        advanced.append(instance_id)
    incidents.resolve_advanced([i for i in advanced if i in failing], moment)
    try:
        db.session.commit()
    except Exception as exc:  # the whole batch is lost; the next tick finds it due again
        db.session.rollback()
        log.exception("tick failed to commit process instances %s", advanced)
        report.failed.update({instance_id: str(exc) for instance_id in advanced})
        return True
    report.advanced.extend(advanced)
    return True
