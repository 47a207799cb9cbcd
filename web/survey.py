"""Survey task pages: download the pre-filled form, upload it filled, sign and submit."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from web.downloads import xlsx_response
from web.handling import acting_user, domain_view
from workflow.inbox import tasks
from workflow.models import HumanTask, Round, Township, Village
from workflow.people.access import require_task
from workflow.platform.db import db
from workflow.platform.errors import ConflictError, ValidationFailed
from workflow.platform.i18n import gettext
from workflow.survey import flow as survey_flow
from workflow.survey import templates as survey_templates
from workflow.survey.intake import ImportRefused, import_survey

bp = Blueprint("survey", __name__, url_prefix="/survey")
SURVEY_STEPS = ("village_forms", "township_review", "leader_sign")
CONFIRM_FIELD = "confirm"  # the tick "I have checked the content above and confirm my signature"


def _survey_task(task_id: int) -> HumanTask:
    task = tasks.get_task(task_id)
    if task.spec_name not in SURVEY_STEPS:
        abort(404)
    require_task(acting_user(), task)
    return task


def _forms_of(task: HumanTask) -> list[int]:
    """Which forms this step files: 附件1 (and 2 for an exited village), or 附件3."""
    if task.spec_name == "village_forms":
        village = db.session.get(Village, task.village_id)
        return [1, 2] if village.is_exited_poor else [1]
    return [3] if task.spec_name == "township_review" else []


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
        forms=_forms_of(task),
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
    if form_no not in _forms_of(task):
        abort(404)
    round_ = db.session.get(Round, task.instance.round_id)
    village = db.session.get(Village, task.village_id) if task.village_id else None
    township = db.session.get(Township, task.instance.township_id)
    data = survey_templates.survey_template(form_no, round_, village=village, township=township)
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
            village=village if task.spec_name == "village_forms" else None,
        )
        db.session.commit()
    except ImportRefused as exc:
        db.session.rollback()
        return _page(task, list(exc.problems), 422)
    except (ValidationFailed, ConflictError) as exc:
        db.session.rollback()
        return _page(task, [exc.message], 409 if isinstance(exc, ConflictError) else 422)
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
    step = {
        "village_forms": survey_flow.submit_village_forms,
        "township_review": survey_flow.submit_township_review,
        "leader_sign": survey_flow.sign_township_survey,
    }[task.spec_name]
    if not request.form.get(CONFIRM_FIELD):
        confirm = gettext(
            "Tick the box to confirm you have checked the content; nothing was signed."
        )
        return _page(task, errors={CONFIRM_FIELD: confirm}, status=422)
    try:
        step(task, acting_user())
        db.session.commit()
    except (ValidationFailed, ConflictError) as exc:
        db.session.rollback()
        problems = getattr(exc, "problems", None)
        errors = problems if isinstance(problems, dict) else {"_": exc.message}
        return _page(tasks.get_task(task_id), errors=errors, status=422)
    flash(gettext("Signed and submitted."), "success")
    return redirect(url_for("inbox.inbox"), 303)
