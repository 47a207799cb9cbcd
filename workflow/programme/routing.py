"""归口: which department answers for an indicator, decided by bpmn/routing.dmn (data, not code)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import sqlalchemy as sa

from workflow.engine.spiff import decision_engine
from workflow.models import Department, Role, User
from workflow.people.access import require_role
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.settings import PROJECT_ROOT
from workflow.programme.catalogue import catalogue_in_force
from workflow.programme.standards_document import available_years

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


def routing_rules(path: Path = ROUTING_DMN) -> list[RoutingRule]:
    """The rules of the routing table in the order they are tried (the fallback last)."""
    root = ElementTree.parse(path).getroot()
    ns = {"dmn": root.tag.split("}")[0].strip("{")}
    table = root.find("dmn:decision[@id='routing']/dmn:decisionTable", ns)
    inputs = [
        i.findtext("dmn:inputExpression/dmn:text", "", ns) for i in table.findall("dmn:input", ns)
    ]
    rules = []
    for rule in table.findall("dmn:rule", ns):
        cells = dict(
            zip(
                inputs,
                (e.findtext("dmn:text", "", ns) for e in rule.findall("dmn:inputEntry", ns)),
                strict=False,
            )
        )
        rules.append(
            RoutingRule(
                rule.get("id", ""),
                _literal(cells.get("subject_kind")),
                _literal(cells.get("indicator")),
                _literal(rule.findtext("dmn:outputEntry/dmn:text", "", ns)),
                (rule.findtext("dmn:description", "", ns) or "").strip(),
            )
        )
    return rules


@dataclass(frozen=True)
class RoutingRow:
    """A routing rule as the county reads it: the indicator's label and the department's name."""

    rule: RoutingRule
    indicator_label: str
    department_name: str


def routing_table(viewer: User, year: int | None = None) -> tuple[int, list[RoutingRow]]:
    """The routing rules with labels from the year's standards catalogue (the current year's
    when none is given, or the nearest year there is one for) and department names; for the
    county office, the administrator and the leading group."""
    require_role(viewer, Role.COUNTY_OFFICE, Role.ADMIN, Role.LEADING_GROUP)
    years = available_years()
    wanted = year or clock.today().year
    year = min(years, key=lambda y: (abs(y - wanted), -y))
    _record, standard = catalogue_in_force(year)
    labels = {ind.code: ind.label for ind in standard.indicators}
    names = dict(db.session.execute(sa.select(Department.code, Department.name)).all())
    rows = [
        RoutingRow(rule, labels.get(rule.indicator_code, ""), names.get(rule.department_code, ""))
        for rule in routing_rules()
    ]
    return year, rows


def departments_missing_from_routing() -> list[str]:
    """The department codes the routing table sends gaps to that the county does not have (a
    base-data load warns of them: such gaps would find no department)."""
    from_table = {r.department_code for r in routing_rules() if r.department_code} - UNOWNED
    have = set(db.session.scalars(sa.select(Department.code)))
    return sorted(from_table - have)
