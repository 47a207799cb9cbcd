"""A register household's members as a case page shows them: who, relation, age and status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from workflow.forms.register_layout import RELATION_HEAD
from workflow.models import HouseholdMember
from workflow.models.register import MEMBER_NORMAL
from workflow.platform.db import db


@dataclass(frozen=True)
class MemberLine:
    """One member of a household, as the case page lists them."""

    name: str
    relation: str
    age: int
    schooling: str
    health: str
    status: str
    subsistence: bool


def age_on(born: date, day: date) -> int:
    """Whole years of age on a day."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def members_of(household_id: int | None, day: date) -> list[MemberLine]:
    """The members the register lists for a household (the head first), ages on `day`."""
    if household_id is None:
        return []
    members = db.session.scalars(
        sa.select(HouseholdMember)
        .where(HouseholdMember.household_id == household_id, HouseholdMember.in_register)
        .order_by(HouseholdMember.birth_date, HouseholdMember.id)
    ).all()
    lines = [
        MemberLine(
            m.name,
            m.relation,
            age_on(m.birth_date, day),
            m.schooling,
            m.health,
            m.status,
            m.subsistence,
        )
        for m in members
    ]
    # The head first, then the others from the eldest.
    return sorted(lines, key=lambda line: line.relation != RELATION_HEAD)


def subsistence_by_household(household_ids: list[int]) -> dict[int, bool]:
    """Whether the register has each household on 低保 (a living member of it is), for the
    households the register lists members of; the others are left out (nothing to say)."""
    if not household_ids:
        return {}
    rows = db.session.execute(
        sa.select(
            HouseholdMember.household_id,
            sa.func.max(sa.cast(HouseholdMember.subsistence, sa.Integer)),
        )
        .where(
            HouseholdMember.household_id.in_(household_ids),
            HouseholdMember.in_register,
            HouseholdMember.status == MEMBER_NORMAL,
        )
        .group_by(HouseholdMember.household_id)
    )
    return {household_id: bool(on) for household_id, on in rows}
