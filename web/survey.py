"""Survey task pages: download the pre-filled form, upload it filled, sign and submit."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from web.downloads import xlsx_response
from web.handling import acting_user, domain_view
from workflow.inbox import confirmation, steps, tasks
from workflow.models import HumanTask, Round, Township, Village
from workflow.people.access import require_task
from workflow.platform.db import db
from workflow.platform.errors import ImportRefused, Refused, ValidationFailed
from workflow.platform.i18n import current_language, gettext
from workflow.survey import flow as survey_flow
from workflow.survey import templates as survey_templates
from workflow.survey.intake import import_survey

bp = Blueprint("survey", __name__, url_prefix="/survey")
SURVEY_STEPS = steps.steps_of(steps.Page.SURVEY)
SUBMIT = {
    steps.VILLAGE_FORMS: survey_flow.submit_village_forms,
    steps.TOWNSHIP_REVIEW: survey_flow.submit_township_review,
    steps.LEADER_SIGN: survey_flow.sign_township_survey,
}


def _survey_task(task_id: int) -> HumanTask:
    task = tasks.get_task(task_id)
    if task.spec_name not in SURVEY_STEPS:
        abort(404)
    require_task(acting_user(), task)
    return task


def _page(
    task: HumanTask,
    problems: list[str] | None = None,
    status: int = 200,
    errors: dict[str, str] | None = None,
):
    instance = task.instance
    round_ = db.session.get(Round, instance.round_id)
    village = db.session.get(Village, task.village_id) if task.village_id else None
    township = db.session.get(Township, instance.township_id)
    submissions = survey_flow.current_submissions(
        round_.id, township.id, village.id if village else None
    )
    return render_template(
        "survey/task.html",
        task=task,
        round=round_,
        village=village,
        township=township,
        forms=steps.forms_filed(task),
        submissions=submissions,
        problems=problems or [],
        errors=errors or {},
    ), status


@bp.get("/tasks/<int:task_id>")
@login_required
@domain_view
def task_page(task_id: int):
    """The survey step: what to download, what is uploaded, and the submit button."""
    return _page(_survey_task(task_id))


@bp.get("/tasks/<int:task_id>/form/<int:form_no>.xlsx")
@login_required
@domain_view
def download(task_id: int, form_no: int) -> Response:
    """The official form for this step, pre-filled with what the county already knows."""
    task = _survey_task(task_id)
    if form_no not in steps.forms_filed(task):
        abort(404)
    round_ = db.session.get(Round, task.instance.round_id)
    village = db.session.get(Village, task.village_id) if task.village_id else None
    township = db.session.get(Township, task.instance.township_id)
    data = survey_templates.survey_template(
        form_no, round_, village=village, township=township, uyghur=current_language() == "ug"
    )
    unit = (village or township).name
    name = gettext("form%(n)s_%(unit)s_%(year)s.xlsx", n=form_no, unit=unit, year=round_.year)
    return xlsx_response(data, name)


@bp.post("/tasks/<int:task_id>/upload")
@login_required
@domain_view
def upload(task_id: int):
    """Import a filled form: all of it, or nothing and every problem by cell."""
    task = _survey_task(task_id)
    file = request.files.get("file")
    if file is None or not file.filename:
        return _page(task, [gettext("Choose the filled .xlsx file first.")], 422)
    round_ = db.session.get(Round, task.instance.round_id)
    village = db.session.get(Village, task.village_id) if task.village_id else None
    try:
        result = import_survey(
            file.read(),
            acting_user(),
            round_,
            file_name=file.filename,
            village=village if task.spec_name == steps.VILLAGE_FORMS else None,
        )
    except ImportRefused as exc:
        db.session.rollback()  # the page below lists what is stored, as it was
        return _page(task, exc.messages(), 422)
    except ValidationFailed as exc:
        db.session.rollback()
        return _page(task, [exc.message], 422)
    except Refused as exc:
        db.session.rollback()
        return _page(task, [exc.message], 409)
    flash(
        gettext(
            "Imported %(rows)s rows; %(gaps)s problems found.", rows=result.rows, gaps=result.gaps
        ),
        "success",
    )
    return redirect(url_for("survey.task_page", task_id=task_id), 303)


@bp.post("/tasks/<int:task_id>/submit")
@login_required
@domain_view
def submit(task_id: int):
    """Sign and pass the survey on: village → township → county."""
    task = _survey_task(task_id)
    try:
        confirmation.require_confirmed(request.form.get(confirmation.CONFIRM_FIELD))
    except ValidationFailed as exc:
        return _page(task, errors=exc.by_field(), status=422)
    try:
        SUBMIT[task.spec_name](task, acting_user())
    except ValidationFailed as exc:
        db.session.rollback()  # the page below reads the task as it was
        return _page(tasks.get_task(task_id), errors=exc.by_field(), status=422)
    except Refused as exc:
        db.session.rollback()
        return _page(tasks.get_task(task_id), errors={"_": exc.message}, status=422)
    flash(gettext("Signed and submitted."), "success")
    return redirect(url_for("inbox.inbox"), 303)
