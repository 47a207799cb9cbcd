"""Incidents: instances that failed in the tick or when a person completed a task.

A tick failure is recorded in the tick's own transaction (the instance's savepoint was rolled
back, the incident is not). The scheduler then leaves the instance alone for a while — 5
minutes, 30 minutes, 2 hours — and after the fourth failure stops trying it: a person retries
it from the operations page once the cause is fixed. A task completion that fails is rolled
back with the whole request, so its incident is written after that rollback, in a short
transaction of its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from workflow.engine import instances
from workflow.models import (
    IncidentKind,
    InstanceStatus,
    ProcessIncident,
    ProcessInstance,
    Role,
    User,
)
from workflow.people.access import require_role
from workflow.platform import audit, clock
from workflow.platform.acting import acting_as
from workflow.platform.db import db
from workflow.platform.errors import NotFound, Refused
from workflow.platform.i18n import _

log = logging.getLogger(__name__)

# After the n-th failure in the tick, the scheduler tries again this much later; after one
# more failure than there are steps, it stops (retry_at None).
BACKOFF = (timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_TICK_TRIES = len(BACKOFF) + 1
OPERATORS = (Role.ADMIN, Role.COUNTY_OFFICE)
_ERROR_LENGTH = 2000
_PENDING = "huitou.incidents_pending"  # session.info: task failures to write after rollback


def describe(exc: BaseException) -> str:
    """An error as the incident list shows it: its kind and its message."""
    return f"{type(exc).__name__}: {exc}"[:_ERROR_LENGTH]


def _next_try(failures: int, moment: datetime) -> datetime | None:
    return moment + BACKOFF[failures - 1] if failures <= len(BACKOFF) else None


def _incident_of(instance_id: int) -> ProcessIncident | None:
    return db.session.scalar(
        sa.select(ProcessIncident).where(ProcessIncident.instance_id == instance_id)
    )


def record_tick_failure(instance_id: int, error: str, moment: datetime) -> ProcessIncident:
    """Note that the tick failed on an instance (in the tick's transaction), and when the
    scheduler may try it again."""
    incident = _incident_of(instance_id)
    if incident is None:
        incident = ProcessIncident(instance_id=instance_id, first_failed_at=moment, failures=0)
        db.session.add(incident)
    elif incident.resolved_at is not None:  # it failed again after being fixed: a new run
        incident.first_failed_at, incident.failures = moment, 0
        incident.resolved_at = incident.resolved_by_id = None
    incident.failures = (incident.failures or 0) + 1
    incident.kind = IncidentKind.TICK
    incident.task_name = ""
    incident.error = error[:_ERROR_LENGTH]
    incident.last_failed_at = moment
    incident.retry_at = _next_try(incident.failures, moment)
    db.session.flush()
    return incident


def held_instance_ids(moment: datetime) -> set[int]:
    """Instances the tick leaves alone at the moment: failing, and not due for another try."""
    return set(
        db.session.scalars(
            sa.select(ProcessIncident.instance_id).where(
                ProcessIncident.resolved_at.is_(None),
                ProcessIncident.kind == IncidentKind.TICK,
                sa.or_(ProcessIncident.retry_at.is_(None), ProcessIncident.retry_at > moment),
            )
        )
    )


def open_tick_incident_ids() -> set[int]:
    """Instances with an open tick incident (an advance that succeeds resolves it)."""
    return set(
        db.session.scalars(
            sa.select(ProcessIncident.instance_id).where(
                ProcessIncident.resolved_at.is_(None), ProcessIncident.kind == IncidentKind.TICK
            )
        )
    )


def resolve_advanced(instance_ids: list[int], moment: datetime) -> None:
    """The tick advanced these instances: their open tick incidents are over (audited)."""
    for instance_id in instance_ids:
        incident = _incident_of(instance_id)
        if incident is None or incident.resolved_at is not None:
            continue
        incident.resolved_at, incident.retry_at = moment, None
        audit.record(
            None,
            "incident.resolved",
            "process_instance",
            instance_id,
            after={"failures": incident.failures, "by": "tick"},
        )


# -- task completions ------------------------------------------------------------------------


def note_task_failure(instance_id: int, task_name: str, error: str) -> None:
    """Remember a failed completion; it is written once the request's transaction has ended
    (rolled back, as a failure is), so the incident outlives what it rolled back."""
    pending = db.session.info.setdefault(_PENDING, [])
    pending.append((instance_id, task_name, error[:_ERROR_LENGTH], clock.now()))


def _write_task_failures(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    table = ProcessIncident.__table__
    try:
        with session.get_bind().engine.begin() as connection:
            for instance_id, task_name, error, moment in pending:
                _write_task_failure(connection, table, instance_id, task_name, error, moment)
    except sa.exc.SQLAlchemyError:
        log.exception("recording the incident of a failed task completion failed")


def _write_task_failure(
    connection: sa.Connection,
    table: sa.Table,
    instance_id: int,
    task_name: str,
    error: str,
    moment: datetime,
) -> None:
    row = connection.execute(
        sa.select(table.c.id, table.c.failures, table.c.resolved_at).where(
            table.c.instance_id == instance_id
        )
    ).first()
    values = {
        "kind": IncidentKind.TASK.value,
        "task_name": task_name[:80],
        "error": error,
        "last_failed_at": moment,
        "retry_at": None,
    }
    if row is None:
        connection.execute(
            sa.insert(table).values(
                instance_id=instance_id, first_failed_at=moment, failures=1, **values
            )
        )
    elif row.resolved_at is not None:
        connection.execute(
            sa.update(table)
            .where(table.c.id == row.id)
            .values(
                first_failed_at=moment, failures=1, resolved_at=None, resolved_by_id=None, **values
            )
        )
    else:
        connection.execute(
            sa.update(table).where(table.c.id == row.id).values(failures=row.failures + 1, **values)
        )


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is None and not previous_transaction.nested:
        _write_task_failures(session)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.get(_PENDING):
        _write_task_failures(session)


def resolve_task_incident(instance_id: int, actor: User) -> None:
    """A completion of this instance went through: an open task incident of it is over."""
    incident = _incident_of(instance_id)
    if incident is None or incident.resolved_at is not None or incident.kind != IncidentKind.TASK:
        return
    incident.resolved_at, incident.resolved_by_id = clock.now(), actor.id
    audit.record(actor, "incident.resolved", "process_instance", instance_id, after={"by": "task"})


# -- the operations page ---------------------------------------------------------------------


@dataclass(frozen=True)
class RetryResult:
    """What a retry from the page did."""

    ok: bool
    error: str = ""


def require_operator(actor: User) -> None:
    """Only the administrator and the county office operate the processes."""
    require_role(actor, *OPERATORS)


def open_incidents(actor: User, limit: int = 200) -> list[ProcessIncident]:
    """Open incidents, the latest failure first."""
    require_operator(actor)
    return list(
        db.session.scalars(
            sa.select(ProcessIncident)
            .where(ProcessIncident.resolved_at.is_(None))
            .order_by(ProcessIncident.last_failed_at.desc(), ProcessIncident.id.desc())
            .limit(limit)
            .options(sa.orm.joinedload(ProcessIncident.instance))
        )
    )


def open_count() -> int:
    """How many incidents are open (the self-check)."""
    return int(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(ProcessIncident)
            .where(ProcessIncident.resolved_at.is_(None))
        )
        or 0
    )


def incident_of(instance_id: int) -> ProcessIncident | None:
    """The incident record of an instance (open or resolved), if it ever failed."""
    return _incident_of(instance_id)


def retry_incident(incident_id: int, actor: User) -> RetryResult:
    """Try the failed instance again now (after a fix): fire whatever is due and run its engine
    steps. Success resolves the incident; a failure is counted and left open. Audited."""
    require_operator(actor)
    incident = db.session.get(ProcessIncident, incident_id)
    if incident is None:
        raise NotFound(_("The page or record does not exist."))
    if incident.resolved_at is not None:
        raise Refused(_("This incident is already resolved."))
    instance = db.session.scalar(
        sa.select(ProcessInstance)
        .options(sa.orm.undefer(ProcessInstance.state))
        .where(ProcessInstance.id == incident.instance_id)
    )
    audit.lock_chain()  # before the savepoint: a lock taken inside one goes with its rollback
    now = clock.now()
    try:
        with db.session.begin_nested(), acting_as(None):
            if instance.status == InstanceStatus.RUNNING:
                instances.advance_timers(instance)
    except Exception as exc:  # whatever failed is the incident's new error
        log.exception("retrying process instance %s failed", instance.id)
        error = describe(exc)
        incident.failures += 1
        incident.error, incident.last_failed_at, incident.retry_at = error, now, None
        audit.record(
            actor, "incident.retry_failed", "process_instance", instance.id, after={"error": error}
        )
        return RetryResult(False, error)
    incident.resolved_at, incident.resolved_by_id, incident.retry_at = now, actor.id, None
    audit.record(
        actor,
        "incident.retried",
        "process_instance",
        instance.id,
        after={"failures": incident.failures, "kind": incident.kind.value},
    )
    return RetryResult(True)


def instance_for_operator(instance_id: int, actor: User) -> ProcessInstance:
    """An instance, for the operations pages."""
    require_operator(actor)
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(_("The page or record does not exist."))
    return instance
