"""The county's own routing (归口): changes the county office makes on the routing page, over the
defaults of bpmn/routing.dmn and bpmn/routing_by_cause.dmn, versioned and audited.

A change names the unit that leads an indicator's gaps (a department, the subject's township, or
nobody: the county office chooses at triage) and its co-responsible departments (协办). It applies
to gaps triaged from then on: the gaps still waiting for triage follow it, cases already opened
keep their units. A new county has no changes: the DMN files are its routing.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from workflow.models import Department, Gap, GapStatus, Role, RoutingChange, User
from workflow.people.access import require_role
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.errors import ValidationFailed
from workflow.platform.i18n import _
from workflow.programme.catalogue import catalogue_in_force
from workflow.programme.routing import (
    CAUSES,
    COUNTY_OFFICE,
    TOWNSHIP,
    RoutingRule,
    cause_rules,
    route,
    routing_rules,
    split_codes,
)
from workflow.programme.standards_document import available_years

Key = tuple[str, str, str]  # subject kind, indicator code, cause ("" where none is asked)


@dataclass(frozen=True)
class Units:
    """Who answers for a gap: the lead unit's code and the co-responsible departments' codes."""

    lead: str
    co: tuple[str, ...] = ()

    @property
    def unowned(self) -> bool:
        """Nobody is named: the county office must choose at triage."""
        return self.lead == COUNTY_OFFICE

    @property
    def township(self) -> bool:
        """The subject's township leads (its clerk and leader work the case)."""
        return self.lead == TOWNSHIP


def changes_in_force() -> dict[Key, RoutingChange]:
    """The newest change of every key the county office ever changed."""
    rows = db.session.scalars(sa.select(RoutingChange).order_by(RoutingChange.version))
    return {(r.subject_kind, r.indicator_code, r.cause): r for r in rows}


def default_units(subject_kind: str, indicator_code: str, cause: str = "") -> Units:
    """What the DMN files say, before any change of the county's."""
    if cause:
        for rule in cause_rules():
            if rule.indicator_code == indicator_code and rule.cause == cause:
                return Units(rule.department_code, rule.co_codes)
    return Units(route(subject_kind, indicator_code))


def units_for(
    subject_kind: str,
    indicator_code: str,
    cause: str = "",
    changes: dict[Key, RoutingChange] | None = None,
) -> Units:
    """The units a gap goes to now: the county's newest change of its key, else the DMN's.
    A cause the county never routed on its own falls back to the indicator's routing."""
    changes = changes_in_force() if changes is None else changes
    if cause:
        change = changes.get((subject_kind, indicator_code, cause))
        if change is not None:
            return Units(change.lead_code, split_codes(change.co_codes))
        units = default_units(subject_kind, indicator_code, cause)
        if any(r.indicator_code == indicator_code and r.cause == cause for r in cause_rules()):
            return units
    change = changes.get((subject_kind, indicator_code, ""))
    if change is not None:
        return Units(change.lead_code, split_codes(change.co_codes))
    return default_units(subject_kind, indicator_code)


def lead_unit(subject_kind: str, indicator_code: str) -> str:
    """The lead unit's code for a newly found gap (before any cause is asked)."""
    return units_for(subject_kind, indicator_code).lead


def editable_keys() -> list[Key]:
    """The keys the routing page changes: every indicator of the table, and every cause of an
    indicator triaged by cause."""
    keys: list[Key] = [
        (r.subject_kind, r.indicator_code, "") for r in routing_rules() if r.indicator_code
    ]
    by_cause = dict.fromkeys(r.indicator_code for r in cause_rules())
    for kind, code, _cause in list(keys):
        if code in by_cause:
            keys += [(kind, code, cause) for cause in CAUSES]
    return keys


def _check(lead: str, co: tuple[str, ...], known: set[str]) -> dict[str, str]:
    problems: dict[str, str] = {}
    if lead not in known | {TOWNSHIP, COUNTY_OFFICE}:
        problems["lead"] = _("Choose the lead unit.")
    unknown = [c for c in co if c not in known]
    if unknown:
        problems["co"] = _("There is no department with code %(code)s.", code=", ".join(unknown))
    elif lead in co:
        problems["co"] = _("The lead unit cannot also be a co-responsible unit.")
    elif co and lead == COUNTY_OFFICE:
        problems["co"] = _("Name the lead unit before its co-responsible units.")
    return problems


