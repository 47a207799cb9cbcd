"""Accountability (追责问责 §七): the leading group decides on the items (opened by
`workflow/cases/accountability_items.py`), and the report it inspects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from workflow.cases.accountability_items import kind_label
from workflow.county.setup import county_name
from workflow.forms.accountability import ItemRow, UnitRow, write_accountability_report
from workflow.models import (
    AccountabilityItem,
    CaseEscalation,
    CaseStatus,
    DecisionStatus,
    Department,
    Gap,
    HelpCase,
    Inspection,
    LineResult,
    Role,
    Round,
    SurveyEscalation,
    Township,
    User,
)
from workflow.oversight.inspection_report import inspection_rows, inspections_as_of, recorded_by
from workflow.people.access import require_role
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.errors import Refused, ValidationFailed
from workflow.platform.i18n import _

DONE = (CaseStatus.ACCEPTING, CaseStatus.CLOSED)


def decide_item(
    item: AccountabilityItem, actor: User, decision: str, reason: str = ""
) -> AccountabilityItem:
    """The leading group records its decision on an item, with its reason and the date (the
    only thing it changes)."""
    require_role(actor, Role.LEADING_GROUP)
    if not decision.strip():
        raise ValidationFailed({"decision": _("Enter the decision.")})
    if item.status == DecisionStatus.DECIDED:
        raise Refused(_("This item is already decided; it cannot be decided again."))
    item.status, item.decision = DecisionStatus.DECIDED, decision.strip()
    item.reason = reason.strip()
    item.decided_by_id, item.decided_at = actor.id, clock.now()
    audit.record(
        actor,
        "accountability.decide",
        "accountability_item",
        item.id,
        after={"decision": item.decision, "reason": item.reason},
    )
    return item


def decide_items(
    item_ids: list[int], actor: User, decision: str, reason: str = ""
) -> list[AccountabilityItem]:
    """The same decision on several open items at once (each decided and audited on its own);
    all or none: an item already decided refuses the lot."""
    require_role(actor, Role.LEADING_GROUP)
    items = db.session.scalars(
        sa.select(AccountabilityItem)
        .where(AccountabilityItem.id.in_(item_ids))
        .order_by(AccountabilityItem.id)
    ).all()
    if not items:
        raise ValidationFailed({"items": _("Choose the items to decide.")})
    return [decide_item(item, actor, decision, reason) for item in items]


METRICS = (
    "received",
    "on_time",
    "late",
    "open",
    "overdue",
    "level1",
    "level2",
    "level3",
    "missed",
    "survey_late",
    "results_late",
    "substandard",
    "items",
    "items_decided",
    "inspected",
    "unrectified",
)
NOT_CASES = ("missed", "survey_late", "results_late", "inspected", "unrectified")


@dataclass
class UnitFigures:
    """One township's or department's figures; each metric keeps the case (or gap) ids behind it."""

    name: str
    cases: dict[str, list[int]] = field(default_factory=lambda: {m: [] for m in METRICS})
    overdue_days: dict[int, int] = field(default_factory=dict)

    def count(self, metric: str) -> int:
        return len(self.cases[metric])


@dataclass(frozen=True)
class AccountabilityReport:
    """The leading group's report for a round, as of a moment."""

    round_year: int
    as_of: datetime
    by_township: list[UnitFigures]
    by_department: list[UnitFigures]
    items: list[AccountabilityItem]
    inspections: list[Inspection] = field(default_factory=list)


def _add(units: dict[str, UnitFigures], name: str, metric: str, ident: int) -> UnitFigures:
    unit = units.get(name)
    if unit is None:  # not setdefault: a new UnitFigures per case would cost seconds at scale
        unit = units[name] = UnitFigures(name)
    unit.cases[metric].append(ident)
    return unit


def _case_rows(round_: Round) -> sa.Result:
    """One light row per case of the round: its units, state and escalation levels; one query
    (escalations aggregated per case), no case object loaded."""
    level = CaseEscalation.level
    levels = (
        sa.select(
            CaseEscalation.case_id,
            *(sa.func.max(sa.case((level == n, 1), else_=0)).label(f"l{n}") for n in (1, 2, 3)),
        )
        .join(HelpCase)
        .where(HelpCase.round_id == round_.id)
        .group_by(CaseEscalation.case_id)
        .subquery()
    )
    return db.session.connection().execute(  # Core rows: no ORM bookkeeping per case
        sa.select(
            HelpCase.id,
            HelpCase.township_id,
            HelpCase.department_id,
            HelpCase.status,
            HelpCase.verified_at,
            HelpCase.due_at,
            levels.c.l1,
            levels.c.l2,
            levels.c.l3,
        )
        .outerjoin(levels, levels.c.case_id == HelpCase.id)
        .where(HelpCase.round_id == round_.id)
        .order_by(HelpCase.id)
    )


