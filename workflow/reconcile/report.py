"""The 四统一 report of a round, per township and per village: households checked, households
whose sources agree, and each kind of difference counted — found, resolved by the township
(still to be proved by a re-run), closed (the sources agree now) and open."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from workflow.county.setup import county_name
from workflow.forms.reconcile_report import ReportRow, write_report
from workflow.models import (
    Household,
    ReconcileDifference,
    ReconcileRun,
    Round,
    Township,
    User,
    Village,
)
from workflow.people.access import require_role, scope_condition
from workflow.platform import clock
from workflow.platform.db import db
from workflow.programme.lookback import looked_back_at
from workflow.reconcile.compare import KINDS
from workflow.reconcile.labels import kind_short
from workflow.reconcile.lines import READERS


@dataclass
class Tally:
    """The figures of one township or village."""

    township: Township
    village: Village | None
    checked: int = 0
    differing: set[int] = field(default_factory=set)
    found: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    open: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    resolved: int = 0
    closed: int = 0

    @property
    def consistent(self) -> int:
        return self.checked - len(self.differing)

    @property
    def open_lines(self) -> int:
        return sum(self.open.values())


def four_sources_report(round_: Round, user: User) -> list[Tally]:
    """Each township in the user's area, followed by its villages with households in scope."""
    require_role(user, *READERS)
    covered = {
        t
        for (t,) in db.session.execute(
            sa.select(ReconcileRun.township_id).where(ReconcileRun.round_id == round_.id)
        )
    }
    everything = None in covered
    villages = db.session.execute(
        sa.select(Village, sa.func.count(Household.id))
        .join(Household, looked_back_at(round_, Village.id))
        .join(Township, Village.township_id == Township.id)
        .where(scope_condition(user, Village.township_id, Village.id, sa.null()))
        .group_by(Village.id, Township.code)
        .order_by(Township.code, Village.code)
    ).all()
    tallies: dict[tuple[int, int | None], Tally] = {}
    rows: list[Tally] = []
    for village, count in villages:
        checked = count if everything or village.township_id in covered else 0
        town = tallies.get((village.township_id, None))
        if town is None:
            town = tallies[(village.township_id, None)] = Tally(village.township, None)
            rows.append(town)
        own = tallies[(village.township_id, village.id)] = Tally(village.township, village)
        rows.append(own)
        town.checked += checked
        own.checked = checked
    lines = db.session.execute(
        sa.select(
            ReconcileDifference.township_id,
            ReconcileDifference.village_id,
            ReconcileDifference.household_id,
            ReconcileDifference.kind,
            ReconcileDifference.closed_at,
            ReconcileDifference.resolved_at,
        )
        .where(
            ReconcileDifference.round_id == round_.id,
            scope_condition(
                user, ReconcileDifference.township_id, ReconcileDifference.village_id, sa.null()
            ),
        )
        .order_by(ReconcileDifference.id)
    )
    for township_id, village_id, household_id, kind, closed_at, resolved_at in lines:
        for key in ((township_id, None), (township_id, village_id)):
            tally = tallies.get(key)
            if tally is None:
                continue
            tally.found[kind] += 1
            if closed_at is not None:
                tally.closed += 1
                continue
            tally.open[kind] += 1
            tally.differing.add(household_id)
            tally.resolved += resolved_at is not None
    return rows


def report_workbook(round_: Round, user: User) -> bytes:
    """The report as the county's form: one row per township, then its villages."""
    rows = [
        ReportRow(
            t.township.name,
            t.village.name if t.village else "",
            t.checked,
            t.consistent,
            *(t.open[kind] for kind in KINDS),
            t.resolved,
            t.closed,
        )
        for t in four_sources_report(round_, user)
    ]
    return write_report(
        rows,
        [kind_short(kind) for kind in KINDS],
        year=round_.year,
        when=clock.today(),
        county=county_name(),
    )