def change_routing(
    actor: User, key: Key, lead: str, co: tuple[str, ...], reason: str
) -> RoutingChange:
    """The county office changes who answers for an indicator (or one of its causes) from now
    on; the change is the routing's next version, audited, and the gaps still waiting for
    triage follow it."""
    require_role(actor, Role.COUNTY_OFFICE)
    if key not in editable_keys():
        raise ValidationFailed({"key": _("Choose an indicator of the routing table.")})
    known = set(db.session.scalars(sa.select(Department.code)))
    co = tuple(dict.fromkeys(c for c in co if c))
    problems = _check(lead, co, known)
    if not reason.strip():
        problems["reason"] = _("Give the reason for the change.")
    kind, code, cause = key
    before = units_for(kind, code, cause)
    if not problems and before == Units(lead, co):
        problems["lead"] = _("This is the routing already in force; nothing changes.")
    if problems:
        raise ValidationFailed(problems)
    version = (db.session.scalar(sa.select(sa.func.max(RoutingChange.version))) or 0) + 1
    change = RoutingChange(
        version=version,
        subject_kind=kind,
        indicator_code=code,
        cause=cause,
        lead_code=lead,
        co_codes=",".join(co),
        reason=reason.strip(),
        changed_by_id=actor.id,
        changed_at=clock.now(),
    )
    db.session.add(change)
    db.session.flush()
    moved = _follow(kind, code) if not cause else 0
    audit.record(
        actor,
        "routing.change",
        "routing",
        version,
        before={"indicator": code, "cause": cause, "lead": before.lead, "co": list(before.co)},
        after={"indicator": code, "cause": cause, "lead": lead, "co": list(co), "gaps": moved},
        reason=reason.strip(),
    )
    return change


def _follow(subject_kind: str, indicator_code: str) -> int:
    """Send the gaps still waiting for triage (not rerouted by hand) where the routing says
    now; returns how many there were."""
    lead = lead_unit(subject_kind, indicator_code)
    department_id = (
        None
        if lead in (TOWNSHIP, COUNTY_OFFICE)
        else db.session.scalar(sa.select(Department.id).where(Department.code == lead))
    )
    result = db.session.execute(
        sa.update(Gap)
        .where(
            Gap.subject_kind == subject_kind,
            Gap.indicator_code == indicator_code,
            Gap.status.in_([GapStatus.PENDING, GapStatus.OPEN]),
            Gap.rerouted.is_(False),
        )
        .values(routed_to=lead, department_id=department_id)
        .execution_options(synchronize_session="fetch")  # gaps loaded already follow too
    )
    return result.rowcount or 0


def routing_history(limit: int = 50) -> list[RoutingChange]:
    """The county's routing changes, newest first."""
    return list(
        db.session.scalars(
            sa.select(RoutingChange).order_by(RoutingChange.version.desc()).limit(limit)
        )
    )


@dataclass(frozen=True)
class RoutingRow:
    """A row of the routing page: the DMN's rule, the units in force now, their names."""

    rule: RoutingRule
    indicator_label: str
    department_name: str  # the DMN's department
    units: Units  # in force now
    lead_name: str
    co_names: tuple[str, ...]
    change: RoutingChange | None
    by_cause: tuple[CauseRow, ...] = ()


@dataclass(frozen=True)
class CauseRow:
    """One cause of an indicator triaged by cause, with the units in force for it."""

    cause: str
    units: Units
    lead_name: str
    co_names: tuple[str, ...]
    change: RoutingChange | None


def routing_table(viewer: User, year: int | None = None) -> tuple[int, list[RoutingRow]]:
    """The routing rules with labels from the year's standards catalogue (the current year's
    when none is given, or the nearest year there is one for), department names and the units
    in force; for the county office, the administrator and the leading group."""
    require_role(viewer, Role.COUNTY_OFFICE, Role.ADMIN, Role.LEADING_GROUP)
    years = available_years()
    wanted = year or clock.today().year
    year = min(years, key=lambda y: (abs(y - wanted), -y))
    _record, standard = catalogue_in_force(year)
    labels = {ind.code: ind.label for ind in standard.indicators}
    names = dict(db.session.execute(sa.select(Department.code, Department.name)).all())
    changes = changes_in_force()
    by_cause = {r.indicator_code for r in cause_rules()}

    def name(code: str) -> str:
        return names.get(code, code)

    rows = []
    for rule in routing_rules():
        kind, code = rule.subject_kind, rule.indicator_code
        units = units_for(kind, code, "", changes) if code else Units(rule.department_code)
        causes = tuple(
            CauseRow(
                cause,
                (u := units_for(kind, code, cause, changes)),
                name(u.lead),
                tuple(name(c) for c in u.co),
                changes.get((kind, code, cause)),
            )
            for cause in (CAUSES if code in by_cause else ())
        )
        rows.append(
            RoutingRow(
                rule,
                labels.get(code, ""),
                names.get(rule.department_code, ""),
                units,
                name(units.lead),
                tuple(name(c) for c in units.co),
                changes.get((kind, code, "")),
                causes,
            )
        )
    return year, rows
