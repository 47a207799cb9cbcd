"""The year-end acceptance of the year's planned exits (预脱贫, §四.2 and §五.5): in a year-end
round, for each household the register plans to leave poverty that year, the township proposes
达标 (meets that year's standard) or 不达标, and the county office decides. The decision is
recorded in the register: a household that meets the standard exits that year; one that does not
stays in the register as not yet out, its plan moved on to the next year. Both steps audited."""

from __future__ import annotations

import sqlalchemy as sa

from workflow.models import Household, PlannedExitReview, Role, Round, RoundKind, User, Village
from workflow.people.access import in_scope, require_role
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, Refused
from workflow.platform.i18n import _
from workflow.programme.lookback import planned_exit

PROPOSERS = (Role.TOWNSHIP_CLERK, Role.TOWNSHIP_LEADER)
DECIDERS = (Role.COUNTY_OFFICE,)


def planned_households(round_: Round, viewer: User) -> list[tuple[Household, PlannedExitReview]]:
    """The round's 预脱贫 households in the viewer's scope, with their review if any; by village
    and household. Empty for a round that is not a year-end one."""
    if round_.kind != RoundKind.END:
        return []
    rows = db.session.execute(
        sa.select(Household, PlannedExitReview)
        .join(Village, Household.village_id == Village.id)
        .outerjoin(
            PlannedExitReview,
            sa.and_(
                PlannedExitReview.household_id == Household.id,
                PlannedExitReview.round_id == round_.id,
            ),
        )
        .where(planned_exit(round_), Household.in_register)
        .order_by(Village.code, Household.id)
    ).all()
    return [
        (h, review)
        for h, review in rows
        if in_scope(viewer, h.village.township_id, h.village_id, None)
    ]


def _review(round_: Round, household: Household) -> PlannedExitReview | None:
    return db.session.scalar(
        sa.select(PlannedExitReview).where(
            PlannedExitReview.round_id == round_.id,
            PlannedExitReview.household_id == household.id,
        )
    )


def _require_planned(round_: Round, household: Household) -> None:
    if round_.kind != RoundKind.END:
        raise Refused(_("Only a year-end round accepts the year's planned exits."))
    if household.exit_year is not None or household.planned_exit_year != round_.year:
        raise Refused(
            _(
                "%(name)s is not planned to leave poverty in %(year)s.",
                name=household.head_name,
                year=round_.year,
            )
        )


def propose(round_: Round, household: Household, actor: User, meets: bool) -> PlannedExitReview:
    """The township proposes 达标 or 不达标 for a household of its own; it may change its
    proposal until the county office has decided."""
    require_role(actor, *PROPOSERS)
    if not in_scope(actor, household.village.township_id, household.village_id, None):
        raise AccessDenied(_("The household is not in your township."))
    _require_planned(round_, household)
    review = _review(round_, household)
    if review is not None and review.decided_meets is not None:
        raise Refused(_("The county office has already decided on this household."))
    if review is None:
        review = PlannedExitReview(round_id=round_.id, household_id=household.id)
        db.session.add(review)
    review.proposed_meets, review.proposed_by_id = meets, actor.id
    review.proposed_at = clock.now()
    db.session.flush()
    audit.record(
        actor,
        "planned_exit.propose",
        "household",
        household.id,
        after={"round": round_.name, "meets": meets},
    )
    return review


def decide(round_: Round, household: Household, actor: User, meets: bool) -> PlannedExitReview:
    """The county office decides on the township's proposal, and the register records it: the
    household exits this year, or its plan moves on to next year."""
    require_role(actor, *DECIDERS)
    _require_planned(round_, household)
    review = _review(round_, household)
    if review is None:
        raise Refused(_("The township has not proposed anything for this household yet."))
    before = {"exit_year": household.exit_year, "planned_exit_year": household.planned_exit_year}
    review.decided_meets, review.decided_by_id = meets, actor.id
    review.decided_at = clock.now()
    if meets:
        household.exit_year = round_.year
    else:
        household.planned_exit_year = round_.year + 1
    db.session.flush()
    audit.record(
        actor,
        "planned_exit.decide",
        "household",
        household.id,
        before=before,
        after={
            "round": round_.name,
            "meets": meets,
            "exit_year": household.exit_year,
            "planned_exit_year": household.planned_exit_year,
        },
    )
    return review
