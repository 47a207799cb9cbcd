"""归口: which department answers for an indicator, decided by bpmn/routing.dmn (data, not code)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from workflow.engine.spiff import decision_engine
from workflow.settings import PROJECT_ROOT

ROUTING_DMN = PROJECT_ROOT / "bpmn" / "routing.dmn"
COUNTY_OFFICE = "FPB"
TOWNSHIP = "TOWNSHIP"
# Routings that name no department: the county office must pick one by hand (§六 is silent).
UNOWNED = frozenset({COUNTY_OFFICE, TOWNSHIP})


@functools.cache
def _decide() -> Callable[[dict[str, Any]], dict[str, Any]]:
    return decision_engine(str(ROUTING_DMN), "routing")


def route(subject_kind: str, indicator_code: str) -> str:
    """The department code for a gap (FPB when the table names nobody)."""
    result = _decide()({"subject_kind": subject_kind, "indicator": indicator_code})
    return result.get("department") or COUNTY_OFFICE
