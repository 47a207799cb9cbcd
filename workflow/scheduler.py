"""The scheduler's tick: advance every instance whose timer is due.

On PostgreSQL any number of workers tick together: each batch claims the due instances no other
worker holds (`FOR UPDATE SKIP LOCKED`), so every instance is advanced by exactly one of them,
and a worker that dies loses only its open batch, whose rows the others then find due. SQLite has
one writer at a time: there one scheduler ticks, under a lease."""

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
from workflow.engine import due as timers_due
from workflow.engine import instances, state_batch
from workflow.models import ProcessInstance, SchedulerLease
from workflow.operations import health, incidents
from workflow.platform import audit, clock
from workflow.platform.acting import acting_as
from workflow.platform.db import db

log = logging.getLogger(__name__)
LEASE_NAME = "tick"
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


# The lease (SQLite only: PostgreSQL workers share the tick). It is a short heartbeat renewed
# with every batch, so a ticker that died blocks the tick for HEARTBEAT_SECONDS at most.
HEARTBEAT_SECONDS = 30


def _on_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def acquire_lease(holder: str = HOLDER, seconds: int | None = None) -> bool:
    """Take the tick lease (commits); False if another living holder has it."""
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
        .where(SchedulerLease.name == LEASE_NAME, free)
        .values(holder=holder, expires_at=now + timedelta(seconds=seconds or HEARTBEAT_SECONDS))
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


