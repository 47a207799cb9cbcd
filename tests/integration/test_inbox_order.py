"""The inbox lists the same tasks in the same order however it reads them: soonest deadline
first, ties by task, undated last; a task both hers and her group's once; every page size."""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa

from tests.factories import at, open_household_case
from workflow.inbox import tasks
from workflow.models import Department, HumanTask, Role, TaskState
from workflow.people.access import group_filter, inbox_filter
from workflow.platform import clock
from workflow.platform.db import db


def _task(instance_id: int, department_id: int, due: str | None, assignee_id=None) -> None:
    db.session.add(
        HumanTask(
            instance_id=instance_id,
            task_guid=str(uuid.uuid4()),
            spec_name="carry_out",
            title="落实帮扶措施",
            lane="行业部门",
            role=Role.DEPARTMENT_CLERK,
            department_id=department_id,
            assignee_id=assignee_id,
            due_at=at(due) if due else None,
            state=TaskState.READY,
            created_at=clock.now(),
        )
    )


def _expected(condition, limit: int) -> list[int]:
    return list(
        db.session.scalars(
            sa.select(HumanTask.id)
            .where(condition)
            .order_by(HumanTask.due_at.asc().nulls_last(), HumanTask.id)
            .limit(limit)
        )
    )


def test_ties_undated_and_held_tasks_keep_their_order_at_every_page_size(round2018, user):
    clock.set_now(at("2018-08-01T09:00"))
    case = open_household_case(round2018, due=date(2018, 9, 30))
    clerk, colleague = user("dept_slj"), user("dept_slj_fzr")
    slj = clerk.department_id
    other = db.session.scalar(sa.select(Department.id).where(Department.id != slj).limit(1))
    for due in ("2018-09-01T09:00", "2018-09-01T09:00", None, "2018-08-20T09:00"):
        _task(case.instance_id, slj, due)
    _task(case.instance_id, slj, "2018-09-01T09:00", assignee_id=clerk.id)  # hers and her group's
    _task(case.instance_id, other, "2018-09-01T09:00", assignee_id=clerk.id)  # hers alone
    _task(case.instance_id, slj, None, assignee_id=clerk.id)
    _task(case.instance_id, slj, "2018-08-25T09:00", assignee_id=colleague.id)  # held by another
    _task(case.instance_id, other, "2018-08-01T09:00")  # another department's
    db.session.commit()
    everything = _expected(group_filter(clerk), 100)
    assert len(everything) == len(set(everything))
    for limit in range(1, len(everything) + 2):
        listed = [t.id for t in tasks.inbox(clerk, limit=limit, with_group=True)]
        assert listed == _expected(group_filter(clerk), limit)
        workable = [t.id for t in tasks.inbox(clerk, limit=limit)]
        assert workable == _expected(inbox_filter(clerk), limit)
