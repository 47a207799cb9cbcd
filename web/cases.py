"""Help-back case pages: see a case, and work its current step."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

import sqlalchemy as sa
from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required

from web.handling import acting_user, domain_view
from web.identifiers import count_arg, id_list
from workflow.cases import acceptance, evidence, reassignment
from workflow.cases import lifecycle as cases
from workflow.cases import lists as case_lists
from workflow.cases.history import case_history
from workflow.county.households import members_of
from workflow.engine.positions import diagram_positions, diagram_xml, instance_diagram_xml
from workflow.inbox import steps, tasks
from workflow.models import CaseStatus, Department, HelpCase, ProcessInstance
from workflow.people.access import can_work_task, works_on_case
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import Refused, ValidationFailed
from workflow.platform.i18n import gettext

bp = Blueprint("cases", __name__, url_prefix="/cases")
PAGE_SIZE = 200
MAX_PAGE = 1_000_000  # far past any county's cases; keeps the offset a plain integer


@bp.get("")
@login_required
def index() -> str:
    """The cases the user may see, overdue first."""
    ids = id_list(request.args.get("ids", "").split(","))
    view = request.args.get("show", "open")
    view = view if view in case_lists.CASE_VIEWS else "open"
    page = count_arg(request.args.get("page"), 1, MAX_PAGE)
    named = request.args.get("q", "")[:60]
    user = acting_user()
    total = case_lists.count_cases(user, view, ids, named)
    rows = case_lists.list_cases(
        user, view, ids, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, named=named
    )
    return render_template(
        "cases/index.html",
        cases=rows,
        view="" if ids else view,
        named=named,
        total=total,
        page=page,
        first=(page - 1) * PAGE_SIZE + 1,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


def _page(case: HelpCase, errors: dict[str, str] | None = None, status: int = 200):
    user = acting_user()
    step = steps.STEP_OF_CASE_STATUS.get(case.status)
    task = tasks.ready_task_of(case.instance_id, step) if step else None
    story = acceptance.case_story(case)
    can_reassign = reassignment.may_reassign_case(user, case)
    can_work = task is not None and can_work_task(user, task)
    departments = db.session.scalars(sa.select(Department).order_by(Department.code)).all()
    return render_template(
        "cases/show.html",
        case=case,
        task=task,
        history=case_history(case, story),
        errors=errors or {},
        can_work=can_work,
        can_share=not can_work
        and case.status == CaseStatus.IN_PROGRESS
        and works_on_case(user, case),
        form=request.form,
        story=story,
        evidence=evidence.evidence_of(case),
        can_add_evidence=evidence.can_add_evidence(user, case),
        can_reassign=can_reassign,
        departments=departments if can_reassign else [],
        steps=steps,
        members=members_of(case.household_id, clock.today()),
    ), status


@bp.get("/<int:case_id>")
@login_required
@domain_view
def show(case_id: int):
    """A case with its history and, for whoever works it now, the current step's form."""
    return _page(cases.get_case(case_id, acting_user()))


@bp.get("/<int:case_id>/diagram")
@login_required
@domain_view
def diagram(case_id: int) -> Response:
    """The case's process diagram, with the steps waiting now and those done (JSON)."""
    case = cases.get_case(case_id, acting_user())
    instance = db.session.get(ProcessInstance, case.instance_id) if case.instance_id else None
    if instance is None:
        return jsonify(xml=diagram_xml(cases.PROCESS_ID), current=[], done=[])
    positions = diagram_positions(instance)
    # The drawing of the version the case runs on: its steps are the ones positions name.
    return jsonify(
        xml=instance_diagram_xml(instance), current=positions.current, done=positions.done
    )


def _parse_day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


def _case_page(case_id: int, **_view_args: object) -> str:
    return url_for("cases.show", case_id=case_id)


@bp.post("/<int:case_id>/<action>")
@login_required
@domain_view(back=_case_page)
def act(case_id: int, action: str):
    """Work the case's current step (plan, progress, submit, verify, accept)."""
    user = acting_user()
    case = cases.get_case(case_id, user)
    form = request.form
    try:
        if action == "plan":
            cases.plan_case(
                case,
                user,
                measure=form.get("measure", ""),
                target_standard=form.get("target_standard", ""),
                responsible_person=form.get("responsible_person", ""),
                planned_completion=_parse_day(form.get("planned_completion", "")),
            )
        elif action == "progress":
            cases.add_progress(case, user, form.get("text", ""), form.get("funds", "0"))
        elif action == "submit":
            cases.submit_work(case, user, form.get("summary", ""))
        elif action == "reassign":
            department = db.session.scalar(
                sa.select(Department).where(Department.code == form.get("department", ""))
            )
            if department is None:
                raise ValidationFailed({"department": gettext("Choose a department.")})
            reassignment.reassign_case(case, department, form.get("reason", ""), user)
        elif action in ("verify", "accept"):
            ok = form.get("decision") == "ok"
            operation = cases.verify_case if action == "verify" else cases.accept_case
            operation(case, user, ok, form.get("reason", ""))
        else:
            return _page(case, {"_": gettext("Unknown action.")}, 400)
    except ValidationFailed as exc:
        db.session.rollback()  # the page below reads the case as it was
        return _page(cases.get_case(case_id, user), exc.by_field(), 422)
    flash(gettext("Saved."), "success")
    return redirect(url_for("cases.show", case_id=case_id)), 303


@bp.post("/<int:case_id>/evidence")
@login_required
@domain_view(back=_case_page)
def add_evidence(case_id: int):
    """Attach a photo or scan to the case (stored with its hash)."""
    user = acting_user()
    case = cases.get_case(case_id, user)
    evidence.require_can_add(user, case)  # who may attach comes before what was sent
    file = request.files.get("file")
    try:
        if file is None or not file.filename:
            raise ValidationFailed({"file": gettext("Choose a photo or scan first.")})
        evidence.add_evidence(
            case, user, file.filename, file.read(), request.form.get("description", "")
        )
    except ValidationFailed as exc:
        db.session.rollback()  # the page below reads the case as it was
        return _page(cases.get_case(case_id, user), exc.by_field(), 422)
    flash(gettext("Saved."), "success")
    return redirect(url_for("cases.show", case_id=case_id), 303)


@bp.get("/<int:case_id>/evidence/<int:evidence_id>")
@login_required
@domain_view
def evidence_file(case_id: int, evidence_id: int) -> Response:
    """An evidence file, to anyone who may see the case."""
    try:
        item, data = evidence.evidence_file(
            cases.get_case(case_id, acting_user()), evidence_id, acting_user()
        )
    except Refused as exc:  # the stored file was changed: say so, serve nothing
        title = gettext("Evidence file damaged")
        return render_template("error.html", title=title, message=exc.message), 409
    return Response(
        data,
        mimetype=item.content_type,
        headers={
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(item.file_name)}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; img-src 'self'",
        },
    )
