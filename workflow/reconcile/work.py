"""Differences become work: a run compares the sources of a round's households, keeps each
difference as a line (found again, or closed when no longer found — never deleted), and gives
each household with open lines one A-FOUR gap for its township, the lines as its evidence. A gap
whose household no longer differs closes by itself. The township says, line by line, which
source is right and what it corrected where."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa

from workflow.models import (
    Department,
    Gap,
    GapStatus,
    ReconcileDifference,
    ReconcileRun,
    Round,
    SubjectKind,
    Township,
    User,
)
from workflow.people.access import require_role
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.i18n import _
from workflow.programme.catalogue import standard_for_year
from workflow.programme.routing import UNOWNED, route
from workflow.reconcile.compare import KINDS, Difference, reconcile
from workflow.reconcile.labels import line_text
from workflow.reconcile.police import LOADERS, newest_extract
from workflow.reconcile.sources import gather

INDICATOR = "A-FOUR"
FOUND_BY = "reconcile"
ACTIVE = (GapStatus.PENDING, GapStatus.OPEN, GapStatus.CONFIRMED)
CLOSABLE = (GapStatus.PENDING, GapStatus.OPEN)  # a gap triage made a case of stays the case's


def run_reconciliation(round_: Round, user: User, township: Township | None = None) -> ReconcileRun:
    """Compare the round's households (one township's, when named) across the sources; store
    the differences and their gaps. Flushes, never commits."""
    require_role(user, *LOADERS)
    # Two runs of a round at once would each add the lines the other adds: the second waits for
    # the first to commit, then finds its lines (PostgreSQL; SQLite has one writer anyway).
    db.session.execute(sa.select(Round.id).where(Round.id == round_.id).with_for_update())
    now = clock.now()
    extract = newest_extract()
    sources = gather(round_, township, extract)
    found: dict[tuple, Difference] = {}
    for d in reconcile(sources.households, sources.police, sources.paper):
        found.setdefault(d.key, d)
    scope = [ReconcileDifference.round_id == round_.id, ReconcileDifference.closed_at.is_(None)]
    if township is not None:
        scope.append(ReconcileDifference.township_id == township.id)
    stored = {
        (r.household_id, r.kind, r.person_id, r.source_b): r
        # A household no longer looked back at (it left the register) has its lines closed too.
        for r in db.session.scalars(
            sa.select(ReconcileDifference).where(*scope).order_by(ReconcileDifference.id)
        )
    }
    closed = 0
    for key, row in stored.items():
        if key not in found:
            row.closed_at = now
            closed += 1
    new_rows = []
    for key, d in found.items():
        row = stored.get(key)
        if row is not None:
            row.value_a, row.value_b, row.seen_at = d.value_a[:200], d.value_b[:200], now
            continue
        township_id, village_id = sources.units[d.household]
        new_rows.append(
            {
                "round_id": round_.id,
                "household_id": d.household,
                "township_id": township_id,
                "village_id": village_id,
                "kind": d.kind,
                "person_id": d.person_id,
                "person_name": d.person_name[:60],
                "source_a": d.source_a,
                "value_a": d.value_a[:200],
                "source_b": d.source_b,
                "value_b": d.value_b[:200],
                "found_at": now,
                "seen_at": now,
                "right_source": "",
                "correction": "",
            }
        )
    if new_rows:
        db.session.execute(sa.insert(ReconcileDifference), new_rows)
    db.session.flush()
    differing = {d.household for d in found.values()}
    _gaps_follow(round_, township, sources.units, differing, user, now)
    run = ReconcileRun(
        round_id=round_.id,
        township_id=township.id if township else None,
        extract_id=extract.id if extract else None,
        run_by_id=user.id,
        run_at=now,
        households=len(sources.households),
        differing=len(differing),
        opened=len(new_rows),
        closed=closed,
    )
    db.session.add(run)
    db.session.flush()
    audit.record(
        user,
        "reconcile.run",
        "reconcile_run",
        run.id,
        after={
            "round": round_.name,
            "township": township.name if township else "",
            "households": run.households,
            "differing": run.differing,
            "opened": run.opened,
            "closed": run.closed,
        },
    )
    return run


def _open_lines(round_: Round, households: Iterable[int]) -> dict[int, list[ReconcileDifference]]:
    lines: dict[int, list[ReconcileDifference]] = defaultdict(list)
    ids = list(households)
    for start in range(0, len(ids), 5000):
        for row in db.session.scalars(
            sa.select(ReconcileDifference)
            .where(
                ReconcileDifference.round_id == round_.id,
                ReconcileDifference.closed_at.is_(None),
                ReconcileDifference.household_id.in_(ids[start : start + 5000]),
            )
            .order_by(ReconcileDifference.id)
        ):
            lines[row.household_id].append(row)
    return lines


def evidence_of(lines: list[ReconcileDifference]) -> str:
    """A gap's evidence: its open difference lines, one a line, in the order of the kinds."""
    ordered = sorted(lines, key=lambda r: (KINDS.index(r.kind), r.person_id, r.source_b))
    return "\n".join(
        line_text(r.kind, r.person_name, r.source_a, r.value_a, r.source_b, r.value_b)
        for r in ordered
    )


