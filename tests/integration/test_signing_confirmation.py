"""Nothing is signed without the signer's tick: the township leader's survey, the township's
results tables, the department's annual plan and the county's acceptance each ask "我已核对上述
内容，确认签字提交"; sent without it, the form comes back with the message next to the box and
nothing is signed or changed."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa

from tests.factories import at, make_round, open_household_case, work_done
from tests.scenario import AOYI, survey_waiting_for_leader
from workflow.cases import lifecycle as cases
from workflow.inbox import tasks
from workflow.models import (
    CaseStatus,
    HelpCase,
    HumanTask,
    Signature,
    TaskState,
)
from workflow.platform import clock
from workflow.platform.db import db
from workflow.programme import rounds

CONFIRM = {"confirm": "yes"}
MESSAGE = "请先勾选“我已核对上述内容，确认签字提交”；本次未签字。"


def signatures(object_type: str) -> list[Signature]:
    db.session.rollback()
    return list(
        db.session.scalars(sa.select(Signature).where(Signature.object_type == object_type))
    )


def asks_to_confirm(response) -> bool:
    """The form came back, nothing done, with the message inside its confirmation box's label."""
    html = response.get_data(as_text=True)
    labels = re.findall(r'<label class="confirm">(.*?)</label>', html, re.S)
    return response.status_code == 422 and any(
        MESSAGE in label and 'name="confirm"' in label and "required" in label for label in labels
    )


def aoyi_waiting_for_leader(user) -> HumanTask:
    """奥依亚依拉克镇's villages and clerk have filed and signed (tests.scenario, with no gap);
    its leader has not signed yet."""
    clock.set_now(at("2018-07-05T10:00"))
    round_ = rounds.launch_round(2018, user("fpb"))
    task = survey_waiting_for_leader(round_, AOYI, user, with_water_gap=False)
    db.session.commit()
    return task


def test_township_leader_signs_the_survey_only_after_ticking_the_box(county, user, browser):
    task = aoyi_waiting_for_leader(user)
    leader = browser("aoyi_fzr")
    page = leader.get(f"/survey/tasks/{task.id}")
    assert 'name="confirm" value="yes" required' in page.get_data(as_text=True)

    refused = leader.post(f"/survey/tasks/{task.id}/submit")
    assert asks_to_confirm(refused)
    assert signatures("township_survey") == []
    assert db.session.get(HumanTask, task.id).state == TaskState.READY

    signed = leader.post(f"/survey/tasks/{task.id}/submit", CONFIRM)
    assert signed.status_code == 303
    assert [s.signer_name for s in signatures("township_survey")] == [user("aoyi_fzr").display_name]


def test_results_tables_are_signed_only_after_ticking_the_box(county, user, browser):
    clock.set_now(at("2018-06-20T10:00"))
    round_ = rounds.launch_round(2018, user("fpb"))
    open_household_case(round_)
    db.session.commit()
    clock.set_now(at("2018-10-12T10:00"))
    (review,) = [t for t in tasks.inbox(user("aoyi_zg")) if t.spec_name == "results_review"]
    clerk = browser("aoyi_zg")
    assert asks_to_confirm(clerk.post(f"/rounds/results/tasks/{review.id}"))
    assert signatures("township_results") == []
    assert clerk.post(f"/rounds/results/tasks/{review.id}", CONFIRM).status_code == 303

    (sign,) = [t for t in tasks.inbox(user("aoyi_fzr")) if t.spec_name == "results_sign"]
    leader = browser("aoyi_fzr")
    assert asks_to_confirm(leader.post(f"/rounds/results/tasks/{sign.id}"))
    assert len(signatures("township_results")) == 1  # the clerk's review only
    assert db.session.get(HumanTask, sign.id).state == TaskState.READY
    assert leader.post(f"/rounds/results/tasks/{sign.id}", CONFIRM).status_code == 303
    assert [s.signer_name for s in signatures("township_results")][-1] == (
        user("aoyi_fzr").display_name
    )


def test_department_plan_is_signed_only_after_ticking_the_box(county, user, browser):
    clock.set_now(at("2018-08-01T10:00"))
    case = open_household_case(make_round())
    cases.plan_case(
        case,
        user("dept_slj"),
        measure="铺设入户自来水管道",
        target_standard="全天候安全饮水",
        responsible_person="张水利",
        planned_completion=date(2018, 9, 30),
    )
    db.session.commit()
    leader = browser("dept_slj_fzr")
    page = leader.get("/rounds/2018/results").get_data(as_text=True)
    assert 'name="confirm" value="yes" required' in page

    assert asks_to_confirm(leader.post("/rounds/2018/plan/sign"))
    assert signatures("department_plan") == []
    assert leader.post("/rounds/2018/plan/sign", CONFIRM).status_code == 303
    assert len(signatures("department_plan")) == 1


def test_county_acceptance_happens_only_after_ticking_the_box(county, user, browser, run_tick):
    clock.set_now(at("2018-08-01T10:00"))
    round_ = rounds.launch_round(2018, user("fpb"))
    case = open_household_case(round_, due=date(2018, 9, 30))
    work_done(case, user("dept_slj"))
    cases.verify_case(case, user("aoyi_zg"), ok=True)
    db.session.commit()
    run_tick("2019-01-01T00:30+08:00")  # year end: the acceptance opens
    clock.set_now(at("2019-01-05T10:00"))
    office = browser("fpb")
    accept = {"case": str(case.id)}

    assert asks_to_confirm(office.post("/rounds/2018/acceptance/accept", accept))
    db.session.rollback()
    assert db.session.get(HelpCase, case.id).status == CaseStatus.ACCEPTING
    done = office.post("/rounds/2018/acceptance/accept", {**accept, **CONFIRM})
    assert done.status_code == 303
    db.session.rollback()
    assert db.session.get(HelpCase, case.id).status == CaseStatus.CLOSED

    assert asks_to_confirm(office.post("/rounds/2018/acceptance/finish"))
    db.session.rollback()
    assert tasks.ready_task_of(round_.instance_id, "annual_acceptance") is not None
    assert office.post("/rounds/2018/acceptance/finish", CONFIRM).status_code == 303
    db.session.rollback()
    assert tasks.ready_task_of(round_.instance_id, "annual_acceptance") is None


def test_a_re_check_sent_back_without_reason_shows_why_next_to_the_field(county, user, browser):
    clock.set_now(at("2018-08-01T10:00"))
    case = open_household_case(rounds.launch_round(2018, user("fpb")), due=date(2018, 9, 30))
    work_done(case, user("dept_slj"))
    cases.verify_case(case, user("aoyi_zg"), ok=True)
    cases.accept_case(case, user("fpb"), ok=True)
    db.session.commit()
    refused = browser("fpb").post(
        "/rounds/2018/acceptance/reopen", {"case": str(case.id), "reason": " "}
    )
    assert refused.status_code == 422
    form = re.search(
        r'<form[^>]*action="/rounds/2018-mid/acceptance/reopen".*?</form>',
        refused.get_data(as_text=True),
        re.S,
    )
    assert form and f'name="case" value="{case.id}"' in form.group(0)
    assert re.search(
        r'<span class="fielderror" role="alert">[^<]+</span><input name="reason"', form.group(0)
    )
    db.session.rollback()
    assert db.session.get(HelpCase, case.id).status == CaseStatus.CLOSED
