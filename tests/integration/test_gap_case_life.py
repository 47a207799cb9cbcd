"""A gap case through its whole life, worked by the right people, reloaded between every step."""

from __future__ import annotations

import json
from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import at, make_round, open_household_case, work_done
from workflow.cases import lifecycle as cases
from workflow.cases import lists as case_lists
from workflow.inbox import tasks
from workflow.models import AuditEvent, CaseStatus, HelpCase, HumanTask, ProcessInstance, TaskState
from workflow.platform import clock
from workflow.platform.audit import verify_chain
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, ConflictError, ValidationFailed


@pytest.fixture(autouse=True)
def _summer_2018(app):
    """These cases live in August 2018, well before their year-end deadline."""
    clock.set_now(at("2018-08-01T10:00"))


def reload(case_id: int) -> HelpCase:
    """Commit, forget everything the session read, and read the case back from the database.

    The workflow itself is rebuilt from the stored JSON at every step (workflow.engine.load)."""
    db.session.commit()
    db.session.expire_all()
    return db.session.get(HelpCase, case_id)


def ready_steps(case: HelpCase) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(HumanTask.spec_name).where(
                HumanTask.instance_id == case.instance_id, HumanTask.state == TaskState.READY
            )
        )
    )


def test_gap_case_whole_life_with_rework(county, user):
    round_ = make_round()
    case = open_household_case(round_)
    case_id = case.id
    case = reload(case_id)
    assert ready_steps(case) == ["plan_measure"]
    instance = db.session.get(ProcessInstance, case.instance_id)
    assert '"task_specs"' not in instance.state, "the spec is stored once, not in every instance"

    clerk, township, county_office = user("dept_slj"), user("aoyi_zg"), user("fpb")
    cases.plan_case(
        case,
        clerk,
        measure="铺设入户自来水管道",
        target_standard="全天候安全饮水",
        responsible_person="张水利",
        planned_completion=date(2018, 9, 30),
    )
    case = reload(case_id)
    assert case.status == CaseStatus.IN_PROGRESS and ready_steps(case) == ["carry_out"]

    cases.add_progress(case, clerk, "管道已采购", "12000")
    cases.submit_work(case, clerk, "管道已铺设入户")
    case = reload(case_id)
    assert ready_steps(case) == ["verify_on_site"]

    cases.verify_case(case, township, ok=False, reason="水压不足，入户未通水")
    case = reload(case_id)
    assert case.status == CaseStatus.IN_PROGRESS and ready_steps(case) == ["carry_out"]

    cases.submit_work(case, clerk, "加装增压泵，已通水")
    case = reload(case_id)
    cases.verify_case(case, township, ok=True)
    case = reload(case_id)
    assert case.status == CaseStatus.ACCEPTING and ready_steps(case) == ["county_accept"]

    cases.accept_case(case, county_office, ok=True)
    case = reload(case_id)
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    assert ready_steps(case) == []
    assert db.session.get(ProcessInstance, case.instance_id).status.value == "completed"
    assert str(case.funds_spent) == "12000.00"

    actions = list(
        db.session.scalars(
            sa.select(AuditEvent.action)
            .where(AuditEvent.object_type == "help_case")
            .order_by(AuditEvent.seq)
        )
    )
    assert actions == [
        "case.open",
        "case.plan",
        "case.progress",
        "case.work_done",
        "case.verify_reject",
        "case.work_done",
        "case.verify",
        "case.accept",
        "case.close",
    ]
    reject = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "case.verify_reject")
    )
    assert reject.reason == "水压不足，入户未通水" and reject.actor_name == township.display_name
    report = verify_chain()
    assert report.ok and report.checked > 10


def test_wrong_people_cannot_work_the_case(county, user):
    round_ = make_round()
    case = open_household_case(round_)
    db.session.commit()
    for outsider in ("dept_jtj", "dept_slj_fzr", "aoyi_zg", "fpb", "buguna_cun", "ldxz"):
        with pytest.raises(AccessDenied):
            cases.plan_case(
                case,
                user(outsider),
                measure="x",
                target_standard="y",
                responsible_person="z",
                planned_completion=date(2018, 9, 1),
            )
        db.session.rollback()
    assert reload(case.id).status == CaseStatus.PLANNING


def test_plan_is_validated_field_by_field(county, user):
    round_ = make_round()
    case = open_household_case(round_)
    db.session.commit()
    with pytest.raises(ValidationFailed) as err:
        cases.plan_case(
            case,
            user("dept_slj"),
            measure=" ",
            target_standard="",
            responsible_person="",
            planned_completion=date(2019, 1, 5),
        )
    assert {p.field for p in err.value.problems} == {
        "measure",
        "target_standard",
        "responsible_person",
        "planned_completion",
    }
    assert "2018-12-31" in err.value.by_field()["planned_completion"]


def test_sending_back_needs_a_reason(county, user):
    round_ = make_round()
    case = open_household_case(round_)
    clerk = user("dept_slj")
    work_done(case, clerk)
    db.session.commit()
    with pytest.raises(ValidationFailed):
        cases.verify_case(case, user("aoyi_zg"), ok=False, reason="  ")


def test_completed_task_cannot_be_completed_again(county, user):
    round_ = make_round()
    case = open_household_case(round_)
    db.session.commit()
    task = tasks.ready_task_of(case.instance_id, "plan_measure")
    cases.plan_case(
        case,
        user("dept_slj"),
        measure="m",
        target_standard="s",
        responsible_person="p",
        planned_completion=date(2018, 9, 1),
    )
    db.session.commit()
    with pytest.raises(ConflictError):
        tasks.complete_task(db.session.get(HumanTask, task.id), user("dept_slj"), {"planned": True})


def test_instance_state_is_plain_json(county):
    round_ = make_round()
    case = open_household_case(round_)
    db.session.commit()
    instance = db.session.get(ProcessInstance, case.instance_id)
    data = json.loads(instance.state)
    assert data["data"] == {} or isinstance(data["data"], dict)
    assert instance.next_timer_due is not None
    assert instance.next_timer_due == clock.parse_moment("2018-12-24T09:00:00+08:00")


def test_leaders_see_what_is_overdue(county, user, browser):
    round_ = make_round()
    late = open_household_case(round_, due=date(2018, 7, 25))
    open_household_case(round_, village_name="喀特勒什村", due=date(2018, 12, 31))
    db.session.commit()
    assert [c.id for c in case_lists.list_cases(user("dept_slj_fzr"), "overdue")] == [late.id]
    assert len(case_lists.list_cases(user("dept_slj_fzr"), "open")) == 2
    assert [c.id for c in case_lists.list_cases(user("aoyi_fzr"), "overdue")] == [late.id]
    assert case_lists.list_cases(user("qmz_fzr"), "overdue") == [], "another township's leader"
    page = browser("dept_slj_fzr").get("/cases?show=overdue").get_data(as_text=True)
    assert f"#{late.id}" in page and "逾期" in page
