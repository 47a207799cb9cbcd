"""What the reconciliation page shows a user: the police extracts and runs (the county), and per
round the households whose lines are open in the user's area."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from workflow.models import (
    PoliceExtract,
    ReconcileDifference,
    ReconcileRun,
    Round,
    Township,
    User,
    Village,
)
from workflow.people.access import COUNTY_WIDE_READERS, require_role
from workflow.platform.db import db
from workflow.programme.rounds import in_calendar_order
from workflow.reconcile.lines import READERS, difference_list
from workflow.reconcile.police import LOADERS


@dataclass
class Overview:
    county_wide: bool
    may_load: bool
    extracts: list[PoliceExtract] = field(default_factory=list)
    runs: list[ReconcileRun] = field(default_factory=list)
    rounds: list[Round] = field(default_factory=list)
    townships: list[Township] = field(default_factory=list)


def overview(user: User) -> Overview:
    """The extracts and runs for the county-wide readers; the rounds for everyone who reads."""
    require_role(user, *READERS)
    county_wide = user.role in COUNTY_WIDE_READERS
    found = Overview(county_wide=county_wide, may_load=user.role in LOADERS)
    found.rounds = in_calendar_order(newest_first=True)
    if county_wide:
        found.extracts = list(
            db.session.scalars(sa.select(PoliceExtract).order_by(PoliceExtract.id.desc()))
        )
        found.runs = list(
            db.session.scalars(sa.select(ReconcileRun).order_by(ReconcileRun.id.desc()).limit(20))
        )
        found.townships = list(db.session.scalars(sa.select(Township).order_by(Township.code)))
    return found


@dataclass
class HouseholdLines:
    """One household's open lines, as the round's page lists them."""

    household_id: int
    township: str
    village: str
    head: str
    head_id: str
    gap_id: int | None
    lines: list[ReconcileDifference]

    @property
    def resolved(self) -> int:
        return sum(1 for line in self.lines if line.resolved_at is not None)


def households_with_lines(
    round_: Round, user: User, township: Township | None = None, village: Village | None = None
) -> list[HouseholdLines]:
    """The round's households with open lines in the user's area, in township/village order."""
    grouped: dict[int, list[ReconcileDifference]] = defaultdict(list)
    for row in difference_list(round_, user, township, village=village):
        grouped[row.household_id].append(row)
    return [
        HouseholdLines(
            household_id,
            rows[0].township.name,
            rows[0].village.name,
            rows[0].household.head_name,
            rows[0].household.id_number,
            rows[0].gap_id,
            rows,
        )
        for household_id, rows in grouped.items()
    ]


def round_runs(round_: Round) -> list[ReconcileRun]:
    return list(
        db.session.scalars(
            sa.select(ReconcileRun)
            .where(ReconcileRun.round_id == round_.id)
            .order_by(ReconcileRun.id.desc())
        )
    )
