"""Launching the 2018 round: one survey per township, a task per village clerk."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import at
from workflow.inbox import tasks
from workflow.models import (
    HumanTask,
    ProcessInstance,
    Round,
    TaskState,
    Township,
    TownshipSurvey,
    Village,
)
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, Refused, ValidationFailed
from workflow.programme import rounds


@pytest.fixture(autouse=True)
def _june_2018(app):
    clock.set_now(at("2018-06-20T10:00"))


def test_launch_starts_one_survey_per_township(county, user):
    round_ = rounds.launch_round(2018, user("fpb"))
    db.session.commit()
    assert (round_.survey_due, round_.results_due, round_.done_by) == (
        date(2018, 7, 13),
        date(2018, 10, 15),
        date(2018, 12, 31),
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TownshipSurvey)) == 13
    instances = db.session.scalars(sa.select(ProcessInstance.process_id)).all()
    assert (
        sorted(instances) == ["annual_round"] + ["township_results"] * 13 + ["township_survey"] * 13
    )
    triage = [t.spec_name for t in tasks.inbox(user("fpb"))]
    assert triage == ["county_triage"]

    inbox = tasks.inbox(user("buguna_cun"))
    assert [t.spec_name for t in inbox] == ["village_forms"]
    buguna = db.session.scalar(sa.select(Village).where(Village.name == "布古纳村"))
    assert inbox[0].village_id == buguna.id
    assert clock.in_beijing(inbox[0].due_at).isoformat() == "2018-07-13T23:59:59+08:00"
    assert [t.spec_name for t in tasks.inbox(user("katelesh_cun"))] == ["village_forms"]
    # the township reviews the survey after its villages; its results tables are due in October
    assert [t.spec_name for t in tasks.inbox(user("aoyi_zg"))] == ["results_review"]


def test_every_exited_village_gets_a_task(county, user):
    rounds.launch_round(2018, user("fpb"))
    db.session.commit()
    exited = set(db.session.scalars(sa.select(Village.id).where(Village.is_exited_poor)))
    tasked = set(
        db.session.scalars(
            sa.select(HumanTask.village_id).where(
                HumanTask.spec_name == "village_forms", HumanTask.state == TaskState.READY
            )
        )
    )
    assert len(exited) == 15 and exited <= tasked


def test_round_launch_is_refused_twice_and_for_others(county, user):
    with pytest.raises(AccessDenied):
        rounds.launch_round(2018, user("aoyi_zg"))
    with pytest.raises(ValidationFailed):
        rounds.launch_round(
            2018,
            user("fpb"),
            rounds.Deadlines(date(2018, 11, 1), date(2018, 10, 15), date(2018, 12, 31)),
        )
    rounds.launch_round(2018, user("fpb"))
    db.session.commit()
    with pytest.raises(Refused):
        rounds.launch_round(2018, user("fpb"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Round)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Township)) == 13
