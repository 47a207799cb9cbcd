"""Which units a confirmed gap's case goes to: the routing in force at triage (with the cause the
county office gives for an income gap), or the unit the office chose by hand."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from workflow.models import Department, Gap
from workflow.platform.db import db
from workflow.platform.errors import ValidationFailed
from workflow.platform.i18n import _
from workflow.programme.routing import CAUSES, TOWNSHIP, asks_cause
from workflow.programme.routing_changes import Units, changes_in_force, units_for


@dataclass(frozen=True)
class CaseUnits:
    """The case's lead department (None: the subject's township leads) and co-responsible ones."""

    lead: Department | None
    co: tuple[Department, ...]

    @property
    def lead_code(self) -> str:
        """The lead's code as the routing writes it."""
        return self.lead.code if self.lead is not None else TOWNSHIP


def needs_cause(gap: Gap) -> bool:
    """Whether triage must ask why this gap arose before routing it (income, not rerouted)."""
    return not gap.rerouted and asks_cause(gap.indicator_code)


def _ids(gaps: list[Gap]) -> str:
    return ", ".join(str(g.id) for g in gaps)


def units_of_gaps(gaps: list[Gap], causes: dict[int, str]) -> list[CaseUnits]:
    """The units of each gap's case, in order; records each gap's cause. Refuses, naming the
    gaps, when a cause is missing or the routing names nobody (the office must choose)."""
    missing = [g for g in gaps if needs_cause(g) and causes.get(g.id) not in CAUSES]
    if missing:
        raise ValidationFailed(
            {
                "gaps": _(
                    "Gaps %(ids)s need the cause of the low income (industry, employment or "
                    "other) before they are confirmed.",
                    ids=_ids(missing),
                )
            }
        )
    changes = changes_in_force()
    departments = {d.code: d for d in db.session.scalars(sa.select(Department))}
    wanted: list[Units] = []
    for gap in gaps:
        if gap.rerouted:
            wanted.append(Units(gap.department.code if gap.department else TOWNSHIP))
            continue
        gap.cause = causes.get(gap.id, "") if needs_cause(gap) else ""
        wanted.append(units_for(gap.subject_kind.value, gap.indicator_code, gap.cause, changes))
    unowned = [  # the routing names nobody (FPB), or a department the county does not have
        g
        for g, u in zip(gaps, wanted, strict=True)
        if (u.unowned and not g.rerouted) or (not u.township and u.lead not in departments)
    ]
    if unowned:
        raise ValidationFailed(
            {
                "gaps": _(
                    "Gaps %(ids)s have no responsible department yet. Choose one first.",
                    ids=_ids(unowned),
                )
            }
        )
    return [
        CaseUnits(
            None if u.township else departments[u.lead],
            tuple(departments[c] for c in u.co if c in departments),
        )
        for u in wanted
    ]
