"""The service functions diagrams may call: the one table of them, installed at start-up.

The scripts in `bpmn/*.bpmn` call these names (`close_case(case_id)`, …) and nothing else; the
engine knows no domain module and receives this table instead. The app factory installs it,
hence every `huitou` command, the tests' app and the benchmarks too. A test checks that the
names the diagrams call are exactly this table's keys.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workflow.cases import acceptance, escalation
from workflow.engine.services import register_services
from workflow.survey import certification, results_flow
from workflow.survey import flow as survey_flow

SERVICES: dict[str, Callable[..., Any]] = {
    # annual_round.bpmn
    "start_township_surveys": survey_flow.start_township_surveys,
    "carry_over_round": acceptance.carry_over_round,
    # township_survey.bpmn
    "survey_submitted": survey_flow.survey_submitted,
    "escalate_survey": survey_flow.escalate_survey,
    "plan_certification": certification.plan_certification,
    "certification_done": certification.certification_done,
    "certification_overdue": certification.certification_overdue,
    # township_results.bpmn
    "results_submitted": results_flow.results_submitted,
    "escalate_results": results_flow.escalate_results,
    # gap_case.bpmn
    "close_case": escalation.close_case_from_process,
    "escalate_case": escalation.escalate_case,
}


def install() -> None:
    """Hand the engine the table (idempotent: installing again replaces it with the same)."""
    register_services(SERVICES)
