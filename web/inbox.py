"""The task inbox: what the logged-in user and her group have to do, soonest deadline first;
filters (shareable, savable), claiming and releasing, the export and the navigation's counts."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from web import inbox_supervision
from web.downloads import xlsx_response
from web.formatting import day, due_state
from web.handling import acting_user, domain_view
from web.redirects import local_target
from workflow.cases import lists as case_lists
from workflow.county.setup import county_name
from workflow.forms.task_list import TaskRow, write_task_list
from workflow.inbox import assignment, steps, tasks
from workflow.inbox import filters as inbox_filters
from workflow.models import HelpCase, HumanTask, ProcessInstance, Round, TaskState, User
from workflow.people.access import (
    acting_for,
    group_branches,
    in_task_group,
    require_case,
    require_task,
    working_for,
)
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import Refused, ValidationFailed
from workflow.platform.i18n import gettext

bp = Blueprint("inbox", __name__)
inbox_supervision.register(bp)


@bp.get("/")
def home() -> Response:
    """The front page is the inbox."""
    return redirect(url_for("inbox.inbox"))


def _filtered() -> tuple[inbox_filters.InboxFilter, dict[str, str]]:
    """The request's filter, or the empty one and every problem of a bad one."""
    try:
        return inbox_filters.parse_filter(request.args), {}
    except ValidationFailed as exc:
        return inbox_filters.InboxFilter(), exc.by_field()


def _page(
    user: User, chosen: inbox_filters.InboxFilter, problems: dict[str, str], status: int = 200
) -> tuple[str, int]:
    rows = [] if problems else tasks.inbox(user, narrowed_by=chosen.condition(), with_group=True)
    away = acting_for(user)
    page = render_template(
        "inbox/inbox.html",
        tasks=rows,
        user=user,
        chosen=chosen,
        raw=request.args,
        problems=problems,
        units=inbox_filters.units_for(user),
        kinds=inbox_filters.kinds_of(
            *(sa.and_(HumanTask.state == TaskState.READY, b) for b in group_branches(user))
        ),
        holders=inbox_filters.holders(rows),
        principals={t.id: working_for(user, t, away) for t in rows},
        saved=inbox_filters.saved_filters(user),
        supervisor=assignment.is_supervisor(user),
        shared=case_lists.shared_cases(user),
    )
    return page, 422 if problems else status


@bp.get("/inbox")
@login_required
def inbox() -> tuple[str, int]:
    """The user's and her group's READY tasks, narrowed by the filter in the query string."""
    chosen, problems = _filtered()
    return _page(acting_user(), chosen, problems)


@bp.get("/inbox.xlsx")
@login_required
def export() -> Any:
    """The filtered inbox as a workbook, in the county's list layout."""
    user = acting_user()
    chosen, problems = _filtered()
    if problems:
        flash("; ".join(problems.values()), "error")
        return redirect(url_for("inbox.inbox"))
    rows = tasks.inbox(user, limit=5000, narrowed_by=chosen.condition(), with_group=True)
    units = inbox_filters.units_for(user)
    held = inbox_filters.holders(rows)
    lines = [
        TaskRow(
            task=t.title,
            subject=t.instance.subject,
            **units.names(t),
            deadline=day(t.due_at),
            standing=due_state(t.due_at)["text"],
            holder=held[t.assignee_id].display_name if t.assignee_id in held else "",
        )
        for t in rows
    ]
    title = gettext("Task list of %(name)s", name=user.display_name)
    data = write_task_list(lines, title=title, when=clock.today(), unit=county_name())
    name = gettext("tasks_%(user)s_%(day)s.xlsx", user=user.username, day=clock.today())
    return xlsx_response(data, name)


def _back_target(**_view_args: object) -> str:
    """The inbox as it was filtered (a relative inbox URL only, never elsewhere)."""
    return local_target(request.form.get("next", ""), prefix="/inbox") or url_for("inbox.inbox")


def _back() -> Response:
    """Back to the inbox as it was filtered."""
    return redirect(_back_target(), 303)


@bp.post("/tasks/<int:task_id>/claim")
@login_required
@domain_view(back=_back_target)
def claim(task_id: int) -> Response:
    """Take a group task for oneself."""
    assignment.claim_task(tasks.get_task(task_id), acting_user())
    flash(gettext("The task is yours now; colleagues see that you hold it."), "success")
    return _back()


