"""Scenario 3, inboxes at scale: a department clerk's and a township clerk's inbox, a township
leader's overdue board and the leading group's accountability report over 1,000,000 human-task
rows and 100,000 instances (PostgreSQL; 100,000 rows on SQLite), as database and page time.
"""

from __future__ import annotations

import gc
import sys
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bench import bulk, pages
from bench.common import Backend, Measurement, Size, make_app
from workflow.models import CaseEscalation, CaseStatus, HumanTask, Role, TaskState
from workflow.platform import clock
from workflow.platform.db import db

SCENARIO = "inbox_scale"
INSTANCES = {("full", "postgresql"): 100_000, ("full", "sqlite"): 10_000}
SMOKE_INSTANCES = 100
TASKS_PER_INSTANCE = 10
OPENED = "2018-08-01T09:00"
AS_OF = "2018-10-20T10:00"
TEMPLATE_DUES = [date(2018, 8, 20) + timedelta(days=7 * n) for n in range(20)]

# A case's life in tasks: the department plans and works, the township verifies, the county
# accepts; sent-back loops repeat the middle. Ten rows a case, the last READY while it is open.
HISTORY = (
    ("plan_measure", "制定帮扶措施", "行业部门", Role.DEPARTMENT_CLERK),
    ("carry_out", "落实帮扶措施", "行业部门", Role.DEPARTMENT_CLERK),
    ("verify_on_site", "乡镇实地核验", "乡镇扶贫专干", Role.TOWNSHIP_CLERK),
    ("carry_out", "落实帮扶措施", "行业部门", Role.DEPARTMENT_CLERK),
    ("verify_on_site", "乡镇实地核验", "乡镇扶贫专干", Role.TOWNSHIP_CLERK),
    ("county_accept", "县扶贫办验收", "县扶贫办", Role.COUNTY_OFFICE),
    ("carry_out", "落实帮扶措施", "行业部门", Role.DEPARTMENT_CLERK),
    ("verify_on_site", "乡镇实地核验", "乡镇扶贫专干", Role.TOWNSHIP_CLERK),
    ("county_accept", "县扶贫办验收", "县扶贫办", Role.COUNTY_OFFICE),
)
READY_STEP = {
    CaseStatus.PLANNING: HISTORY[0],
    CaseStatus.IN_PROGRESS: HISTORY[1],
    CaseStatus.VERIFYING: HISTORY[2],
    CaseStatus.ACCEPTING: HISTORY[5],
}
# Out of every 20 cases: 12 closed, 2 planning, 3 in progress, 2 verifying, 1 accepting.
STATUS_CYCLE = (
    [CaseStatus.CLOSED] * 12
    + [CaseStatus.PLANNING] * 2
    + [CaseStatus.IN_PROGRESS] * 3
    + [CaseStatus.VERIFYING] * 2
    + [CaseStatus.ACCEPTING]
)


def status_of(n: int) -> CaseStatus:
    return STATUS_CYCLE[(n * 7) % len(STATUS_CYCLE)]


def build(instances: int) -> dict[str, int]:
    """The county, twenty real cases, and `instances` clones with ten task rows each."""
    clock.set_now(clock.parse_moment(OPENED))
    round_ = bulk.seed_county(households=3500)
    templates = bulk.open_templates(round_, TEMPLATE_DUES)
    clones = bulk.plan_clones(templates, instances, status_of)
    bulk.insert_clones(clones)
    as_of = clock.parse_moment(AS_OF)
    ready_guid = {t.instance_id: _ready_guid(t.instance_id) for t in templates}
    bulk.insert_rows(HumanTask.__table__, _task_rows(clones, ready_guid))
    bulk.insert_rows(CaseEscalation.__table__, _escalation_rows(clones, as_of))
    db.session.commit()
    bulk.finish_bulk_load()
    _vacuum()
    clock.set_now(as_of)
    return {"instances": instances + len(templates), "tasks": instances * TASKS_PER_INSTANCE}


