"""定期督查 (§七.3): the leading group (or the county office on its behalf) schedules an
inspection of a township or a department on a date; its checklist is the unit's open cases and
undecided accountability items as they stand that moment, frozen as lines; the inspectors record
each line's result (已整改 / 未整改 / 情况说明) and a conclusion, which the report carries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from workflow.cases.accountability_items import kind_label
from workflow.models import (
    AccountabilityItem,
    CaseStatus,
    DecisionStatus,
    Department,
    HelpCase,
    Inspection,
    InspectionLine,
    InspectionStatus,
    LineResult,
    Role,
    Round,
    Township,
    User,
)
from workflow.people.access import COUNTY_WIDE_READERS, in_scope, require_role
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, NotFound, Problem, Refused, ValidationFailed
from workflow.platform.i18n import _

INSPECTORS = (Role.LEADING_GROUP, Role.COUNTY_OFFICE)  # who schedules and records
OPEN_CASE = (CaseStatus.PLANNING, CaseStatus.IN_PROGRESS, CaseStatus.VERIFYING)
INSPECTORS_LENGTH = 200  # Inspection.inspectors' column
RESULTS = (LineResult.RECTIFIED, LineResult.NOT_RECTIFIED, LineResult.EXPLAINED)


def result_label(result: LineResult | str) -> str:
    """A line's result, as the inspectors write it."""
    labels = {
        LineResult.PENDING: _("Not checked"),
        LineResult.RECTIFIED: _("Rectified"),
        LineResult.NOT_RECTIFIED: _("Not rectified"),
        LineResult.EXPLAINED: _("Explained"),
    }
    return labels[LineResult(result)]


def may_inspect(actor: User) -> bool:
    """Whether the actor schedules inspections and records their results."""
    return actor.is_active and actor.role in INSPECTORS


def unit_of_choice(choice: str) -> tuple[Township | None, Department | None]:
    """The unit a form's choice names: "township:ID" or "department:ID" (neither if it names
    none; scheduling then says so)."""
    kind, _sep, ident = (choice or "").partition(":")
    model = {"township": Township, "department": Department}.get(kind)
    unit = (
        db.session.get(model, int(ident)) if model and ident.isdigit() and len(ident) < 10 else None
    )
    if unit is None:
        return None, None
    return (unit, None) if kind == "township" else (None, unit)


def unit_named(
    township: str | None, department: str | None
) -> tuple[Township | None, Department | None]:
    """The unit the command line names: a township (name or division code) or a department
    (code or name), exactly one."""
    if bool(township) == bool(department):
        raise ValidationFailed({"unit": _("Name either a township or a department.")})
    if township:
        key = township.strip()
        found = db.session.scalar(
            sa.select(Township).where(sa.or_(Township.code == key, Township.name == key))
        )
        if found is None:
            raise NotFound(_("There is no township named or coded “%(key)s”.", key=key))
        return found, None
    key = (department or "").strip()
    unit = db.session.scalar(
        sa.select(Department).where(sa.or_(Department.code == key.upper(), Department.name == key))
    )
    if unit is None:
        raise NotFound(_("There is no department named or coded “%(key)s”.", key=key))
    return None, unit


def result_of(text: str) -> LineResult | None:
    """A result as the command line writes it: its value (rectified) or its label (已整改)."""
    for result in LineResult:
        if text.strip() in (result.value, result_label(result)):
            return result
    return None


