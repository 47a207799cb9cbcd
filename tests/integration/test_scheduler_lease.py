"""On SQLite only one scheduler acts at a time, even with several web workers: a lease row in the
database, a short heartbeat. (On PostgreSQL workers share the tick: test_shared_tick.py.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from tests.factories import at, make_round, open_household_case
from workflow import scheduler
from workflow.models import CaseEscalation, SchedulerLease
from workflow.platform import clock
from workflow.platform.db import db


def _lease_expires() -> datetime:
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(SchedulerLease, scheduler.LEASE_NAME).expires_at


def test_a_second_worker_does_not_tick_while_the_first_holds_the_lease(app, county, sqlite_lease):
    assert scheduler.acquire_lease("worker-a", seconds=60)
    first = _lease_expires()
    report = scheduler.tick(at("2018-10-01T00:30"), holder="worker-b")
    assert not report.acquired and report.advanced == []
    assert _lease_expires() == first, "the refused worker left the lease alone"
    assert scheduler.acquire_lease("worker-a", seconds=600), "the holder renews its own lease"
    assert _lease_expires() >= first + timedelta(seconds=500), "renewed: it runs out later"
    scheduler.release_lease("worker-a")
    assert scheduler.tick(at("2018-10-01T00:30"), holder="worker-b").acquired


def test_only_the_holder_extends_its_lease_between_batches(app, county, sqlite_lease):
    assert scheduler.acquire_lease("worker-a", seconds=60)
    first = _lease_expires()
    assert scheduler.renew_lease("worker-a", seconds=600)
    db.session.commit()
    renewed = _lease_expires()
    assert renewed >= first + timedelta(seconds=500), "renewed: it runs out later"
    assert not scheduler.renew_lease("worker-b", seconds=3600)
    db.session.commit()
    assert _lease_expires() == renewed, "another worker cannot extend it"


def test_an_expired_lease_is_taken_over(app, county, sqlite_lease):
    assert scheduler.acquire_lease("crashed-worker", seconds=60)
    lease = db.session.get(SchedulerLease, scheduler.LEASE_NAME)
    lease.expires_at = datetime.now(UTC) - timedelta(seconds=1)  # it died without releasing
    db.session.commit()
    assert scheduler.acquire_lease("worker-b")


HOLD_AND_HANG = """
import sys, time
from web.app import create_app
from workflow import scheduler
from workflow.platform.settings import Settings
app = create_app(Settings(database_url=sys.argv[1], secret_key="x", evidence_dir=sys.argv[2]))
with app.app_context():
    assert scheduler.acquire_lease("doomed-ticker")
    print("held", flush=True)
    time.sleep(120)
"""


def test_a_killed_ticker_does_not_block_the_next_tick(
    app, county, settings, monkeypatch, sqlite_lease
):
    """`kill -9` during a tick: the next tick goes ahead as soon as the dead ticker's short
    heartbeat has run out (not five minutes later)."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), *sys.path])}
    ticker = subprocess.Popen(
        [sys.executable, "-c", HOLD_AND_HANG, settings.database_url, settings.evidence_dir],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert ticker.stdout.readline().strip() == "held"
        assert not scheduler.tick(at("2018-10-01T00:30"), holder="next-ticker").acquired
    finally:
        ticker.send_signal(signal.SIGKILL)
        ticker.wait(30)
        ticker.stdout.close()
    db.session.expire_all()
    assert not scheduler.tick(at("2018-10-01T00:30"), holder="next-ticker").acquired
    later = datetime.now(UTC) + timedelta(seconds=scheduler.HEARTBEAT_SECONDS + 1)
    monkeypatch.setattr(scheduler, "_wall_now", lambda: later)
    assert scheduler.HEARTBEAT_SECONDS <= 60
    assert scheduler.tick(at("2018-10-01T00:30"), holder="next-ticker").acquired


def test_racing_workers_fire_each_timer_once(app, county):
    clock.set_now(at("2018-08-01T10:00"))
    case = open_household_case(make_round())
    db.session.commit()
    clock.set_now(None)
    barrier = threading.Barrier(3)
    reports = []

    def worker(name: str) -> None:
        with app.app_context():
            barrier.wait()
            reports.append(scheduler.tick(at("2019-03-01T00:30"), holder=name))

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    db.session.expire_all()
    levels = db.session.scalars(
        sa.select(CaseEscalation.level).where(CaseEscalation.case_id == case.id)
    ).all()
    assert sorted(levels) == [0, 1, 2, 3]
    assert sum(1 for r in reports if r.acquired and r.advanced) >= 1
