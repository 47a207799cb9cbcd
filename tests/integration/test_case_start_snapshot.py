"""A case started from the snapshot lives exactly as one the engine started: the same tasks,
deadlines, reminders and escalations when the clock moves, and the same way to closed."""

from __future__ import annotations

import json
import re
from datetime import date
from uuid import UUID

import sqlalchemy as sa

from notifications.models import Notice
from tests.diagrams import with_step_after
from tests.factories import at, department, make_round
from workflow.cases import lifecycle as cases
from workflow.cases.lifecycle import Subject, open_case
from workflow.engine import instances, snapshots, specs
from workflow.models import (
    AuditEvent,
    CaseEscalation,
    CaseStatus,
    HelpCase,
    Household,
    HumanTask,
    ProcessInstance,
    SubjectKind,
    Village,
)
from workflow.platform import clock
from workflow.platform.db import db

_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIME = re.compile(r'"last_state_change":[-0-9.e+]+')


def _households(village_name: str, count: int) -> list[Household]:
    return list(
        db.session.scalars(
            sa.select(Household)
            .join(Village)
            .where(Village.name == village_name, Household.exit_year.is_not(None))
            .order_by(Household.id)
            .limit(count)
        )
    )


def _open(round_, household: Household, dept_code: str | None, due: date) -> HelpCase:
    subject = Subject(
        SubjectKind.HOUSEHOLD, household.village.township, household.village, household
    )
    dept = department(dept_code) if dept_code else None
    return open_case(round_, subject, "H-WATER", "有安全饮水", dept, None, due=due)


def _open_pair(dept_code: str | None = "SLJ", due: date = date(2018, 9, 30)):
    """Two cases alike but for their household: one from the snapshot, one by the engine."""
    round_ = make_round()
    first, second = _households("布古纳村", 2)
    made = snapshots.made()
    from_snapshot = _open(round_, first, dept_code, due)
    assert snapshots.made() == made + 1, "the first case was started from the snapshot"
    with snapshots.engine_start_only():
        by_engine = _open(round_, second, dept_code, due)
    assert snapshots.made() == made + 1, "the second case was started by the engine"
    db.session.commit()
    return from_snapshot.id, by_engine.id


def _state(case_id: int) -> str:
    """The instance's stored state with its task ids numbered in order of appearance, the
    timestamps and the case's own id taken out."""
    instance = db.session.get(ProcessInstance, db.session.get(HelpCase, case_id).instance_id)
    numbers: dict[str, int] = {}
    text = _ID.sub(lambda m: f"id{numbers.setdefault(m.group(), len(numbers))}", instance.state)
    text = _TIME.sub('"last_state_change":T', text)
    return text.replace(f'"case_id":{case_id}', '"case_id":C')


def _seen(case_id: int) -> dict[str, object]:
    """What people and the scheduler see of a case and its process."""
    case = db.session.get(HelpCase, case_id)
    instance = db.session.get(ProcessInstance, case.instance_id)
    tasks = db.session.scalars(
        sa.select(HumanTask).where(HumanTask.instance_id == instance.id).order_by(HumanTask.id)
    )
    told = db.session.execute(
        sa.select(Notice.event_key, Notice.user_id, Notice.created_at).where(
            Notice.event_key.like(f"case:{case_id}:%")
        )
    )
    return {
        "status": case.status,
        "escalation_level": case.escalation_level,
        "levels": sorted(
            db.session.execute(
                sa.select(CaseEscalation.level, CaseEscalation.fired_at).where(
                    CaseEscalation.case_id == case_id
                )
            ).all()
        ),
        "told": sorted((key.split(":", 2)[2], user, when) for key, user, when in told),
        "audit": list(
            db.session.scalars(
                sa.select(AuditEvent.action)
                .where(AuditEvent.object_type == "help_case", AuditEvent.object_id == str(case_id))
                .order_by(AuditEvent.seq)
            )
        ),
        "instance": (instance.status, instance.next_timer_due),
        "tasks": [
            (t.spec_name, t.title, t.lane, t.role, t.village_id, t.department_id, t.due_at, t.state)
            for t in tasks
        ],
        "data": {k: v for k, v in instances.load(instance).data.items() if k != "case_id"},
        "state": _state(case_id),
    }


