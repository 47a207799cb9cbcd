"""On PostgreSQL any number of scheduler workers tick together: each due instance is advanced by
exactly one of them, and a worker killed in the middle of a batch loses only that batch, which
the others then advance."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench import bulk
from notifications.models import EmailMessage, Notice
from tests.factories import at, make_round
from workflow import scheduler
from workflow.cases.escalation import LEVEL_ACTIONS
from workflow.models import AuditEvent, CaseEscalation, CaseStatus, HelpCase, ProcessInstance
from workflow.platform import audit, clock
from workflow.platform.db import db

ROOT = Path(__file__).resolve().parents[2]
CASES = 2000  # three workers, twenty batches of a hundred
MOMENT = "2018-10-03T12:00:00+08:00"  # the reminders of cases due 10 October are due


@pytest.fixture
def postgresql(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: its tick runs under a lease")


def make_due(cases: int) -> int:
    """Cases whose level-0 reminder is due at MOMENT (one real case, the rest copies)."""
    clock.set_now(at("2018-08-01T09:00"))
    round_ = make_round()
    templates = bulk.open_templates(round_, [date(2018, 10, 10)])
    bulk.insert_clones(bulk.plan_clones(templates, cases - 1, lambda n: CaseStatus.PLANNING))
    bulk.finish_bulk_load()
    clock.set_now(None)
    return db.session.scalar(sa.select(sa.func.count()).select_from(HelpCase))


@pytest.fixture
def due_reminders(postgresql, county) -> int:
    return make_due(CASES)


@pytest.fixture
def few_due(postgresql, county) -> int:
    return make_due(400)


def still_due() -> int:
    db.session.rollback()
    moment = clock.parse_moment(MOMENT)
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ProcessInstance)
        .where(ProcessInstance.next_timer_due < moment)
    )


def worker(name: str, settings, tmp_path: Path) -> subprocess.Popen:
    """`huitou scheduler`: a process of its own, ticking every second on the rehearsal clock."""
    url = sa.engine.make_url(settings.database_url).update_query_dict({"application_name": name})
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path]),
        "HUITOU_DATABASE_URL": url.render_as_string(hide_password=False),
        "HUITOU_SECRET_KEY": "test",
        "HUITOU_EVIDENCE_DIR": settings.evidence_dir,
        "HUITOU_INSTANCE_DIR": str(tmp_path),
        "HUITOU_REHEARSAL_START": MOMENT,
        "HUITOU_TICK_SECONDS": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "web.cli", "scheduler"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def in_a_batch(name: str) -> bool:
    """The worker's connection has a transaction open with instances locked."""
    db.session.rollback()
    return bool(
        db.session.scalar(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid "
                "WHERE a.application_name = :name AND l.relation = 'process_instance'::regclass "
                "AND l.mode = 'RowShareLock'"
            ),
            {"name": name},
        )
    )


TICKED = re.compile(r"推进 (\d+) 个流程，失败 (\d+) 个")


def advanced_by(output: str) -> int:
    return sum(int(m.group(1)) for m in TICKED.finditer(output))


def failed_in(output: str) -> int:
    return sum(int(m.group(2)) for m in TICKED.finditer(output))


def test_three_workers_share_the_tick_and_survive_one_killed_mid_batch(
    due_reminders, settings, tmp_path
):
    workers = {name: worker(name, settings, tmp_path) for name in ("w1", "w2", "w3")}
    try:
        deadline = time.monotonic() + 60
        while not in_a_batch("w3"):
            assert time.monotonic() < deadline, "worker w3 never took a batch"
            time.sleep(0.05)
        workers["w3"].send_signal(signal.SIGKILL)  # kill -9 in the middle of its batch
        workers["w3"].wait(30)
        deadline = time.monotonic() + 240
        while still_due():
            assert time.monotonic() < deadline, f"{still_due()} instances were never advanced"
            time.sleep(0.5)
    finally:
        for process in workers.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        outputs = {name: process.communicate(timeout=60)[0] for name, process in workers.items()}

    assert all(workers[name].returncode == 0 for name in ("w1", "w2")), outputs
    assert failed_in(outputs["w1"]) + failed_in(outputs["w2"]) == 0, outputs
    survivors = advanced_by(outputs["w1"]) + advanced_by(outputs["w2"])
    assert advanced_by(outputs["w1"]) > 0 and advanced_by(outputs["w2"]) > 0, outputs

    db.session.rollback()
    reminders = db.session.execute(
        sa.select(CaseEscalation.case_id, sa.func.count())
        .where(CaseEscalation.level == 0)
        .group_by(CaseEscalation.case_id)
    ).all()
    assert len(reminders) == due_reminders, "every case got its reminder"
    assert {n for _, n in reminders} == {1}
    events = db.session.execute(
        sa.select(AuditEvent.object_id, sa.func.count())
        .where(AuditEvent.action == LEVEL_ACTIONS[0])
        .group_by(AuditEvent.object_id)
    ).all()
    assert len(events) == due_reminders and {n for _, n in events} == {1}, "no event doubled"
    assert survivors + advanced_by(outputs["w3"]) >= due_reminders
    for table in (Notice, EmailMessage):
        doubled = db.session.execute(
            sa.select(table.user_id, table.event_key)
            .group_by(table.user_id, table.event_key)
            .having(sa.func.count() > 1)
        ).all()
        assert doubled == [], f"{table.__tablename__} doubled"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) >= due_reminders
    assert audit.verify_chain().ok


def test_workers_in_one_process_never_take_the_same_instance(few_due, app):
    """Two ticks at once (threads, each its own connection): the instances they advanced are
    disjoint and together all of them."""
    moment = clock.parse_moment(MOMENT)
    reports: list[scheduler.TickReport] = []

    def run() -> None:
        with app.app_context():
            reports.append(scheduler.tick(moment))
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    first, second = (set(report.advanced) for report in reports)
    assert not first & second, "an instance was advanced twice"
    assert len(first | second) == few_due and first and second
    assert still_due() == 0
