"""Measure what a county (and a prefecture after it) will feel: case throughput on the engine,
survey import speed, inbox queries and the scheduler's tick.

    make bench                       # embedded SQLite in a temporary folder
    HUITOU_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench make bench

Goals (2-core machine): opening a case ≤ 25 ms; a 300-household 附件1 imported ≤ 2 s; an inbox of
hundreds of tasks ≤ 50 ms; a tick over 500 due cases ≤ 30 s. The report says which goals hold.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from io import BytesIO
from pathlib import Path

import sqlalchemy as sa

GOALS = {
    "open a case (ms)": 25,
    "import 300-row 附件1 (s)": 2,
    "inbox of a department (ms)": 50,
    "tick over 500 due cases (s)": 30,
}


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _app():
    from web.app import create_app
    from workflow.settings import Settings

    url = os.environ.get("HUITOU_BENCH_DATABASE_URL")
    if not url:
        folder = Path(tempfile.mkdtemp(prefix="huitou-bench-"))
        url = f"sqlite:///{folder / 'bench.db'}"
    return create_app(Settings(database_url=url, secret_key="bench"))


def _big_village_form(round_, households: int) -> tuple[bytes, object]:
    """A village with `households` households in scope, and its 附件1 filled in."""
    from openpyxl import load_workbook

    from workflow.db import db
    from workflow.demo_data import build_demo_county
    from workflow.models import Household, Village
    from workflow.survey_templates import survey_template

    village = db.session.scalar(sa.select(Village).where(Village.name == "布古纳村"))
    extra = build_demo_county(seed=99, households=households * 3).households
    taken = set(db.session.scalars(sa.select(Household.id_number)))
    rows = [h for h in extra if h.id_number not in taken and h.exit_year <= 2017][:households]
    db.session.execute(
        sa.insert(Household),
        [
            {
                "id_number": h.id_number,
                "head_name": h.head_name,
                "village_id": village.id,
                "family_size": h.family_size,
                "exit_year": h.exit_year,
                "phone": h.phone,
                "helper_name": h.helper_name,
            }
            for h in rows
        ],
    )
    db.session.commit()
    wb = load_workbook(BytesIO(survey_template(1, round_, village=village)))
    ws = wb.active
    first = next(r for r in range(1, 15) if ws.cell(r, 1).value == 1)
    for row in range(first, ws.max_row + 1):
        if ws.cell(row, 1).value in (None, ""):
            break
        for col in range(6, 18):
            ws.cell(row, col).value = "是"
        ws.cell(row, 6).value = 5000
        ws.cell(row, 7).value = 10
    out = BytesIO()
    wb.save(out)
    return out.getvalue(), village


def main() -> int:
    from workflow import clock, rounds, scheduler, tasks
    from workflow.cases import Subject, open_case
    from workflow.county_setup import load_demo_county
    from workflow.db import db
    from workflow.demo_data import build_demo_county
    from workflow.models import Department, Household, SubjectKind, User
    from workflow.schema import upgrade_database
    from workflow.survey import import_survey

    app = _app()
    results: dict[str, float] = {}
    with app.app_context():
        upgrade_database()
        db.session.execute(sa.text("SELECT 1"))
        load_demo_county(build_demo_county())
        db.session.commit()
        fpb = db.session.scalar(sa.select(User).where(User.username == "fpb"))
        clock.set_now(clock.parse_moment("2018-06-20T10:00"))
        round_ = rounds.launch_round(2018, fpb)
        db.session.commit()

        slj = db.session.scalar(sa.select(Department).where(Department.code == "SLJ"))
        households = db.session.scalars(sa.select(Household).limit(500)).all()
        timings = []
        for household in households:
            subject = Subject(
                SubjectKind.HOUSEHOLD, household.village.township, household.village, household
            )
            timings.append(
                _timed(
                    lambda s=subject: open_case(
                        round_, s, "H-WATER", "有安全饮水", slj, fpb, due=date(2018, 9, 30)
                    )
                )
            )
        db.session.commit()
        results["open a case (ms)"] = statistics.median(timings) * 1000

        clerk = db.session.scalar(sa.select(User).where(User.username == "dept_slj"))
        results["inbox of a department (ms)"] = (
            statistics.median(_timed(lambda: tasks.inbox(clerk)) for _ in range(20)) * 1000
        )

        data, _village = _big_village_form(round_, 300)
        village_clerk = db.session.scalar(sa.select(User).where(User.username == "buguna_cun"))

        def do_import() -> None:
            import_survey(data, village_clerk, round_)
            db.session.rollback()  # measure the check and the write, keep nothing

        results["import 300-row 附件1 (s)"] = _timed(do_import)
        clock.set_now(None)
        results["tick over 500 due cases (s)"] = _timed(
            lambda: scheduler.tick(clock.parse_moment("2018-12-01T00:30"))
        )
        db.session.remove()
    print(f"{'measure':<32}{'result':>12}{'goal':>10}  ok")
    ok = True
    for name, value in results.items():
        goal = GOALS[name]
        hold = value <= goal
        ok &= hold
        print(f"{name:<32}{value:>12.2f}{goal:>10}  {'yes' if hold else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
