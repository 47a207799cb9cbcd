"""Process instances, their stored specs, and the READY user tasks mirrored for inboxes."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.models.people import Role
from workflow.platform.db import UTCDateTime, db, enum_column


class ProcessSpec(db.Model):
    """A parsed process definition, stored once per content hash and shared by its instances."""

    __tablename__ = "process_spec"
    __table_args__ = (sa.UniqueConstraint("process_id", "content_hash", name="uq_spec_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(sa.String(80), index=True)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    serialized: Mapped[str] = mapped_column(sa.Text, deferred=True)
    # The diagram file the version was parsed from, as a viewer shows it (None: stored before
    # versions kept their diagrams).
    bpmn_xml: Mapped[str | None] = mapped_column(sa.Text, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when first used


class InstanceStatus(enum.StrEnum):
    """Whether an instance still has work (or timers) ahead of it."""

    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ProcessInstance(db.Model):
    """One running process: its serialized state (without the spec) and a version for locking."""

    __tablename__ = "process_instance"
    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(sa.String(80), index=True)
    spec_id: Mapped[int] = mapped_column(sa.ForeignKey("process_spec.id"))
    # ~15 KB of serialized workflow: loaded only when the engine needs it, never for a list.
    state: Mapped[str] = mapped_column(sa.Text, deferred=True)
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[InstanceStatus] = mapped_column(
        enum_column(InstanceStatus, "instance_status"), default=InstanceStatus.RUNNING
    )
    next_timer_due: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("round.id"), index=True)
    township_id: Mapped[int | None] = mapped_column(sa.ForeignKey("township.id"))
    village_id: Mapped[int | None] = mapped_column(sa.ForeignKey("village.id"))
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))
    subject: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    spec: Mapped[ProcessSpec] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's mapper protocol


class TaskState(enum.StrEnum):
    """A mirrored user task's state."""

    READY = "ready"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class HumanTask(db.Model):
    """One READY user task of an instance, with who may work it, so inboxes are plain queries."""

    __tablename__ = "human_task"
    __table_args__ = (
        sa.UniqueConstraint("instance_id", "task_guid", name="uq_human_task_guid"),
        sa.Index("ix_human_task_inbox_township", "state", "role", "township_id"),
        sa.Index("ix_human_task_inbox_village", "state", "role", "village_id"),
        sa.Index("ix_human_task_inbox_department", "state", "role", "department_id"),
        sa.Index("ix_human_task_due", "state", "due_at"),
        # The inboxes' lists, counts and task kinds by role and unit or by assignee, soonest
        # due first. On PostgreSQL (migration 0019boardidx) partial indexes over the READY rows
        # only, carrying what the counts and kinds read: the state is not a column of theirs,
        # since the planner drops a condition the index's predicate implies and a leading
        # column without its condition would read the whole index. SQLite's (0005scale) are
        # plain ones led by the state.
        *(
            index
            for name, columns in (
                ("department", ("role", "department_id")),
                ("township", ("role", "township_id")),
                ("village", ("role", "village_id")),
                ("assignee", ("assignee_id",)),
            )
            for index in (
                sa.Index(
                    f"ix_human_task_ready_{name}_pg",
                    *columns,
                    "due_at",
                    postgresql_include=[
                        c for c in ("assignee_id", "spec_name", "title") if c not in columns
                    ],
                    postgresql_where=sa.text("state = 'ready'"),
                ).ddl_if(dialect="postgresql"),
                sa.Index(f"ix_human_task_ready_{name}", "state", *columns, "due_at").ddl_if(
                    dialect="sqlite"
                ),
            )
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int] = mapped_column(sa.ForeignKey("process_instance.id"), index=True)
    task_guid: Mapped[str] = mapped_column(sa.String(36))
    spec_name: Mapped[str] = mapped_column(sa.String(80))
    title: Mapped[str] = mapped_column(sa.String(120))
    lane: Mapped[str] = mapped_column(sa.String(40), default="")
    role: Mapped[Role] = mapped_column(enum_column(Role, "task_role"))
    township_id: Mapped[int | None] = mapped_column(sa.ForeignKey("township.id"))
    village_id: Mapped[int | None] = mapped_column(sa.ForeignKey("village.id"))
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    state: Mapped[TaskState] = mapped_column(
        enum_column(TaskState, "task_state"), default=TaskState.READY
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    instance: Mapped[ProcessInstance] = relationship()


class SchedulerLease(db.Model):
    """Who runs the scheduler's tick right now: one row per job, taken by an atomic UPDATE."""

    __tablename__ = "scheduler_lease"
    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(sa.String(80), default="")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
