"""Round pages: launch a year, follow its townships, the 补课清单, and the county's triage."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import login_required

from web.downloads import xlsx_response
from web.handling import acting_user, domain_view
from web.identifiers import id_arg, id_list
from workflow.county.setup import county_name
from workflow.forms.gap_list import write_gap_list
from workflow.inbox import confirmation
from workflow.models import (
    Department,
    Gap,
    Role,
    Round,
    SurveyEscalation,
    Township,
    TownshipSurvey,
)
from workflow.people.access import COUNTY_WIDE_READERS, require_role
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import Refused, ValidationFailed
from workflow.platform.i18n import gettext
from workflow.programme import planned_exits, rounds
from workflow.programme.calendar import programme_line
from workflow.programme.routing import CAUSES, TOWNSHIP
from workflow.survey import flow as survey_flow
from workflow.survey import gap_filing, gaps
from workflow.survey import problems as survey_problems
from workflow.survey.gap_units import needs_cause

bp = Blueprint("rounds", __name__, url_prefix="/rounds")


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@bp.get("")
@login_required
def index() -> str:
    """The programme's line of rounds, 2018 to 2020, with each round's numbers; the county
    office can launch the next one here."""
    can_launch = acting_user().role in (Role.COUNTY_OFFICE, Role.ADMIN)
    return render_template(
        "rounds/index.html",
        slots=programme_line(),
        numbers=rounds.calendar_numbers(),
        can_launch=can_launch,
        planned_exit_reader=acting_user().role in planned_exits.READERS,
        errors={},
        form=request.form,
    )


@bp.post("/launch")
@login_required
@domain_view
def launch():
    """Launch a year's round with its three deadlines."""
    form = request.form
    year = id_arg(form.get("year")) or 0
    errors = rounds.year_problems(year)
    kind = rounds.kind_of(form.get("kind"))
    if kind is None:
        errors["kind"] = gettext("Choose the round's kind: mid-year, year-end or final.")
    dates = {k: _day(form.get(k)) for k in ("survey_due", "results_due", "done_by")}
    for key, value in dates.items():
        if form.get(key) and value is None:
            errors[key] = gettext("Enter a date as YYYY-MM-DD.")
    if not errors:
        try:
            round_ = rounds.launch_round(
                year, acting_user(), rounds.Deadlines.filled(year, **dates, kind=kind), kind=kind
            )
            flash(gettext("Round %(year)s launched.", year=round_.name), "success")
            return redirect(url_for("rounds.show", year=round_.name), 303)
        except ValidationFailed as exc:
            errors = exc.by_field()
        except Refused as exc:
            errors = {"_": exc.message}
    return render_template(
        "rounds/index.html",
        slots=programme_line(),
        numbers=rounds.calendar_numbers(),
        can_launch=True,
        planned_exit_reader=True,
        errors=errors,
        form=form,
    ), 422


@bp.get("/<round:year>")
@login_required
@domain_view
def show(year: str) -> str:
    """A round's townships: survey status and how late; gap counts."""
    round_ = rounds.get_round(year)
    user = acting_user()
    surveys = rounds.township_surveys(round_, user)
    late: dict[str, dict[int, int]] = {"survey": {}, "results": {}}
    for stage, township_id, level in db.session.execute(
        sa.select(
            SurveyEscalation.stage,
            SurveyEscalation.township_id,
            sa.func.max(SurveyEscalation.level),
        )
        .where(SurveyEscalation.round_id == round_.id)
        .group_by(SurveyEscalation.stage, SurveyEscalation.township_id)
    ):
        late.setdefault(stage, {})[township_id] = level
    counts = dict(
        db.session.execute(
            sa.select(Gap.status, sa.func.count())
            .where(Gap.round_id == round_.id)
            .group_by(Gap.status)
        ).all()
    )
    return render_template(
        "rounds/show.html",
        round=round_,
        surveys=surveys,
        late=late,
        counts={k.value: v for k, v in counts.items()},
        county_office=user.role == Role.COUNTY_OFFICE,
        county_reader=user.role in COUNTY_WIDE_READERS,
        planned_exit_reader=user.role in planned_exits.READERS,
    )


@bp.get("/<round:year>/gaps")
@login_required
@domain_view
def gap_page(year: str) -> str:
    """The 补课清单 of a round, as far as the user's scope reaches."""
    return _gap_view(year)


def _gap_view(year: str, status: int = 200, errors: dict[str, str] | None = None):
    round_, township, rows = _gaps_in_view(year)
    user = acting_user()
    filing = gap_filing.filing_of(round_) if user.role in COUNTY_WIDE_READERS else None
    return render_template(
        "rounds/gaps.html",
        round=round_,
        gaps=rows,
        township=township,
        townships=db.session.scalars(sa.select(Township).order_by(Township.code)).all(),
        filing=filing,
        filed_copy=gap_filing.filed_copy(filing.signature) if filing else None,
        may_file=user.role == Role.COUNTY_OFFICE,
        errors=errors or {},
    ), status


@bp.post("/<round:year>/gaps/file")
@login_required
@domain_view
def gap_file(year: str):
    """The county office signs the 补课清单 as triaged and files it (报州扶贫办备案)."""
    user = acting_user()
    require_role(user, Role.COUNTY_OFFICE)
    try:
        confirmation.require_confirmed(request.form.get(confirmation.CONFIRM_FIELD))
    except ValidationFailed as exc:
        return _gap_view(year, 422, exc.by_field())
    try:
        gap_filing.file_gap_list(rounds.get_round(year), user)
    except Refused as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return _gap_view(year, 409)
    flash(gettext("The make-up list is signed and filed."), "success")
    return redirect(url_for("rounds.gap_page", year=year), 303)


