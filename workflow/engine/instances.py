"""Starting, loading, running and saving process instances, and mirroring their user tasks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from workflow.engine import snapshots, specs
from workflow.engine.lanes import role_for_lane
from workflow.engine.services import check_calls
from workflow.engine.spiff import (
    BpmnWorkflow,
    EngineError,
    SpiffTaskState,
    WorkflowException,
    make_script_engine,
    serializer,
)
from workflow.models import HumanTask, InstanceStatus, ProcessInstance, TaskState
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import ConflictError
from workflow.platform.i18n import _

_DUE_KEYS = ("due_at", "certify_due_at", "survey_due_at", "results_due_at")


@dataclass
class Scope:
    """The units an instance belongs to; user tasks inherit it unless their data narrows it."""

    round_id: int | None = None
    township_id: int | None = None
    village_id: int | None = None
    department_id: int | None = None


def _attach_engine(wf: BpmnWorkflow) -> BpmnWorkflow:
    """Give the workflow a script engine seeing the registered service functions (refused
    when its diagram calls one that is not registered)."""
    wf.script_engine = make_script_engine(check_calls(wf.spec, wf.subprocess_specs))
    return wf


def start_instance(
    process_id: str, data: dict[str, Any], scope: Scope, subject: str = ""
) -> ProcessInstance:
    """Create an instance, run it to its first wait, save it and mirror its user tasks."""
    row, loaded = specs.stored_spec(process_id)
    wf = _new_workflow(loaded, data)
    instance = _new_row(process_id, row.id, scope, subject)
    db.session.add(instance)
    db.session.flush()  # the instance exists while its first steps run (they may start others)
    _run(wf)
    save(instance, wf, new=True)
    return instance


def start_instances(
    process_id: str, starts: list[tuple[dict[str, Any], Scope, str]]
) -> list[ProcessInstance]:
    """Start many instances of a process at once (data, scope, subject each): each runs to its
    first wait, then all rows and their user tasks are written together."""
    row, loaded = specs.stored_spec(process_id)
    engine = snapshots.EngineSteps(_new_workflow, _run, _serialize)
    started = []
    for data, scope, subject in starts:
        instance = _new_row(process_id, row.id, scope, subject)
        made = snapshots.start(loaded, data, engine)  # the same state, without the engine's run
        if made is None:
            wf = _new_workflow(loaded, data)
            _run(wf)
            _store_state(instance, wf)
            ready: Any = _ready_tasks(wf)
        else:
            instance.state, instance.next_timer_due = made.state, made.next_timer_due
            ready = {t.id: t for t in made.ready}
        started.append((instance, ready))
    db.session.add_all(instance for instance, _ready in started)
    db.session.flush()
    for instance, ready in started:
        mirror_ready(instance, ready, new=True, flush=False)
    db.session.flush()
    return [instance for instance, _ready in started]


def _new_workflow(loaded: specs.LoadedSpec, data: dict[str, Any]) -> BpmnWorkflow:
    json.dumps(data)  # task data must be JSON-friendly: ids and ISO strings, nothing else
    wf = BpmnWorkflow(loaded.spec, loaded.subprocess_specs)
    _attach_engine(wf)
    wf.data.update(data)
    wf.get_tasks(state=SpiffTaskState.READY)[0].data.update(data)
    return wf


def _new_row(process_id: str, spec_id: int, scope: Scope, subject: str) -> ProcessInstance:
    now = clock.now()
    return ProcessInstance(
        process_id=process_id,
        spec_id=spec_id,
        state="{}",
        round_id=scope.round_id,
        township_id=scope.township_id,
        village_id=scope.village_id,
        department_id=scope.department_id,
        subject=subject[:200],
        created_at=now,
        updated_at=now,
    )


def load(instance: ProcessInstance) -> BpmnWorkflow:
    """Rebuild a workflow from its row around the spec stored once for all instances."""
    spec, subprocess_specs = specs.specs_for_row(instance.spec)
    return _attach_engine(restore_state(json.loads(instance.state), spec, subprocess_specs))


def restore_state(dct: dict[str, Any], spec: Any, subprocess_specs: dict[str, Any]) -> BpmnWorkflow:
    """`serializer.from_dict` of a state saved by `state_dict`, around already-built specs:
    rebuilding the whole spec from its dicts was most of the cost of every load."""
    converter = _workflow_converter()
    # BpmnWorkflowConverter.from_dict, but with the specs given instead of restored.
    wf = converter.target_class(spec, subprocess_specs, deserializing=True)
    wf.tasks = converter.mapping_from_dict(dct["tasks"], UUID, workflow=wf)
    wf.task_tree = wf.tasks.get(UUID(dct["root"]))
    converter.set_default_attributes(wf, dct)
    converter.subprocesses_from_dict(dct["subprocesses"], wf)
    wf.bpmn_events = serializer.registry.restore(dct.pop("bpmn_events", []))
    return wf


def _workflow_converter() -> Any:
    """The serializer's converter for a whole workflow (registered as a partial around it)."""
    return serializer.registry.convert_to_dict["BpmnWorkflow"].args[1].__self__