def _alike(pair: tuple[int, int]) -> dict[str, object]:
    db.session.commit()
    db.session.expire_all()
    first, second = (_seen(case_id) for case_id in pair)
    assert first == second
    return first


def _each(pair: tuple[int, int], step) -> None:
    for case_id in pair:
        step(db.session.get(HelpCase, case_id))


def test_a_case_from_the_snapshot_lives_as_one_the_engine_started(county, user, run_tick):
    clock.set_now(at("2018-08-01T10:00"))
    pair = _open_pair()
    seen = _alike(pair)
    assert [t[0] for t in seen["tasks"]] == ["plan_measure"]
    assert seen["instance"][1] == at("2018-09-23T09:00"), "the reminder is the next timer"

    run_tick("2018-09-23T09:01+08:00")  # the reminder, 7 days before the deadline
    assert _alike(pair)["levels"] == [(0, at("2018-09-23T09:01"))]
    run_tick("2018-10-01T00:00:30+08:00")  # overdue: level 1, the task stays open
    run_tick("2018-10-15T00:00:30+08:00")  # level 2
    seen = _alike(pair)
    assert [level for level, _at in seen["levels"]] == [0, 1, 2]
    assert [t[0] for t in seen["tasks"]] == ["plan_measure"] and seen["told"]

    clerk, township, county_office = user("dept_slj"), user("aoyi_zg"), user("fpb")
    clock.set_now(at("2018-10-16T10:00"))
    _each(
        pair,
        lambda case: cases.plan_case(
            case,
            clerk,
            measure="铺设入户自来水管道",
            target_standard="全天候安全饮水",
            responsible_person="张水利",
            planned_completion=date(2018, 11, 30),
        ),
    )
    _each(pair, lambda case: cases.submit_work(case, clerk, "管道已铺设入户"))
    assert [t[0] for t in _alike(pair)["tasks"]][-1] == "verify_on_site"
    _each(pair, lambda case: cases.verify_case(case, township, ok=False, reason="入户未通水"))
    assert _alike(pair)["status"] == CaseStatus.IN_PROGRESS

    run_tick("2018-11-14T00:00:30+08:00")  # level 3 while the work is redone: accountability
    assert [level for level, _at in _alike(pair)["levels"]] == [0, 1, 2, 3]

    clock.set_now(at("2018-11-20T10:00"))
    _each(pair, lambda case: cases.submit_work(case, clerk, "加装增压泵，已通水"))
    _each(pair, lambda case: cases.verify_case(case, township, ok=True))
    _each(pair, lambda case: cases.accept_case(case, county_office, ok=False, reason="缺验收照片"))
    assert [t[0] for t in _alike(pair)["tasks"]][-1] == "carry_out"
    _each(pair, lambda case: cases.submit_work(case, clerk, "已补照片"))
    _each(pair, lambda case: cases.verify_case(case, township, ok=True))
    _each(pair, lambda case: cases.accept_case(case, county_office, ok=True))
    seen = _alike(pair)
    assert seen["status"] == CaseStatus.CLOSED
    assert seen["instance"][0].value == "completed" and seen["instance"][1] is None
    assert seen["audit"][0] == "case.open" and seen["audit"][-1] == "case.close"


def test_a_case_its_township_leads_starts_alike_either_way(county, user):
    clock.set_now(at("2018-08-01T10:00"))
    seen = _alike(_open_pair(dept_code=None, due=date(2018, 12, 31)))
    assert [(t[0], t[2], t[3].value) for t in seen["tasks"]] == [
        ("plan_measure", "乡镇扶贫专干", "township_clerk")
    ]
    assert seen["data"]["lanes"] == cases.TOWNSHIP_LANES
    assert seen["tasks"][0][6] == at("2018-12-31T23:59:59")


