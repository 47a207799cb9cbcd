"""The task inbox: what the logged-in user has to do, soonest deadline first."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from web.handling import acting_user, domain_view
from web.results import RESULTS_STEPS
from web.survey import SURVEY_STEPS
from workflow import tasks
from workflow.access import require_task
from workflow.db import db
from workflow.models import HelpCase, Round

bp = Blueprint("inbox", __name__)


@bp.get("/")
def home() -> Response:
    """The front page is the inbox."""
    return redirect(url_for("inbox.inbox"))


@bp.get("/inbox")
@login_required
def inbox() -> str:
    """List the user's READY tasks."""
    user = acting_user()
    return render_template("inbox/inbox.html", tasks=tasks.inbox(user), user=user)


@bp.get("/tasks/<int:task_id>")
@login_required
@domain_view
def open_task(task_id: int) -> Response:
    """Go to the page where a task is worked."""
    task = tasks.get_task(task_id)
    require_task(acting_user(), task)
    if task.spec_name in SURVEY_STEPS:
        return redirect(url_for("survey.task_page", task_id=task.id))
    if task.spec_name in RESULTS_STEPS:
        return redirect(url_for("results.task_page", task_id=task.id))
    if task.spec_name == "county_triage":
        year = db.session.scalar(sa.select(Round.year).where(Round.id == task.instance.round_id))
        return redirect(url_for("rounds.triage", year=year))
    case_id = db.session.scalar(
        sa.select(HelpCase.id).where(HelpCase.instance_id == task.instance_id)
    )
    if case_id is not None:
        return redirect(url_for("cases.show", case_id=case_id))
    return redirect(url_for("inbox.inbox"))
