"""The cases a user may see, and one case with its history and current task."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, jsonify, request
from sqlalchemy.orm import selectinload

from web.api import api_user, bp, serialize
from web.identifiers import id_arg
from workflow.cases import acceptance
from workflow.cases import lifecycle as cases
from workflow.cases import lists as case_lists
from workflow.inbox import tasks
from workflow.inbox.steps import STEP_OF_CASE_STATUS
from workflow.models import CaseCoUnit, CaseNote, CaseStatus, HelpCase, User
from workflow.platform.db import db
from workflow.platform.errors import ValidationFailed
from workflow.platform.i18n import gettext

# The whole visible list is read and filtered here, then paged; a county has a few thousand.
CASE_SCAN = 20000
TRUE_WORDS = ("1", "true", "yes")


def current_task(case: HelpCase, viewer: User) -> dict[str, Any] | None:
    """The READY task of the case's current step, if it has one."""
    step = STEP_OF_CASE_STATUS.get(case.status)
    task = tasks.ready_task_of(case.instance_id, step) if step else None
    return serialize.task(task, viewer, case.id) if task is not None else None


def _filters() -> tuple[set[str], str, str, bool]:
    args = request.args
    statuses = {s for s in args.get("status", "").split(",") if s}
    known = {s.value for s in CaseStatus}
    problems = {}
    if statuses - known:
        problems["status"] = gettext(
            "Unknown status; use one of: %(known)s.", known=", ".join(sorted(known))
        )
    overdue = args.get("overdue", "").lower()
    if overdue and overdue not in (*TRUE_WORDS, "0", "false", "no"):
        problems["overdue"] = gettext("Say true or false.")
    if problems:
        raise ValidationFailed(problems)
    return statuses, args.get("department", ""), args.get("township", ""), overdue in TRUE_WORDS


def _key(case: HelpCase) -> tuple[Any, int]:
    return (case.due_at, case.id)


def _after_key(raw: str | None) -> tuple[Any, int] | None:
    if not raw:
        return None
    case = db.session.get(HelpCase, id_arg(raw) or 0)
    if case is None:
        raise ValidationFailed({"after": gettext("Give the id of the last case of a page.")})
    return _key(case)


@bp.get("/cases")
def case_list() -> Response:
    """The cases the user may see (all states unless filtered), soonest deadline first."""
    user = api_user()
    statuses, department, township, overdue = _filters()
    limit = serialize.limit_arg(request.args.get("limit"))
    after = _after_key(request.args.get("after"))
    rows = case_lists.list_cases(user, "overdue" if overdue else "all", limit=CASE_SCAN)
    rows = [
        c
        for c in rows
        if (not statuses or c.status.value in statuses)
        and (not department or (c.department is not None and c.department.code == department))
        and (not township or c.township.code == township)
    ]
    page, following = serialize.page_after(rows, lambda c: c.id, _key, after, limit)
    _load_co_units(page)
    return jsonify(
        {
            "items": [serialize.case_summary(c) for c in page],
            "limit": limit,
            "next_after": following,
        }
    )


def _load_co_units(page: list[HelpCase]) -> None:
    """Each listed case's co-responsible departments, in one query for the page."""
    if page:
        db.session.scalars(
            sa.select(HelpCase)
            .where(HelpCase.id.in_([c.id for c in page]))
            .options(selectinload(HelpCase.co_units).joinedload(CaseCoUnit.department))
        ).all()


@bp.get("/cases/<int:case_id>")
def case_show(case_id: int) -> Response:
    """A case with its plan, history (notes, carried-over story) and current task."""
    user = api_user()
    case = cases.get_case(case_id, user)
    return jsonify(case_json(case, user))


def case_json(case: HelpCase, user: User) -> dict[str, Any]:
    """The full case as the API shows it."""
    notes = db.session.scalars(
        sa.select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.at, CaseNote.id)
    ).all()
    author_ids = {n.author_id for n in notes}
    authors = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(author_ids)))}
    return serialize.case_detail(
        case, notes, authors, acceptance.case_story(case), current_task(case, user)
    )