def renew_lease(holder: str = HOLDER, seconds: int | None = None) -> bool:
    """Extend the lease this holder has, in the current transaction (which it opens, so that a
    batch's savepoints nest inside it); False if the lease is no longer ours."""
    result = db.session.execute(
        sa.update(SchedulerLease)
        .where(SchedulerLease.name == LEASE_NAME, SchedulerLease.holder == holder)
        .values(expires_at=_wall_now() + timedelta(seconds=seconds or HEARTBEAT_SECONDS))
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
    started = _wall_now()
    if _on_postgresql():
        return _recorded(_on_clock(moment, lambda at: _advance_claimed(at, after_commit)), started)
    if not acquire_lease(holder):
        return TickReport(moment or clock.now(), acquired=False)
    try:
        report = _on_clock(moment, lambda at: _advance_due(at, holder, after_commit))
        return _recorded(report, started)
    finally:
        release_lease(holder)


def _recorded(report: TickReport, started: datetime) -> TickReport:
    """Keep the tick's run for the self-check (`operations/health.py`)."""
    health.record_tick(report.moment, started, _wall_now(), report.advanced, report.failed)
    return report


def _on_clock(moment: datetime | None, run: Callable[[datetime], TickReport]) -> TickReport:
    if moment is None:
        return run(clock.now())
    with clock.frozen_at(moment):
        return run(moment)


def _advance_claimed(moment: datetime, after_commit: Callable[[], None] | None) -> TickReport:
    """The shared tick (PostgreSQL): claim a batch no other worker holds, advance it, commit;
    until nothing due is left unclaimed."""
    report = TickReport(moment)
    # Failed, or due again at once: not claimed twice in one tick; and instances that failed
    # before wait for their next try (incidents' back-off).
    passed: set[int] = incidents.held_instance_ids(moment)
    failing = incidents.open_tick_incident_ids()
    db.session.rollback()  # read only: the batches open their own transactions
    while True:
        audit.lock_chain()  # the batch's audit stream first, held across its savepoints
        due = timers_due.claim_due(moment, BATCH, passed)
        if not due:
            db.session.rollback()
            return report
        if not _advance_together(due, moment, report, failing, passed):
            audit.lock_chain()
            again = timers_due.claim_due(moment, BATCH, passed)
            _advance_one_by_one(again, moment, report, failing, passed)
        if after_commit is not None:
            after_commit()


def _advance_due(
    moment: datetime, holder: str, after_commit: Callable[[], None] | None
) -> TickReport:
    report = TickReport(moment)
    # Instances that failed before wait for their next try (incidents' back-off); those seen
    # (failed, or due again at once) come first: ask for enough to pass them all.
    seen: set[int] = incidents.held_instance_ids(moment)
    failing = incidents.open_tick_incident_ids()
    db.session.rollback()  # read only: the batches open their own transactions
    while True:
        due = [
            i for i in timers_due.due_instance_ids(moment, len(seen) + LOOKAHEAD) if i not in seen
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
    """Advance a batch of instances in one transaction under the lease (SQLite); False when
    the lease was lost (another scheduler took over: this one stops)."""
    if not renew_lease(holder):
        db.session.rollback()
        log.warning("the tick lease of %s ran out; stopping this tick", holder)
        return False
    audit.lock_chain()  # the batch takes its audit stream now, held across its savepoints
    if _advance_together(timers_due.due_instances(ids, moment), moment, report, failing):
        return True
    if not renew_lease(holder):  # the failed try was rolled back, its renewal with it
        db.session.rollback()
        return False
    audit.lock_chain()
    _advance_one_by_one(timers_due.due_instances(ids, moment), moment, report, failing)
    return True


def _advance_together(
    due: list[ProcessInstance],
    moment: datetime,
    report: TickReport,
    failing: set[int],
    passed: set[int] | None = None,
) -> bool:
    """Advance the batch as one transaction with one flush: each table's new rows go in one
    statement. False (and rolled back) if any instance failed: then it goes one by one."""
    cases = escalation.preload_cases([instance.id for instance in due])  # noqa: F841 - held
    ids = [instance.id for instance in due]
    try:
        states = state_batch.StateBatch()
        with acting_as(None):  # the scheduler acts for nobody
            for instance in due:
                instances.advance_timers(instance, batch=states)
        states.write()
        again = {instance.id for instance in due if _due_again(instance, moment)}
        incidents.resolve_advanced([i for i in ids if i in failing], moment)
        db.session.commit()
    except Exception:  # which instance failed is found by advancing them one by one
        db.session.rollback()
        log.info("a batch of the tick failed; advancing its instances one by one")
        return False
    report.advanced.extend(ids)
    if passed is not None:
        passed.update(again)
    return True


def _advance_one_by_one(
    due: list[ProcessInstance],
    moment: datetime,
    report: TickReport,
    failing: set[int],
    passed: set[int] | None = None,
) -> None:
    """Advance these (loaded) instances, each in a savepoint of its own so that one failing
    instance is rolled back, recorded as an incident and reported without losing the others;
    then commit the batch.
    `passed` collects the ids this tick must not take again."""
    advanced = []
    cases = escalation.preload_cases([instance.id for instance in due])  # noqa: F841 - held
    for instance in due:
        instance_id = instance.id
        try:
            with db.session.begin_nested(), acting_as(None):
                instances.advance_timers(instance)
        except Exception as exc:  # one broken instance must not stop the county's other timers
            log.exception("tick failed for process instance %s", instance_id)
            report.failed[instance_id] = str(exc)
            incidents.record_tick_failure(instance_id, incidents.describe(exc), moment)
            if passed is not None:
                passed.add(instance_id)
            continue
        advanced.append(instance_id)
        if passed is not None and _due_again(instance, moment):
            passed.add(instance_id)
    incidents.resolve_advanced([i for i in advanced if i in failing], moment)
    try:
        db.session.commit()
    except Exception as exc:  # the whole batch is lost; the next tick finds it due again
        db.session.rollback()
        log.exception("tick failed to commit process instances %s", advanced)
        report.failed.update({instance_id: str(exc) for instance_id in advanced})
        if passed is not None:
            passed.update(advanced)
        return
    report.advanced.extend(advanced)


def _due_again(instance: ProcessInstance, moment: datetime) -> bool:
    due = instance.next_timer_due
    return due is not None and due < moment
