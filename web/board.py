"""The supervisors' overdue board: late cases in the user's scope, a reminder to their holders."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from notifications import rules
from web.handling import acting_user, domain_view, from_replica
from workflow.oversight import board
from workflow.platform.i18n import gettext

bp = Blueprint("board", __name__, url_prefix="/board")


def _tell_holders(case: Any, people: list[Any], actor: Any, **_: Any) -> None:
    rules.notify_case_reminder(case, people, actor)


@bp.record_once
def _connect_reminders(state: Any) -> None:
    board.case_reminded.connect(_tell_holders, weak=False)


def _reassign_url(task_ids: list[int]) -> str | None:
    """The inbox's reassign page for these tasks, when the app has one."""
    if "inbox.reassign" not in current_app.view_functions or not task_ids:
        return None
    return url_for("inbox.reassign", task=task_ids)


@bp.get("")
@login_required
@domain_view
@from_replica
def index() -> str:
    """Open cases past their deadline, latest first, grouped by department or by village."""
    year = request.args.get("year")
    result = board.overdue_board(acting_user(), request.args.get("group", "department"), year)
    return render_template(
        "board/index.html",
        board=result,
        bands=board.bands(),
        reassign_url=_reassign_url,
        can_reassign="inbox.reassign" in current_app.view_functions,
    )


def _board_address(**_view_args: object) -> str:
    """The board as it was grouped, for the year it showed."""
    group = request.form.get("group", "")
    group = group if group in board.GROUPINGS else None
    return url_for("board.index", group=group, year=request.form.get("year"))


@bp.post("/cases/<int:case_id>/remind")
@login_required
@domain_view(back=_board_address, refusal="warning")
def remind(case_id: int):
    """Remind whoever can work the case's current step (once per case per day)."""
    people = board.remind_owner(case_id, acting_user())
    flash(
        gettext(
            "Reminded %(names)s about case #%(case)s.",
            names=gettext(", ").join(p.display_name for p in people),
            case=case_id,
        ),
        "success",
    )
    return redirect(_board_address(), 303)
