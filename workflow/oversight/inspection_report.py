"""定期督查 in the accountability report (§七.3): the inspections a report's moment knows of,
and their rows and lines as the workbook prints them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from workflow.forms.accountability import InspectionLineRow, InspectionRow
from workflow.models import Inspection, LineResult, Round
from workflow.oversight.inspections import result_counts, result_label
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.i18n import _


def inspections_as_of(round_: Round, as_of: datetime) -> list[Inspection]:
    """Every inspection of the round scheduled by a moment (for the report), by day."""
    return list(
        db.session.scalars(
            sa.select(Inspection)
            .where(Inspection.round_id == round_.id, Inspection.scheduled_at <= as_of)
            .order_by(Inspection.scheduled_on, Inspection.id)
            .options(
                selectinload(Inspection.lines),
                selectinload(Inspection.township),
                selectinload(Inspection.department),
            )
        )
    )


def recorded_by(inspection: Inspection, as_of: datetime) -> bool:
    """Whether the inspection's result was on record at a moment."""
    return inspection.recorded_at is not None and inspection.recorded_at <= as_of


def inspection_rows(
    inspections: list[Inspection], as_of: datetime
) -> tuple[list[InspectionRow], list[InspectionLineRow]]:
    """The report's inspections and their lines as the workbook prints them (a result recorded
    after the report's moment is not yet shown)."""
    rows, lines = [], []
    for inspection in inspections:
        recorded = recorded_by(inspection, as_of)
        counts = result_counts(inspection) if recorded else {}
        day = inspection.scheduled_on.isoformat()
        rows.append(
            InspectionRow(
                unit=inspection.unit_name,
                day=day,
                inspectors=inspection.inspectors,
                lines=len(inspection.lines),
                rectified=counts.get(LineResult.RECTIFIED, 0),
                not_rectified=counts.get(LineResult.NOT_RECTIFIED, 0),
                explained=counts.get(LineResult.EXPLAINED, 0),
                pending=counts.get(LineResult.PENDING, len(inspection.lines)),
                conclusion=inspection.conclusion if recorded else _("Not yet inspected"),
                recorded=(
                    f"{inspection.recorded_by_name} "
                    f"{clock.in_beijing(inspection.recorded_at):%Y-%m-%d}"
                    if recorded
                    else ""
                ),
            )
        )
        lines += [
            InspectionLineRow(
                unit=inspection.unit_name,
                day=day,
                subject=line.subject,
                responsible=line.responsible,
                overdue=line.overdue_days,
                result=result_label(line.result if recorded else LineResult.PENDING),
                note=line.note if recorded else "",
            )
            for line in inspection.lines
        ]
    return rows, lines