def schedule_inspection(
    round_: Round,
    actor: User,
    *,
    township: Township | None = None,
    department: Department | None = None,
    on: date | None,
    inspectors: str,
) -> Inspection:
    """Schedule an inspection of one unit on a day, its checklist drawn now from the unit's
    open cases and undecided items (frozen: what was owed when the inspection was set)."""
    require_role(actor, *INSPECTORS)
    problems = []
    if (township is None) == (department is None):
        problems.append(Problem("unit", _("Choose the township or department to inspect.")))
    if on is None:
        problems.append(Problem("scheduled_on", _("Enter the day of the inspection.")))
    elif on < clock.today():
        problems.append(
            Problem("scheduled_on", _("An inspection is scheduled for today or later."))
        )
    if not inspectors.strip():
        problems.append(Problem("inspectors", _("Name the inspectors.")))
    elif len(inspectors.strip()) > INSPECTORS_LENGTH:
        problems.append(Problem("inspectors", _("At most %(n)s characters.", n=INSPECTORS_LENGTH)))
    if problems:
        raise ValidationFailed(problems)
    inspection = Inspection(
        round_id=round_.id,
        township_id=township.id if township else None,
        department_id=department.id if department else None,
        scheduled_on=on,
        inspectors=inspectors.strip(),
        scheduled_by_id=actor.id,
        scheduled_by_name=actor.display_name,
        scheduled_at=clock.now(),
        status=InspectionStatus.SCHEDULED,
    )
    db.session.add(inspection)
    db.session.flush()
    lines = _checklist(round_, township, department)
    for seq, line in enumerate(lines, start=1):
        line.inspection_id, line.seq = inspection.id, seq
        db.session.add(line)
    db.session.flush()
    audit.record(
        actor,
        "inspection.schedule",
        "inspection",
        inspection.id,
        after={
            "unit": (township or department).name,
            "on": on.isoformat(),
            "inspectors": inspection.inspectors,
            "lines": len(lines),
        },
    )
    return inspection


def _checklist(
    round_: Round, township: Township | None, department: Department | None
) -> list[InspectionLine]:
    """The unit's open cases (most overdue first) and its undecided items, as lines."""
    now = clock.now()
    case_unit = (
        HelpCase.township_id == township.id if township else HelpCase.department_id == department.id
    )
    cases = db.session.scalars(
        sa.select(HelpCase)
        .where(HelpCase.round_id == round_.id, HelpCase.status.in_(OPEN_CASE), case_unit)
        .order_by(HelpCase.due_at, HelpCase.id)
    ).all()
    item_unit = (
        AccountabilityItem.township_id == township.id
        if township
        else AccountabilityItem.department_id == department.id
    )
    items = db.session.scalars(
        sa.select(AccountabilityItem)
        .where(
            AccountabilityItem.round_id == round_.id,
            AccountabilityItem.status == DecisionStatus.OPEN,
            AccountabilityItem.opened_at <= now,
            item_unit,
        )
        .order_by(AccountabilityItem.opened_at, AccountabilityItem.id)
    ).all()
    lines = [
        InspectionLine(
            kind="case",
            case_id=case.id,
            subject=_(
                "Case: %(indicator)s for %(subject)s",
                indicator=case.indicator_label,
                subject=case.subject_label,
            ),
            responsible=_names(case.department.name, case.responsible_person),
            due_on=clock.in_beijing(case.due_at).date(),
            overdue_days=clock.days_between(case.due_at, now),
            result=LineResult.PENDING,
            note="",
        )
        for case in cases
    ]
    lines += [
        InspectionLine(
            kind="item",
            item_id=item.id,
            subject=_(
                "Item: %(kind)s, %(grounds)s", kind=kind_label(item.kind), grounds=item.grounds
            ),
            responsible=_names(
                item.department.name if item.department else item.township.name, item.person_name
            ),
            due_on=None,
            overdue_days=0,
            result=LineResult.PENDING,
            note="",
        )
        for item in items
    ]
    return lines


def _names(*names: str) -> str:
    return " ".join(n for n in names if n)[:200]