def _gaps_follow(
    round_: Round,
    township: Township | None,
    units: dict[int, tuple[int, int]],
    differing: set[int],
    user: User,
    now,
) -> None:
    """One active A-FOUR gap per household with open lines; gaps of the run's households that
    no longer differ close (superseded by the run that found the sources agree)."""
    where = [Gap.round_id == round_.id, Gap.found_by == FOUND_BY, Gap.status.in_(ACTIVE)]
    if township is not None:
        where.append(Gap.township_id == township.id)
    gaps = {
        g.household_id: g for g in db.session.scalars(sa.select(Gap).where(*where).order_by(Gap.id))
    }
    lines = _open_lines(round_, differing)
    routed = route(SubjectKind.HOUSEHOLD.value, INDICATOR)
    department = (
        None
        if routed in UNOWNED
        else db.session.scalar(sa.select(Department).where(Department.code == routed))
    )
    label = standard_for_year(round_.year).indicator(INDICATOR).label
    created: list[Gap] = []
    for household_id in sorted(differing):
        gap = gaps.get(household_id)
        evidence = evidence_of(lines[household_id])
        if gap is None:
            township_id, village_id = units[household_id]
            gap = Gap(
                round_id=round_.id,
                subject_kind=SubjectKind.HOUSEHOLD,
                household_id=household_id,
                village_id=village_id,
                township_id=township_id,
                indicator_code=INDICATOR,
                indicator_label=label,
                evidence=evidence,
                routed_to=routed,
                found_by=FOUND_BY,
                department_id=department.id if department else None,
                status=GapStatus.OPEN,
                reason="",
                found_at=now,
            )
            created.append(gap)
        elif gap.evidence != evidence:
            gap.evidence = evidence
    db.session.add_all(created)
    db.session.flush()  # one flush for every new gap: their ids for the lines and the audit
    for gap in created:
        audit.record(user, "reconcile.gap_found", "gap", gap.id, after={"evidence": gap.evidence})
        gaps[gap.household_id] = gap
    for household_id in differing:
        for row in lines[household_id]:
            row.gap_id = gaps[household_id].id
    for household_id, gap in gaps.items():
        if household_id in differing or gap.status not in CLOSABLE:
            continue
        gap.status = GapStatus.SUPERSEDED
        gap.reason = _("The sources agree again: closed by the reconciliation.")
        audit.record(
            user,
            "reconcile.gap_closed",
            "gap",
            gap.id,
            before={"status": "open"},
            reason=gap.reason,
        )


def runs(round_: Round) -> list[ReconcileRun]:
    """The round's runs, newest first."""
    return list(
        db.session.scalars(
            sa.select(ReconcileRun)
            .where(ReconcileRun.round_id == round_.id)
            .order_by(ReconcileRun.id.desc())
        )
    )