def state_dict(wf: BpmnWorkflow) -> dict[str, Any]:
    """`serializer.to_dict(wf)` without `spec` and `subprocess_specs`, which are stored once per
    version: the library converts the whole spec on every call, most of the cost of a save."""
    converter = _workflow_converter()
    # BpmnWorkflowConverter.to_dict is its parent's dict plus the specs, subprocesses, events.
    dct = super(type(converter), converter).to_dict(wf)
    dct["subprocesses"] = converter.mapping_to_dict(wf.subprocesses)
    dct["bpmn_events"] = serializer.registry.convert(wf.bpmn_events)
    dct["typename"] = serializer.registry.typenames[type(wf)]
    return dct


def _serialize(wf: BpmnWorkflow) -> str:
    dct = state_dict(wf)
    dct[serializer.VERSION_KEY] = serializer.VERSION
    return json.dumps(dct, separators=(",", ":"))


def _run(wf: BpmnWorkflow) -> None:
    try:
        wf.do_engine_steps()  # runs to the next wait, then refreshes timers: some may have fired
        if wf.get_tasks(state=SpiffTaskState.READY, manual=False):
            wf.do_engine_steps()  # what the fired timers lead to
    except WorkflowException as exc:
        raise EngineError(str(exc)) from exc


def _parse_moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        return moment if moment.tzinfo else None
    return None


def next_timer_due(wf: BpmnWorkflow) -> datetime | None:
    """When the earliest timer this workflow waits on will be due."""
    moments = [_parse_moment(ev.value) for ev in wf.waiting_events()]
    moments = [m for m in moments if m is not None]
    return min(moments) if moments else None


def _store_state(instance: ProcessInstance, wf: BpmnWorkflow) -> None:
    instance.state = _serialize(wf)
    instance.updated_at = clock.now()
    if wf.is_completed():
        instance.status = InstanceStatus.COMPLETED
        instance.next_timer_due = None
    else:
        instance.next_timer_due = next_timer_due(wf)


def save(instance: ProcessInstance, wf: BpmnWorkflow, *, new: bool = False) -> None:
    """Store the state (optimistically locked), the next timer and the mirrored user tasks."""
    _store_state(instance, wf)
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise ConflictError(
            _(
                "Someone else has just handled this; your submission was not saved. "
                "Reload the page and try again."
            )
        ) from exc
    mirror_tasks(instance, wf, new=new)


def _task_due(data: dict[str, Any]) -> datetime | None:
    for key in _DUE_KEYS:
        moment = _parse_moment(data.get(key))
        if moment is not None:
            return moment
    return None


def mirror_tasks(
    instance: ProcessInstance, wf: BpmnWorkflow, *, new: bool = False, flush: bool = True
) -> None:
    """Make the human_task rows match the workflow's READY user tasks (a new instance has none
    yet, so there is nothing to look up; a batch of them flushes once, at its end)."""
    mirror_ready(instance, _ready_tasks(wf), new=new, flush=flush)


def _ready_tasks(wf: BpmnWorkflow) -> dict[str, Any]:
    return {str(t.id): t for t in wf.get_tasks(state=SpiffTaskState.READY, manual=True)}


