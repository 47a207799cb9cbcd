"""The service table: the names the diagrams call are exactly the functions the domain registers."""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

from lxml import etree

from workflow.engine.services import calls_in_script
from workflow.services import SERVICES

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SCRIPT_TAGS = (f"{{{BPMN_NS}}}script", "preScript", "postScript")


def called_in_diagrams() -> dict[str, set[str]]:
    """Every function name the diagrams' scripts call, with the diagrams calling it."""
    called: dict[str, set[str]] = {}
    for path in sorted(BPMN_DIR.glob("*.bpmn")):
        for element in etree.parse(str(path)).iter():
            tag = element.tag if isinstance(element.tag, str) else ""
            if not (tag == SCRIPT_TAGS[0] or tag.endswith(SCRIPT_TAGS[1:])) or not element.text:
                continue
            for node in ast.walk(ast.parse(element.text)):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and not hasattr(builtins, node.func.id)
                ):
                    called.setdefault(node.func.id, set()).add(path.name)
    return called


def test_diagrams_call_exactly_the_registered_services():
    called = called_in_diagrams()
    assert set(called) == set(SERVICES), (
        f"called but not registered: {sorted(set(called) - set(SERVICES))}; "
        f"registered but called by no diagram: {sorted(set(SERVICES) - set(called))}"
    )
    # each diagram calls what it says in its part of the table
    assert called["escalate_case"] == {"gap_case.bpmn"}
    assert called["start_township_surveys"] == {"annual_round.bpmn"}


def test_every_service_is_a_function_of_the_domain():
    for name, function in SERVICES.items():
        assert callable(function), name
        assert function.__module__.startswith("workflow."), name
        assert not function.__module__.startswith("workflow.engine"), name


def test_a_script_calls_its_functions_but_not_builtins_or_its_own_definitions():
    script = "def helper(x):\n    return len(x)\nescalate_case(case_id, helper([1]))\n"
    assert calls_in_script(script) == {"escalate_case"}


def test_the_engine_imports_nothing_from_the_domain():
    allowed = ("workflow.engine", "workflow.platform", "workflow.models")
    engine_dir = Path(__file__).resolve().parents[2] / "workflow" / "engine"
    reaching_out = []
    for path in sorted(engine_dir.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            reaching_out += [
                f"{path.name}: {name}"
                for name in names
                if name.startswith("workflow") and not name.startswith(allowed)
            ]
    assert reaching_out == []
