"""Everything SpiffWorkflow-specific: parser, serializer, script engine, and the clock's timers.

No other module imports SpiffWorkflow; the rest of huitou speaks of rounds, surveys and cases.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import SpiffWorkflow.bpmn.specs.event_definitions.timer as _timer_module
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit, BpmnStartTask
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.specs.mixins.exclusive_gateway import ExclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.inclusive_gateway import InclusiveGateway
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.diff import SpecDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState as SpiffTaskState

from workflow.platform import clock

__all__ = [
    "BoundaryEventSplit",
    "BpmnStartTask",
    "BpmnWorkflow",
    "EngineError",
    "ExclusiveGateway",
    "InclusiveGateway",
    "NoneEventDefinition",
    "ParallelGateway",
    "SpecDiff",
    "SpiffTaskState",
    "StartEvent",
    "SubWorkflowTask",
    "TimeDateEventDefinition",
    "TimerEventDefinition",
    "WorkflowException",
    "diff_workflow",
    "make_parser",
    "make_script_engine",
    "migrate_workflow",
    "serializer",
]


class _ClockDatetime(datetime):
    """A datetime whose now() asks huitou's clock: SpiffWorkflow's timers call datetime.now()."""

    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        moment = clock.now()
        if tz is None:
            return datetime.fromtimestamp(moment.timestamp())
        return moment.astimezone(tz)


def install_clock() -> None:
    """Make SpiffWorkflow's timer definitions read huitou's clock (pinned by a test)."""
    _timer_module.datetime = _ClockDatetime
    assert _timer_module.timezone is timezone


install_clock()


class EngineError(RuntimeError):
    """A diagram could not be run (a script or expression failed)."""


class HuitouScriptEngine(PythonScriptEngine):
    """The script engine, with the library's call_service bug fixed (it raised NameError)."""

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        try:
            return self.environment.call_service(task.data, **kwargs)
        except Exception as err:
            raise EngineError(f"service call failed in task {task.task_spec.name}: {err}") from err


def make_script_engine(functions: dict[str, Callable[..., Any]]) -> HuitouScriptEngine:
    """A script engine whose scripts see only the given domain functions."""
    return HuitouScriptEngine(environment=TaskDataEnvironment(dict(functions)))


def make_parser() -> SpiffBpmnParser:
    """The one parser huitou uses for BPMN and DMN."""
    return SpiffBpmnParser()


serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


class _DecisionContext:
    """The little a DMN table needs of a task: its data and the workflow's script engine."""

    def __init__(self, data: dict[str, Any], engine: PythonScriptEngine):
        self.data = data
        self.workflow = self
        self.script_engine = engine


def decision_engine(dmn_path: str, decision_id: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A function evaluating one decision table of a DMN file over given inputs."""
    parser = make_parser()
    parser.add_dmn_files([dmn_path])
    table = parser.get_engine(decision_id, None)
    engine = make_script_engine({})

    def decide(inputs: dict[str, Any]) -> dict[str, Any]:
        return table.result(_DecisionContext(dict(inputs), engine))

    return decide