def mirror_ready(
    instance: ProcessInstance, ready: dict[str, Any], *, new: bool = False, flush: bool = True
) -> None:
    """`mirror_tasks` for READY user tasks given by id (each with `task_spec` and `data`)."""
    existing = (
        {}
        if new
        else {
            ht.task_guid: ht
            for ht in db.session.scalars(
                sa.select(HumanTask).where(
                    HumanTask.instance_id == instance.id, HumanTask.state == TaskState.READY
                )
            )
        }
    )
    now = clock.now()
    for guid, ht in existing.items():
        if guid not in ready:
            ht.state = TaskState.COMPLETED if ht.completed_at else TaskState.CANCELLED
            ht.completed_at = ht.completed_at or now
    for guid, task in ready.items():
        if guid in existing:
            continue
        spec = task.task_spec
        # An instance may hand a lane's tasks to another lane's role ("lanes" in its data: a
        # case its township leads is planned and carried out by the township, not a department).
        lane = (task.data.get("lanes") or {}).get(spec.lane, spec.lane)
        role = role_for_lane(lane)
        # Only a village task is narrowed to a village (multi-instance data leaks downstream).
        village_id = task.data.get("village_id") if role.scope_kind == "village" else None
        db.session.add(
            HumanTask(
                instance_id=instance.id,
                task_guid=guid,
                spec_name=spec.bpmn_id or spec.name,
                title=(spec.bpmn_name or spec.name)[:120],
                lane=lane or "",
                role=role,
                township_id=task.data.get("township_id", instance.township_id),
                village_id=village_id or instance.village_id,
                department_id=task.data.get("department_id", instance.department_id),
                due_at=_task_due(task.data),
                created_at=now,
            )
        )
    if flush:
        db.session.flush()


def run_task(instance: ProcessInstance, guid: str, data: dict[str, Any]) -> None:
    """Complete one READY user task with the given data and run the engine to its next wait
    (the caller says on whose behalf: `workflow.platform.acting`)."""
    json.dumps(data)
    wf = load(instance)
    task = next(
        (t for t in wf.get_tasks(state=SpiffTaskState.READY, manual=True) if str(t.id) == guid),
        None,
    )
    if task is None:
        raise ConflictError(_("The task is already done or was withdrawn. Reload your inbox."))
    task.data.update(data)
    try:
        task.run()
    except WorkflowException as exc:
        raise EngineError(str(exc)) from exc
    _run(wf)
    save(instance, wf)


def advance_timers(instance: ProcessInstance, *, batch: Any = None) -> None:
    """Fire whatever timers are due now and save the instance; its user tasks are mirrored
    again only when the timers changed which of them are ready (a reminder does not).
    `batch` (a `state_batch.StateBatch`) keeps a reminder's new state for the caller to write
    with the rest of a tick's batch (a stale instance then fails the batch's write instead)."""
    wf = load(instance)
    ready = _ready_guids(wf)
    _run(wf)
    if _ready_guids(wf) != ready:
        save(instance, wf)
        return
    if batch is not None:
        done = wf.is_completed()
        batch.add(
            instance,
            _serialize(wf),
            clock.now(),
            InstanceStatus.COMPLETED if done else instance.status,
            None if done else next_timer_due(wf),
        )
        return
    _store_state(instance, wf)
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise ConflictError(
            _("Someone changed this process while the tick advanced it; the next tick retries.")
        ) from exc


def _ready_guids(wf: BpmnWorkflow) -> set[str]:
    return {str(t.id) for t in wf.get_tasks(state=SpiffTaskState.READY, manual=True)}


def cancel_instance(instance: ProcessInstance) -> None:
    """Stop an instance for good (its case continues elsewhere): no more tasks, no more timers."""
    wf = load(instance)
    wf.cancel()
    instance.state = _serialize(wf)
    instance.status = InstanceStatus.CANCELLED
    instance.next_timer_due = None
    instance.updated_at = clock.now()
    db.session.execute(
        sa.update(HumanTask)
        .where(HumanTask.instance_id == instance.id, HumanTask.state == TaskState.READY)
        .values(state=TaskState.CANCELLED, completed_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
