"""Starting instances from a ready-made state instead of running the engine's own start.

Starting a gap_case runs the same steps every time up to its first user task. Once per process
version and set of start-data keys, the engine's start is run (twice, with two sets of
placeholder data, and a script engine that sees no service function) and its serialized state is
turned into a template: every task id, every `last_state_change` and every place the start data
landed is a slot. A new instance is that text with fresh ids, the clock's time and its own data.

Used only where the result is the engine's own, apart from ids and timestamps:
- what ran before the first wait is start events without a trigger, embedded subprocesses,
  boundary-event splits and gateways whose conditions do not read the start data; nothing with a
  script, a pre- or post-script, data associations or a service;
- what waits is a timeDate timer on a bare name of the start data (its fire time is that value);
- the two placeholder runs give the same text apart from ids, timestamps and the data's slots,
  and the data lands only as whole values;
- for the case itself, every timer moment is a time-zone-aware moment after now (the engine
  would fire one already due at the start, and does with the engine start).
Anything else (another diagram, other data keys, a moment already past) falls back to the
engine's start. Templates are keyed by the version's content hash: a new version gets its own.
"""

from __future__ import annotations

import ast
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from workflow.engine.services import check_calls
from workflow.engine.spiff import (
    BoundaryEventSplit,
    BpmnStartTask,
    BpmnWorkflow,
    ExclusiveGateway,
    InclusiveGateway,
    NoneEventDefinition,
    ParallelGateway,
    SpiffTaskState,
    StartEvent,
    SubWorkflowTask,
    TimeDateEventDefinition,
    TimerEventDefinition,
    make_script_engine,
)
from workflow.platform import clock

_UUID = r'"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"'
_TIME = r'(?<="last_state_change":)-?[0-9][0-9.eE+-]*'
_SEPARATORS = (",", ":")  # as instances._serialize writes the state
_RAN_OK = (BpmnStartTask, BoundaryEventSplit, ExclusiveGateway, InclusiveGateway, ParallelGateway)
_DYNAMIC_READS = {"eval", "exec", "vars", "locals", "dir", "getattr", "__import__"}


class EngineSteps(NamedTuple):
    """The engine's own start, as `instances` runs it: new workflow, run, serialize."""

    new_workflow: Callable[[Any, dict[str, Any]], BpmnWorkflow]
    run: Callable[[BpmnWorkflow], None]
    serialize: Callable[[BpmnWorkflow], str]


@dataclass(frozen=True)
class ReadyTask:
    """A READY user task of an instance made from a snapshot, as the task mirror reads it."""

    id: str
    task_spec: Any
    data: dict[str, Any]


@dataclass(frozen=True)
class Started:
    """An instance's first state made from a snapshot."""

    state: str
    next_timer_due: datetime | None
    ready: list[ReadyTask]


class _Key(NamedTuple):
    """In a ready task's data: the value of this start-data key."""

    name: str


@dataclass(frozen=True)
class Snapshot:
    """The engine's start of one process version for one set of start-data keys, as a template."""

    chunks: tuple[str, ...]  # the state's text between slots
    # ("id", n), ("time", seconds before the newest timestamp), ("data", key)
    slots: tuple[tuple[str, Any], ...]
    ids: int
    ready: tuple[tuple[int, Any, dict[str, Any]], ...]  # id slot, task spec, data
    timer_keys: tuple[str, ...]  # the start-data keys the waiting timers fire at

    def start(self, data: dict[str, Any]) -> Started:
        """A new instance's state: fresh ids, the clock's time, the case's data."""
        ids = _fresh_ids(self.ids)
        now = time.time()
        values = {k: json.dumps(v, separators=_SEPARATORS) for k, v in data.items()}
        parts = []
        for chunk, (kind, arg) in zip(self.chunks, self.slots, strict=False):
            parts.append(chunk)
            if kind == "id":
                parts.append(ids[arg])
            elif kind == "time":
                parts.append(repr(now - arg))
            else:
                parts.append(values[arg])
        parts.append(self.chunks[-1])
        ready = [
            ReadyTask(
                ids[n][1:-1],
                spec,
                {
                    k: data[v.name] if isinstance(v, _Key) else json.loads(json.dumps(v))
                    for k, v in task_data.items()
                },
            )
            for n, spec, task_data in self.ready
        ]
        due = [datetime.fromisoformat(data[k]) for k in self.timer_keys]
        return Started("".join(parts), min(due) if due else None, ready)