def build_report(round_: Round, as_of: datetime | None = None) -> AccountabilityReport:
    """Count, per township and per department of the county (every one, zeros included), what
    happened to the round's cases, reports and items, as of a moment (default: the clock's now).
    The items metrics hold item ids; survey_late and results_late the township's id."""
    now = as_of or clock.now()
    townships = dict(db.session.execute(sa.select(Township.id, Township.name)).all())
    departments = dict(db.session.execute(sa.select(Department.id, Department.name)).all())
    by_township = {name: UnitFigures(name) for name in townships.values()}
    by_department = {name: UnitFigures(name) for name in departments.values()}
    for case_id, township_id, department_id, status, verified_at, due_at, *rest in _case_rows(
        round_
    ):
        metrics = _metrics_of(status, verified_at, due_at, rest, now)
        pairs = [(by_township, townships[township_id])]
        if department_id is not None:  # a case its township leads counts for the township
            pairs.append((by_department, departments[department_id]))
        for units, name in pairs:
            for metric in metrics:
                unit = _add(units, name, metric, case_id)
            if "overdue" in metrics:
                unit.overdue_days[case_id] = clock.days_between(due_at, now)
    for gap_id, township_id in db.session.execute(
        sa.select(Gap.id, Gap.township_id).where(
            Gap.round_id == round_.id, Gap.found_by == "acceptance"
        )
    ):
        _add(by_township, townships[township_id], "missed", gap_id)
    for stage, township_id in db.session.execute(
        sa.select(SurveyEscalation.stage, SurveyEscalation.township_id)
        .where(SurveyEscalation.round_id == round_.id, SurveyEscalation.fired_at <= now)
        .distinct()
    ):
        _add(by_township, townships[township_id], f"{stage}_late", township_id)
    items = db.session.scalars(
        sa.select(AccountabilityItem)
        .where(AccountabilityItem.round_id == round_.id)
        .order_by(AccountabilityItem.id)
        .options(joinedload(AccountabilityItem.township), joinedload(AccountabilityItem.department))
    ).all()
    for item in items:
        if item.opened_at > now:
            continue
        units = [(by_township, townships[item.township_id])]
        if item.department_id is not None:
            units.append((by_department, departments[item.department_id]))
        for figures, name in units:
            _add(figures, name, "items", item.id)
            if item.status == DecisionStatus.DECIDED:
                _add(figures, name, "items_decided", item.id)
            if item.kind == "substandard":
                _add(figures, name, "substandard", item.case_id)
    inspections = inspections_as_of(round_, now)
    for inspection in inspections:
        if not recorded_by(inspection, now):
            continue
        figures, name = (
            (by_township, townships[inspection.township_id])
            if inspection.township_id is not None
            else (by_department, departments[inspection.department_id])
        )
        _add(figures, name, "inspected", inspection.id)
        for line in inspection.lines:
            if line.result == LineResult.NOT_RECTIFIED:
                _add(figures, name, "unrectified", line.id)
    return AccountabilityReport(
        round_.year,
        now,
        sorted(by_township.values(), key=_order),
        sorted(by_department.values(), key=_order),
        [item for item in items if item.opened_at <= now],
        inspections,
    )


def _order(unit: UnitFigures) -> tuple[int, str]:
    return (-unit.count("overdue"), unit.name)


def _metrics_of(
    status: CaseStatus,
    verified_at: datetime | None,
    due_at: datetime,
    levels: list,
    now: datetime,
) -> list[str]:
    metrics = ["received"]
    if status in DONE and verified_at is not None:
        metrics.append("on_time" if verified_at <= due_at else "late")
    else:
        metrics.append("open")
        if now > due_at:
            metrics.append("overdue")
    metrics += [f"level{n}" for n, hit in zip((1, 2, 3), levels, strict=True) if hit]
    return metrics


def report_workbook(report: AccountabilityReport) -> bytes:
    """The report as the county's xlsx."""

    def row(unit: UnitFigures) -> UnitRow:
        counts = {m: unit.count(m) for m in METRICS}
        return UnitRow(
            unit=unit.name, max_days=max(unit.overdue_days.values(), default=0), **counts
        )

    items = [
        ItemRow(
            kind_label(i.kind),
            i.township.name,
            i.department.name if i.department else "",
            i.person_name,
            i.grounds,
            clock.in_beijing(i.opened_at).strftime("%Y-%m-%d"),
            "已决定" if i.status == DecisionStatus.DECIDED else "待决定",
            i.decision,
            i.reason,
            clock.in_beijing(i.decided_at).strftime("%Y-%m-%d") if i.decided_at else "",
        )
        for i in report.items
    ]
    inspections, lines = inspection_rows(report.inspections, report.as_of)
    return write_accountability_report(
        report.round_year,
        clock.in_beijing(report.as_of).date(),
        [row(u) for u in report.by_township],
        [row(u) for u in report.by_department],
        items,
        county=county_name(),
        inspections=inspections,
        inspection_lines=lines,
    )