def _vacuum() -> None:
    """On PostgreSQL, VACUUM the tables just copied in, as autovacuum would have done to a
    database that grew over a year: the pages all visible, index-only scans read no table row."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM (ANALYZE) help_case, human_task"))


def _ready_guid(instance_id: int) -> str:
    return db.session.query(HumanTask.task_guid).filter_by(instance_id=instance_id).scalar()


def _task_rows(clones: list[bulk.Clone], ready_guid: dict[int, str]) -> Any:
    opened = clock.parse_moment(OPENED)
    for c in clones:
        open_step = READY_STEP.get(c.status)
        done = TASKS_PER_INSTANCE - (1 if open_step else 0)
        steps = [HISTORY[k % len(HISTORY)] for k in range(done)]
        for k, step in enumerate([*steps, open_step] if open_step else steps):
            ready = open_step is not None and k == done
            at = opened + timedelta(days=k)
            yield {
                "instance_id": c.instance_id,
                "task_guid": ready_guid[c.template.instance_id] if ready else str(uuid.uuid4()),
                "spec_name": step[0],
                "title": step[1],
                "lane": step[2],
                "role": step[3],
                "township_id": c.home.township_id,
                "village_id": c.home.village_id,
                "department_id": c.department_id,
                "assignee_id": None,
                "due_at": c.template.due_at,
                "state": TaskState.READY if ready else TaskState.COMPLETED,
                "created_at": at,
                "completed_at": None if ready else at + timedelta(hours=5),
                "completed_by_id": None,
            }


def _escalation_rows(clones: list[bulk.Clone], as_of: datetime) -> Any:
    for c in clones:
        late = c.template.due_at < as_of and c.status != CaseStatus.CLOSED
        for level in (0, 1) if late else ():
            yield {"case_id": c.case_id, "level": level, "fired_at": c.template.due_at}


def _pages(app) -> list[tuple[str, str, str, int]]:
    """(measure, user, path, repetitions factor) of each page measured."""
    board = (
        ("overdue board (township leader)", "aoyi_fzr", "/board")
        if "board.index" in app.view_functions
        else (
            "overdue board (township leader, /cases?show=overdue)",
            "aoyi_fzr",
            "/cases?show=overdue",
        )
    )
    return [
        ("inbox (department clerk)", "dept_slj", "/inbox", 1),
        ("inbox (township clerk)", "aoyi_zg", "/inbox", 1),
        (*board, 1),
        ("accountability report (leading group)", "ldxz", "/rounds/2018/accountability", 0),
    ]


def run(backend: Backend, size: Size) -> list[Measurement]:
    """Build the data set on a fresh database and time each page and its database time."""
    instances = SMOKE_INSTANCES if size == "smoke" else INSTANCES[(size, backend.name)]
    reps = 3 if size == "smoke" else 20
    out: list[Measurement] = []
    with backend.fresh_database(SCENARIO) as url:
        app = make_app(url)
        with app.app_context():
            counts = build(instances)
        gc.collect()  # the build's garbage is not the first page's to collect
        note = f"{counts['tasks']:,} task rows, {counts['instances']:,} instances"
        try:
            for measure, user, path, factor in _pages(app):
                n = reps if factor else max(3, reps // 6)
                out += _measure_page(app, backend, size, measure, user, path, n, note)
        finally:
            clock.set_now(None)
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    return out


def _measure_page(
    app, backend: Backend, size: Size, measure: str, user: str, path: str, reps: int, note: str
) -> list[Measurement]:
    client = app.test_client()
    pages.log_in(client, user)
    try:
        times = pages.time_page(app, client, path, reps)
    except pages.PageFailed as exc:  # one broken page must not cost the other figures
        return [Measurement(SCENARIO, measure, backend.name, 0.0, "ms", met=False, note=str(exc))]
    reps = len(times.page)
    bare = pages.bare_db_times(app, times.statements, reps)
    trivial = pages.time_trivial(client, reps)
    held = measure.startswith(("inbox", "overdue")) and size == "full"
    held = held and backend.name == "postgresql"
    out = []
    for q in (50, 95):
        db_ms, bare_ms = pages.p(times.db, q), pages.p(bare, q)
        page_ms = pages.p(times.page, q)
        page_floor = bare_ms + pages.p(trivial, q)
        targets = q == 95 and held
        out += [
            Measurement(
                SCENARIO,
                f"{measure}: database time p{q}",
                backend.name,
                db_ms,
                "ms",
                floor=bare_ms,
                target="≤ 20 ms" if targets else "",
                met=(db_ms <= 20) if targets else None,
                note=f"{note}; {len(times.statements.run)} statements",
            ),
            Measurement(
                SCENARIO,
                f"{measure}: page time p{q}",
                backend.name,
                page_ms,
                "ms",
                floor=page_floor,
                target="≤ 100 ms" if targets else "",
                met=(page_ms <= 100) if targets else None,
                note=note,
            ),
        ]
    return out


if __name__ == "__main__":
    from bench.standalone import main

    main(run, sys.argv[1:])
