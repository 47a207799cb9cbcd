"""Deadlines rehearsed with `huitou tick --now`: escalation fires on time, once, while work
stays open."""

from __future__ import annotations

from datetime import date

import SpiffWorkflow.bpmn.specs.event_definitions.timer as timer_module
import sqlalchemy as sa

import workflow.engine.spiff  # noqa: F401 - installs the clock
from notifications.models import EmailMessage, Notice
from tests.factories import at, department, household_of, make_round, open_household_case, work_done
from workflow.cases.lifecycle import Subject, open_case
from workflow.models import (
    AuditEvent,
    CaseEscalation,
    HelpCase,
    HumanTask,
    SubjectKind,
    TaskState,
    User,
)
from workflow.platform import clock
from workflow.platform.db import db


def levels(case_id: int) -> list[int]:
    return sorted(
        db.session.scalars(sa.select(CaseEscalation.level).where(CaseEscalation.case_id == case_id))
    )


def test_overdue_case_escalates_while_department_task_stays_open(county, user, run_tick):
    clock.set_now(at("2018-08-01T10:00"))
    case = open_household_case(make_round(), due=date(2018, 9, 30))
    case_id = case.id

    run_tick("2018-09-22T09:00+08:00")  # 8 days before the deadline: nothing yet
    assert levels(case_id) == []
    out = run_tick("2018-09-23T09:01+08:00")  # 7 days before, once office hours start: reminder
    assert "推进 1 个流程" in out and levels(case_id) == [0]

    run_tick("2018-09-30T23:59:00+08:00")  # the last minute of the deadline day is still in time
    assert levels(case_id) == [0]
    run_tick("2018-10-01T00:00:30+08:00")  # just past 23:59:59 Beijing time: overdue, level 1
    assert levels(case_id) == [0, 1]
    ready = db.session.scalars(
        sa.select(HumanTask.spec_name).where(
            HumanTask.instance_id == db.session.get(HelpCase, case_id).instance_id,
            HumanTask.state == TaskState.READY,
        )
    ).all()
    assert ready == ["plan_measure"], "the department's task stays open while it escalates"

    out = run_tick("2018-10-01T00:00:30+08:00")  # the same tick again fires nothing
    assert "推进 0 个流程" in out and levels(case_id) == [0, 1]
    run_tick("2018-10-15T00:00:30+08:00")  # 14 days later: level 2
    run_tick("2018-10-15T00:00:30+08:00")
    run_tick("2018-11-14T00:00:30+08:00")  # 30 days after that: level 3
    run_tick("2018-12-01T00:00:00+08:00")
    assert levels(case_id) == [0, 1, 2, 3]
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(
            AuditEvent.object_type == "help_case",
            AuditEvent.object_id == str(case_id),
            AuditEvent.action.like("case.%level%"),
        )
        .order_by(AuditEvent.seq)
    ).all()
    assert actions == ["case.overdue_level1", "case.overdue_level2", "case.overdue_level3"]
    assert db.session.get(HelpCase, case_id).escalation_level == 3


def test_escalation_tells_the_right_people_once(county, user, run_tick):
    clock.set_now(at("2018-08-01T10:00"))
    case = open_household_case(make_round(), due=date(2018, 9, 30))
    run_tick("2018-10-01T01:00+08:00")
    run_tick("2018-10-01T02:00+08:00")
    told = db.session.execute(sa.select(Notice.user_id, Notice.event_key)).all()
    by_key: dict[str, set[int]] = {}
    for user_id, key in told:
        by_key.setdefault(key, set()).add(user_id)
    assert by_key[f"case:{case.id}:level:0"] == {user("dept_slj").id}
    assert by_key[f"case:{case.id}:level:1"] == {user("dept_slj_fzr").id, user("aoyi_fzr").id}
    assert len(told) == 3


def test_co_responsible_departments_hear_the_reminder_and_the_first_escalation(
    county, user, run_tick
):
    clock.set_now(at("2018-08-01T10:00"))
    household = household_of("布古纳村")
    subject = Subject(
        SubjectKind.HOUSEHOLD, household.village.township, household.village, household
    )
    case = open_case(
        make_round(),
        subject,
        "H-INCOME",
        "人均纯收入",
        department("NYJ"),
        None,
        due=date(2018, 9, 30),
        co_departments=(department("RSJ"),),
    )
    run_tick("2018-09-23T09:01+08:00")  # the reminder
    run_tick("2018-10-01T00:00:30+08:00")  # overdue: level 1
    run_tick("2018-10-15T00:00:30+08:00")  # level 2: the county, not the departments
    told: dict[str, set[str]] = {}
    for username, key in db.session.execute(
        sa.select(User.username, Notice.event_key).join(User, User.id == Notice.user_id)
    ):
        told.setdefault(key, set()).add(username)
    assert told[f"case:{case.id}:level:0"] == {"dept_nyj", "dept_rsj"}
    assert told[f"case:{case.id}:level:1"] == {"dept_nyj_fzr", "aoyi_fzr", "dept_rsj_fzr"}
    assert not {"dept_rsj", "dept_rsj_fzr"} & told[f"case:{case.id}:level:2"]
    mailed = db.session.scalars(
        sa.select(User.username)
        .join(EmailMessage, EmailMessage.user_id == User.id)
        .where(EmailMessage.event_key == f"case:{case.id}:level:0")
    ).all()
    assert sorted(mailed) == sorted(u for u in ("dept_nyj", "dept_rsj") if user(u).email)


def test_work_done_in_time_stops_escalation(county, user, run_tick):

    clock.set_now(at("2018-08-01T10:00"))
    case = open_household_case(make_round(), due=date(2018, 9, 30))
    clerk = user("dept_slj")
    work_done(case, clerk, "已完成", date(2018, 9, 20))
    run_tick(
        "2018-12-31T09:00+08:00"
    )  # the township has not verified yet; the department did its part
    assert levels(case.id) == []


def test_clock_moves_spiffworkflow_timers():
    """Pins the way in: SpiffWorkflow's timer module must read huitou's clock."""
    with clock.frozen_at(at("2018-07-13T23:00")):
        assert timer_module.datetime.now(clock.BEIJING).isoformat().startswith("2018-07-13T23:00")
