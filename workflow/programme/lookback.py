"""The households a round looks back at: those in the 建档立卡 register that left poverty in the
round's years (§一), by the round's kind (§四): a mid-year round looks back at the exits of the
years before, a year-end round at that year's too and at the year's planned exits (预脱贫, whose
annual acceptance it carries out), the final round at everyone who ever exited. Villages alike:
an exited village is in a round when it exited within the round's years.

The one place that says which households a round's survey covers; the survey's villages in
scope, its pre-filled 附件1, the import's check for missing households, the demo and the bench
all ask here."""

from __future__ import annotations

import sqlalchemy as sa

from workflow.models import Household, Round, RoundKind, Village
from workflow.platform.db import db


def looked_back_at(
    round_: Round, village_id: int | sa.ColumnElement[int]
) -> sa.ColumnElement[bool]:
    """The SQL condition of a village's households that the round looks back at. `village_id`
    is an id or a column (Village.id, to correlate with an outer query of villages)."""
    exited = Household.exit_year.between(round_.exit_year_from, round_.exit_year_to)
    if round_.kind == RoundKind.END:
        exited = sa.or_(exited, planned_exit(round_))
    return sa.and_(Household.village_id == village_id, exited, Household.in_register)


def planned_exit(round_: Round) -> sa.ColumnElement[bool]:
    """The SQL condition of the households a year-end round accepts: planned to exit (预脱贫)
    that year and not out yet."""
    return sa.and_(Household.exit_year.is_(None), Household.planned_exit_year == round_.year)


def exited_village(round_: Round) -> sa.ColumnElement[bool]:
    """The SQL condition of the villages a round looks back at as exited villages: those that
    exited within the round's years (a village exiting in 2018 is not in July 2018's round)."""
    return sa.and_(
        Village.is_exited_poor,
        Village.exit_year.between(round_.exit_year_from, round_.exit_year_to),
    )


def households_in_scope(round_: Round, village: Village) -> list[Household]:
    """A village's households that the round looks back at, earliest exit first, the planned
    exits (no exit year yet) last on every database."""
    return list(
        db.session.scalars(
            sa.select(Household)
            .where(looked_back_at(round_, village.id))
            .order_by(Household.exit_year.is_(None), Household.exit_year, Household.id)
        )
    )


def has_households_in_scope(round_: Round, village: Village) -> bool:
    """Whether a village has any household that the round looks back at."""
    found = sa.select(Household.id).where(looked_back_at(round_, village.id)).limit(1)
    return db.session.scalar(found) is not None


def villages_in_scope(round_: Round, township_id: int) -> list[Village]:
    """A township's villages that have work in the round: villages that exited within its years,
    and villages with households the round looks back at; by division code."""
    has_households = sa.select(Household.id).where(looked_back_at(round_, Village.id)).exists()
    return list(
        db.session.scalars(
            sa.select(Village)
            .where(
                Village.township_id == township_id, sa.or_(exited_village(round_), has_households)
            )
            .order_by(Village.code)
        )
    )


def village_exited_in(round_: Round, village: Village) -> bool:
    """Whether the round looks back at a village as an exited village (its 附件2)."""
    return village.is_exited_poor and round_.covers_exit(village.exit_year)


def household_in_round(round_: Round, household: Household) -> bool:
    """Whether the round looks back at a household (the Python reading of looked_back_at, its
    village aside)."""
    if household.exit_year is None:
        return round_.kind == RoundKind.END and household.planned_exit_year == round_.year
    return round_.covers_exit(household.exit_year)
