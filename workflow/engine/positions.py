"""Where an instance stands on its diagram: the steps waiting for people, and the steps done."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.engine.instances import load
from workflow.engine.specs import BPMN_DIR
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
    path = BPMN_DIR / f"{process_id}.bpmn"
    if path.parent != BPMN_DIR or not path.is_file():
        raise FileNotFoundError(process_id)
    return path.read_text(encoding="utf-8")
