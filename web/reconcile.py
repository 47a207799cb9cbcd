"""四统一 pages: the police extract's upload and the run (county office), the differences of a
round by household (the county all, a township its own), and a household's lines with the
township's resolution of each."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_login import login_required

from web.downloads import xlsx_response
from web.handling import acting_user, domain_view
from workflow.models import Township, Village
from workflow.platform.db import db
from workflow.platform.i18n import gettext
from workflow.programme import rounds
from workflow.reconcile.compare import KINDS
from workflow.reconcile.labels import kind_label, kind_short, source_label
from workflow.reconcile.lines import (
    NEITHER,
    RESOLVERS,
    difference_workbook,
    household_lines,
    resolution_text,
    resolve_difference,
    status_text,
)
from workflow.reconcile.overview import households_with_lines, overview, round_runs
from workflow.reconcile.police import PoliceLoad, load_police, require_loader
from workflow.reconcile.report import four_sources_report, report_workbook
from workflow.reconcile.sources import survey_answer
from workflow.reconcile.work import INDICATOR, run_reconciliation

bp = Blueprint("reconcile", __name__, url_prefix="/reconcile")


def _helpers() -> dict:
    return {
        "kind_label": kind_label,
        "kind_short": kind_short,
        "source_label": source_label,
        "resolution_text": resolution_text,
        "status_text": status_text,
        "neither": NEITHER,
    }


def _index(load: PoliceLoad | None = None, status: int = 200):
    return render_template(
        "reconcile/index.html", view=overview(acting_user()), load=load, **_helpers()
    ), status


@bp.get("")
@login_required
@domain_view
def index():
    """The extracts, the runs and the rounds to look at."""
    return _index()


@bp.post("/police")
@login_required
@domain_view
def police_upload():
    """Load an uploaded police extract: all or nothing, every problem by cell."""
    user = acting_user()
    file = request.files.get("file")
    if file is None or not file.filename:
        require_loader(user)  # the role check first
        return _index(PoliceLoad(problems=[gettext("Choose the police extract file first.")]), 422)
    load = load_police(file.read(), user, file.filename)
    if not load.ok:
        return _index(load, 422)
    return redirect(url_for("reconcile.index", loaded=load.extract.number), 303)


def _township(raw: str | None) -> Township | None:
    if not raw:
        return None
    return db.session.scalar(
        sa.select(Township).where(sa.or_(Township.code == raw, Township.name == raw))
    )


def _village(raw: str | None) -> Village | None:
    if not raw:
        return None
    return db.session.scalar(sa.select(Village).where(Village.code == raw))


@bp.get("/<round:year>/report")
@login_required
@domain_view
def report(year: str):
    """The 四统一 report per township and village; its numbers lead to the households."""
    round_ = rounds.get_round(year)
    return render_template(
        "reconcile/report.html",
        round=round_,
        rows=four_sources_report(round_, acting_user()),
        kinds=KINDS,
        **_helpers(),
    )


@bp.get("/<round:year>/report.xlsx")
@login_required
@domain_view
def report_download(year: str) -> Response:
    """The same report as the county's form."""
    round_ = rounds.get_round(year)
    data = report_workbook(round_, acting_user())
    return xlsx_response(data, gettext("four-sources-report_%(year)s.xlsx", year=round_.name))


@bp.post("/run")
@login_required
@domain_view
def run():
    """Reconcile a round (or one township of it) now."""
    user = acting_user()
    require_loader(user)  # the role check before the round is looked up
    round_ = rounds.get_round(request.form.get("round", ""))
    township = _township(request.form.get("township"))
    run_reconciliation(round_, user, township)
    return redirect(
        url_for(
            "reconcile.differences",
            year=round_.name,
            township=township.code if township else None,
        ),
        303,
    )


@bp.get("/<round:year>")
@login_required
@domain_view
def differences(year: str):
    """The households of a round with open differences, each line with both sources."""
    user = acting_user()
    round_ = rounds.get_round(year)
    township = _township(request.args.get("township"))
    village = _village(request.args.get("village"))
    households = households_with_lines(round_, user, township, village)
    view = overview(user)
    return render_template(
        "reconcile/differences.html",
        round=round_,
        township=township,
        village=village,
        households=households,
        townships=view.townships,
        runs=round_runs(round_)[:5] if view.county_wide else [],
        kinds=KINDS,
        **_helpers(),
    )


@bp.get("/<round:year>/differences.xlsx")
@login_required
@domain_view
def download(year: str) -> Response:
    """The same differences as the county's form."""
    round_ = rounds.get_round(year)
    township = _township(request.args.get("township"))
    data = difference_workbook(
        round_, acting_user(), township, _village(request.args.get("village"))
    )
    unit = township.name if township else ""
    name = gettext("four-sources_%(unit)s%(year)s.xlsx", unit=unit, year=round_.name)
    return xlsx_response(data, name)


@bp.get("/<round:year>/households/<int:household_id>")
@login_required
@domain_view
def household(year: str, household_id: int):
    """A household's lines, open and closed, and the township's resolution of each."""
    round_ = rounds.get_round(year)
    user = acting_user()
    found, lines = household_lines(round_, household_id, user)
    return render_template(
        "reconcile/household.html",
        round=round_,
        household=found,
        lines=lines,
        survey_says=survey_answer(round_, found.id, INDICATOR),
        may_resolve=user.role in RESOLVERS,
        **_helpers(),
    )


@bp.post("/<round:year>/differences/<int:difference_id>/resolve")
@login_required
@domain_view
def resolve(year: str, difference_id: int):
    """The township says which source is right and what it corrected where."""
    row = resolve_difference(
        difference_id,
        acting_user(),
        request.form.get("right_source", ""),
        request.form.get("correction", ""),
    )
    return redirect(url_for("reconcile.household", year=year, household_id=row.household_id), 303)
