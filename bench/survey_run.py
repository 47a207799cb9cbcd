"""A whole look-back survey, timed stage by stage, with its floor measured in the same process.

The stages are what the people do, through the same operations the web app and `huitou import`
call: every clerk imports her forms (each is checked, stored and evaluated, one transaction per
upload), every village and township signs and submits, the county office reads the 补课清单, sends
the gaps §六 assigns to nobody to a department, and confirms every gap, which starts a gap_case per
gap (one transaction per department's batch, as the triage page posts it).
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import resource
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from bench import case_start, survey_floor
from bench.common import Backend, Measurement, make_app
from bench.synthetic import SURVEY_YEAR, filled_forms, synthetic_county
from workflow.demo.county import load_demo_county
from workflow.engine import specs
from workflow.inbox import tasks
from workflow.inbox.steps import CERTIFY
from workflow.models import (
    CatalogueRecord,
    HumanTask,
    Role,
    Round,
    TaskState,
    Township,
    User,
    Village,
)
from workflow.platform import clock
from workflow.platform.db import db
from workflow.programme import rounds
from workflow.programme.catalogue import standard_of
from workflow.programme.routing import COUNTY_OFFICE
from workflow.survey import certification, gaps
from workflow.survey import flow as survey_flow
from workflow.survey.intake import import_survey

LAUNCHED_AT = "2018-06-20T10:00+08:00"
SURVEYED_AT = "2018-07-10T16:00+08:00"
TRIAGED_AT = "2018-07-20T10:00+08:00"
CONFIRM_BATCH = 500  # gaps per confirmation, as the triage page posts a department's list
FORMS_CACHE = "HUITOU_BENCH_FORMS_CACHE"  # a folder the runner makes for one run


@dataclass
class SurveyRun:
    """What one run did and how long each stage took (seconds)."""

    households: int = 0
    forms: int = 0
    rows: int = 0
    gaps: int = 0
    cases: int = 0
    stages: dict[str, float] = field(default_factory=dict)
    floor_parse: float = 0.0
    floor_rows: int = 0
    floor_cases: float = 0.0
    snapshot_start: float = 0.0  # the same cases started both ways (bench/case_start.py)
    engine_start: float = 0.0
    peak_rss_mb: float = 0.0  # the survey's, from the end of the set-up (whole process without
    setup_peak_rss_mb: float = 0.0  # /proc/self/clear_refs); the set-up's: the register's load

    @property
    def total(self) -> float:
        return sum(self.stages.values())

    @property
    def floor_total(self) -> float:
        return self.floor_parse + self.floor_cases


def _at(moment: str) -> datetime:
    return datetime.fromisoformat(moment)


def run_survey(backend: Backend, households: int, label: str, seed: int = 2018) -> SurveyRun:
    """Set up a synthetic county of `households` on a fresh database and run its survey."""
    result = SurveyRun(households=households)
    with backend.fresh_database(label) as url:
        app = make_app(url)
        with app.app_context():
            try:
                round_, standard = _set_up(households, seed)
                with clock.frozen_at(_at(SURVEYED_AT)):
                    forms = _forms(round_, standard, households, seed)
                db.session.expunge_all()
                gc.collect()
                result.setup_peak_rss_mb = _peak_mb()
                _reset_peak()
                result.forms = len(forms)
                _import_all(round_.id, forms, result)
                _submit_all(round_.id, result)
                _triage_all(round_.id, result)
            finally:
                db.session.remove()
                db.engine.dispose()
    result.peak_rss_mb = _peak_mb()
    return result


def _reset_peak() -> None:
    """Start the process's high-water mark of RSS again from what it holds now (Linux)."""
    with contextlib.suppress(OSError):  # else the survey's peak is the whole process's
        Path("/proc/self/clear_refs").write_text("5")


def _peak_mb() -> float:
    """The process's peak RSS since the last _reset_peak (since it started, without one)."""
    try:
        status = Path("/proc/self/status").read_text().splitlines()
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _forms(round_, standard, households: int, seed: int) -> list:
    """The filled workbooks; made once per benchmark run and reused on the second backend (the
    same seed gives the same county, row for row, on either database)."""
    cache = os.environ.get(FORMS_CACHE)
    path = Path(cache) / f"forms-{households}-{seed}.pickle" if cache else None
    if path is not None and path.exists():
        return pickle.loads(path.read_bytes())
    forms = list(filled_forms(round_, standard, seed))
    if path is not None:
        path.write_bytes(pickle.dumps(forms))
    return forms


