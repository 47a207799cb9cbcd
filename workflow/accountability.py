"""Accountability (追责问责 §七): items for the leading group, and the report it inspects."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from workflow import audit, clock
from workflow.access import require_role
from workflow.db import db
from workflow.errors import ConflictError, ValidationFailed
from workflow.i18n import _
from workflow.models import (
    AccountabilityItem,
    CaseEscalation,
    CaseStatus,
    DecisionStatus,
    Gap,
    HelpCase,
    Role,
    Round,
    User,
)

DONE = (CaseStatus.ACCEPTING, CaseStatus.CLOSED)


def open_item(case: HelpCase) -> AccountabilityItem:
    """Open the item for a case that reached level 3 (once per case)."""
    existing = db.session.scalar(
        sa.select(AccountabilityItem).where(AccountabilityItem.case_id == case.id)
    )
    if existing is not None:
        return existing
    days = clock.days_between(case.due_at, clock.now())
    item = AccountabilityItem(
        round_id=case.round_id,
        case_id=case.id,
        department_id=case.department_id,
        township_id=case.township_id,
        opened_at=clock.now(),
        grounds=_(
            "“%(indicator)s” (%(subject)s), handled by %(department)s, is still not done "
            "%(days)s days after its deadline.",
            department=case.department.name,
            indicator=case.indicator_label,
            subject=case.subject_label,
            days=days,
        ),
    )
    db.session.add(item)
    db.session.flush()
    audit.record(
        None,
        "accountability.open",
        "accountability_item",
        item.id,
        after={"case": case.id, "days_overdue": days},
    )
    return item


def decide_item(item: AccountabilityItem, actor: User, decision: str) -> AccountabilityItem:
    """The leading group records its decision on an item (the only thing it changes)."""
    require_role(actor, Role.LEADING_GROUP)
    if not decision.strip():
        raise ValidationFailed({"decision": _("Enter the decision.")})
    if item.status == DecisionStatus.DECIDED:
        raise ConflictError(_("This item is already decided; it cannot be decided again."))
    item.status, item.decision = DecisionStatus.DECIDED, decision.strip()
    item.decided_by_id, item.decided_at = actor.id, clock.now()
    audit.record(
        actor,
        "accountability.decide",
        "accountability_item",
        item.id,
        after={"decision": item.decision},
    )
    return item


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
    "items",
    "items_decided",
)


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


def _add(units: dict[str, UnitFigures], name: str, metric: str, ident: int) -> UnitFigures:
    unit = units.setdefault(name, UnitFigures(name))
    unit.cases[metric].append(ident)
    return unit


def build_report(round_: Round, as_of: datetime | None = None) -> AccountabilityReport:
    """Count, per township and per department, what happened to the round's cases."""
    now = as_of or clock.now()
    cases = db.session.scalars(
        sa.select(HelpCase).where(HelpCase.round_id == round_.id).order_by(HelpCase.id)
    ).all()
    levels: dict[int, set[int]] = defaultdict(set)
    for case_id, level in db.session.execute(
        sa.select(CaseEscalation.case_id, CaseEscalation.level)
        .join(HelpCase)
        .where(HelpCase.round_id == round_.id)
    ):
        levels[case_id].add(level)
    items = db.session.scalars(
        sa.select(AccountabilityItem)
        .where(AccountabilityItem.round_id == round_.id)
        .order_by(AccountabilityItem.id)
    ).all()
    item_of = {i.case_id: i for i in items}
    by_township: dict[str, UnitFigures] = {}
    by_department: dict[str, UnitFigures] = {}
    for case in cases:
        for units, name in (
            (by_township, case.township.name),
            (by_department, case.department.name),
        ):
            for metric in _metrics_of(case, levels[case.id], item_of.get(case.id), now):
                unit = _add(units, name, metric, case.id)
                if metric == "overdue":
                    unit.overdue_days[case.id] = clock.days_between(case.due_at, now)
    for gap in db.session.scalars(
        sa.select(Gap).where(Gap.round_id == round_.id, Gap.found_by == "acceptance")
    ):
        _add(by_township, gap.township.name, "missed", gap.id)
    return AccountabilityReport(
        round_.year,
        now,
        sorted(by_township.values(), key=_order),
        sorted(by_department.values(), key=_order),
        list(items),
    )


def _order(unit: UnitFigures) -> tuple[int, str]:
    return (-unit.count("overdue"), unit.name)


def _metrics_of(
    case: HelpCase, levels: set[int], item: AccountabilityItem | None, now: datetime
) -> list[str]:
    metrics = ["received"]
    if case.status in DONE and case.verified_at is not None:
        metrics.append("on_time" if case.verified_at <= case.due_at else "late")
    else:
        metrics.append("open")
        if now > case.due_at:
            metrics.append("overdue")
    metrics += [f"level{n}" for n in (1, 2, 3) if n in levels]
    if item is not None:
        metrics.append("items")
        if item.status == DecisionStatus.DECIDED:
            metrics.append("items_decided")
    return metrics


def report_workbook(report: AccountabilityReport) -> bytes:
    """The report as the county's xlsx."""
    from workflow.forms.accountability import ItemRow, UnitRow, write_accountability_report

    def row(unit: UnitFigures) -> UnitRow:
        counts = {m: unit.count(m) for m in METRICS}
        return UnitRow(
            unit=unit.name, max_days=max(unit.overdue_days.values(), default=0), **counts
        )

    items = [
        ItemRow(
            i.township.name,
            i.department.name,
            i.grounds,
            clock.in_beijing(i.opened_at).strftime("%Y-%m-%d"),
            "已决定" if i.status == DecisionStatus.DECIDED else "待决定",
            i.decision,
        )
        for i in report.items
    ]
    return write_accountability_report(
        report.round_year,
        clock.in_beijing(report.as_of).date(),
        [row(u) for u in report.by_township],
        [row(u) for u in report.by_department],
        items,
    )
