"""The households a round looks back at: those in the 建档立卡 register that left poverty in the
round's years (§一).

The one place that says which households a round's survey covers; the survey's villages in
scope, its pre-filled 附件1, the import's check for missing households, the demo and the bench
all ask here."""

from __future__ import annotations

import sqlalchemy as sa

from workflow.models import Household, Round, Village
from workflow.platform.db import db


def looked_back_at(
    round_: Round, village_id: int | sa.ColumnElement[int]
) -> sa.ColumnElement[bool]:
    """The SQL condition of a village's households that the round looks back at. `village_id`
    is an id or a column (Village.id, to correlate with an outer query of villages)."""
    return sa.and_(
        Household.village_id == village_id,
        Household.exit_year.between(round_.exit_year_from, round_.exit_year_to),
        Household.in_register,
    )


def households_in_scope(round_: Round, village: Village) -> list[Household]:
    """A village's households that the round looks back at, earliest exit first."""
    return list(
        db.session.scalars(
            sa.select(Household)
            .where(looked_back_at(round_, village.id))
            .order_by(Household.exit_year, Household.id)
        )
    )


def has_households_in_scope(round_: Round, village: Village) -> bool:
    """Whether a village has any household that the round looks back at."""
    found = sa.select(Household.id).where(looked_back_at(round_, village.id)).limit(1)
    return db.session.scalar(found) is not None


def villages_in_scope(round_: Round, township_id: int) -> list[Village]:
    """A township's villages that have work in the round: exited villages, and villages with
    households the round looks back at; by division code."""
    has_households = sa.select(Household.id).where(looked_back_at(round_, Village.id)).exists()
    return list(
        db.session.scalars(
            sa.select(Village)
            .where(
                Village.township_id == township_id, sa.or_(Village.is_exited_poor, has_households)
            )
            .order_by(Village.code)
        )
    )
