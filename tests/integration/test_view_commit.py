"""One commit path for views: `domain_view` commits what a view did when it answers well, rolls
back everything on any error, takes back a success message whose change was not saved, and
answers a stale write with the reload message the JSON API gives. And the rules that moved out of
views answer the same on the page, in the API, the CLI and the domain."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import flash, get_flashed_messages, redirect

from notifications.models import Notice
from tests.factories import at, make_round, open_household_case
from web import cli, cli_support
from web.api import commit as api_commit
from web.handling import domain_view, stale_message
from workflow.cases import plans
from workflow.inbox import assignment, confirmation, steps, tasks
from workflow.models import ProcessInstance, Round
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import (
    WHOLE,
    AccessDenied,
    ConflictError,
    Problem,
    Refused,
    ValidationFailed,
)
from workflow.programme import rounds

BPMN = Path(__file__).resolve().parents[2] / "bpmn"
SAVED = "已保存。"


def _notices(app, key: str) -> int:
    """How many notices with this key are stored, read in a session of its own."""
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(Notice).where(Notice.event_key == key)
        )


def _add_notice(user_id: int, key: str) -> None:
    db.session.add(Notice(user_id=user_id, event_key=key, created_at=clock.now(), subject="s"))
    db.session.flush()


@pytest.mark.parametrize(
    "error",
    [
        Refused("该事项已办结，不能再改。"),
        ValidationFailed({"reason": "请填写原因。"}),
        ConflictError("有人刚刚处理了此事。"),
        AccessDenied("无权办理。"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_an_error_after_a_flush_leaves_nothing_stored_and_no_success_claimed(
    app, county, user, error
):
    clerk_id = user("dept_slj").id

    @domain_view
    def view():
        _add_notice(clerk_id, "view-error")
        flash(SAVED, "success")
        raise error

    with app.test_request_context("/cases/1/plan", method="POST"):
        try:
            response = view()
        except Exception as exc:  # AccessDenied becomes an HTTP 403
            assert getattr(exc, "code", None) == 403
        else:
            assert response.status_code == 303
            shown = get_flashed_messages(with_categories=True)
            assert ("error", error.message) in shown
            assert ("success", SAVED) not in shown
    assert _notices(app, "view-error") == 0


def test_a_good_answer_is_committed_and_an_error_page_is_not(app, county, user):
    clerk_id = user("dept_slj").id

    @domain_view
    def saved():
        _add_notice(clerk_id, "view-ok")
        return redirect("/inbox", 303)

    @domain_view
    def form_again():
        _add_notice(clerk_id, "view-422")
        return "form with its problems", 422

    with app.test_request_context("/x", method="POST"):
        assert saved().status_code == 303
        assert form_again().status_code == 422
    assert _notices(app, "view-ok") == 1
    assert _notices(app, "view-422") == 0


@pytest.fixture
def instance_id(county):
    clock.set_now(at("2018-08-01T10:00"))
    case = open_household_case(make_round())
    db.session.commit()
    return case.instance_id


def _written_meanwhile(app, instance_id: int, subject: str) -> None:
    """Someone else, in a session of their own, changes the instance and commits."""
    with app.app_context():
        db.session.get(ProcessInstance, instance_id).subject = subject
        db.session.commit()


def test_a_stale_write_gets_the_api_s_reload_answer_and_the_other_change_stands(app, instance_id):
    @domain_view
    def view():
        mine = db.session.get(ProcessInstance, instance_id)
        _written_meanwhile(app, instance_id, "A 先改")
        mine.subject = "B 后改"
        flash(SAVED, "success")
        return redirect("/inbox", 303)

    with app.test_request_context("/x", method="POST", headers={"Referer": "/cases/1"}):
        response = view()
        shown = get_flashed_messages(with_categories=True)
    assert response.status_code == 303 and response.location.endswith("/cases/1")
    assert shown == [("error", stale_message())], "the success message was taken back"
    assert "刷新" in stale_message()

    # The API answers the same stale write with the same words (409, as a ConflictError).
    db.session.rollback()
    db.session.get(ProcessInstance, instance_id).subject = "C 再改"
    _written_meanwhile(app, instance_id, "D 先改")
    with pytest.raises(ConflictError) as err:
        api_commit()
    assert err.value.message == stale_message()

    with app.app_context():
        assert db.session.get(ProcessInstance, instance_id).subject == "D 先改"


def test_problems_have_one_shape_whatever_they_were_built_from():
    by_field = ValidationFailed({"reason": "请填写原因。", "due": "日期有误。"})
    by_message = ValidationFailed(["文件不是表格。"])
    assert by_field.problems == [Problem("reason", "请填写原因。"), Problem("due", "日期有误。")]
    assert by_message.problems == [Problem(WHOLE, "文件不是表格。")]
    assert by_message.by_field() == {WHOLE: by_message.message}
    assert by_field.messages() == ["请填写原因。", "日期有误。"]
    assert not isinstance(Refused("x"), ConflictError) and not isinstance(
        ConflictError("x"), Refused
    )


# -- the rules that moved out of views ----------------------------------------------------------


def test_every_user_task_of_the_diagrams_has_a_page(app):
    user_tasks = set()
    for path in BPMN.glob("*.bpmn"):
        user_tasks |= set(re.findall(r'<bpmn:userTask id="([^"]+)"', path.read_text()))
    assert user_tasks == set(steps.PAGE_OF_STEP)
    assert set(steps.STEP_OF_CASE_STATUS.values()) == steps.steps_of(steps.Page.CASE)


def test_the_inbox_and_the_api_send_a_survey_step_to_the_same_page(round2018, browser, user):
    clerk = user("buguna_cun")
    task = next(
        t for t in tasks.inbox(clerk, with_group=True) if t.spec_name == steps.VILLAGE_FORMS
    )
    page = browser("buguna_cun")
    opened = page.get(f"/tasks/{task.id}")
    assert opened.status_code == 302 and opened.location.endswith(f"/survey/tasks/{task.id}")
    answer = page.client.post(
        f"/api/v1/tasks/{task.id}/complete", json={}, headers={"X-CSRFToken": page.token}
    )
    assert answer.status_code == 422
    followed = page.get(answer.get_json()["page"])
    assert followed.location == opened.location


def test_the_confirmation_is_refused_in_the_domain_with_the_page_s_words(round2018, browser):
    with pytest.raises(ValidationFailed) as err:
        confirmation.require_confirmed(None)
    message = err.value.by_field()[confirmation.CONFIRM_FIELD]
    assert message == "请先勾选“我已核对上述内容，确认签字提交”；本次未签字。"
    confirmation.require_confirmed("yes")


def test_only_a_leader_reassigns_on_the_page_and_in_the_domain(round2018, browser, user):
    clerk = user("aoyi_zg")
    with pytest.raises(AccessDenied) as err:
        assignment.reassign_tasks([], user("aoyi_fzr"), "出差", clerk)
    page = browser("aoyi_zg").get("/inbox/reassign")
    assert page.status_code == 403
    assert err.value.message in page.get_data(as_text=True)


def test_page_and_cli_launch_with_the_same_default_deadlines_and_year_range(
    county, browser, user, app, monkeypatch
):
    page = browser("fpb")
    page.get("/rounds")
    too_late = page.post("/rounds/launch", {"year": "2031"})
    with pytest.raises(ValidationFailed) as err:
        rounds.launch_round(2031, user("fpb"))
    assert too_late.status_code == 422
    assert err.value.by_field()["year"] in too_late.get_data(as_text=True)

    clock.set_now(at("2018-06-01T09:00"))
    assert page.post("/rounds/launch", {"year": "2018"}).status_code == 303
    monkeypatch.setattr(cli_support, "make_app", lambda: app)
    result = CliRunner().invoke(cli.main, ["round", "launch", "--year", "2019"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    for year in (2018, 2019):
        launched = db.session.scalar(sa.select(Round).where(Round.year == year))
        expected = rounds.Deadlines.defaults(year)
        assert (launched.survey_due, launched.results_due, launched.done_by) == (
            expected.survey_due,
            expected.results_due,
            expected.done_by,
        )


def test_opening_the_notices_marks_them_read_and_that_is_saved(county, browser, user, app):
    clerk, other = user("dept_slj"), user("aoyi_zg")
    _add_notice(clerk.id, "n-mine")
    _add_notice(other.id, "n-theirs")
    db.session.commit()
    assert browser("dept_slj").get("/notices").status_code == 200
    with app.app_context():
        read = dict(
            db.session.execute(sa.select(Notice.event_key, Notice.read_at.is_not(None))).all()
        )
    assert read == {"n-mine": True, "n-theirs": False}


def test_who_reads_and_signs_a_department_plan_is_the_domain_s_answer(round2018, browser, user):
    for name, code in [("aoyi_zg", ""), ("dept_slj", "JTJ"), ("fpb", "")]:
        with pytest.raises(AccessDenied) as err:
            plans.plan_to_read(user(name), code)
        page = browser(name).get(f"/rounds/2018/plan.xlsx?department={code}")
        assert page.status_code == 403, name
        assert err.value.message in page.get_data(as_text=True)
    own = plans.plan_to_read(user("dept_slj"))
    assert browser("dept_slj").get("/rounds/2018/plan.xlsx").status_code == 200
    assert plans.plan_to_read(user("fpb"), own.code) == own
    assert browser("fpb").get(f"/rounds/2018/plan.xlsx?department={own.code}").status_code == 200

    assert not plans.may_sign_plan(user("dept_slj"))
    with pytest.raises(AccessDenied) as err:
        plans.require_plan_signer(user("dept_slj"))
    clerk = browser("dept_slj")
    clerk.get("/rounds/2018/results")
    refused = clerk.post("/rounds/2018/plan/sign", {"confirm": "yes"})
    assert refused.status_code == 403 and err.value.message in refused.get_data(as_text=True)


def test_a_failing_commit_takes_back_the_success_message(app, county, user):
    clerk_id = user("dept_slj").id

    @domain_view
    def view():
        for _twice in range(2):  # one notice per user and event: the commit fails
            db.session.add(
                Notice(user_id=clerk_id, event_key="dup", created_at=clock.now(), subject="s")
            )
        flash(SAVED, "success")
        return redirect("/inbox", 303)

    with app.test_request_context("/x", method="POST"):
        with pytest.raises(sa.exc.IntegrityError):
            view()
        assert get_flashed_messages() == []
    assert _notices(app, "dup") == 0
