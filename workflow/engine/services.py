"""The functions diagrams may call: registered by the domain at start-up, never imported here.

The engine knows no domain module. The application (the app factory, hence the CLI and the
benchmarks) installs `workflow/services.py`'s table with `register_services`; a diagram whose
scripts call a name missing from it is refused before any of its steps run.
"""

from __future__ import annotations

import ast
import builtins
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from workflow.engine.spiff import EngineError

_SCRIPT_ATTRIBUTES = ("script", "prescript", "postscript")
_BUILTINS = frozenset(dir(builtins))

_lock = threading.Lock()
_registered: dict[str, Callable[..., Any]] = {}
# spec → ((task id, task name, called name), …): parsing scripts once per spec, not per load.
_calls_of: weakref.WeakKeyDictionary[Any, tuple[tuple[str, str, str], ...]] = (
    weakref.WeakKeyDictionary()
)


def register_services(table: Mapping[str, Callable[..., Any]]) -> None:
    """Install the table of functions diagrams may call (name in the diagram → function);
    it replaces whatever was installed before."""
    for name, function in table.items():
        if not name.isidentifier() or not callable(function):
            raise TypeError(f"service {name!r} must be an identifier naming a callable")
    with _lock:
        _registered.clear()
        _registered.update(table)


def registered() -> dict[str, Callable[..., Any]]:
    """A copy of the installed table (empty until the application registers its own)."""
    with _lock:
        return dict(_registered)


def calls_in_script(script: str) -> set[str]:
    """The names a script calls as functions, built-ins and its own definitions aside."""
    tree = ast.parse(script)
    defined = {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }
    return (
        {
            node.func.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        }
        - defined
        - _BUILTINS
    )


def _task_calls(task_specs: Iterable[Any]) -> Iterable[tuple[str, str, str]]:
    for task_spec in task_specs:
        for attribute in _SCRIPT_ATTRIBUTES:
            script = getattr(task_spec, attribute, None)
            if isinstance(script, str) and script.strip():
                bpmn_id = getattr(task_spec, "bpmn_id", None) or task_spec.name
                label = getattr(task_spec, "bpmn_name", None) or ""
                for name in sorted(calls_in_script(script)):
                    yield bpmn_id, label, name


def calls_of(spec: Any) -> tuple[tuple[str, str, str], ...]:
    """(task id, task name, called name) for every service call in one process spec's scripts."""
    try:
        return _calls_of[spec]
    except KeyError:
        calls = tuple(_task_calls(spec.task_specs.values()))
        _calls_of[spec] = calls
        return calls


def check_calls(spec: Any, subprocess_specs: Mapping[str, Any]) -> dict[str, Callable[..., Any]]:
    """The registered functions, once every name the process's scripts call is among them;
    otherwise an EngineError naming the diagram, the task and the call."""
    functions = registered()
    for process in (spec, *subprocess_specs.values()):
        for task_id, label, name in calls_of(process):
            if name not in functions:
                raise EngineError(_unregistered(process.name, task_id, label, name, functions))
    return functions


def _unregistered(
    process: str, task_id: str, label: str, name: str, functions: Mapping[str, Any]
) -> str:
    task = f"{task_id} ({label})" if label else task_id
    if not functions:
        why = (
            "but no service functions are registered at all: the application installs "
            "workflow/services.py at start-up (services.install())"
        )
    else:
        why = "which is not registered: add it to the table in workflow/services.py"
    return f"diagram {process}, task {task}, calls {name}(), {why}"
