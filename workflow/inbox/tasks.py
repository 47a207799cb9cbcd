"""Working a user task: the one path by which a person moves a process forward."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from workflow.engine import instances
from workflow.engine.spiff import EngineError
from workflow.models import HumanTask, ProcessInstance, TaskState, User
from workflow.operations import incidents
from workflow.people.access import (
    group_branches,
    inbox_branches,
    require_task,
    working_for,
)
from workflow.platform import audit, clock
from workflow.platform.acting import acting_as
from workflow.platform.db import db
from workflow.platform.errors import ConflictError, NotFound, Refused
from workflow.platform.i18n import _

_SOONEST = (HumanTask.due_at.asc().nulls_last(), HumanTask.id)


def inbox(
    user: User,
    limit: int = 200,
    narrowed_by: sa.ColumnElement[bool] | None = None,
    with_group: bool = False,
) -> list[HumanTask]:
    """The READY tasks a user may work (with her group's claimed by colleagues if asked),
    narrowed by a filter's condition, soonest due first (those without a deadline last).

    One query: each task with its instance's subject only (never the instance's stored state).
    The user's reach is an OR of index ranges (her group's, her own): each is read in deadline
    order up to the limit and the union sorted, so a large department costs a page, not all
    of its tasks."""
    branches = group_branches(user) if with_group else inbox_branches(user)
    narrowed = narrowed_by if narrowed_by is not None else sa.true()
    first = sa.union(
        *(
            sa.select(sub.c.id).select_from(sub)
            for sub in (
                sa.select(HumanTask.id)
                .where(HumanTask.state == TaskState.READY, branch, narrowed)
                .order_by(*_SOONEST)
                .limit(limit)
                .subquery()
                for branch in branches
            )
        )
    ).subquery()
    return list(
        db.session.scalars(
            sa.select(HumanTask)
            .join(first, first.c.id == HumanTask.id)
            .join(HumanTask.instance)
            .order_by(*_SOONEST)
            .options(
                contains_eager(HumanTask.instance).load_only(
                    ProcessInstance.subject, ProcessInstance.version
                )
            )
            .limit(limit)
        )
    )


def inbox_counts(user: User) -> tuple[int, int]:
    """How many READY tasks the user may work, and how many of them are overdue.

    The deadlines of each branch of her reach (`inbox_branches`, which never select the same
    task twice) are read apart and counted together: each is an index range, counted from the
    index alone on PostgreSQL, where an OR of them would fetch every task's row."""
    due = sa.union_all(
        *(
            sa.select(HumanTask.due_at).where(HumanTask.state == TaskState.READY, branch)
            for branch in inbox_branches(user)
        )
    ).subquery()
    overdue = sa.case((due.c.due_at < clock.now(), 1), else_=0)
    ready, late = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(overdue), 0)).select_from(due)
    ).one()
    return int(ready), int(late)


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
    principal = working_for(actor, task)
    if principal is None:
        require_task(actor, task)
    task.completed_at = clock.now()
    task.completed_by_id = actor.id
    instance = task.instance
    try:
        with acting_as(actor):
            instances.run_task(instance, task.task_guid, data)
    except EngineError as exc:  # the diagram's next steps failed: an incident, nothing saved
        incidents.note_task_failure(instance.id, task.spec_name, incidents.describe(exc))
        raise Refused(
            _(
                "The process could not go on after this step, so nothing was saved. It has "
                "been reported to the administrator; try again later."
            )
        ) from exc
    incidents.resolve_task_incident(instance.id, actor)
    audit.record(
        actor,
        "task.complete",
        "human_task",
        task.id,
        after=_completion(task, instance.id, data, actor, principal),
    )
    return task


def _completion(
    task: HumanTask, instance_id: int, data: dict[str, Any], actor: User, principal: User | None
) -> dict[str, Any]:
    """The audit record of a completion; a substitute's names the colleague she stood in for."""
    after = {"task": task.spec_name, "instance": instance_id, "data": data}
    if principal is not None and principal.id != actor.id:
        after["on_behalf_of"] = principal.id
    return after


def ready_task_of(instance_id: int, spec_name: str) -> HumanTask | None:
    """The READY task of a given step of an instance, if that step is waiting."""
    return db.session.scalar(
        sa.select(HumanTask).where(
            HumanTask.instance_id == instance_id,
            HumanTask.spec_name == spec_name,
            HumanTask.state == TaskState.READY,
        )
    )
