"""Round administration: moving a round's deadlines, and the routing table (changed by the
county office, versioned)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from web.handling import acting_user, domain_view
from web.identifiers import id_arg
from workflow.models import Department, Role
from workflow.people.access import require_role
from workflow.platform.db import db
from workflow.platform.errors import ValidationFailed
from workflow.platform.i18n import gettext
from workflow.programme import deadlines as round_deadlines
from workflow.programme import rounds, routing_changes
from workflow.programme.routing import COUNTY_OFFICE, TOWNSHIP

bp = Blueprint("round_admin", __name__, url_prefix="/admin")


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


def _page(year: str, errors: dict[str, str] | None = None, status: int = 200):
    round_ = rounds.get_round(year)
    return render_template(
        "round_admin/deadlines.html",
        round=round_,
        deadlines=round_deadlines.round_deadlines(round_, acting_user()),
        errors=errors or {},
        form=request.form,
    ), status


@bp.get("/rounds/<round:year>/deadlines")
@login_required
@domain_view
def deadlines(year: str):
    """The round's deadlines; the ones not passed can be moved, with a reason."""
    return _page(year)


@bp.post("/rounds/<round:year>/deadlines")
@login_required
@domain_view
def save_deadlines(year: str):
    """Move one deadline and the timers of the running processes that wait on it."""
    round_ = rounds.get_round(year)
    key = request.form.get("key", "")
    try:
        moved = round_deadlines.move_deadline(
            round_,
            acting_user(),
            key,
            _day(request.form.get(key, "") if key in round_deadlines.KEYS else ""),
            request.form.get("reason", ""),
        )
    except ValidationFailed as exc:
        return _page(year, exc.by_field(), 422)
    flash(
        gettext("Deadline moved; %(n)s waiting timers now fire at the new date.", n=moved),
        "success",
    )
    return redirect(url_for("round_admin.deadlines", year=year), 303)


def _routing_page(errors: dict[str, str] | None = None, status: int = 200):
    user = acting_user()
    year, rows = routing_changes.routing_table(user, id_arg(request.args.get("year")))
    can_edit = user.role == Role.COUNTY_OFFICE
    departments = db.session.scalars(sa.select(Department).order_by(Department.code)).all()
    return render_template(
        "round_admin/routing.html",
        year=year,
        rows=rows,
        can_edit=can_edit,
        departments=departments if can_edit else [],
        names={d.code: d.name for d in departments},
        history=routing_changes.routing_history() if can_edit else [],
        township=TOWNSHIP,
        county_office=COUNTY_OFFICE,
        errors=errors or {},
        form=request.form,
    ), status


@bp.get("/routing", endpoint="routing")
@login_required
@domain_view
def routing_page():
    """The routing table (归口): bpmn/routing.dmn's rules and the county office's changes."""
    return _routing_page()


@bp.post("/routing", endpoint="routing_change")
@login_required
@domain_view
def routing_change():
    """The county office changes who leads an indicator (or one of its causes) and who shares it."""
    user = acting_user()
    require_role(user, Role.COUNTY_OFFICE)
    form = request.form
    kind, _sep, rest = form.get("key", "").partition("|")
    code, _sep, cause = rest.partition("|")
    try:
        change = routing_changes.change_routing(
            user,
            (kind, code, cause),
            form.get("lead", ""),
            tuple(form.getlist("co")),
            form.get("reason", ""),
        )
    except ValidationFailed as exc:
        db.session.rollback()
        return _routing_page(exc.by_field(), 422)
    flash(
        gettext(
            "Routing version %(version)s is in force: gaps triaged from now on follow it.",
            version=change.version,
        ),
        "success",
    )
    return redirect(url_for("round_admin.routing"), 303)
