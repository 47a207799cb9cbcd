"""The year-end acceptance of the year's planned exits (预脱贫, §四.2 and §五.5): in a year-end
round, for each household the register plans to leave poverty that year, the township proposes
达标 (meets that year's standard) or 不达标, and the county office decides. The decision is
recorded in the register: a household that meets the standard exits that year; one that does not
stays in the register as not yet out, its plan moved on to the next year. Both steps audited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from workflow.models import Household, PlannedExitReview, Role, Round, RoundKind, User, Village
from workflow.people.access import COUNTY_WIDE_READERS, in_scope, require_role
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.errors import (
    WHOLE,
    AccessDenied,
    NotFound,
    Problem,
    Refused,
    ValidationFailed,
)
from workflow.platform.i18n import _
from workflow.platform.text import text_problem
from workflow.programme.lookback import planned_exit

PROPOSERS = (Role.TOWNSHIP_CLERK, Role.TOWNSHIP_LEADER)
DECIDERS = (Role.COUNTY_OFFICE,)
READERS = (*PROPOSERS, *COUNTY_WIDE_READERS)  # who may see the acceptance's list


def planned_households(round_: Round, viewer: User) -> list[tuple[Household, PlannedExitReview]]:
    """The round's 预脱贫 households in the viewer's scope, with their review if any (those
    already decided included); by village and household. Empty for a round that is not a
    year-end one. The township's people and the county's readers see it; a village or a
    department has no part in the acceptance."""
    require_role(viewer, *READERS)
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
        # decided households stay on the list: out, or planned for next year, since the decision
        .where(
            sa.or_(planned_exit(round_), PlannedExitReview.id.is_not(None)), Household.in_register
        )
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


def planned_household(round_: Round, household_id: int) -> Household:
    """One of the round's planned exits by its id (a form names them so)."""
    household = db.session.get(Household, household_id)
    if household is None:
        raise NotFound(_("The household does not exist."))
    _require_planned(round_, household)
    return household


def _reason(meets: bool, reason: str, field: str) -> str:
    """The reason as typed; a 不达标 needs one (what the household still lacks)."""
    reason = (reason or "").strip()
    problem = text_problem(reason)
    if problem is None and not meets and not reason:
        problem = _("Say why the household does not meet the standard.")
    if problem is not None:
        raise ValidationFailed({field: problem})
    return reason


def propose(
    round_: Round, household: Household, actor: User, meets: bool, reason: str = ""
) -> PlannedExitReview:
    """The township proposes 达标 or 不达标 (with what is lacking) for a household of its own;
    it may change its proposal until the county office has decided."""
    require_role(actor, *PROPOSERS)
    if not in_scope(actor, household.village.township_id, household.village_id, None):
        raise AccessDenied(_("The household is not in your township."))
    _require_planned(round_, household)
    reason = _reason(meets, reason, f"reason-{household.id}")
    review = _review(round_, household)
    if review is not None and review.decided_meets is not None:
        raise Refused(_("The county office has already decided on this household."))
    if review is not None and (review.proposed_meets, review.proposed_reason) == (meets, reason):
        return review  # the page sends standing proposals again: nothing new to record
    if review is None:
        review = PlannedExitReview(round_id=round_.id, household_id=household.id)
        db.session.add(review)
    review.proposed_meets, review.proposed_by_id = meets, actor.id
    review.proposed_reason = reason
    review.proposed_at = clock.now()
    db.session.flush()
    audit.record(
        actor,
        "planned_exit.propose",
        "household",
        household.id,
        after={"round": round_.name, "meets": meets},
        reason=reason,
    )
    return review


def decide(
    round_: Round, household: Household, actor: User, meets: bool, reason: str = ""
) -> PlannedExitReview:
    """The county office decides on the township's proposal, and the register records it: the
    household exits this year, or its plan moves on to next year. A 不达标 needs a reason; one
    that agrees with the township's 不达标 may leave it to the township's."""
    require_role(actor, *DECIDERS)
    _require_planned(round_, household)
    review = _review(round_, household)
    if review is None:
        raise Refused(_("The township has not proposed anything for this household yet."))
    if not meets and not (reason or "").strip() and review.proposed_meets is False:
        reason = review.proposed_reason
    reason = _reason(meets, reason, f"reason-{household.id}")
    before = {"exit_year": household.exit_year, "planned_exit_year": household.planned_exit_year}
    review.decided_meets, review.decided_by_id = meets, actor.id
    review.decided_reason = reason
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
        reason=reason,
    )
    return review


def confirm_proposals(round_: Round, household_ids: list[int], actor: User) -> int:
    """The county office confirms the township's proposals of the households ticked, each as
    the township proposed it; how many were decided. Households not yet proposed are refused."""
    require_role(actor, *DECIDERS)
    if not household_ids:
        raise ValidationFailed({"household": _("Tick the households to confirm.")})
    for household_id in household_ids:
        household = planned_household(round_, household_id)
        review = _review(round_, household)
        if review is None:
            raise Refused(
                _(
                    "The township has not proposed anything for %(name)s yet.",
                    name=household.head_name,
                )
            )
        decide(round_, household, actor, review.proposed_meets, review.proposed_reason)
    return len(household_ids)


@dataclass(frozen=True)
class Verdict:
    """What a form says of one household: 达标 or not, and why not."""

    household_id: int
    meets: bool
    reason: str = ""


def _each(
    round_: Round,
    verdicts: list[Verdict],
    actor: User,
    roles: tuple[Role, ...],
    step: Callable[[Round, Household, User, bool, str], PlannedExitReview],
) -> int:
    """One step for every household a form names; every problem of every household at once
    (the caller rolls back when one is raised)."""
    require_role(actor, *roles)
    if round_.kind != RoundKind.END:
        raise Refused(_("Only a year-end round accepts the year's planned exits."))
    if not verdicts:
        raise ValidationFailed(
            [Problem(WHOLE, _("Say for at least one household whether it meets the standard."))]
        )
    problems: list[Problem] = []
    for verdict in verdicts:
        household = planned_household(round_, verdict.household_id)
        try:
            step(round_, household, actor, verdict.meets, verdict.reason)
        except ValidationFailed as exc:
            problems += exc.problems
    if problems:
        raise ValidationFailed(problems)
    return len(verdicts)


def propose_all(round_: Round, verdicts: list[Verdict], actor: User) -> int:
    """The township's proposals for the households its form names (the page's one submit)."""
    return _each(round_, verdicts, actor, PROPOSERS, propose)


def decide_all(round_: Round, verdicts: list[Verdict], actor: User) -> int:
    """The county office's decisions for the households its form names."""
    return _each(round_, verdicts, actor, DECIDERS, decide)