def _fresh_ids(count: int) -> list[str]:
    """`count` random (version 4) UUIDs as quoted JSON strings: what `uuid4()` makes, from one
    read of the system's random source (`str(uuid4())` was most of a start's time)."""
    raw = os.urandom(16 * count).hex()
    ids = []
    for at in range(0, 32 * count, 32):
        h = raw[at : at + 32]
        variant = "89ab"[int(h[16], 16) & 3]
        ids.append(f'"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}"')
    return ids


_lock = threading.Lock()
_snapshots: dict[tuple[str, str, tuple[str, ...]], Snapshot | None] = {}
_enabled = [True]
_made = [0]


@contextmanager
def engine_start_only() -> Iterator[None]:
    """Start instances with the engine's own start while inside (tests and the benchmark
    compare the two ways)."""
    before = _enabled[0]
    _enabled[0] = False
    try:
        yield
    finally:
        _enabled[0] = before


def start(loaded: Any, data: dict[str, Any], engine: EngineSteps) -> Started | None:
    """An instance's first state made from the version's snapshot, or None: the engine starts
    it (no snapshot fits this version or this data)."""
    if not _enabled[0]:
        return None
    check_calls(loaded.spec, loaded.subprocess_specs)  # refused as the engine's start refuses
    key = (loaded.process_id, loaded.content_hash, tuple(data))
    with _lock:
        known = key in _snapshots
        snapshot = _snapshots.get(key)
    if not known:
        snapshot = build(loaded, tuple(data), engine)
        with _lock:
            _snapshots[key] = snapshot
    if snapshot is None or not _fits(snapshot, data):
        return None
    _made[0] += 1
    return snapshot.start(data)


def made() -> int:
    """How many instances this process has started from a snapshot."""
    return _made[0]


def _fits(snapshot: Snapshot, data: dict[str, Any]) -> bool:
    """Whether the engine would start this data as it started the placeholders: JSON-friendly,
    and every timer still ahead (an aware moment; a past one fires at the start)."""
    try:
        json.dumps(data)
        for k in snapshot.timer_keys:
            moment = TimerEventDefinition.parse_time_or_duration(data[k])
            if not isinstance(moment, datetime) or datetime.fromisoformat(data[k]).tzinfo is None:
                return False
            if moment <= clock.now():
                return False
    except Exception:  # not a moment the engine reads: its own start says what is wrong
        return False
    return True


def _placeholders(keys: tuple[str, ...], timer_names: set[str], run: int) -> dict[str, str]:
    """Start data that no diagram value can be mistaken for: far-future moments for the keys a
    timer reads, marked strings for the others."""
    return {
        k: f"29{run}9-0{run}-{i + 1:02d}T00:00:00+00:00"
        if k in timer_names
        else f"huitou-snapshot-{run}-{k}"
        for i, k in enumerate(keys)
    }


def build(loaded: Any, keys: tuple[str, ...], engine: EngineSteps) -> Snapshot | None:
    """The template of a version's start for these data keys, or None when the start depends
    on the data in a way a template cannot reproduce."""
    if len(keys) > 28:
        return None
    timer_names = _timer_names(loaded)
    compiled = []
    for run in (1, 2):
        placeholders = _placeholders(keys, timer_names, run)
        try:
            wf = engine.new_workflow(loaded, dict(placeholders))
            wf.script_engine = make_script_engine({})  # the template's start calls nothing
            engine.run(wf)
        except Exception:  # any failure: the engine's own start says what it is
            return None
        timer_keys = _checked(wf, placeholders)
        if timer_keys is None:
            return None
        made = _compile(engine.serialize(wf), wf, placeholders)
        if made is None:
            return None
        compiled.append((made, timer_keys))
    (first, timer_keys), (second, _keys) = compiled
    if (first[0], first[1], first[2]) != (second[0], second[1], second[2]):
        return None  # the start differs with the data
    chunks, kinds, ids, times, index, ready = first
    slots = tuple(
        (kind, times[i] if kind == "time" else arg) for i, (kind, arg) in enumerate(kinds)
    )
    return Snapshot(chunks, slots, ids, tuple((index[g], s, d) for g, s, d in ready), timer_keys)


def _timer_names(loaded: Any) -> set[str]:
    """The bare names timer expressions of the process read."""
    names = set()
    for spec in [loaded.spec, *loaded.subprocess_specs.values()]:
        for task_spec in spec.task_specs.values():
            definition = getattr(task_spec, "event_definition", None)
            expression = getattr(definition, "expression", None)
            if (
                isinstance(definition, TimerEventDefinition)
                and isinstance(expression, str)
                and expression.strip().isidentifier()
            ):
                names.add(expression.strip())
    return names


