"""Results tables (附件4–6) and department plans: downloads in each user's scope, and signing."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import login_required

from web.downloads import xlsx_response
from web.handling import acting_user, domain_view
from web.identifiers import id_arg
from workflow.cases import results
from workflow.cases.plans import (
    department_plan_xlsx,
    latest_plan_signature,
    may_sign_plan,
    plan_rows,
    plan_to_read,
    require_plan_signer,
    sign_department_plan,
)
from workflow.county.setup import county_name
from workflow.inbox import confirmation, steps, tasks
from workflow.models import Department, Role, Round, Township, User, Village
from workflow.people.access import COUNTY_WIDE_READERS, require_task
from workflow.platform.db import db
from workflow.platform.errors import NotFound, Refused, ValidationFailed
from workflow.platform.i18n import gettext
from workflow.programme import rounds
from workflow.survey import results_flow

bp = Blueprint("results", __name__, url_prefix="/rounds")


def _unconfirmed() -> dict[str, str] | None:
    """The message next to the confirmation box when a signing form was sent without its tick."""
    try:
        confirmation.require_confirmed(request.form.get(confirmation.CONFIRM_FIELD))
    except ValidationFailed as exc:
        return exc.by_field()
    return None


def _visible_units(user: User) -> tuple[list[Township], list[Village]]:
    """The townships and villages whose results tables the user may produce."""
    townships = db.session.scalars(sa.select(Township).order_by(Township.code)).all()
    if user.role in COUNTY_WIDE_READERS:
        return list(townships), []
    if user.role.scope_kind == "township":
        return [t for t in townships if t.id == user.township_id], []
    if user.role == Role.VILLAGE_CLERK:
        return [], [user.village]
    return [], []


def _page(year: str, status: int = 200, errors: dict[str, str] | None = None):
    user = acting_user()
    round_ = rounds.get_round(year)
    townships, villages = _visible_units(user)
    department = user.department if user.role.scope_kind == "department" else None
    signature = latest_plan_signature(round_, department) if department else None
    departments = (
        db.session.scalars(sa.select(Department).order_by(Department.code)).all()
        if user.role in COUNTY_WIDE_READERS
        else []
    )
    return render_template(
        "results/index.html",
        round=round_,
        townships=townships,
        villages=villages,
        department=department,
        departments=departments,
        signature=signature,
        tasks=len(plan_rows(round_, department)) if department else 0,
        can_sign=may_sign_plan(user),
        errors=errors or {},
    ), status


@bp.get("/<round:year>/results")
@login_required
@domain_view
def index(year: str):
    """The results tables and plans this user can download (and sign)."""
    return _page(year)


@bp.get("/<round:year>/results/<int:form_no>.xlsx")
@login_required
@domain_view
def download(year: str, form_no: int) -> Response:
    """附件4 (a village), 附件5 or 附件6 (a township), filled from the cases as they stand."""
    round_ = rounds.get_round(year)
    village = db.session.get(Village, id_arg(request.args.get("village")) or 0)
    township = db.session.get(Township, id_arg(request.args.get("township")) or 0)
    if (
        form_no not in (4, 5, 6)
        or (form_no == 4 and village is None)
        or (form_no == 6 and township is None)
    ):
        raise NotFound(gettext("The page or record does not exist."))
    results.require_results_scope(acting_user(), form_no, village, township)
    data = results.results_form(round_, form_no, village=village, township=township)
    unit = (village or township).name if (village or township) else county_name()
    name = gettext("form%(n)s_%(unit)s_%(year)s.xlsx", n=form_no, unit=unit, year=year)
    return xlsx_response(data, name)


@bp.get("/<round:year>/plan.xlsx")
@login_required
@domain_view
def plan_download(year: str) -> Response:
    """A department's 《“回头帮”年度实施方案》 task list, from its cases."""
    department = plan_to_read(acting_user(), request.args.get("department", ""))
    round_ = rounds.get_round(year)
    name = gettext("plan_%(department)s_%(year)s.xlsx", department=department.name, year=year)
    return xlsx_response(department_plan_xlsx(round_, department), name)


@bp.post("/<round:year>/plan/sign")
@login_required
@domain_view
def plan_sign(year: str):
    """The department leader signs the plan as it stands."""
    user = acting_user()
    require_plan_signer(user)
    unconfirmed = _unconfirmed()
    if unconfirmed:
        return _page(year, 422, unconfirmed)
    try:
        sign_department_plan(rounds.get_round(year), user.department, user)
    except Refused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _page(year, 409)
    flash(gettext("Signed and submitted."), "success")
    return redirect(url_for("results.index", year=year), 303)


RESULTS_STEPS = steps.steps_of(steps.Page.RESULTS)


def _results_task(task_id: int):
    task = tasks.get_task(task_id)
    if task.spec_name not in RESULTS_STEPS:
        raise NotFound(gettext("The page or record does not exist."))
    require_task(acting_user(), task)
    return task


def _task_page(
    task, status: int = 200, problems: list[str] | None = None, errors: dict[str, str] | None = None
):
    round_ = db.session.get(Round, task.instance.round_id)
    township = db.session.get(Township, task.instance.township_id)
    return render_template(
        "results/task.html",
        task=task,
        round=round_,
        township=township,
        problems=problems or [],
        errors=errors or {},
    ), status


@bp.get("/results/tasks/<int:task_id>")
@login_required
@domain_view
def task_page(task_id: int):
    """The township's results step: the generated tables to check, and the sign button."""
    return _task_page(_results_task(task_id))


@bp.post("/results/tasks/<int:task_id>")
@login_required
@domain_view
def task_submit(task_id: int):
    """Review (clerk) or sign and submit (leader) the township's results tables."""
    task = _results_task(task_id)
    step = (
        results_flow.review_results
        if task.spec_name == steps.RESULTS_REVIEW
        else (results_flow.sign_results)
    )
    unconfirmed = _unconfirmed()
    if unconfirmed:
        return _task_page(task, 422, errors=unconfirmed)
    try:
        step(task, acting_user())
    except Refused as exc:
        db.session.rollback()
        return _task_page(tasks.get_task(task_id), 409, [exc.message])
    flash(gettext("Signed and submitted."), "success")
    return redirect(url_for("inbox.inbox"), 303)
