"""Year-end acceptance (county office) and the accountability report (leading group)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import login_required

from web.downloads import xlsx_response
from web.handling import acting_user, domain_view, from_replica
from web.identifiers import id_arg, id_list
from workflow.cases import acceptance
from workflow.cases.accountability_items import kind_label
from workflow.inbox import confirmation, steps, tasks
from workflow.models import AccountabilityItem, CaseStatus, CatalogueRecord, HelpCase, Role
from workflow.oversight import accountability
from workflow.people.access import COUNTY_WIDE_READERS, require_role
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import (
    WHOLE,
    AccessDenied,
    NotFound,
    Refused,
    ValidationFailed,
)
from workflow.platform.i18n import gettext
from workflow.programme import rounds
from workflow.programme.catalogue import standard_of

bp = Blueprint("oversight", __name__, url_prefix="/rounds")
CONFIRMED_ACTIONS = ("accept", "finish")  # the county's acceptance: signed off, so ticked first
LINKED_CASES = 200  # a report figure links to at most this many of its cases (the URL stays short)


def _acceptance_page(
    year: str,
    sample: list[HelpCase] | None = None,
    status: int = 200,
    errors: dict[str, str] | None = None,
):
    round_ = rounds.get_round(year)
    counts = dict(
        db.session.execute(
            sa.select(HelpCase.status, sa.func.count())
            .where(HelpCase.round_id == round_.id)
            .group_by(HelpCase.status)
        ).all()
    )
    waiting = db.session.scalars(
        sa.select(HelpCase)
        .where(HelpCase.round_id == round_.id, HelpCase.status == CaseStatus.ACCEPTING)
        .order_by(HelpCase.id)
    ).all()
    task = (
        tasks.ready_task_of(round_.instance_id, steps.ANNUAL_ACCEPTANCE)
        if round_.instance_id
        else None
    )
    standard = standard_of(db.session.get(CatalogueRecord, round_.catalogue_id))
    return render_template(
        "oversight/acceptance.html",
        round=round_,
        waiting=waiting,
        counts={k.value: v for k, v in counts.items()},
        sample=sample or [],
        acceptance_open=task is not None,
        indicators=standard.indicators,
        errors=errors or {},
        form=request.form,
    ), status


@bp.get("/<round:year>/acceptance")
@login_required
@domain_view
def acceptance_page(year: str):
    """What the county office has to accept, re-check and close at year end."""
    require_role(acting_user(), Role.COUNTY_OFFICE)
    return _acceptance_page(year)


@bp.post("/<round:year>/acceptance/<action>")
@login_required
@domain_view
def acceptance_action(year: str, action: str):
    """Bulk-accept, draw a re-check sample, reopen a case, or finish the acceptance."""
    user = acting_user()
    require_role(user, Role.COUNTY_OFFICE)
    round_ = rounds.get_round(year)
    form = request.form
    sample: list[HelpCase] = []
    if action in CONFIRMED_ACTIONS:
        try:
            confirmation.require_confirmed(form.get(confirmation.CONFIRM_FIELD))
        except ValidationFailed as exc:
            return _acceptance_page(year, status=422, errors={f"confirm_{action}": exc.message})
    try:
        if action == "accept":
            ids = id_list(form.getlist("case")) or None
            flash(
                gettext("%(n)s cases accepted.", n=acceptance.bulk_accept(round_, user, ids)),
                "success",
            )
        elif action == "sample":
            size = id_arg(form.get("size")) or 0
            sample = acceptance.recheck_sample(round_, user, size)
            return _acceptance_page(year, sample)
        elif action == "missed":
            acceptance.missed_gap_from_form(
                round_,
                user,
                form.get("subject", ""),
                form.get("indicator", ""),
                form.get("evidence", ""),
            )
            flash(gettext("Recorded as found by the acceptance; it waits for triage."), "success")
        elif action == "reopen":
            case = db.session.get(HelpCase, id_arg(form.get("case")) or 0)
            if case is None or case.round_id != round_.id:
                raise NotFound(gettext("The page or record does not exist."))
            sample = [case]  # shown again with its message if the reason is missing
            acceptance.reopen_case(case, user, form.get("reason", ""))
            flash(gettext("The case went back to its department."), "success")
        elif action == "finish":
            acceptance.finish_acceptance(round_, user)
            flash(gettext("Acceptance finished; unfinished cases were carried over."), "success")
        else:
            raise NotFound(gettext("The page or record does not exist."))
    except ValidationFailed as exc:
        db.session.rollback()  # the page below reads the round as it was
        errors = exc.by_field()
        if WHOLE in errors:
            flash(errors.pop(WHOLE), "error")
        sample = [db.session.get(HelpCase, c.id) for c in sample]
        return _acceptance_page(year, sample, status=422, errors=errors)
    except Refused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _acceptance_page(year, status=422)
    return redirect(url_for("oversight.acceptance_page", year=year), 303)


def _require_reader() -> None:
    if acting_user().role not in COUNTY_WIDE_READERS:
        raise AccessDenied(
            gettext("Only the county office and the leading group read this report.")
        )


@bp.get("/<round:year>/accountability")
@login_required
@domain_view
@from_replica
def accountability_page(year: str) -> str:
    """The leading group's report: every figure links to the cases behind it."""
    _require_reader()
    report = accountability.build_report(rounds.get_round(year), _as_of())
    return render_template(
        "oversight/accountability.html",
        report=report,
        year=year,
        metrics=accountability.METRICS,
        link_cap=LINKED_CASES,
        can_decide=acting_user().role == Role.LEADING_GROUP,
        as_of=request.args.get("as_of", ""),
        kind_label=kind_label,
    )


