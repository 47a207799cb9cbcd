"""The round's progress page for the leading group and the county office."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from web.handling import acting_user, domain_view, from_replica
from workflow.oversight import progress
from workflow.programme import rounds

bp = Blueprint("progress", __name__, url_prefix="/rounds")


@bp.get("/<round:year>/progress")
@login_required
@domain_view
@from_replica
def index(year: str) -> str:
    """Surveys and results tables by township against their deadlines; cases by department."""
    report = progress.build_progress(rounds.get_round(year), acting_user())
    return render_template("progress/index.html", p=report, metrics=progress.CASE_METRICS)
