"""Round administration: moving a round's deadlines, and the routing table (read-only)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from web.handling import acting_user, domain_view
from web.identifiers import id_arg
from workflow.platform.errors import ValidationFailed
from workflow.platform.i18n import gettext
from workflow.programme import deadlines as round_deadlines
from workflow.programme import rounds, routing

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


@bp.get("/routing", endpoint="routing")
@login_required
@domain_view
def routing_page():
    """The routing table (归口) as bpmn/routing.dmn states it."""
    year, rows = routing.routing_table(acting_user(), id_arg(request.args.get("year")))
    return render_template("round_admin/routing.html", year=year, rows=rows)
