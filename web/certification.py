"""The 核定 page: 县农经局 / 县统计局 certify a township's rows, marking those that fail."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from web.handling import acting_user, domain_view
from workflow.inbox import steps, tasks
from workflow.models import CatalogueRecord, Department, HumanTask, Round, Township
from workflow.people.access import require_task
from workflow.platform.db import db
from workflow.platform.errors import NotFound, ValidationFailed
from workflow.platform.i18n import gettext
from workflow.programme.catalogue import standard_of
from workflow.programme.standards import format_number
from workflow.survey import certification

bp = Blueprint("certification", __name__, url_prefix="/survey/certify")


def _certify_task(task_id: int) -> HumanTask:
    task = tasks.get_task(task_id)
    if task.spec_name != steps.CERTIFY:
        raise NotFound(gettext("The page or record does not exist."))
    require_task(acting_user(), task)
    return task


def _page(
    task: HumanTask,
    status: int = 200,
    errors: dict[str, str] | None = None,
    marks: dict[int, str] | None = None,
):
    round_ = db.session.get(Round, task.instance.round_id)
    department = db.session.get(Department, task.department_id)
    standard = standard_of(db.session.get(CatalogueRecord, round_.catalogue_id))
    return render_template(
        "certification/task.html",
        task=task,
        round=round_,
        township=db.session.get(Township, task.instance.township_id),
        department=department,
        indicators=certification.certified_indicators(standard, department.code),
        standard_year=standard.year,
        poverty_line=format_number(standard.poverty_line.amount),
        regional_growth=format_number(standard.regional_growth.amount),
        rows=certification.certify_rows(task),
        marks=marks or {},
        errors=errors or {},
    ), status


def _marks() -> dict[int, str]:
    """The rows marked 核定不通过, with their reasons, as the form sent them."""
    marked = {}
    for key in request.form.getlist("fail"):
        if key.isdigit():
            marked[int(key)] = request.form.get(f"reason-{key}", "")
    return marked


@bp.get("/<int:task_id>")
@login_required
@domain_view
def task_page(task_id: int):
    """The township's rows to certify, each with a 核定不通过 mark and a reason."""
    return _page(_certify_task(task_id))


@bp.post("/<int:task_id>")
@login_required
@domain_view
def task_submit(task_id: int):
    """Certify the township's rows; the marked ones become gaps."""
    task = _certify_task(task_id)
    marks = _marks()
    try:
        certification.certify_households(task, acting_user(), marks)
    except ValidationFailed as exc:
        db.session.rollback()
        return _page(tasks.get_task(task_id), 422, exc.by_field(), marks)
    flash(gettext("Certified; %(num)s rows did not pass.", num=len(marks)), "success")
    return redirect(url_for("inbox.inbox"), 303)
