"""Which kind of page works each process step: the one table from BPMN user-task ids to pages.

Views and the API ask this module instead of spelling BPMN task ids; a new user task in a
diagram gets its row here (and a test checks every user task of bpmn/*.bpmn has one).
"""

from __future__ import annotations

from enum import StrEnum

from workflow.models import CaseStatus, HumanTask, Round, Village
from workflow.platform.db import db

# The user tasks of bpmn/*.bpmn, by the diagram they belong to.
VILLAGE_FORMS = "village_forms"  # township_survey: the village files 附件1 (and 附件2)
TOWNSHIP_REVIEW = "township_review"  # township_survey: the township checks them, files 附件3
LEADER_SIGN = "leader_sign"  # township_survey: the township leader signs the survey
CERTIFY = "certify_households"  # township_survey: 县农经局 / 县统计局 certify the rows (核定)
RESULTS_REVIEW = "results_review"  # township_results: the clerk checks 附件4–6
RESULTS_SIGN = "results_sign"  # township_results: the township leader signs them
COUNTY_TRIAGE = "county_triage"  # annual_round: the county office triages the gaps
ANNUAL_ACCEPTANCE = "annual_acceptance"  # annual_round: the county office accepts the year
PLAN_MEASURE = "plan_measure"  # gap_case: the department plans the measure
CARRY_OUT = "carry_out"  # gap_case: the department carries it out
VERIFY_ON_SITE = "verify_on_site"  # gap_case: the township verifies on site
COUNTY_ACCEPT = "county_accept"  # gap_case: the county office accepts


class Page(StrEnum):
    """The kinds of page a task is worked on."""

    SURVEY = "survey"
    CERTIFY = "certify"
    RESULTS = "results"
    TRIAGE = "triage"
    ACCEPTANCE = "acceptance"
    CASE = "case"


PAGE_OF_STEP: dict[str, Page] = {
    VILLAGE_FORMS: Page.SURVEY,
    TOWNSHIP_REVIEW: Page.SURVEY,
    LEADER_SIGN: Page.SURVEY,
    CERTIFY: Page.CERTIFY,
    RESULTS_REVIEW: Page.RESULTS,
    RESULTS_SIGN: Page.RESULTS,
    COUNTY_TRIAGE: Page.TRIAGE,
    ANNUAL_ACCEPTANCE: Page.ACCEPTANCE,
    PLAN_MEASURE: Page.CASE,
    CARRY_OUT: Page.CASE,
    VERIFY_ON_SITE: Page.CASE,
    COUNTY_ACCEPT: Page.CASE,
}

STEP_OF_CASE_STATUS: dict[CaseStatus, str] = {
    CaseStatus.PLANNING: PLAN_MEASURE,
    CaseStatus.IN_PROGRESS: CARRY_OUT,
    CaseStatus.VERIFYING: VERIFY_ON_SITE,
    CaseStatus.ACCEPTING: COUNTY_ACCEPT,
}


def page_of(task: HumanTask) -> Page | None:
    """The kind of page the task is worked on (None: a step no page works)."""
    return PAGE_OF_STEP.get(task.spec_name)


def steps_of(page: Page) -> frozenset[str]:
    """The steps worked on one kind of page."""
    return frozenset(step for step, kind in PAGE_OF_STEP.items() if kind == page)


def forms_filed(task: HumanTask) -> list[int]:
    """Which survey forms a step files: 附件1 (and 附件2 for an exited-poor village) at the
    village, 附件3 at the township's review; none when the leader signs."""
    if task.spec_name == VILLAGE_FORMS:
        village = db.session.get(Village, task.village_id)
        round_ = db.session.get(Round, task.instance.round_id)
        exited = village.is_exited_poor and round_.covers_exit(village.exit_year)
        return [1, 2] if exited else [1]
    return [3] if task.spec_name == TOWNSHIP_REVIEW else []
