"""Working a user task: the one path by which a person moves a process forward."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from workflow import audit, clock
from workflow.access import inbox_filter, require_task
from workflow.db import db
from workflow.engine import instances
from workflow.errors import ConflictError, NotFound
from workflow.i18n import _
from workflow.models import HumanTask, TaskState, User


def inbox(user: User, limit: int = 200) -> list[HumanTask]:
    """The READY tasks a user may work, soonest due first."""
    return list(
        db.session.scalars(
            sa.select(HumanTask)
            .where(inbox_filter(user))
            .order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id)
            .limit(limit)
        )
    )


def get_task(task_id: int) -> HumanTask:
    """A mirrored task by id."""
    task = db.session.get(HumanTask, task_id)
    if task is None:
        raise NotFound(_("The task does not exist."))
    return task


def complete_task(task: HumanTask, actor: User, data: dict[str, Any]) -> HumanTask:
    """Complete a READY task as the actor: scope check, optimistic lock, audit event."""
    if task.state != TaskState.READY:
        raise ConflictError(_("The task is already done. Reload your inbox."))
    require_task(actor, task)
    task.completed_at = clock.now()
    task.completed_by_id = actor.id
    instance = task.instance
    instances.run_task(instance, task.task_guid, data, actor)
    audit.record(
        actor,
        "task.complete",
        "human_task",
        task.id,
        after={"task": task.spec_name, "instance": instance.id, "data": data},
    )
    return task


def ready_task_of(instance_id: int, spec_name: str) -> HumanTask | None:
    """The READY task of a given step of an instance, if that step is waiting."""
    return db.session.scalar(
        sa.select(HumanTask).where(
            HumanTask.instance_id == instance_id,
            HumanTask.spec_name == spec_name,
            HumanTask.state == TaskState.READY,
        )
    )
