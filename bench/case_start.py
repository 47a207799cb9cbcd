"""Starting gap_case instances both ways, side by side: from the snapshot, and by the engine.

Each way starts the same cases through `instances.start_instances` (the state, the first user
task mirrored, the rows inserted) and is rolled back: the survey's own cases are started by its
confirmations, timed in `stage: start cases`.
"""

from __future__ import annotations

import time
from datetime import timedelta

from workflow.cases.lifecycle import PROCESS_ID, escalation_moments
from workflow.engine import instances, snapshots
from workflow.platform import clock
from workflow.platform.db import db


def _starts(cases: int) -> list[tuple[dict, instances.Scope, str]]:
    moments = escalation_moments(
        clock.end_of_day(clock.now().date() + timedelta(days=160)), clock.now()
    )
    return [({"case_id": n, **moments}, instances.Scope(), "bench") for n in range(1, cases + 1)]


def _seconds(cases: int) -> float:
    starts = _starts(cases)
    start = time.perf_counter()
    instances.start_instances(PROCESS_ID, starts)
    seconds = time.perf_counter() - start
    db.session.rollback()
    return seconds


def start_seconds(cases: int) -> tuple[float, float]:
    """Seconds to start `cases` instances from the snapshot, and by the engine's own start
    (called between transactions: each way is rolled back)."""
    db.session.commit()
    _seconds(1)  # the snapshot of this version is made once, outside the measurement
    snapshot = _seconds(cases)
    with snapshots.engine_start_only():
        engine = _seconds(cases)
    return snapshot, engine
