"""The supervisor's side of the inbox: reassigning tasks, and substitutes for people away."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from web.handling import acting_user, domain_view
from web.identifiers import id_arg
from workflow.inbox import assignment, tasks
from workflow.inbox import filters as inbox_filters
from workflow.models import HumanTask, User
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, NotFound, Refused, ValidationFailed
from workflow.platform.i18n import gettext


def _person(username: str) -> User | None:
    """A user named in a form by her username (stable, and readable in a shared link)."""
    if not username.strip():
        return None
    return db.session.scalar(sa.select(User).where(User.username == username.strip()))


def _chosen_tasks(actor: User, ids: list[str]) -> list[HumanTask]:
    """The tasks named in the request, each one the actor may reassign."""
    chosen = []
    for raw in dict.fromkeys(ids):
        task_id = id_arg(raw)
        if task_id is None:
            raise NotFound(gettext("The task does not exist."))
        task = tasks.get_task(task_id)
        if not assignment.can_reassign_task(actor, task):
            raise AccessDenied(gettext("You may not reassign task %(id)s.", id=task.id))
        chosen.append(task)
    return chosen


def _common_people(chosen: list[HumanTask]) -> list[User]:
    """The people every chosen task may be given to."""
    if not chosen:
        return []
    common = assignment.colleagues_for_task(chosen[0])
    for task in chosen[1:]:
        allowed = set(assignment.colleagues_for_task(task))
        common = [u for u in common if u in allowed]
    return common


def reassign() -> Response | tuple[str, int]:
    """GET: choose tasks (or see the chosen ones) and a person; POST: give them to her."""
    actor = acting_user()
    assignment.require_supervisor(actor)
    chosen = _chosen_tasks(actor, request.form.getlist("task") or request.args.getlist("task"))
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        person = _person(request.form.get("assignee", ""))
        try:
            if person is None:
                raise ValidationFailed(
                    {"assignee": gettext("Choose the person to give the tasks to.")}
                )
            assignment.reassign_tasks(chosen, person, request.form.get("reason", ""), actor)
        except ValidationFailed as exc:
            errors, status = exc.by_field(), 422
        else:
            flash(
                gettext(
                    "%(num)s tasks given to %(name)s.", num=len(chosen), name=person.display_name
                ),
                "success",
            )
            return redirect(url_for("inbox.reassign"), 303)
    picking, problems = [], {}
    if not chosen:
        try:
            narrowing = inbox_filters.parse_filter(request.args)
        except ValidationFailed as exc:
            narrowing, problems, status = inbox_filters.InboxFilter(), exc.by_field(), 422
        picking = list(
            db.session.scalars(
                sa.select(HumanTask)
                .where(assignment.reassignable_filter(actor), narrowing.condition())
                .order_by(HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.id)
                .limit(300)
            )
        )
    shown = chosen or picking
    return render_template(
        "inbox/reassign.html",
        chosen=chosen,
        picking=picking,
        people=_common_people(chosen),
        units=inbox_filters.units_for(actor),
        holders=inbox_filters.holders(shown),
        errors={**problems, **errors},
        form=request.form,
    ), status


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip()) if raw.strip() else None
    except ValueError:
        return None


def substitutes() -> Response | tuple[str, int]:
    """GET: the current substitutions and the form for one person; POST: name a substitute."""
    actor = acting_user()
    people = assignment.supervised_people(actor)
    source = request.form if request.method == "POST" else request.args
    wanted = source.get("user", "")
    absent = next((p for p in people if p.username == wanted), actor)
    if wanted and absent.username != wanted:
        raise AccessDenied(
            gettext("You may name a substitute only for yourself or for people you lead.")
        )
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        substitute = _person(request.form.get("substitute", ""))
        try:
            if substitute is None:
                raise ValidationFailed({"substitute": gettext("Choose who stands in.")})
            assignment.set_substitute(
                absent,
                substitute,
                _day(request.form.get("starts_on", "")),
                _day(request.form.get("ends_on", "")),
                request.form.get("reason", ""),
                actor,
            )
        except ValidationFailed as exc:
            errors, status = exc.by_field(), 422
        except Refused as exc:
            errors, status = {"_": exc.message}, 409
        else:
            flash(
                gettext(
                    "%(name)s stands in for %(absent)s.",
                    name=substitute.display_name,
                    absent=absent.display_name,
                ),
                "success",
            )
            return redirect(url_for("inbox.substitutes"), 303)
    return render_template(
        "inbox/substitutes.html",
        people=people,
        absent=absent,
        candidates=assignment.substitute_candidates(absent),
        current=assignment.visible_substitutions(actor),
        errors=errors,
        form=request.form,
    ), status


def substitute_end(substitution_id: int) -> Response:
    """End a substitution early."""
    assignment.end_substitute(substitution_id, acting_user())
    flash(gettext("The substitution has ended."), "success")
    return redirect(url_for("inbox.substitutes"), 303)


def _substitutes_page(**_view_args: object) -> str:
    return url_for("inbox.substitutes")


def register(bp: Blueprint) -> None:
    """Add the supervisor's pages to the inbox blueprint."""
    guarded = lambda view, back=None: login_required(domain_view(back=back)(view))  # noqa: E731
    bp.add_url_rule("/inbox/reassign", "reassign", guarded(reassign), methods=["GET", "POST"])
    bp.add_url_rule(
        "/inbox/substitutes", "substitutes", guarded(substitutes), methods=["GET", "POST"]
    )
    bp.add_url_rule(
        "/inbox/substitutes/<int:substitution_id>/end",
        "substitute_end",
        guarded(substitute_end, _substitutes_page),
        methods=["POST"],
    )