@bp.post("/tasks/<int:task_id>/release")
@login_required
@domain_view(back=_back_target)
def release(task_id: int) -> Response:
    """Give a task back to the group."""
    assignment.release_task(tasks.get_task(task_id), acting_user())
    flash(gettext("The task is back with the group."), "success")
    return _back()


@bp.post("/inbox/filters")
@login_required
@domain_view
def save_filter() -> Response | tuple[str, int]:
    """Keep the current filter under a name."""
    user = acting_user()
    try:
        chosen = inbox_filters.parse_filter(request.form)
        inbox_filters.save_filter(user, request.form.get("name", ""), chosen)
    except ValidationFailed as exc:
        return _page(user, inbox_filters.InboxFilter(), exc.by_field(), 422)
    except Refused as exc:
        return _page(user, inbox_filters.InboxFilter(), {"name": exc.message}, 422)
    flash(gettext("Filter saved."), "success")
    return redirect(url_for("inbox.inbox", **chosen.query()), 303)


@bp.post("/inbox/filters/<int:filter_id>/delete")
@login_required
@domain_view
def delete_filter(filter_id: int) -> Response:
    """Forget a saved filter."""
    inbox_filters.delete_filter(acting_user(), filter_id)
    flash(gettext("Filter deleted."), "success")
    return redirect(url_for("inbox.inbox"), 303)


@bp.app_context_processor
def inbox_counts() -> dict[str, int]:
    """The navigation's badges: ready tasks in the user's inbox, and how many are overdue."""
    if not current_user.is_authenticated:
        return {"inbox_ready": 0, "inbox_overdue": 0}
    ready, overdue = tasks.inbox_counts(acting_user())
    return {"inbox_ready": ready, "inbox_overdue": overdue}


@bp.get("/tasks/<int:task_id>")
@login_required
@domain_view
def open_task(task_id: int) -> Response:
    """Go to the page where a task is worked; a task already done or withdrawn leads to what
    it was about (the case, the round), when the user may see that, with a word why."""
    user = acting_user()
    task = tasks.get_task(task_id)
    if task.state != TaskState.READY:
        return _closed_task(user, task)
    require_task(user, task)
    page = steps.page_of(task)
    if page == steps.Page.SURVEY:
        return redirect(url_for("survey.task_page", task_id=task.id))
    if page == steps.Page.RESULTS:
        return redirect(url_for("results.task_page", task_id=task.id))
    if page == steps.Page.CERTIFY:
        return redirect(url_for("certification.task_page", task_id=task.id))
    if page == steps.Page.TRIAGE:
        return redirect(url_for("rounds.triage", year=_round_year(task)))
    if page == steps.Page.ACCEPTANCE:
        return redirect(url_for("oversight.acceptance_page", year=_round_year(task)))
    case_id = db.session.scalar(
        sa.select(HelpCase.id).where(HelpCase.instance_id == task.instance_id)
    )
    if case_id is not None:
        return redirect(url_for("cases.show", case_id=case_id))
    return redirect(url_for("inbox.inbox"))


def _round_year(task: HumanTask) -> str | None:
    """The name of the round behind a task (2018-mid), for the round's addresses."""
    round_ = db.session.scalar(
        sa.select(Round)
        .join(ProcessInstance, ProcessInstance.round_id == Round.id)
        .where(ProcessInstance.id == task.instance_id)
    )
    return round_.name if round_ else None


def _closed_task(user: User, task: HumanTask) -> Response:
    """Someone else (or she herself, a moment ago) finished the task: show her the case or the
    round behind it instead of refusing. Refused still when she may not see what it was about."""
    case = db.session.scalar(sa.select(HelpCase).where(HelpCase.instance_id == task.instance_id))
    if case is not None:
        require_case(user, case)
        target = url_for("cases.show", case_id=case.id)
    else:
        if not (in_task_group(user, task) or task.assignee_id == user.id):
            require_task(user, task)  # refuses: it was never hers to see
        year = _round_year(task)
        target = url_for("rounds.show", year=year) if year else url_for("inbox.inbox")
    if task.state == TaskState.CANCELLED:
        flash(gettext("The task was withdrawn; there is nothing left to do on it."), "info")
    elif task.completed_by_id == user.id:
        flash(gettext("You have already completed this task."), "info")
    else:
        flash(gettext("The task has already been completed by someone else."), "info")
    return redirect(target)
