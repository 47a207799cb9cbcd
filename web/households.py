"""A household's page: the 建档立卡 facts and its cases across every round of the programme."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from web.handling import acting_user, domain_view
from workflow.cases.household_record import household_record
from workflow.county.households import members_of
from workflow.platform import clock

bp = Blueprint("households", __name__, url_prefix="/households")


@bp.get("/<int:household_id>")
@login_required
@domain_view
def show(household_id: int) -> str:
    """The household, its members, and each round's cases and planned-exit acceptance."""
    record = household_record(household_id, acting_user())
    return render_template(
        "households/show.html",
        record=record,
        household=record.household,
        members=members_of(record.household.id, clock.today()),
    )
