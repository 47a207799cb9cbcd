"""The operations pages (administrator and county office): incidents with retry, mail that
gave up with resend, the self-check of the tick and its timers, and one instance's diagram and
data."""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required

from notifications import outbox
from web.handling import acting_user, domain_view
from workflow.cases import rewind
from workflow.engine.positions import diagram_positions, instance_diagram_xml, instance_look
from workflow.models import ProcessInstance, Role
from workflow.operations import health, incidents, versions
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import NotFound, ValidationFailed
from workflow.platform.i18n import gettext

bp = Blueprint("operations", __name__, url_prefix="/operations")
bp.add_app_template_global(versions.process_name, "process_name")


def _operations_page(**_view_args: object) -> str:
    return url_for("operations.index")


@bp.get("")
@login_required
@domain_view
def index() -> str:
    """Incidents, mail that gave up, and the self-check."""
    user = acting_user()
    open_incidents = incidents.open_incidents(user)
    now = clock.now()
    return render_template(
        "operations/index.html",
        incidents=open_incidents,
        failed_mail=outbox.gave_up(user),
        tick=health.last_tick(),
        tick_stale=health.tick_is_stale(now),
        late=health.late_timers(now),
        waiting=outbox.waiting(),
        max_tries=incidents.MAX_TICK_TRIES,
    )


@bp.post("/incidents/<int:incident_id>/retry")
@login_required
@domain_view(back=_operations_page)
def retry(incident_id: int):
    """Try a failed instance again (after its cause was fixed)."""
    result = incidents.retry_incident(incident_id, acting_user())
    if result.ok:
        flash(gettext("The retry went through; the incident is resolved."), "success")
    else:
        flash(gettext("The retry failed again: %(error)s", error=result.error), "error")
    return redirect(url_for("operations.index"), 303)


@bp.post("/mail/<int:message_id>/resend")
@login_required
@domain_view(back=_operations_page)
def resend(message_id: int):
    """Send a message that gave up once more."""
    message = outbox.resend(message_id, acting_user())
    flash(gettext("The message to %(to)s is queued again.", to=message.to_address), "success")
    return redirect(url_for("operations.index"), 303)


def _look(instance: ProcessInstance) -> tuple[dict[str, Any], list[Any], str]:
    """The instance's data and tasks, or why they cannot be read (a broken instance)."""
    try:
        data, tasks = instance_look(instance)
    except Exception as exc:  # the page still shows the incident and the diagram
        return {}, [], incidents.describe(exc)
    return data, tasks, ""


def _instance_page(instance_id: int, errors: dict[str, str] | None = None, status: int = 200):
    user = acting_user()
    row = incidents.instance_for_operator(instance_id, user)
    data, tasks, problem = _look(row)
    case = rewind.case_of_instance(row.id)
    steps_back = rewind.steps_back(case) if case and user.role == Role.COUNTY_OFFICE else []
    return render_template(
        "operations/instance.html",
        instance=row,
        incident=incidents.incident_of(row.id),
        data_json=json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True),
        tasks=tasks,
        problem=problem,
        to_json=lambda value: json.dumps(value, ensure_ascii=False, sort_keys=True),
        case=case,
        steps_back=steps_back,
        errors=errors or {},
        form=request.form,
    ), status


@bp.get("/instances/<int:instance_id>")
@login_required
@domain_view
def instance(instance_id: int):
    """One instance: its incident, diagram, data and current tasks."""
    return _instance_page(instance_id)


def _instance_address(instance_id: int, **_view_args: object) -> str:
    return url_for("operations.instance", instance_id=instance_id)


@bp.post("/instances/<int:instance_id>/move-back")
@login_required
@domain_view(back=_instance_address)
def move_back(instance_id: int):
    """The county office moves the instance's case back to a step it has done, with a reason."""
    user = acting_user()
    row = incidents.instance_for_operator(instance_id, user)
    case = rewind.case_of_instance(row.id)
    if case is None:
        raise NotFound(gettext("The page or record does not exist."))
    try:
        rewind.move_case_back(
            case, request.form.get("step", ""), request.form.get("reason", ""), user
        )
    except ValidationFailed as exc:
        db.session.rollback()  # the page below reads the instance as it was
        return _instance_page(instance_id, exc.by_field(), 422)
    flash(gettext("The case is back at the step chosen."), "success")
    return redirect(url_for("operations.instance", instance_id=instance_id), 303)


@bp.get("/instances/<int:instance_id>/diagram")
@login_required
@domain_view
def instance_diagram(instance_id: int) -> Response:
    """The diagram of the instance's version, with where it stands (JSON, as the case page's)."""
    row = incidents.instance_for_operator(instance_id, acting_user())
    xml = instance_diagram_xml(row)
    try:
        positions = diagram_positions(row)
    except Exception:  # a broken instance: the drawing without positions
        return jsonify(xml=xml, current=[], done=[])
    return jsonify(xml=xml, current=positions.current, done=positions.done)
