"""Moving the moments a running instance's timers wait for (a round's deadline was moved).

Timer expressions name task data (`survey_due_at`, …). SpiffWorkflow evaluates a timer's
expression once, when the timer starts waiting, and keeps the result in the timer task's
internal data (`event_value`); later changes to the task data are not read again. So a moved
deadline must change both: the data every unfinished task carries (for timers not reached yet)
and the stored target of every timer already waiting on that expression.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from workflow.engine.instances import _task_due, load, save
from workflow.engine.spiff import SpiffTaskState
from workflow.models import HumanTask, InstanceStatus, ProcessInstance, TaskState
from workflow.platform.db import db

_UNFINISHED = SpiffTaskState.NOT_FINISHED_MASK


def _timer_expression(task: Any) -> str | None:
    definition = getattr(task.task_spec, "event_definition", None)
    expression = getattr(definition, "expression", None)
    return expression.strip() if isinstance(expression, str) else None


def move_timers(instance: ProcessInstance, moments: dict[str, str]) -> int:
    """Give the instance's data keys new ISO moments and re-aim the timers waiting on them;
    returns how many waiting timers were re-aimed (fired timers stay fired)."""
    if instance.status != InstanceStatus.RUNNING:
        return 0
    wf = load(instance)
    wf.data.update({k: v for k, v in moments.items() if k in wf.data})
    moved = 0
    for task in wf.get_tasks(state=_UNFINISHED):
        for key in moments.keys() & task.data.keys():
            task.data[key] = moments[key]
        expression = _timer_expression(task)
        if expression not in moments or task.internal_data.get("event_fired"):
            continue
        if "event_value" in task.internal_data:
            task.internal_data["event_value"] = moments[expression]
            moved += 1
    save(instance, wf)
    _refresh_task_due(instance, wf)
    return moved


def _refresh_task_due(instance: ProcessInstance, wf: Any) -> None:
    """The mirrored READY tasks show the deadline their data now carries."""
    by_guid = {str(t.id): t for t in wf.get_tasks(state=SpiffTaskState.READY, manual=True)}
    for row in db.session.scalars(
        sa.select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.state == TaskState.READY
        )
    ):
        task = by_guid.get(row.task_guid)
        if task is not None:
            row.due_at = _task_due(task.data)
    db.session.flush()
