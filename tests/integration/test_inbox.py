"""The task inbox as clerks and supervisors use it: claiming, reassigning, substitutes."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import at, open_household_case, work_done
from workflow.inbox import assignment, tasks
from workflow.models import AuditEvent, HumanTask, Substitution
from workflow.people.access import can_work_task
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, ValidationFailed


def _verify_task(case) -> HumanTask:
    return tasks.ready_task_of(case.instance_id, "verify_on_site")


@pytest.fixture
def verifying(round2018, user):
    """A 水利局 case of 布古纳村 done and waiting for 奥依亚依拉克镇's township clerks to verify."""
    clock.set_now(at("2018-08-01T09:00"))
    case = open_household_case(round2018, due=date(2018, 9, 30))
    work_done(case, user("dept_slj"))
    db.session.commit()
    return case


def _task_ids(page: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/tasks/(\d+)"', page)}


def _events(action: str, task_id: int) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.object_id == str(task_id))
            .order_by(AuditEvent.seq)
        )
    )


def test_a_clerk_claims_a_group_task_and_her_colleague_sees_who_holds_it(verifying, user, browser):
    task = _verify_task(verifying)
    zg, zg2 = browser("aoyi_zg"), browser("aoyi_zg2")
    zg.get("/inbox")
    assert zg.post(f"/tasks/{task.id}/claim", {"next": "/inbox"}).status_code == 303
    db.session.expire_all()
    assert task.assignee_id == user("aoyi_zg").id
    page = zg2.get("/inbox").get_data(as_text=True)
    holder = user("aoyi_zg").display_name
    assert f"{holder} 办理中" in page and task.id in _task_ids(page)
    assert f"/tasks/{task.id}/claim" not in page  # not hers to take
    assert not can_work_task(user("aoyi_zg2"), task)
    assert zg2.post(f"/cases/{verifying.id}/verify", {"decision": "ok"}).status_code == 403

    mine = zg.get("/inbox").get_data(as_text=True)
    assert "我已认领" in mine and f"/tasks/{task.id}/release" in mine
    assert zg.post(f"/tasks/{task.id}/release", {"next": "/inbox"}).status_code == 303
    db.session.expire_all()
    assert task.assignee_id is None
    assert f"/tasks/{task.id}/claim" in zg2.get("/inbox").get_data(as_text=True)
    assert [e.action for e in _events("task.claim", task.id)] == ["task.claim"]
    assert len(_events("task.release", task.id)) == 1


def test_a_task_claimed_by_another_cannot_be_claimed_again(verifying, user):
    task = _verify_task(verifying)
    assignment.claim_task(task, user("aoyi_zg"))
    with pytest.raises(Exception, match="已认领"):
        assignment.claim_task(task, user("aoyi_zg2"))
    with pytest.raises(AccessDenied):
        assignment.claim_task(task, user("qmz_zg"))


def test_township_leader_reassigns_a_task_with_a_reason_audited(verifying, user, browser):
    task = _verify_task(verifying)
    leader = browser("aoyi_fzr")
    form = leader.get(f"/inbox/reassign?task={task.id}").get_data(as_text=True)
    offered = set(re.findall(r'<option value="(\w+)"', form))
    assert offered == {"aoyi_zg", "aoyi_zg2"}  # only people of the task's role and township
    got = leader.post(
        "/inbox/reassign", {"task": str(task.id), "assignee": "aoyi_zg2", "reason": "专干外出培训"}
    )
    assert got.status_code == 303
    db.session.expire_all()
    assert task.assignee_id == user("aoyi_zg2").id
    (event,) = _events("task.reassign", task.id)
    assert event.actor_id == user("aoyi_fzr").id and event.reason == "专干外出培训"
    assert json.loads(event.after) == {"assignee": user("aoyi_zg2").id}
    assert not can_work_task(user("aoyi_zg"), task)
    assert browser("aoyi_zg2").post(f"/cases/{verifying.id}/verify", {"decision": "ok"})


def test_reassigning_is_refused_outside_the_supervisors_scope(verifying, user, browser):
    task = _verify_task(verifying)
    data = {"task": str(task.id), "assignee": "aoyi_zg2", "reason": "x"}
    for outsider in ("qmz_fzr", "dept_slj_fzr", "aoyi_zg", "ldxz"):
        assert browser(outsider).post("/inbox/reassign", data).status_code == 403, outsider
    with pytest.raises(AccessDenied):
        assignment.reassign_tasks([task], user("qmz_zg"), "x", user("qmz_fzr"))
    db.session.rollback()
    db.session.expire_all()
    assert task.assignee_id is None and not _events("task.reassign", task.id)


def test_reassigning_to_someone_without_the_role_is_refused(verifying, user, browser):
    task = _verify_task(verifying)
    for wrong in ("buguna_cun", "qmz_zg", "aoyi_fzr"):
        got = browser("fpb").post(
            "/inbox/reassign", {"task": str(task.id), "assignee": wrong, "reason": "试一下"}
        )
        assert got.status_code == 422, wrong
        assert "不具备任务" in got.get_data(as_text=True)
    with pytest.raises(ValidationFailed):
        assignment.reassign_tasks([task], user("buguna_cun"), "x", user("fpb"))
    db.session.rollback()
    db.session.expire_all()
    assert task.assignee_id is None


