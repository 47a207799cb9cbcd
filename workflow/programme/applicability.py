"""To whom an indicator applies, from the register: 义务教育 only where a member is of
compulsory-school age, 基本养老 where a member is of an age the pension scheme covers.

The rules are data (`applies_to` of an indicator in the year's catalogue); this module reads the
register's members and says, household by household, which indicators do not apply. Ages are
whole years at the round's reference date (its survey deadline), computed from the birth date
in the member's ID number (GB 11643). A household with no member on the register is not
excused from anything: the register must show that an indicator does not apply.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from workflow.models import HouseholdMember, Round
from workflow.models.register import MEMBER_NORMAL
from workflow.platform.db import db
from workflow.platform.idcard import birth_date
from workflow.programme.standards import Indicator, Standard


@dataclass(frozen=True)
class Member:
    """A living member on the register, with her age at the round's reference date."""

    name: str
    age: int


def reference_date(round_: Round) -> date:
    """The date at which a round counts members' ages: its survey deadline."""
    return round_.survey_due


def age_on(born: date, on: date) -> int:
    """Whole years of age on a day (a birthday counts on the day itself)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def members_of(household_ids: Iterable[int], on: date) -> dict[int, list[Member]]:
    """The living members on the register of each household, head first, with their ages."""
    ids = list(household_ids)
    found: dict[int, list[Member]] = defaultdict(list)
    if not ids:
        return found
    # Three columns, not the members' ORM rows: a prefecture's upload reads thousands.
    rows = db.session.execute(
        sa.select(HouseholdMember.household_id, HouseholdMember.name, HouseholdMember.id_number)
        .where(
            HouseholdMember.household_id.in_(ids),
            HouseholdMember.in_register,
            HouseholdMember.status == MEMBER_NORMAL,
        )
        .order_by(HouseholdMember.household_id, HouseholdMember.id)
    )
    for household_id, name, id_number in rows:
        found[household_id].append(Member(name, age_on(birth_date(id_number), on)))
    return found


def member_it_applies_to(indicator: Indicator, members: list[Member]) -> Member | None:
    """The first member who makes the indicator apply (None when none does)."""
    rule = indicator.applies_to
    return next((m for m in members if rule is None or rule.admits(m.age)), None)


def applies(indicator: Indicator, members: list[Member]) -> bool:
    """Tell whether the indicator applies to a household with these members."""
    if indicator.applies_to is None or not members:
        return True
    return member_it_applies_to(indicator, members) is not None


def not_applicable(standard: Standard, members: list[Member]) -> tuple[str, ...]:
    """The codes of the household indicators that do not apply to a household."""
    return tuple(
        ind.code
        for ind in standard.for_kind("household")
        if ind.applies_to is not None and not applies(ind, members)
    )
