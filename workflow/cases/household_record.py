"""A household's record across the programme's rounds (2018–2020 as one programme): the cases
of each round's plan — those its own look-back found, those a year-end round found the year
before (HelpCase.found_in_round_id), those carried over unfinished — and the year-end
acceptances of its planned exit (预脱贫)."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from workflow.models import HelpCase, Household, PlannedExitReview, Round, User
from workflow.people.access import case_filter, in_scope
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, NotFound
from workflow.platform.i18n import _
from workflow.programme.rounds import KIND_ORDER


@dataclass(frozen=True)
class CaseLine:
    """One case of the household in a round's plan, with the round whose look-back found it
    and, for a case carried over unfinished, the round it was carried from."""

    case: HelpCase
    found_in: Round
    carried_from: Round | None


@dataclass
class RoundOfHousehold:
    """A round and what it holds for the household: its cases, its planned-exit review."""

    round: Round
    cases: list[CaseLine] = field(default_factory=list)
    review: PlannedExitReview | None = None


@dataclass(frozen=True)
class HouseholdRecord:
    """The household and its rounds in the calendar's order."""

    household: Household
    rounds: list[RoundOfHousehold]


def _require_household(household: Household, viewer: User) -> None:
    """Its village, township and the county see a household; a department only one it has a
    case for."""
    village = household.village
    if viewer.is_active and viewer.role.scope_kind != "department":
        if in_scope(viewer, village.township_id, village.id, None):
            return
    elif viewer.is_active:
        own = sa.select(HelpCase.id).where(
            HelpCase.household_id == household.id, case_filter(viewer)
        )
        if db.session.scalar(own.limit(1)) is not None:
            return
    raise AccessDenied(_("You may not see this household."))


def household_record(household_id: int, viewer: User) -> HouseholdRecord:
    """The household's cases (those the viewer may see) and planned-exit reviews, by round."""
    household = db.session.get(Household, household_id)
    if household is None:
        raise NotFound(_("The household does not exist."))
    _require_household(household, viewer)
    cases = db.session.scalars(
        sa.select(HelpCase)
        .where(HelpCase.household_id == household.id, case_filter(viewer))
        .order_by(HelpCase.opened_at, HelpCase.id)
    ).all()
    reviews = db.session.scalars(
        sa.select(PlannedExitReview).where(PlannedExitReview.household_id == household.id)
    ).all()
    carried = {c.carried_from_id for c in cases} - {None}
    earlier = dict(
        db.session.execute(
            sa.select(HelpCase.id, HelpCase.round_id).where(HelpCase.id.in_(carried))
        ).all()
    )
    round_ids = {c.round_id for c in cases} | {c.found_in_round_id for c in cases}
    round_ids |= {r.round_id for r in reviews} | set(earlier.values())
    rounds = db.session.scalars(sa.select(Round).where(Round.id.in_(round_ids - {None})))
    by_id = {r.id: r for r in rounds}
    lines: dict[int, RoundOfHousehold] = {}
    for case in cases:
        entry = lines.setdefault(case.round_id, RoundOfHousehold(by_id[case.round_id]))
        found_in = by_id[case.found_in_round_id or case.round_id]
        carried_from = by_id.get(earlier.get(case.carried_from_id))
        entry.cases.append(CaseLine(case, found_in, carried_from))
    for review in reviews:
        lines.setdefault(review.round_id, RoundOfHousehold(by_id[review.round_id])).review = review
    ordered = sorted(lines.values(), key=lambda e: (e.round.year, KIND_ORDER[e.round.kind]))
    return HouseholdRecord(household, ordered)
