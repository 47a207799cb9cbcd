"""Scenario: a prefecture's 建档立卡 register loaded from Excel — 100,000 households and about
370,000 members at full size (HUITOU_BENCH_REGISTER_HOUSEHOLDS changes it), 300 at smoke size.

The floor is openpyxl's bare read-only parse of the very same workbook (every value of every
row, nothing done with it). The figure is `load_register` end to end: read and check every cell,
look every village and ID up, compare with the stored register, insert in bulk, commit.
Targets: ≤ 2× the floor, peak memory (RSS of the whole process) under 400 MB.

The workbook and the county (its townships, villages, departments and users, no households yet)
are made by a child process, so that making them weighs nothing in this process's peak memory;
the workbook is kept in the run's cache folder for the second backend.
"""

from __future__ import annotations

import gc
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import sqlalchemy as sa

from bench.common import Backend, Measurement, Size, make_app
from bench.survey_floor import parse_seconds
from bench.survey_run import FORMS_CACHE
from bench.synthetic import synthetic_county
from workflow.county.register import load_register
from workflow.demo.county import load_demo_county
from workflow.demo.members import register_rows
from workflow.forms.register_writer import write_register
from workflow.models import User
from workflow.platform.db import db

HOUSEHOLDS = {
    "smoke": 300,
    "full": int(os.environ.get("HUITOU_BENCH_REGISTER_HOUSEHOLDS", "100000")),
}
MAX_RATIO = 2.0
PEAK_MB = 400
YEAR = 2018
SCENARIO = "register_load"


def prepare(url: str, households: int, path: str) -> None:
    """In the child process: the county without households on `url`, the register at `path`."""

    county = synthetic_county(households)
    if not Path(path).exists():
        Path(path).write_bytes(write_register(*register_rows(county)))
    app = make_app(url)
    with app.app_context():
        load_demo_county(replace(county, households=()))
        db.session.commit()


def _workbook(url: str, households: int) -> bytes:
    folder = os.environ.get(FORMS_CACHE) or tempfile.gettempdir()
    path = Path(folder) / f"register-{households}.xlsx"
    subprocess.run(
        [sys.executable, "-m", "bench.register_load", url, str(households), str(path)],
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return path.read_bytes()


def run(backend: Backend, size: Size) -> list[Measurement]:
    """Load the register once on a fresh database; return the time and memory figures."""

    households = HOUSEHOLDS[size]
    with backend.fresh_database(SCENARIO) as url:
        data = _workbook(url, households)
        floor, rows = parse_seconds([data])
        app = make_app(url)
        with app.app_context():
            office = db.session.scalar(sa.select(User).where(User.username == "fpb"))
            gc.collect()
            start = time.perf_counter()
            load = load_register(data, YEAR, office)
            assert load.ok, load.problems[:5]
            db.session.commit()
            seconds = time.perf_counter() - start
            db.session.remove()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    name, kind = SCENARIO, backend.name
    note = f"{load.households:,} households, {load.members:,} members, {rows:,} rows"
    return [
        Measurement(
            name,
            "load time",
            kind,
            round(seconds, 2),
            "s",
            floor=round(floor, 2),
            target=f"≤ {MAX_RATIO:g}× openpyxl's read-only parse",
            max_ratio=MAX_RATIO,
            note=note,
        ).judge(),
        Measurement(
            name,
            "peak memory (RSS)",
            kind,
            round(peak, 1),
            "MB",
            target=f"< {PEAK_MB} MB",
            met=peak < PEAK_MB,
            note="whole process; the workbook is made by a child process",
        ),
    ]


if __name__ == "__main__":
    prepare(sys.argv[1], int(sys.argv[2]), sys.argv[3])
