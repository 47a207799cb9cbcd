"""Where an instance stands on its diagram: the steps waiting for people, and the steps done."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workflow.engine.instances import load
from workflow.engine.specs import diagram_dir
from workflow.engine.spiff import SpiffTaskState
from workflow.models import ProcessInstance

_WAITING = SpiffTaskState.READY | SpiffTaskState.WAITING | SpiffTaskState.STARTED


@dataclass(frozen=True)
class DiagramPositions:
    """Element ids of the diagram: user tasks waiting now, and elements already passed."""

    current: list[str]
    done: list[str]


def diagram_positions(instance: ProcessInstance) -> DiagramPositions:
    """The user tasks the instance waits on and the elements it has completed, by diagram id."""
    current: list[str] = []
    done: list[str] = []
    for task in load(instance).get_tasks():
        element = getattr(task.task_spec, "bpmn_id", None)
        if not element:
            continue  # the engine's own bookkeeping tasks are not on the diagram
        if task.task_spec.manual and task.state & _WAITING:
            current.append(element)
        elif task.state == SpiffTaskState.COMPLETED:
            done.append(element)
    waiting = set(current)
    # A step sent back and waiting again is current, not done; each id once, in run order.
    return DiagramPositions(
        list(dict.fromkeys(current)), [e for e in dict.fromkeys(done) if e not in waiting]
    )


def diagram_xml(process_id: str) -> str:
    """The BPMN file a process is drawn in, as a viewer renders it."""
    folder = diagram_dir()
    path = folder / f"{process_id}.bpmn"
    if path.parent != folder or not path.is_file():
        raise FileNotFoundError(process_id)
    return path.read_text(encoding="utf-8")


def instance_diagram_xml(instance: ProcessInstance) -> str:
    """The diagram of the version the instance runs on (the current file for a version stored
    before versions kept their diagrams)."""
    return instance.spec.bpmn_xml or diagram_xml(instance.process_id)


@dataclass(frozen=True)
class TaskLook:
    """One task of an instance as the operations page shows it."""

    element: str
    name: str
    state: str
    data: dict[str, Any]
    waits_for: str  # a waiting timer's moment, as evaluated when it started waiting


_SHOWN = SpiffTaskState.READY | SpiffTaskState.WAITING | SpiffTaskState.STARTED
_SHOWN |= SpiffTaskState.ERROR


def instance_look(instance: ProcessInstance) -> tuple[dict[str, Any], list[TaskLook]]:
    """The workflow's data, and its tasks that are waiting, running or failed, with their data
    (raises what loading raises: a broken instance may not load)."""
    wf = load(instance)
    looks = []
    for task in wf.get_tasks(state=_SHOWN):
        element = getattr(task.task_spec, "bpmn_id", None)
        if not element:
            continue
        looks.append(
            TaskLook(
                element,
                getattr(task.task_spec, "bpmn_name", None) or element,
                SpiffTaskState.get_name(task.state),
                dict(task.data),
                str(task.internal_data.get("event_value", "")),
            )
        )
    return dict(wf.data), looks
