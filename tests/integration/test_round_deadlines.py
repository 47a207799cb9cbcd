"""Moving a round's deadlines: the date, the running timers, the audit, and the refusals."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import at
from workflow.models import AuditEvent, HumanTask, SurveyEscalation, TaskState
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, ValidationFailed
from workflow.programme import deadlines as round_deadlines


def _late_townships() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(SurveyEscalation))


def test_moved_survey_deadline_moves_the_running_timers(round2018, user, run_tick):
    clock.set_now(at("2018-07-10T09:00"))
    moved = round_deadlines.move_deadline(
        round2018, user("fpb"), "survey_due", date(2018, 7, 20), "暴雨冲毁道路，入户调查顺延"
    )
    db.session.commit()
    assert moved >= 13  # every township's waiting survey timer
    run_tick("2018-07-14T00:30+08:00")
    assert _late_townships() == 0
    run_tick("2018-07-21T00:30+08:00")
    assert _late_townships() == 13
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "round.move_deadline")
    )
    assert "2018-07-13" in event.before and "2018-07-20" in event.after
    assert event.reason == "暴雨冲毁道路，入户调查顺延"


def test_moved_survey_deadline_shows_on_the_village_tasks(round2018, user):
    clock.set_now(at("2018-07-10T09:00"))
    round_deadlines.move_deadline(round2018, user("fpb"), "survey_due", date(2018, 7, 20), "顺延")
    db.session.commit()
    dues = set(
        db.session.scalars(
            sa.select(HumanTask.due_at).where(
                HumanTask.spec_name == "village_forms", HumanTask.state == TaskState.READY
            )
        )
    )
    assert dues == {clock.end_of_day(date(2018, 7, 20))}


def test_moved_results_and_done_by_deadlines_escalate_at_the_new_dates(round2018, user, run_tick):
    clock.set_now(at("2018-07-10T09:00"))
    round_deadlines.move_deadline(round2018, user("fpb"), "results_due", date(2018, 10, 25), "延")
    db.session.commit()
    run_tick("2018-10-16T00:30+08:00")
    results = sa.select(sa.func.count()).where(SurveyEscalation.stage == "results")
    assert db.session.scalar(results) == 0
    run_tick("2018-10-26T00:30+08:00")
    assert db.session.scalar(results) == 13


@pytest.mark.parametrize(
    "key, day, reason, field, words",
    [
        ("survey_due", date(2018, 7, 20), "", "reason", "原因"),
        ("survey_due", date(2018, 7, 1), "r", "survey_due", "过去"),
        ("survey_due", date(2018, 10, 20), "r", "survey_due", "顺序"),
        ("results_due", date(2018, 7, 12), "r", "results_due", "顺序"),
        ("done_by", date(2019, 1, 5), "r", "done_by", "2018"),
        ("survey_due", None, "r", "survey_due", "格式"),
    ],
)
def test_bad_moves_are_refused_next_to_their_field(round2018, user, key, day, reason, field, words):
    clock.set_now(at("2018-07-10T09:00"))
    with pytest.raises(ValidationFailed) as err:
        round_deadlines.move_deadline(round2018, user("fpb"), key, day, reason)
    assert words in err.value.by_field()[field]
    assert round2018.survey_due == date(2018, 7, 13)


def test_a_passed_deadline_cannot_be_moved(round2018, user):
    clock.set_now(at("2018-07-14T09:00"))
    with pytest.raises(ValidationFailed) as err:
        round_deadlines.move_deadline(round2018, user("fpb"), "survey_due", date(2018, 7, 30), "r")
    assert "已过" in err.value.by_field()["survey_due"]
    shown = {d.key: d.passed for d in round_deadlines.round_deadlines(round2018, user("admin"))}
    assert shown == {"survey_due": True, "results_due": False, "done_by": False}


@pytest.mark.parametrize("name", ["ldxz", "aoyi_fzr", "dept_slj_fzr", "buguna_cun"])
def test_only_the_county_office_and_admin_move_deadlines(round2018, user, name):
    with pytest.raises(AccessDenied):
        round_deadlines.move_deadline(round2018, user(name), "survey_due", date(2018, 7, 20), "r")


def test_the_deadlines_page_moves_a_date_and_shows_errors_next_to_the_field(round2018, browser):
    clock.set_now(at("2018-07-10T09:00"))
    office = browser("fpb")
    page = office.get("/admin/rounds/2018/deadlines").get_data(as_text=True)
    assert "2018-07-13" in page and "2018-10-15" in page and "2018-12-31" in page
    refused = office.post(
        "/admin/rounds/2018/deadlines", {"key": "survey_due", "survey_due": "2018-07-20"}
    )
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    form = body[body.index('value="survey_due"') :]
    form = form[: form.index("</form>")]
    assert "请填写调整期限的原因" in form and 'value="2018-07-20"' in form
    moved = office.post(
        "/admin/rounds/2018/deadlines",
        {"key": "survey_due", "survey_due": "2018-07-20", "reason": "暴雨顺延"},
    )
    assert moved.status_code == 303
    db.session.expire_all()
    assert round2018.survey_due == date(2018, 7, 20)
    assert "2018-07-20" in office.get("/admin/rounds/2018/deadlines").get_data(as_text=True)


@pytest.mark.parametrize("name, status", [("admin", 200), ("ldxz", 403), ("aoyi_fzr", 403)])
def test_who_sees_the_deadlines_page(round2018, browser, name, status):
    assert browser(name).get("/admin/rounds/2018/deadlines").status_code == status