def test_a_case_whose_deadline_has_passed_is_started_by_the_engine(county):
    """Its overdue timer fires at the start, as the engine's start does; no snapshot has that."""
    clock.set_now(at("2018-08-01T10:00"))
    round_ = make_round()
    made = snapshots.made()
    late = _open(round_, _households("布古纳村", 1)[0], "SLJ", date(2018, 7, 25))
    db.session.commit()
    assert snapshots.made() == made
    assert [row.level for row in db.session.scalars(sa.select(CaseEscalation))] == [1]
    assert db.session.get(HelpCase, late.id).escalation_level == 1


def test_a_changed_diagram_is_not_started_from_the_old_snapshot(county, tmp_path):
    clock.set_now(at("2018-08-01T10:00"))
    round_ = make_round()
    first, second, third = _households("布古纳村", 3)
    old = _open(round_, first, "SLJ", date(2018, 12, 31))
    db.session.commit()
    # the new version asks for a check before the gateway: its first task is another one
    specs.use_diagram_dir(with_step_after(tmp_path, after="help_back_start"))
    try:
        made = snapshots.made()
        new = _open(round_, second, "SLJ", date(2018, 12, 31))
        assert snapshots.made() == made + 1
        with snapshots.engine_start_only():
            by_engine = _open(round_, third, "SLJ", date(2018, 12, 31))
        db.session.commit()
        instance = db.session.get(ProcessInstance, new.instance_id)
        assert instance.spec_id != db.session.get(ProcessInstance, old.instance_id).spec_id
        assert instance.spec_id == db.session.get(ProcessInstance, by_engine.instance_id).spec_id
        ready = db.session.scalars(
            sa.select(HumanTask.spec_name).where(HumanTask.instance_id == instance.id)
        ).all()
        assert ready == ["check_plan"]
        assert _state(new.id) == _state(by_engine.id)
        assert '"task_spec":"check_plan"' in _state(new.id)
    finally:
        specs.use_diagram_dir(None)


def test_a_case_whose_reminder_is_due_at_its_opening_is_started_by_the_engine(county, run_tick):
    """Due within the reminder days: its reminder is the moment it opens, which the engine's
    start may already fire; the snapshot leaves such a case to the engine."""
    clock.set_now(at("2018-08-01T10:00"))
    made = snapshots.made()
    case = _open(make_round(), _households("布古纳村", 1)[0], "SLJ", date(2018, 8, 5))
    db.session.commit()
    assert snapshots.made() == made
    assert db.session.get(ProcessInstance, case.instance_id).next_timer_due == at(
        "2018-08-01T10:00"
    )
    run_tick("2018-08-01T10:01+08:00")
    assert db.session.get(HelpCase, case.id).escalation_level == 0
    assert db.session.scalars(sa.select(CaseEscalation.level)).all() == [0]


def test_cases_from_the_snapshot_share_no_task_id(county):
    """Each case's tasks get ids of their own (random UUIDs), and its inbox task is one of them."""
    clock.set_now(at("2018-08-01T10:00"))
    round_ = make_round()
    opened = [_open(round_, h, "SLJ", date(2018, 12, 31)) for h in _households("布古纳村", 3)]
    db.session.commit()
    seen: set[str] = set()
    for case in opened:
        instance = db.session.get(ProcessInstance, case.instance_id)
        ids = {UUID(m) for m in _ID.findall(instance.state)}
        state = json.loads(instance.state)
        subprocesses = state["subprocesses"].values()
        assert len(ids) == len(state["tasks"]) + sum(len(sub["tasks"]) for sub in subprocesses)
        assert {i.version for i in ids} == {4} and not {str(i) for i in ids} & seen
        seen |= {str(i) for i in ids}
        guid = db.session.scalar(
            sa.select(HumanTask.task_guid).where(HumanTask.instance_id == instance.id)
        )
        assert guid in seen
