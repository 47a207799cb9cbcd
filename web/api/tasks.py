"""The inbox over the API, and completing a case step with the operations the case page uses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from flask import Response, jsonify, request, url_for

from web.api import api_user, bp, commit, problem, serialize
from web.api.cases import case_json
from web.identifiers import id_arg
from workflow.cases import lifecycle as cases
from workflow.inbox import steps, tasks
from workflow.models import HelpCase, HumanTask, TaskState, User
from workflow.people.access import require_task
from workflow.platform.db import db
from workflow.platform.errors import ConflictError, ValidationFailed
from workflow.platform.i18n import gettext

# The inbox is read whole (up to this many) and paged here, in the inbox page's own order.
INBOX_SCAN = 5000
NO_DUE = datetime.max.replace(tzinfo=UTC)


def _key(task: HumanTask) -> tuple[bool, datetime, int]:
    return (task.due_at is None, task.due_at or NO_DUE, task.id)


def _after_key(raw: str | None) -> tuple[bool, datetime, int] | None:
    if not raw:
        return None
    task = db.session.get(HumanTask, id_arg(raw) or 0)
    if task is None:
        raise ValidationFailed({"after": gettext("Give the id of the last task of a page.")})
    return _key(task)


def _case_ids(rows: list[HumanTask]) -> dict[int, int]:
    """The case behind each task's instance (survey and results tasks have none)."""
    instance_ids = {t.instance_id for t in rows}
    if not instance_ids:
        return {}
    return dict(
        db.session.execute(
            sa.select(HelpCase.instance_id, HelpCase.id).where(
                HelpCase.instance_id.in_(instance_ids)
            )
        ).all()
    )


@bp.get("/tasks")
def task_list() -> Response:
    """The caller's inbox: READY tasks she may work, soonest due first."""
    user = api_user()
    limit = serialize.limit_arg(request.args.get("limit"))
    after = _after_key(request.args.get("after"))
    rows = tasks.inbox(user, limit=INBOX_SCAN)
    page, following = serialize.page_after(rows, lambda t: t.id, _key, after, limit)
    case_of = _case_ids(page)
    return jsonify(
        {
            "items": [serialize.task(t, user, case_of.get(t.instance_id)) for t in page],
            "limit": limit,
            "next_after": following,
        }
    )


@bp.get("/tasks/<int:task_id>")
def task_show(task_id: int) -> Response:
    """One task of the caller's (403 for anyone else's)."""
    user = api_user()
    task = tasks.get_task(task_id)
    require_task(user, task)
    return jsonify(serialize.task(task, user, _case_ids([task]).get(task.instance_id)))


def _body(user: User, task: HumanTask) -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        require_task(user, task)  # who may work the step comes before what was sent
        raise ValidationFailed({"_": gettext("Send the step's fields as a JSON object.")})
    return body


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValidationFailed({name: gettext("Send this field as text.")})
    return str(value)


def _plan(case: HelpCase, user: User, task: HumanTask, body: dict[str, Any]) -> None:
    raw = _text(body, "planned_completion")
    try:
        planned = date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        planned, bad_date = None, True
    else:
        bad_date = False
    try:
        cases.plan_case(
            case,
            user,
            measure=_text(body, "measure"),
            target_standard=_text(body, "target_standard"),
            responsible_person=_text(body, "responsible_person"),
            planned_completion=planned,
        )
    except ValidationFailed as exc:
        if not bad_date:
            raise
        fields = exc.by_field()
        fields["planned_completion"] = gettext("Enter a date as YYYY-MM-DD.")
        raise ValidationFailed(fields) from exc


def _carry_out(case: HelpCase, user: User, task: HumanTask, body: dict[str, Any]) -> None:
    action = body.get("action")
    if action == "progress":
        cases.add_progress(case, user, _text(body, "text"), _text(body, "funds") or "0")
    elif action == "done":
        cases.submit_work(case, user, _text(body, "summary"))
    else:
        require_task(user, task)
        raise ValidationFailed({"action": gettext("Say progress or done.")})


def _decision(ok_word: str) -> Callable[[HelpCase, User, HumanTask, dict[str, Any]], None]:
    operation = cases.verify_case if ok_word == "verify" else cases.accept_case

    def decide(case: HelpCase, user: User, task: HumanTask, body: dict[str, Any]) -> None:
        decision = body.get("decision")
        if decision not in (ok_word, "send_back"):
            require_task(user, task)
            raise ValidationFailed({"decision": gettext("Say %(ok)s or send_back.", ok=ok_word)})
        operation(case, user, decision == ok_word, _text(body, "reason"))

    return decide


CASE_STEPS = {
    steps.PLAN_MEASURE: _plan,
    steps.CARRY_OUT: _carry_out,
    steps.VERIFY_ON_SITE: _decision("verify"),
    steps.COUNTY_ACCEPT: _decision("accept"),
}


@bp.post("/tasks/<int:task_id>/complete")
def task_complete(task_id: int) -> tuple[Response, int]:
    """Work a case's step with the step's fields; other tasks are worked on their web page."""
    user = api_user()
    task = tasks.get_task(task_id)
    case_id = _case_ids([task]).get(task.instance_id)
    step = CASE_STEPS.get(task.spec_name)
    if step is None or case_id is None:
        require_task(user, task)
        page = url_for("inbox.open_task", task_id=task.id)
        message = gettext("This task is worked on its web page: %(page)s", page=page)
        return problem(422, message, errors={"task": message}, page=page)
    case = cases.get_case(case_id, user)
    if task.state != TaskState.READY:
        raise ConflictError(gettext("The task is already done. Reload your inbox."))
    step(case, user, task, _body(user, task))
    commit()
    return jsonify(
        {"task": serialize.task(task, user, case.id), "case": case_json(case, user)}
    ), 200