def record_inspection(
    inspection: Inspection,
    actor: User,
    results: Mapping[int, tuple[str, str]],
    conclusion: str,
) -> Inspection:
    """The inspectors' findings: each line's result and note (line id → (result, note); a line
    left out stays "not checked") and the overall conclusion. Recorded once, audited."""
    require_role(actor, *INSPECTORS)
    if inspection.status == InspectionStatus.RECORDED:
        raise Refused(
            _(
                "%(name)s recorded this inspection's result on %(day)s; it cannot be recorded "
                "again.",
                name=inspection.recorded_by_name,
                day=f"{clock.in_beijing(inspection.recorded_at):%Y-%m-%d}",
            )
        )
    if clock.today() < inspection.scheduled_on:
        raise Refused(
            _(
                "This inspection is scheduled for %(day)s; record its result on or after that day.",
                day=inspection.scheduled_on.isoformat(),
            )
        )
    by_id = {line.id: line for line in inspection.lines}
    problems: list[Problem] = []
    chosen: dict[int, tuple[LineResult, str]] = {}
    for line_id, (value, note) in results.items():
        line = by_id.get(line_id)
        if line is None:
            problems.append(Problem(f"line-{line_id}", _("This line is not on the checklist.")))
            continue
        try:
            result = LineResult(value or LineResult.PENDING)
        except ValueError:
            problems.append(Problem(f"line-{line.id}", _("Choose a result from the list.")))
            continue
        if result == LineResult.EXPLAINED and not note.strip():
            problems.append(
                Problem(
                    f"line-{line.id}",
                    _("Line %(seq)s: write down the explanation given.", seq=line.seq),
                )
            )
        chosen[line.id] = (result, note.strip())
    if not conclusion.strip():
        problems.append(Problem("conclusion", _("Write the inspection's conclusion.")))
    if problems:
        raise ValidationFailed(problems)
    for line_id, (result, note) in chosen.items():
        by_id[line_id].result, by_id[line_id].note = result, note
    inspection.status, inspection.conclusion = InspectionStatus.RECORDED, conclusion.strip()
    inspection.recorded_by_id, inspection.recorded_by_name = actor.id, actor.display_name
    inspection.recorded_at = clock.now()
    db.session.flush()
    audit.record(
        actor,
        "inspection.record",
        "inspection",
        inspection.id,
        after={
            "conclusion": inspection.conclusion,
            "results": {str(line.seq): line.result.value for line in inspection.lines},
        },
    )
    return inspection


def _require_reader(viewer: User) -> None:
    if viewer.is_active and (
        viewer.role in COUNTY_WIDE_READERS or viewer.role.scope_kind in ("township", "department")
    ):
        return
    raise AccessDenied(_("Inspections are read by the county and the units inspected."))


def _scope(viewer: User) -> sa.ColumnElement[bool]:
    kind = viewer.role.scope_kind
    if kind == "township":
        return Inspection.township_id == viewer.township_id
    if kind == "department":
        return Inspection.department_id == viewer.department_id
    return sa.true()


def inspections_of_round(round_: Round, viewer: User) -> list[Inspection]:
    """The round's inspections the viewer may read (the county all; a unit its own), by day."""
    _require_reader(viewer)
    return list(
        db.session.scalars(
            sa.select(Inspection)
            .where(Inspection.round_id == round_.id, _scope(viewer))
            .order_by(Inspection.scheduled_on, Inspection.id)
            .options(selectinload(Inspection.lines))
        )
    )


def inspection_to_read(round_: Round, inspection_id: int, viewer: User) -> Inspection:
    """One inspection, for someone who may read it."""
    _require_reader(viewer)
    inspection = db.session.get(Inspection, inspection_id)
    if inspection is None or inspection.round_id != round_.id:
        raise NotFound(_("The page or record does not exist."))
    if not in_scope(viewer, inspection.township_id, None, inspection.department_id):
        raise AccessDenied(_("Inspections are read by the county and the units inspected."))
    return inspection


def result_counts(inspection: Inspection) -> dict[str, int]:
    """How many lines of each result (pending included)."""
    counts = Counter(line.result.value for line in inspection.lines)
    return {r.value: counts.get(r.value, 0) for r in LineResult}