@bp.get("/<round:year>/accountability.xlsx")
@login_required
@domain_view
@from_replica
def accountability_download(year: str) -> Response:
    """The same report as the county's xlsx."""
    _require_reader()
    report = accountability.build_report(rounds.get_round(year), _as_of())
    data = accountability.report_workbook(report)
    name = gettext("accountability_%(year)s.xlsx", year=year)
    return xlsx_response(data, name)


def _as_of() -> datetime | None:
    """?as_of=YYYY-MM-DD: overdue measured to the end of that day (default: the clock's now)."""
    text = request.args.get("as_of", "").strip()
    try:
        return clock.end_of_day(date.fromisoformat(text)) if text else None
    except ValueError:
        raise ValidationFailed(
            {"as_of": gettext("Not a date (write YYYY-MM-DD): %(text)s", text=text)}
        ) from None


def _accountability_address(year: str, **_view_args: object) -> str:
    return url_for("oversight.accountability_page", year=year)


@bp.post("/<round:year>/accountability/<int:item_id>")
@login_required
@domain_view(back=_accountability_address)
def decide(year: str, item_id: int):
    """The leading group records its decision on one item (a refusal comes back flashed)."""
    item = db.session.get(AccountabilityItem, item_id)
    if item is None:
        raise NotFound(gettext("The page or record does not exist."))
    accountability.decide_item(
        item, acting_user(), request.form.get("decision", ""), request.form.get("reason", "")
    )
    flash(gettext("Decision recorded."), "success")
    return redirect(url_for("oversight.accountability_page", year=year), 303)


@bp.post("/<round:year>/accountability/decide")
@login_required
@domain_view(back=_accountability_address)
def decide_many(year: str):
    """The leading group decides the ticked items at once (each audited on its own)."""
    ids = [int(i) for i in request.form.getlist("items") if i.isdigit()]
    accountability.decide_items(
        ids, acting_user(), request.form.get("decision", ""), request.form.get("reason", "")
    )
    flash(gettext("Decision recorded."), "success")
    return redirect(url_for("oversight.accountability_page", year=year), 303)
