"""Operating the processes: incidents (instances that failed), and the record of each tick."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.models.process import ProcessInstance
from workflow.platform.db import UTCDateTime, db, enum_column


class IncidentKind(enum.StrEnum):
    """Where the instance failed: in the scheduler's tick, or when a person completed a task."""

    TICK = "tick"
    TASK = "task"


class ProcessIncident(db.Model):
    """An instance that failed: the latest error, when, how often, and when the scheduler may
    try it again (`retry_at` None: it stopped trying, a person retries from the operations
    page). One row per instance, resolved when a retry (or the next completion) succeeds and
    opened again if it fails later."""

    __tablename__ = "process_incident"
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(sa.ForeignKey("process_instance.id"), unique=True)
    kind: Mapped[IncidentKind] = mapped_column(enum_column(IncidentKind, "incident_kind"))
    task_name: Mapped[str] = mapped_column(sa.String(80), default="")
    error: Mapped[str] = mapped_column(sa.Text, default="")
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(default=1)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    instance: Mapped[ProcessInstance] = relationship()


class TickRun(db.Model):
    """The last run of a scheduler job: the moment it ran for (the clock's), how long it took
    (wall time), and what it did; the self-check reads it."""

    __tablename__ = "tick_run"
    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    moment: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int] = mapped_column(default=0)
    advanced: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
