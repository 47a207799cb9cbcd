"""Scenario 1: a county's survey — 3,500 households, from the clerks' uploads to every case started.

Targets: end to end at most twice its floor (openpyxl's read-only parse of the same workbooks and
bare SpiffWorkflow starting as many gap_case instances, measured in the same process), and at least
300 cases started per second on SQLite.
"""

from __future__ import annotations

from bench.common import Backend, Measurement, Size
from bench.survey_run import run_survey, survey_measurements

HOUSEHOLDS = {"smoke": 100, "full": 3500}
MAX_RATIO = 2.0
CASES_PER_SECOND = 300


def run(backend: Backend, size: Size) -> list[Measurement]:
    """Run the county's survey at the given size and return its figures."""
    survey = run_survey(backend, HOUSEHOLDS[size], "county")
    figures = survey_measurements(__name__.rsplit(".", 1)[-1], backend, survey)
    for figure in figures:
        if figure.measure == "end to end":
            figure.target, figure.max_ratio = f"≤ {MAX_RATIO:g}× floor", MAX_RATIO
            figure.judge()
        elif figure.measure == "cases started per second" and backend.name == "sqlite":
            figure.target = f"≥ {CASES_PER_SECOND}/s"
            figure.met = figure.value >= CASES_PER_SECOND
    return figures