def test_a_substitute_sees_and_works_the_absent_clerks_task_on_her_behalf(verifying, user, browser):
    task = _verify_task(verifying)
    task.assignee_id = user("aoyi_zg").id  # the case is hers
    db.session.commit()
    zg2 = browser("aoyi_zg2")
    absent = user("aoyi_zg")
    assert f"代 {absent.display_name} 办理" not in zg2.get("/inbox").get_data(as_text=True)
    assert zg2.post(f"/cases/{verifying.id}/verify", {"decision": "ok"}).status_code == 403
    got = browser("aoyi_fzr").post(
        "/inbox/substitutes",
        {
            "user": "aoyi_zg",
            "substitute": "aoyi_zg2",
            "starts_on": "2018-08-01",
            "ends_on": "2018-08-05",
            "reason": "年休假",
        },
    )
    assert got.status_code == 303
    page = zg2.get("/inbox").get_data(as_text=True)
    assert task.id in _task_ids(page) and f"代 {absent.display_name} 办理" in page
    assert zg2.post(f"/cases/{verifying.id}/verify", {"decision": "ok"}).status_code == 303
    (event,) = _events("task.complete", task.id)
    assert event.actor_id == user("aoyi_zg2").id
    assert json.loads(event.after)["on_behalf_of"] == absent.id


def test_a_substitution_no_longer_applies_after_its_last_day_or_when_ended(verifying, user):
    task = _verify_task(verifying)
    task.assignee_id = user("aoyi_zg").id
    sub = assignment.set_substitute(
        user("aoyi_zg"),
        user("aoyi_zg2"),
        date(2018, 8, 1),
        date(2018, 8, 3),
        "出差",
        user("aoyi_zg"),
    )
    db.session.commit()
    zg2 = user("aoyi_zg2")
    assert can_work_task(zg2, task)
    clock.set_now(at("2018-08-03T23:59"))  # the last day is included
    assert task in tasks.inbox(zg2)
    clock.set_now(at("2018-08-04T00:00"))
    assert not can_work_task(zg2, task) and task not in tasks.inbox(zg2)

    clock.set_now(at("2018-08-02T10:00"))
    assignment.end_substitute(sub.id, user("aoyi_fzr"))
    db.session.commit()
    assert not can_work_task(zg2, task) and task not in tasks.inbox(zg2)
    assert db.session.get(Substitution, sub.id).ended_at is not None


def test_a_substitution_set_or_ended_shows_at_once_and_its_tasks_are_counted_once(
    verifying, round2018, user
):
    """Who stands in for whom is asked once per transaction: setting or ending a substitution
    in it still changes the inbox at once; a colleague of the same group adds her own tasks to
    the badge, not her group's a second time."""
    task = _verify_task(verifying)
    task.assignee_id = user("aoyi_zg").id
    zg2 = user("aoyi_zg2")
    assert task not in tasks.inbox(zg2)
    sub = assignment.set_substitute(
        user("aoyi_zg"), zg2, date(2018, 8, 1), date(2018, 8, 3), "出差", user("aoyi_zg")
    )
    assert task in tasks.inbox(zg2)
    other = open_household_case(round2018, indicator="H-HOUSE", label="住房安全有保障")
    work_done(other, user("dept_slj"))
    group = _verify_task(other)  # the township clerks', held by nobody: hers and her colleague's
    assert group.assignee_id is None and group in tasks.inbox(zg2)
    listed = tasks.inbox(zg2)
    assert tasks.inbox_counts(zg2)[0] == len(listed) == len(set(listed))
    assignment.end_substitute(sub.id, user("aoyi_fzr"))
    assert task not in tasks.inbox(zg2)
    assert tasks.inbox_counts(zg2)[0] == len(tasks.inbox(zg2))


def test_a_substitute_must_hold_the_same_role_in_the_same_unit(verifying, user, browser):
    for wrong in ("qmz_zg", "aoyi_fzr", "buguna_cun"):
        with pytest.raises(ValidationFailed):
            assignment.set_substitute(
                user("aoyi_zg"), user(wrong), date(2018, 8, 1), date(2018, 8, 3), "x", user("fpb")
            )
    with pytest.raises(AccessDenied):  # a leader of another township
        assignment.set_substitute(
            user("aoyi_zg"),
            user("aoyi_zg2"),
            date(2018, 8, 1),
            date(2018, 8, 3),
            "x",
            user("qmz_fzr"),
        )
    got = browser("dept_slj").post(
        "/inbox/substitutes", {"user": "aoyi_zg", "substitute": "aoyi_zg2", "reason": "x"}
    )
    assert got.status_code == 403
    assert not db.session.scalars(sa.select(Substitution)).all()


def test_the_navigation_counts_ready_and_overdue_tasks(verifying, user, browser, round2018):
    open_household_case(round2018, "喀特勒什村", due=date(2018, 7, 31))  # overdue on 1 August
    open_household_case(round2018, "布古纳村", "JTJ", "H-ROAD", "通路")  # another department's
    db.session.commit()
    page = browser("dept_slj").get("/cases").get_data(as_text=True)
    ready = len(tasks.inbox(user("dept_slj")))
    assert ready == 1
    assert f'title="待办任务">{ready}</span>' in page
    assert "逾期 1" in page
    assert "逾期" not in browser("aoyi_zg2").get("/cases").get_data(as_text=True).split("</nav>")[0]