@bp.get("/<round:year>/gaps.xlsx")
@login_required
@domain_view
def gap_download(year: str) -> Response:
    """The same 补课清单 as an xlsx in the county's layout."""
    _round, township, rows = _gaps_in_view(year)
    data = write_gap_list(
        gaps.gap_rows(rows),
        year=year,
        township=township.name if township else "",
        when=clock.today(),
        county=county_name(),
    )
    unit = township.name if township else county_name()
    name = gettext("make-up-list_%(unit)s_%(year)s.xlsx", unit=unit, year=year)
    return xlsx_response(data, name)


def _gaps_in_view(year: str) -> tuple[Round, Township | None, list[Gap]]:
    """The round, the township asked for (if any) and the gaps the user may see in it."""
    round_ = rounds.get_round(year)
    township = _township_arg()
    return round_, township, gaps.gap_list(round_, township=township, viewer=acting_user())


def _township_arg() -> Township | None:
    raw = request.args.get("township", "")
    return db.session.scalar(sa.select(Township).where(Township.code == raw)) if raw else None


def _triage_page(round_: Round, errors: dict[str, str] | None = None, status: int = 200):
    surveys = db.session.scalars(
        sa.select(TownshipSurvey)
        .join(Township)
        .where(TownshipSurvey.round_id == round_.id)
        .order_by(Township.code)
    ).all()
    departments = db.session.scalars(sa.select(Department).order_by(Department.code)).all()
    board = gaps.triage_board(round_)
    return render_template(
        "rounds/triage.html",
        round=round_,
        board=board,
        asks_cause={g.id for rows in board.values() for g in rows if needs_cause(g)},
        causes=CAUSES,
        township=TOWNSHIP,
        problems=survey_problems.open_problems(round_),
        indicators=survey_problems.indicators_of_round(round_),
        departments=departments,
        surveys=surveys,
        errors=errors or {},
        form=request.form,
    ), status


@bp.get("/<round:year>/triage")
@login_required
@domain_view
def triage(year: str):
    """The county office's triage: open gaps grouped by the department they are routed to."""
    require_role(acting_user(), Role.COUNTY_OFFICE)
    return _triage_page(rounds.get_round(year))


@bp.post("/<round:year>/triage")
@login_required
@domain_view
def triage_decide(year: str):
    """Confirm, reroute or dismiss the selected gaps in one go."""
    user = acting_user()
    require_role(user, Role.COUNTY_OFFICE)
    round_ = rounds.get_round(year)
    form = request.form
    ids = id_list(form.getlist("gap"))
    action = form.get("action")
    try:
        if action == "confirm":
            due = _day(form.get("due"))
            if form.get("due") and due is None:
                raise ValidationFailed({"due": gettext("Enter a date as YYYY-MM-DD.")})
            causes = {i: form.get(f"cause-{i}", "") for i in ids}
            made = gaps.confirm_gaps(round_, ids, user, due, causes)
            message = gettext("%(n)s cases opened and sent to their departments.", n=len(made))
        elif action == "reroute":
            gaps.reroute_gaps(round_, ids, form.get("department", ""), form.get("reason", ""), user)
            message = gettext("Rerouted.")
        elif action == "dismiss":
            gaps.dismiss_gaps(round_, ids, form.get("reason", ""), user)
            message = gettext("Dismissed, with the reason recorded.")
        else:
            raise ValidationFailed({"action": gettext("Choose what to do with the selected gaps.")})
    except ValidationFailed as exc:
        db.session.rollback()  # the page below reads the gaps as they were
        return _triage_page(round_, exc.by_field(), 422)
    except Refused as exc:
        db.session.rollback()
        return _triage_page(round_, {"_": exc.message}, 422)
    flash(message, "success")
    return redirect(url_for("rounds.triage", year=year), 303)


@bp.post("/<round:year>/triage/problems")
@login_required
@domain_view
def triage_problems(year: str):
    """Turn the selected free-text problems into gaps on one indicator, or close them."""
    user = acting_user()
    require_role(user, Role.COUNTY_OFFICE)
    round_ = rounds.get_round(year)
    form = request.form
    ids = id_list(form.getlist("problem"))
    try:
        if form.get("action") == "gap":
            made = survey_problems.problems_to_gaps(round_, ids, form.get("indicator", ""), user)
            message = gettext("%(n)s gaps added to the triage below.", n=len(made))
        elif form.get("action") == "close":
            survey_problems.close_problems(round_, ids, form.get("problem_reason", ""), user)
            message = gettext("Closed, with the reason recorded.")
        else:
            raise ValidationFailed(
                {"action": gettext("Choose what to do with the selected problems.")}
            )
    except ValidationFailed as exc:
        db.session.rollback()
        errors = {
            f"problem_{k}" if k in ("indicator", "reason", "action") else k: v
            for k, v in exc.by_field().items()
        }
        return _triage_page(round_, errors, 422)
    except Refused as exc:
        db.session.rollback()
        return _triage_page(round_, {"_": exc.message}, 422)
    flash(message, "success")
    return redirect(url_for("rounds.triage", year=year), 303)


def _triage_address(year: str, **_view_args: object) -> str:
    return url_for("rounds.triage", year=year)


@bp.post("/<round:year>/townships/<int:township_id>/release")
@login_required
@domain_view(back=_triage_address)
def release(year: str, township_id: int):
    """Start triage for a township before it has submitted."""
    round_ = rounds.get_round(year)
    survey_flow.release_early(round_.id, township_id, acting_user())
    return redirect(url_for("rounds.triage", year=year), 303)
