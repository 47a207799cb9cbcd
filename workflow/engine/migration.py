"""Moving a running instance to another version of its process, with SpiffWorkflow's own diff
(`SpiffWorkflow.bpmn.util.diff`): `diff_workflow` aligns the instance's tasks with the new
version's specs, `migrate_workflow` puts them on it and re-predicts what is ahead.

An instance can move when nothing it has already done (or is inside of) changed or vanished
in the new version: only its waiting and future tasks are re-planned. Waiting tasks keep their
data and a waiting timer keeps the moment it was aimed at (the library resets both), so a
deadline moved earlier is not lost; user tasks waiting keep their ids, hence their inbox rows.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from workflow.engine.instances import _run, load, save
from workflow.engine.spiff import (
    SpecDiff,
    SpiffTaskState,
    diff_workflow,
    migrate_workflow,
    serializer,
)
from workflow.models import ProcessInstance, ProcessSpec

_DONE = SpiffTaskState.COMPLETED | SpiffTaskState.STARTED
_WAITING = SpiffTaskState.READY | SpiffTaskState.WAITING


@dataclass(frozen=True)
class Change:
    """One element of a diagram that differs between two versions."""

    process: str  # the process or embedded subprocess the element is in
    element: str
    name: str
    kind: str  # added | removed | changed
    attributes: tuple[str, ...] = ()


def _label(task_spec: Any) -> tuple[str, str] | None:
    element = getattr(task_spec, "bpmn_id", None)
    if not element:
        return None  # the engine's own joins and splits
    return element, getattr(task_spec, "bpmn_name", None) or element


def _changes_of(name: str, diff: SpecDiff) -> list[Change]:
    changes = []
    for kind, specs in (("added", diff.added), ("removed", diff.removed)):
        for task_spec in specs:
            label = _label(task_spec)
            if label:
                changes.append(Change(name, *label, kind))
    for task_spec, attributes in diff.changed.items():
        label = _label(task_spec)
        if label:
            changes.append(Change(name, *label, "changed", tuple(attributes)))
    return changes


def spec_changes(old: tuple[Any, dict[str, Any]], new: tuple[Any, dict[str, Any]]) -> list[Change]:
    """What differs from one version (spec, subprocess specs) to another, by diagram element."""
    old_spec, old_subs = old
    new_spec, new_subs = new
    changes = _changes_of(old_spec.name, SpecDiff(serializer.registry, old_spec, new_spec))
    for name, sub in old_subs.items():
        if name in new_subs:
            changes += _changes_of(name, SpecDiff(serializer.registry, sub, new_subs[name]))
        else:
            changes.append(Change(name, name, name, "removed"))
    changes += [Change(name, name, name, "added") for name in new_subs if name not in old_subs]
    return changes


@dataclass
class MigrationCheck:
    """Whether an instance can move to a version, and what moves."""

    can_move: bool
    blocking: list[Change] = field(default_factory=list)  # done work that changed or vanished
    moves: list[str] = field(default_factory=list)  # waiting steps, re-planned on the new one


def _blocking(name: str, workflow_diff: Any) -> list[Change]:
    blocking = []
    for kind, tasks in (("changed", workflow_diff.changed), ("removed", workflow_diff.removed)):
        for task in tasks:
            if task.state & _DONE:
                label = _label(task.task_spec) or (task.task_spec.name, task.task_spec.name)
                blocking.append(Change(name, *label, kind))
    return blocking


def _diff(wf: Any, new_spec: Any, new_subs: dict[str, Any]) -> tuple[Any, dict[Any, Any]]:
    return diff_workflow(serializer.registry, wf, new_spec, new_subs)


def _check(wf: Any, new_spec: Any, new_subs: dict[str, Any]) -> MigrationCheck:
    top, subs = _diff(wf, new_spec, new_subs)
    blocking = _blocking(wf.spec.name, top)
    for sp_id, sub_diff in subs.items():
        sub = wf.subprocesses[sp_id]
        if sub_diff is None:
            if sub.get_tasks(state=_DONE):
                blocking.append(Change(sub.spec.name, sub.spec.name, sub.spec.name, "removed"))
            continue
        blocking += _blocking(sub.spec.name, sub_diff)
    moves = []
    for task in wf.get_tasks(state=_WAITING):
        label = _label(task.task_spec)
        if label and label[1] not in moves:
            moves.append(label[1])
    return MigrationCheck(not blocking, blocking, moves)


def check_migration(instance: ProcessInstance, new: tuple[Any, dict[str, Any]]) -> MigrationCheck:
    """Whether the instance can move to the version (spec, subprocess specs), and what moves."""
    return _check(load(instance), *new)


def migrate_instance(
    instance: ProcessInstance, row: ProcessSpec, new: tuple[Any, dict[str, Any]]
) -> MigrationCheck:
    """Move the instance to the version `row` (whose spec objects are `new`), run what became
    ready, save it and mirror its user tasks; nothing changes when it cannot move."""
    new_spec, new_subs = new
    wf = load(instance)
    check = _check(wf, new_spec, new_subs)
    if not check.can_move:
        return check
    kept = {
        task.id: (copy.deepcopy(task.data), copy.deepcopy(task.internal_data))
        for task in wf.get_tasks(state=_WAITING)
    }
    top, subs = _diff(wf, new_spec, new_subs)
    migrate_workflow(top, wf, new_spec)
    for sp_id, sub in list(wf.subprocesses.items()):
        sub_diff = subs.get(sp_id)
        if sub_diff is not None:
            migrate_workflow(sub_diff, sub, new_subs[sub.spec.name])
    wf.subprocess_specs = new_subs
    for task in wf.get_tasks(state=_WAITING):
        if task.id in kept:
            data, internal = kept[task.id]
            task.data = data
            if "event_value" in internal:  # the moment it was aimed at, not re-evaluated
                task.internal_data["event_value"] = internal["event_value"]
    _run(wf)
    instance.spec_id, instance.spec = row.id, row
    save(instance, wf)
    return check
