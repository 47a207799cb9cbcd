"""One scope predicate: what a user may see of a case, a gap or a task reads her scope the same
way whether it is asked of one record (in Python) or of a list (in SQL)."""

from __future__ import annotations

import sqlalchemy as sa

from tests.access_matrix import USERS
from tests.factories import open_household_case
from workflow.models import Gap, HelpCase, HumanTask, TaskState
from workflow.people import access
from workflow.platform.db import db


def test_one_case_and_the_case_list_agree_for_every_user(round2018, user):
    open_household_case(round2018)
    open_household_case(round2018, "喀特勒什村", "JTJ", "H-HOUSING", "住房安全有保障")
    db.session.commit()
    cases = db.session.scalars(sa.select(HelpCase)).all()
    assert len(cases) >= 2
    for name in USERS:
        listed = set(
            db.session.scalars(sa.select(HelpCase.id).where(access.case_filter(user(name))))
        )
        one_by_one = {c.id for c in cases if access.can_view_case(user(name), c)}
        assert listed == one_by_one, name
    assert {c.village.name for c in cases if access.can_view_case(user("buguna_cun"), c)} == {
        "布古纳村"
    }
    assert all(access.can_view_case(user("fpb"), c) for c in cases)


def test_a_task_of_the_users_group_is_in_her_group_list(round2018, user):
    open_household_case(round2018)
    db.session.commit()
    ready = db.session.scalars(sa.select(HumanTask).where(HumanTask.state == TaskState.READY)).all()
    for name in USERS:
        people = user(name)
        in_list = set(
            db.session.scalars(sa.select(HumanTask.id).where(access.group_filter(people)))
        )
        grouped = {t.id for t in ready if access.in_task_group(people, t)}
        assert grouped <= in_list, name
    village_forms = [t for t in ready if t.spec_name == "village_forms"]
    clerk = user("buguna_cun")
    assert [t.village_id for t in village_forms if access.in_task_group(clerk, t)] == [
        clerk.village_id
    ]


def test_gaps_are_filtered_by_the_unit_of_each_scope(county, user):
    clerk, township, department = user("buguna_cun"), user("aoyi_zg"), user("dept_slj")
    expected = {
        clerk: Gap.village_id == clerk.village_id,
        township: Gap.township_id == township.township_id,
        department: Gap.department_id == department.department_id,
    }
    for person, condition in expected.items():
        assert access.gap_filter(person).compare(condition), person.username
    for name in ("fpb", "ldxz", "admin"):
        assert access.gap_filter(user(name)).compare(sa.true()), name
