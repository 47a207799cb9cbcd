"""归口: which unit answers for an indicator, decided by bpmn/routing.dmn (data, not code), and
for an indicator whose gaps are triaged by cause (income) by bpmn/routing_by_cause.dmn."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import sqlalchemy as sa

from workflow.engine.spiff import decision_engine
from workflow.models import Department
from workflow.platform.db import db
from workflow.platform.settings import PROJECT_ROOT

ROUTING_DMN = PROJECT_ROOT / "bpmn" / "routing.dmn"
ROUTING_BY_CAUSE_DMN = PROJECT_ROOT / "bpmn" / "routing_by_cause.dmn"
COUNTY_OFFICE = "FPB"
TOWNSHIP = "TOWNSHIP"
# Why a household's income falls short, asked at triage (§六.1 产业, §六.2 就业, or other).
CAUSES = ("industry", "employment", "other")
# Routings that name no department: the county office must pick one by hand (§六 is silent).
UNOWNED = frozenset({COUNTY_OFFICE, TOWNSHIP})


@functools.cache
def _decide() -> Callable[[dict[str, Any]], dict[str, Any]]:
    return decision_engine(str(ROUTING_DMN), "routing")


@functools.cache
def route(subject_kind: str, indicator_code: str) -> str:
    """The department code for a gap (FPB when the table names nobody); the table is a file
    read once per process, so each answer is too."""
    result = _decide()({"subject_kind": subject_kind, "indicator": indicator_code})
    return result.get("department") or COUNTY_OFFICE


@dataclass(frozen=True)
class RoutingRule:
    """One row of the routing table, as the DMN file states it ("" for "any")."""

    rule_id: str
    subject_kind: str
    indicator_code: str
    department_code: str
    description: str

    @property
    def unowned(self) -> bool:
        """The table names no department: the gap waits for the county office to choose."""
        return self.department_code in UNOWNED


def _literal(text: str | None) -> str:
    """A DMN cell's value: a quoted string, or "" for "-" (any)."""
    value = (text or "").strip()
    if value in ("", "-"):
        return ""
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def _table(path: Path, decision_id: str) -> list[tuple[str, dict[str, str], list[str], str]]:
    """A decision table's rules as (id, input cells by input name, output cells, description)."""
    root = ElementTree.parse(path).getroot()
    ns = {"dmn": root.tag.split("}")[0].strip("{")}
    table = root.find(f"dmn:decision[@id='{decision_id}']/dmn:decisionTable", ns)
    inputs = [
        i.findtext("dmn:inputExpression/dmn:text", "", ns) for i in table.findall("dmn:input", ns)
    ]
    rules = []
    for rule in table.findall("dmn:rule", ns):
        cells = dict(
            zip(
                inputs,
                (
                    _literal(e.findtext("dmn:text", "", ns))
                    for e in rule.findall("dmn:inputEntry", ns)
                ),
                strict=False,
            )
        )
        outputs = [
            _literal(e.findtext("dmn:text", "", ns)) for e in rule.findall("dmn:outputEntry", ns)
        ]
        description = (rule.findtext("dmn:description", "", ns) or "").strip()
        rules.append((rule.get("id", ""), cells, outputs, description))
    return rules


def routing_rules(path: Path = ROUTING_DMN) -> list[RoutingRule]:
    """The rules of the routing table in the order they are tried (the fallback last)."""
    return [
        RoutingRule(rid, cells.get("subject_kind", ""), cells.get("indicator", ""), out[0], text)
        for rid, cells, out, text in _table(path, "routing")
    ]


@dataclass(frozen=True)
class CauseRule:
    """A rule of the by-cause table: for an indicator and a cause, the lead and its partners."""

    indicator_code: str
    cause: str
    department_code: str
    co_codes: tuple[str, ...]
    description: str


def split_codes(text: str) -> tuple[str, ...]:
    """Unit codes written comma-separated (as the tables and the change log store them)."""
    return tuple(dict.fromkeys(c.strip() for c in text.split(",") if c.strip()))


@functools.cache
def cause_rules(path: Path = ROUTING_BY_CAUSE_DMN) -> tuple[CauseRule, ...]:
    """The by-cause rules in the order they are tried (read once: the file is data shipped
    with huitou; the county's own changes live in the database)."""
    return tuple(
        CauseRule(
            cells.get("indicator", ""),
            cells.get("cause", ""),
            out[0],
            split_codes(out[1] if len(out) > 1 else ""),
            text,
        )
        for _rid, cells, out, text in _table(path, "routing_by_cause")
    )


def asks_cause(indicator_code: str) -> bool:
    """Whether triage asks why a gap of this indicator arose before routing it (income)."""
    return any(r.indicator_code == indicator_code for r in cause_rules())


def departments_missing_from_routing() -> list[str]:
    """The department codes the routing table sends gaps to that the county does not have (a
    base-data load warns of them: such gaps would find no department)."""
    from_table = {r.department_code for r in routing_rules() if r.department_code} - UNOWNED
    have = set(db.session.scalars(sa.select(Department.code)))
    return sorted(from_table - have)