def _set_up(households: int, seed: int):
    """The county loaded and the round launched (not timed)."""
    load_demo_county(synthetic_county(households, seed))
    db.session.commit()
    gc.collect()
    fpb = db.session.scalar(sa.select(User).where(User.username == "fpb"))
    with clock.frozen_at(_at(LAUNCHED_AT)):
        round_ = rounds.launch_round(SURVEY_YEAR, fpb)
        db.session.commit()
    specs.parse_process("gap_case")  # parsed once per process, as the floor parses it untimed
    return round_, standard_of(db.session.get(CatalogueRecord, round_.catalogue_id))


def _clerks() -> tuple[dict[int, object], dict[tuple[int, str], object]]:
    village, township = {}, {}
    for user in db.session.scalars(sa.select(User)):
        if user.role == Role.VILLAGE_CLERK:
            village.setdefault(user.village_id, user)
        elif user.role in (Role.TOWNSHIP_CLERK, Role.TOWNSHIP_LEADER):
            township[(user.township_id, user.role.value)] = user
    return village, township


def _import_all(round_id: int, forms: list, result: SurveyRun) -> None:
    """Every clerk uploads her forms; one transaction per upload."""
    with clock.frozen_at(_at(SURVEYED_AT)):
        round_ = db.session.get(Round, round_id)
        village_clerk, township_staff = _clerks()
        seconds = 0.0
        for form in forms:
            if form.village_id is None:
                actor = township_staff[(form.township_id, Role.TOWNSHIP_CLERK.value)]
            else:
                actor = village_clerk[form.village_id]
            # The floor parses the same workbook just before: both see the same machine load.
            floor, rows = survey_floor.parse_seconds([form.data])
            result.floor_parse, result.floor_rows = (
                result.floor_parse + floor,
                result.floor_rows + rows,
            )
            start = time.perf_counter()
            outcome = import_survey(form.data, actor, round_, file_name=f"form{form.form_no}.xlsx")
            db.session.commit()
            seconds += time.perf_counter() - start
            result.rows += outcome.rows
            result.gaps += outcome.gaps
        result.stages["import and evaluate"] = seconds


def _submit_all(round_id: int, result: SurveyRun) -> None:
    """Every village clerk signs her forms, every township clerk reviews, every leader signs."""
    with clock.frozen_at(_at(SURVEYED_AT)):
        village_clerk, township_staff = _clerks()
        start = time.perf_counter()
        for township_id in db.session.scalars(sa.select(Township.id).order_by(Township.code)):
            village_tasks = db.session.scalars(
                sa.select(HumanTask).where(
                    HumanTask.spec_name == "village_forms",
                    HumanTask.state == TaskState.READY,
                    HumanTask.township_id == township_id,
                )
            ).all()
            for task in village_tasks:
                clerk = village_clerk[db.session.get(Village, task.village_id).id]
                survey_flow.submit_village_forms(task, clerk)
            instance_id = survey_flow.township_survey(round_id, township_id).instance_id
            survey_flow.submit_township_review(
                tasks.ready_task_of(instance_id, "township_review"),
                township_staff[(township_id, Role.TOWNSHIP_CLERK.value)],
            )
            survey_flow.sign_township_survey(
                tasks.ready_task_of(instance_id, "leader_sign"),
                township_staff[(township_id, Role.TOWNSHIP_LEADER.value)],
            )
            db.session.commit()
        result.stages["sign and submit"] = time.perf_counter() - start
        start = time.perf_counter()
        _certify_all()
        result.stages["certify (核定)"] = time.perf_counter() - start


