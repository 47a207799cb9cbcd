"""Property tests of the front door: random survey cells through the real import, and random
JSON bodies through the API's case steps. Never a server error, nothing half-stored, and every
refusal names its cell or field."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import IsolatedClient
from tests.factories import at, make_round, open_household_case
from tests.fuzz.test_survey_reader_fuzz import VALUES
from tests.scenario import ALL_YES_HOUSEHOLD
from tests.survey_filling import column_letter, edit, fill, rows_of
from workflow.cases import lifecycle as cases
from workflow.inbox import tasks
from workflow.models import AuditEvent, CaseNote, HelpCase, SurveyAnswer, SurveySubmission
from workflow.people.api_tokens import issue_token
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import ValidationFailed
from workflow.platform.numbers import amount_problem
from workflow.platform.text import text_problem
from workflow.survey.intake import import_survey
from workflow.survey.templates import find_village, survey_template

FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PROBLEM = re.compile(r"^附件1!([A-Z]{1,3}[0-9]+)?[:：]")
HEADERS = ["人均纯收入（元）", "有安全饮水", "有生活用电", "义务教育有保障", "住房安全有保障"]


def _stored() -> tuple[int, int, int]:
    count = sa.select(sa.func.count())
    return (
        db.session.scalar(count.select_from(SurveyAnswer)),
        db.session.scalar(count.select_from(SurveySubmission)),
        db.session.scalar(count.select_from(AuditEvent)),
    )


@pytest.fixture
def filled_form(round2018):
    form = survey_template(1, round2018, village=find_village("布古纳村"))
    data = fill(form, "身份证号", {}, ALL_YES_HOUSEHOLD)
    first_row = min(rows_of(data, "身份证号").values())
    cells = {h: f"{column_letter(data, h)}{first_row}" for h in HEADERS}
    return data, cells


@FUZZ
@given(answers=st.dictionaries(st.sampled_from(HEADERS), VALUES, min_size=1, max_size=5))
def test_the_import_stores_all_or_nothing_and_names_each_cell(
    round2018, user, filled_form, answers
):
    data, cells = filled_form
    clerk = user("buguna_cun")
    upload = edit(data, {cells[h]: v for h, v in answers.items()})
    before = _stored()
    try:
        with db.session.begin_nested():
            import_survey(upload, clerk, round2018)
    except ValidationFailed as refusal:
        assert _stored() == before, "a refused form stored nothing"
        problems = refusal.problems
        assert problems and all(PROBLEM.match(p.message) for p in problems), problems
        assert all(p.message.startswith(p.field) for p in problems), "each names its cell"
    else:
        assert _stored()[1] == before[1] + 1
    db.session.rollback()


JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=30),
        st.sampled_from(["progress", "done", "12000", "1e999", "NaN", "-1", "\x00", "\ud800"]),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
STEP_VALUES = st.one_of(
    JSON_VALUES,
    st.floats(),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.text(st.characters(codec="utf-8") | st.sampled_from("\x00\x07\ud800\u0085"), max_size=20),
)
BODIES = st.one_of(
    st.fixed_dictionaries(
        {"action": st.just("progress")},
        optional={"text": STEP_VALUES, "funds": STEP_VALUES, "summary": STEP_VALUES},
    ),
    st.fixed_dictionaries(
        {},
        optional={
            "action": JSON_VALUES,
            "text": JSON_VALUES,
            "funds": JSON_VALUES,
            "summary": JSON_VALUES,
        },
    ),
    JSON_VALUES,
)


@pytest.fixture
def carry_out(county, user, app):
    clock.set_now(at("2018-08-01T10:00"))
    case = open_household_case(make_round())
    cases.plan_case(
        case,
        user("dept_slj"),
        measure="m",
        target_standard="s",
        responsible_person="p",
        planned_completion=at("2018-09-30T10:00").date(),
    )
    token = issue_token(user("admin"), "dept_slj", "test")[1]
    db.session.commit()
    client = IsolatedClient(app, app.response_class, use_cookies=False)
    return case.id, tasks.ready_task_of(case.instance_id, "carry_out").id, token, client


def _case_state(case_id: int) -> tuple:
    db.session.expire_all()
    case = db.session.get(HelpCase, case_id)
    notes = db.session.scalar(sa.select(sa.func.count()).select_from(CaseNote))
    return case.status, case.funds_spent, notes


@FUZZ
@given(body=BODIES)
def test_any_json_body_is_answered_in_json_and_a_refusal_changes_nothing(
    carry_out, monkeypatch, app, body
):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    case_id, task_id, token, client = carry_out
    before = _case_state(case_id)
    response = client.post(
        f"/api/v1/tasks/{task_id}/complete",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code < 500, (body, response.get_data(as_text=True))
    assert response.is_json
    if response.status_code >= 400:
        assert _case_state(case_id) == before
        assert response.get_json()["message"].strip()
    else:  # what was taken is what the checks let in: a finite amount, clean bounded text
        db.session.expire_all()
        case = db.session.get(HelpCase, case_id)
        assert amount_problem(case.funds_spent) is None, body
        for note in db.session.scalars(sa.select(CaseNote)):
            assert text_problem(note.text) is None, body
    if response.status_code == 422:  # each refusal names its field (a nested one by its path)
        errors = response.get_json()["errors"]
        assert errors and all(isinstance(m, str) and m.strip() for m in errors.values())