def _checked(wf: BpmnWorkflow, placeholders: dict[str, str]) -> tuple[str, ...] | None:
    """The keys the waiting timers fire at, if everything the start did is reproducible."""
    timer_keys = []
    for task in wf.get_tasks():
        spec = task.task_spec
        if getattr(spec, "prescript", None) or getattr(spec, "postscript", None):
            return None
        if getattr(spec, "data_input_associations", None) or getattr(
            spec, "data_output_associations", None
        ):
            return None
        if task.has_state(SpiffTaskState.ERROR | SpiffTaskState.CANCELLED):
            return None
        if task.has_state(SpiffTaskState.READY) and not spec.manual:
            return None
        if task.has_state(SpiffTaskState.WAITING):
            key = _timer_key(task, placeholders)
            if key is None:
                return None
            timer_keys.append(key)
        ran = task.has_state(SpiffTaskState.COMPLETED | SpiffTaskState.STARTED)
        if ran and not _may_have_run(spec, set(placeholders)):
            return None
    return tuple(timer_keys)


def _timer_key(task: Any, placeholders: dict[str, str]) -> str | None:
    definition = getattr(task.task_spec, "event_definition", None)
    if type(definition) is not TimeDateEventDefinition or task.internal_data.get("event_fired"):
        return None
    name = definition.expression.strip()
    if name not in placeholders or task.internal_data.get("event_value") != placeholders[name]:
        return None
    return name


def _may_have_run(spec: Any, keys: set[str]) -> bool:
    """Whether this task spec may run before the first wait without reading the start data."""
    if isinstance(spec, StartEvent):
        return type(spec.event_definition) is NoneEventDefinition
    if isinstance(spec, SubWorkflowTask):
        return type(spec).__name__ == "SubWorkflowTask"  # embedded: not a call, transaction, …
    if not isinstance(spec, _RAN_OK):
        return False
    for condition, _target in getattr(spec, "cond_task_specs", []):
        if condition is not None and not _reads_none_of(condition.args[0], keys):
            return False
    return True


def _reads_none_of(expression: str, keys: set[str]) -> bool:
    """Whether a condition surely reads none of these names (by name, or by a constant string
    as in `globals().get("planned")`)."""
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        return False
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    if (names | strings) & keys or names & _DYNAMIC_READS:
        return False
    if "globals" in names:  # only literal lookups, nothing computed
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and not all(
                isinstance(a, ast.Constant) for a in node.args
            ):
                return False
            if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Constant):
                return False
    return True


def _task_ids(wf: BpmnWorkflow) -> set[str]:
    ids = {str(t) for t in wf.tasks}
    for sub in wf.subprocesses.values():
        ids |= {str(t) for t in sub.tasks}
    return ids


def _compile(text: str, wf: BpmnWorkflow, placeholders: dict[str, str]) -> tuple | None:
    """The state's text cut at its ids, timestamps and data values, or None if something in it
    cannot be renewed (an id that is not a task's, a value inside another value)."""
    tokens = {json.dumps(v): k for k, v in placeholders.items()}
    pattern = re.compile("|".join([_UUID, _TIME, *(re.escape(t) for t in tokens)]))
    known, index = _task_ids(wf), {}
    chunks, kinds, times, at = [], [], [], 0
    for match in pattern.finditer(text):
        token = match.group()
        if token in tokens:
            if text[match.start() - 1] != ":":
                return None
            kinds.append(("data", tokens[token]))
        elif token.startswith('"'):
            if token[1:-1] not in known:
                return None
            kinds.append(("id", index.setdefault(token[1:-1], len(index))))
        else:
            kinds.append(("time", 0))
            times.append((len(kinds) - 1, float(token)))
        chunks.append(text[at : match.start()])
        at = match.end()
    chunks.append(text[at:])
    newest = max((t for _i, t in times), default=0.0)
    offsets = dict.fromkeys(range(len(kinds)), 0.0)
    offsets.update({i: newest - t for i, t in times})
    by_value = {v: _Key(k) for k, v in placeholders.items()}
    ready = [
        (
            str(t.id),
            t.task_spec,
            {k: by_value.get(v, v) if isinstance(v, str) else v for k, v in t.data.items()},
        )
        for t in wf.get_tasks(state=SpiffTaskState.READY, manual=True)
    ]
    return tuple(chunks), tuple(kinds), len(index), offsets, index, ready
