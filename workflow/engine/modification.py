"""Moving an instance back to a step it has done (a wrong "done" undone): SpiffWorkflow's
`reset_from_task_id` on the latest run of that step, which resets the step (its data as when
it became ready) and drops what followed it; then the engine runs and the user tasks are
mirrored as after any step. Timers re-armed by the reset keep the moments they last had."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from workflow.engine.instances import _run, _task_due, load, save
from workflow.engine.spiff import SpiffTaskState
from workflow.models import HumanTask, ProcessInstance, TaskState
from workflow.platform import clock
from workflow.platform.db import db

_TIMER_STATES = SpiffTaskState.WAITING | SpiffTaskState.COMPLETED


def done_user_steps(instance: ProcessInstance) -> list[tuple[str, str]]:
    """(element, name) of the user tasks the instance has completed, each once, in run order."""
    steps: dict[str, str] = {}
    for task in load(instance).get_tasks(state=SpiffTaskState.COMPLETED):
        spec = task.task_spec
        if spec.manual and getattr(spec, "bpmn_id", None):
            steps.setdefault(spec.bpmn_id, getattr(spec, "bpmn_name", None) or spec.bpmn_id)
    return list(steps.items())


def _timer_moments(wf: Any) -> dict[str, Any]:
    return {
        task.task_spec.bpmn_id: task.internal_data["event_value"]
        for task in wf.get_tasks(state=_TIMER_STATES)
        if getattr(task.task_spec, "bpmn_id", None) and "event_value" in task.internal_data
    }


def move_back(instance: ProcessInstance, element: str) -> None:
    """Reset the instance to the latest completed run of a user task (ValueError if it has
    none), run it to its next wait, save it and mirror its user tasks."""
    wf = load(instance)
    runs = [
        task
        for task in wf.get_tasks(state=SpiffTaskState.COMPLETED)
        if task.task_spec.manual and getattr(task.task_spec, "bpmn_id", None) == element
    ]
    if not runs:
        raise ValueError(f"instance {instance.id} has not done {element}")
    moments = _timer_moments(wf)
    latest = max(runs, key=lambda task: task.last_state_change)
    wf.reset_from_task_id(latest.id)
    for task in wf.get_tasks(state=SpiffTaskState.WAITING):
        element_id = getattr(task.task_spec, "bpmn_id", None)
        if element_id in moments:
            task.internal_data["event_value"] = moments[element_id]
    _run(wf)
    _reopen(instance, wf)
    save(instance, wf)


def _reopen(instance: ProcessInstance, wf: Any) -> None:
    """A reset task keeps its id: its inbox row, completed before, is open again (who completed
    it is in the audit log)."""
    ready = {str(t.id): t for t in wf.get_tasks(state=SpiffTaskState.READY, manual=True)}
    if not ready:
        return
    for row in db.session.scalars(
        sa.select(HumanTask).where(
            HumanTask.instance_id == instance.id,
            HumanTask.task_guid.in_(list(ready)),
            HumanTask.state != TaskState.READY,
        )
    ):
        row.state, row.completed_at, row.completed_by_id = TaskState.READY, None, None
        row.assignee_id, row.created_at = None, clock.now()
        row.due_at = _task_due(ready[row.task_guid].data)
    db.session.flush()
