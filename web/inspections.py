"""定期督查 (§七.3): the round's inspections, scheduling one, and recording its result."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from web.handling import acting_user, domain_view
from workflow.models import Department, InspectionStatus, Township
from workflow.oversight import inspections
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import WHOLE, Refused, ValidationFailed
from workflow.platform.i18n import gettext
from workflow.programme import rounds

bp = Blueprint("inspections", __name__, url_prefix="/rounds")


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


def _list_page(year: str, errors: dict[str, str] | None = None, status: int = 200):
    actor = acting_user()
    round_ = rounds.get_round(year)
    found = inspections.inspections_of_round(round_, actor)
    may = inspections.may_inspect(actor)
    return render_template(
        "inspections/index.html",
        round=round_,
        inspections=found,
        counts={i.id: inspections.result_counts(i) for i in found},
        may_inspect=may,
        townships=db.session.scalars(sa.select(Township).order_by(Township.code)).all()
        if may
        else [],
        departments=db.session.scalars(sa.select(Department).order_by(Department.code)).all()
        if may
        else [],
        errors=errors or {},
        form=request.form,
        today=clock.today(),
    ), status


@bp.get("/<round:year>/inspections")
@login_required
@domain_view
def index(year: str):
    """The round's inspections (the county all, a township or department its own)."""
    return _list_page(year)


@bp.post("/<round:year>/inspections")
@login_required
@domain_view
def schedule(year: str):
    """Schedule an inspection; its checklist is drawn from the unit's open work now."""
    round_ = rounds.get_round(year)
    form = request.form
    try:
        township, department = inspections.unit_of_choice(form.get("unit", ""))
        inspection = inspections.schedule_inspection(
            round_,
            acting_user(),
            township=township,
            department=department,
            on=_day(form.get("scheduled_on", "")),
            inspectors=form.get("inspectors", ""),
        )
    except ValidationFailed as exc:
        db.session.rollback()
        return _list_page(year, exc.by_field(), 422)
    flash(
        gettext(
            "Inspection of %(unit)s scheduled for %(day)s with %(n)s lines on its checklist.",
            unit=inspection.unit_name,
            day=inspection.scheduled_on.isoformat(),
            n=len(inspection.lines),
        ),
        "success",
    )
    return redirect(url_for("inspections.show", year=year, inspection_id=inspection.id), 303)


def _show_page(
    year: str, inspection_id: int, errors: dict[str, str] | None = None, status: int = 200
):
    actor = acting_user()
    round_ = rounds.get_round(year)
    inspection = inspections.inspection_to_read(round_, inspection_id, actor)
    return render_template(
        "inspections/show.html",
        round=round_,
        inspection=inspection,
        counts=inspections.result_counts(inspection),
        may_record=inspections.may_inspect(actor)
        and inspection.status == InspectionStatus.SCHEDULED,
        due=clock.today() >= inspection.scheduled_on,
        result_label=inspections.result_label,
        results=inspections.RESULTS,
        errors=errors or {},
        form=request.form,
    ), status


@bp.get("/<round:year>/inspections/<int:inspection_id>")
@login_required
@domain_view
def show(year: str, inspection_id: int):
    """One inspection: its checklist as frozen, and its result once recorded."""
    return _show_page(year, inspection_id)


@bp.post("/<round:year>/inspections/<int:inspection_id>")
@login_required
@domain_view
def record(year: str, inspection_id: int):
    """The inspectors record each line's result and the conclusion (once)."""
    actor = acting_user()
    inspection = inspections.inspection_to_read(rounds.get_round(year), inspection_id, actor)
    form = request.form
    results = {
        line.id: (form.get(f"result-{line.id}", ""), form.get(f"note-{line.id}", ""))
        for line in inspection.lines
    }
    try:
        inspections.record_inspection(inspection, actor, results, form.get("conclusion", ""))
    except ValidationFailed as exc:
        db.session.rollback()
        errors = exc.by_field()
        if WHOLE in errors:
            flash(errors.pop(WHOLE), "error")
        return _show_page(year, inspection_id, errors, 422)
    except Refused as exc:
        db.session.rollback()
        return _show_page(year, inspection_id, {"_": exc.message}, 409)
    flash(gettext("The inspection's result is recorded."), "success")
    return redirect(url_for("inspections.show", year=year, inspection_id=inspection_id), 303)