def _certify_all() -> None:
    """县农经局 and 县统计局 certify every township's rows (nothing marked): only then are the
    gaps final for triage (§六.4, §六.5)."""
    clerks = {
        user.department_id: user
        for user in db.session.scalars(
            sa.select(User).where(User.role == Role.DEPARTMENT_CLERK).order_by(User.id.desc())
        )
    }
    ready = db.session.scalars(
        sa.select(HumanTask)
        .where(HumanTask.spec_name == CERTIFY, HumanTask.state == TaskState.READY)
        .order_by(HumanTask.id)
    ).all()
    for task in ready:
        certification.certify_households(task, clerks[task.department_id], {})
        db.session.commit()


def _triage_all(round_id: int, result: SurveyRun) -> None:
    """The county office reads the 补课清单, assigns the unowned gaps, confirms every gap."""
    with clock.frozen_at(_at(TRIAGED_AT)):
        round_ = db.session.get(Round, round_id)
        fpb = db.session.scalar(sa.select(User).where(User.username == "fpb"))
        start = time.perf_counter()
        listed = gaps.gap_rows(gaps.gap_list(round_))
        db.session.commit()
        result.stages["make-up list"] = time.perf_counter() - start
        assert len(listed) == result.gaps, (len(listed), result.gaps)

        start = time.perf_counter()
        board = gaps.triage_board(round_)
        unowned = [g.id for g in board.pop("", [])]
        batches = [[g.id for g in owned] for owned in board.values()]
        for part in _chunks(unowned):
            gaps.reroute_gaps(round_, part, COUNTY_OFFICE, "bench: the county office", fpb)
            batches.append(part)
        db.session.commit()
        result.stages["triage"] = time.perf_counter() - start

        seconds = 0.0
        for batch in batches:
            for part in _chunks(batch):
                result.floor_cases += survey_floor.case_start_seconds(len(part))  # side by side
                snapshot, engine = case_start.start_seconds(len(part))
                result.snapshot_start, result.engine_start = (
                    result.snapshot_start + snapshot,
                    result.engine_start + engine,
                )
                start = time.perf_counter()
                causes = dict.fromkeys(part, "industry")  # an income gap's cause (§六.1)
                result.cases += len(gaps.confirm_gaps(round_, part, fpb, causes=causes))
                db.session.commit()
                seconds += time.perf_counter() - start
        result.stages["start cases"] = seconds


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + CONFIRM_BATCH] for i in range(0, len(ids), CONFIRM_BATCH)]


def survey_measurements(scenario: str, backend: Backend, run: SurveyRun) -> list[Measurement]:
    """The figures every survey scenario reports (its own targets are added by the scenario)."""

    def m(measure: str, value: float, unit: str, **kw: object) -> Measurement:
        return Measurement(scenario, measure, backend.name, value, unit, **kw)

    per_household = run.total / max(run.households, 1) * 1000
    figures = [
        m(
            "end to end",
            run.total,
            "s",
            floor=run.floor_total,
            note=f"{run.households:,} households, {run.forms:,} workbooks, "
            f"{run.gaps:,} gaps, {run.cases:,} cases",
        ),
        m(
            "rows imported per second",
            run.rows / run.stages["import and evaluate"],
            "rows/s",
            floor=run.floor_rows / run.floor_parse,
            higher_is_better=True,
            note="floor: openpyxl read-only parse of the same workbooks",
        ),
        m(
            "cases started per second",
            run.cases / run.stages["start cases"] if run.cases else 0.0,
            "cases/s",
            floor=run.cases / run.floor_cases if run.cases else None,
            higher_is_better=True,
            note="floor: bare SpiffWorkflow start, run to first user task, serialize",
        ),
        m(
            "case start from snapshot",
            run.snapshot_start / run.cases * 1000 if run.cases else 0.0,
            "ms",
            floor=run.engine_start / run.cases * 1000 if run.cases else None,
            note="per case, rows and first task included; floor: the engine's own start of the "
            "same cases",
        ),
        m("time per household", per_household, "ms"),
        m(
            "peak memory (RSS)",
            run.peak_rss_mb,
            "MB",
            note="the survey's stages, with every workbook held; the set-up's is below",
        ),
        m(
            "set-up peak memory (RSS)",
            run.setup_peak_rss_mb,
            "MB",
            note="the register's load of the synthetic county and the forms' writing, untimed",
        ),
    ]
    for stage, seconds in run.stages.items():
        figures.append(m(f"stage: {stage}", seconds, "s"))
    return figures
