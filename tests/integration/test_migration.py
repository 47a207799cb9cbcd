"""Migrating running cases to a changed gap_case diagram (a step added after planning) with
SpiffWorkflow's diff: a dry run says per instance whether it can move and what moves; the
real run moves those before the change, which then reach the new step, and leaves the others;
afterwards every instance's inbox rows and timers are what its engine state says."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tests.diagrams import with_step_after
from tests.factories import at, make_round, open_household_case, work_done
from web import cli, cli_support
from workflow.cases import lifecycle as cases
from workflow.engine import instances, specs
from workflow.engine.spiff import SpiffTaskState
from workflow.engine.timers import move_timers
from workflow.models import AuditEvent, HelpCase, HumanTask, ProcessInstance, TaskState
from workflow.operations import migration
from workflow.platform import clock
from workflow.platform.db import db


@pytest.fixture
def changed_diagrams(tmp_path):
    """Point the engine at a copy of bpmn/ with 复核帮扶措施 after 制定帮扶措施 (from the
    moment the test calls it), and back at bpmn/ afterwards."""

    def change() -> None:
        specs.use_diagram_dir(with_step_after(tmp_path))

    yield change
    specs.use_diagram_dir(None)


def _consistent(instance_id: int) -> None:
    """The inbox rows are the engine's READY user tasks, and the next timer is the engine's."""
    db.session.expire_all()
    instance = db.session.get(ProcessInstance, instance_id)
    wf = instances.load(instance)
    ready = {
        str(t.id): t.task_spec.bpmn_id
        for t in wf.get_tasks(state=SpiffTaskState.READY, manual=True)
    }
    mirrored = {
        row.task_guid: row.spec_name
        for row in db.session.scalars(
            sa.select(HumanTask).where(
                HumanTask.instance_id == instance_id, HumanTask.state == TaskState.READY
            )
        )
    }
    assert mirrored == ready, instance_id
    assert instance.next_timer_due == instances.next_timer_due(wf), instance_id


def _waiting_timers(instance_id: int) -> dict[str, str]:
    db.session.expire_all()
    wf = instances.load(db.session.get(ProcessInstance, instance_id))
    return {
        t.task_spec.bpmn_id: t.internal_data.get("event_value")
        for t in wf.get_tasks(state=SpiffTaskState.WAITING)
        if "event_value" in t.internal_data
    }


def test_instances_before_the_change_move_and_reach_the_new_step(county, user, changed_diagrams):
    clock.set_now(at("2018-08-01T10:00"))
    round_ = make_round()
    clerk, township = user("dept_slj"), user("aoyi_zg")
    planning = open_household_case(round_, due=date(2018, 9, 30))
    working = open_household_case(
        round_, indicator="H-HOUSE", label="住房安全", due=date(2018, 9, 30)
    )
    cases.plan_case(
        working,
        clerk,
        measure="m",
        target_standard="s",
        responsible_person="p",
        planned_completion=date(2018, 9, 1),
    )
    verifying = work_done(
        open_household_case(round_, indicator="H-EDU", label="义务教育", due=date(2018, 9, 30)),
        clerk,
    )
    accepting = work_done(
        open_household_case(round_, indicator="H-MED", label="基本医疗", due=date(2018, 9, 30)),
        clerk,
    )
    cases.verify_case(accepting, township, True)
    # The county moved the planning case's deadline: its waiting timer was re-aimed.
    moved_due = clock.iso(at("2018-10-31T23:59:59"))
    move_timers(db.session.get(ProcessInstance, planning.instance_id), {"due_at": moved_due})
    db.session.commit()
    ids = {c.status.value: c.instance_id for c in (planning, working, verifying, accepting)}
    timers_before = {name: _waiting_timers(i) for name, i in ids.items()}
    assert timers_before["planning"]["overdue_timer"] == moved_due
    old_version = {i: db.session.get(ProcessInstance, i).spec_id for i in ids.values()}

    changed_diagrams()
    plan = migration.plan_migration("gap_case", user("admin"))
    verdicts = {p.instance.id: p for p in plan.plans}
    assert set(verdicts) == set(ids.values()), "every running case is behind the new version"
    assert verdicts[ids["planning"]].can_move
    assert verdicts[ids["planning"]].check.moves[0] == "制定帮扶措施"
    for name in ("in_progress", "verifying", "accepting"):  # they did the step that changed
        check = verdicts[ids[name]].check
        assert not check.can_move, name
        assert ("plan_measure", "changed") in {(c.element, c.kind) for c in check.blocking}, name
    db.session.expire_all()
    assert {i: db.session.get(ProcessInstance, i).spec_id for i in ids.values()} == old_version

    plan = migration.migrate_to_newest("gap_case", user("admin"))
    db.session.commit()
    assert [p.instance.id for p in plan.plans if p.moved] == [ids["planning"]]
    db.session.expire_all()
    for name, instance_id in ids.items():
        _consistent(instance_id)
        instance = db.session.get(ProcessInstance, instance_id)
        moved = name == "planning"
        assert (instance.spec_id != old_version[instance_id]) == moved, name
        assert _waiting_timers(instance_id) == timers_before[name], f"{name}: timers kept"
    audit = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "process.migrated")
    ).all()
    assert [(e.object_id, e.actor_name) for e in audit] == [
        (str(ids["planning"]), user("admin").display_name)
    ]
    plan_task = db.session.scalar(
        sa.select(HumanTask).where(
            HumanTask.instance_id == ids["planning"], HumanTask.state == TaskState.READY
        )
    )
    assert plan_task.spec_name == "plan_measure", "the inbox row (and its id) is kept"

    case = db.session.get(HelpCase, planning.id)
    cases.plan_case(
        case,
        clerk,
        measure="m",
        target_standard="s",
        responsible_person="p",
        planned_completion=date(2018, 9, 1),
    )
    db.session.commit()
    _consistent(ids["planning"])
    new_step = db.session.scalar(
        sa.select(HumanTask).where(
            HumanTask.instance_id == ids["planning"], HumanTask.state == TaskState.READY
        )
    )
    assert (new_step.spec_name, new_step.title, new_step.role.value) == (
        "check_plan",
        "复核帮扶措施",
        "department_clerk",
    )
    assert new_step.due_at == at("2018-10-31T23:59:59"), "the moved deadline is kept"

    again = migration.plan_migration("gap_case", user("admin"))
    assert sorted(p.instance.id for p in again.plans) == sorted(
        ids[n] for n in ("in_progress", "verifying", "accepting")
    )
    assert not again.movable


def test_the_command_and_the_page_migrate_what_they_are_told(
    app, county, user, browser, changed_diagrams, monkeypatch
):
    monkeypatch.setattr(cli_support, "make_app", lambda: app)
    clock.set_now(at("2018-08-01T10:00"))
    round_ = make_round()
    first = open_household_case(round_, due=date(2018, 9, 30)).instance_id
    second = open_household_case(round_, "喀特勒什村", due=date(2018, 9, 30)).instance_id
    db.session.commit()
    changed_diagrams()

    def huitou(*args: str) -> str:
        db.session.commit()
        result = CliRunner().invoke(cli.main, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        db.session.expire_all()
        return result.output

    listing = huitou("process", "list")
    assert "gap_case  回头帮帮扶个案" in listing and "运行中 2 个" in listing
    assert "最新版本" in listing and "尚未被任何流程使用" in listing

    out = huitou("process", "migrate", "gap_case", "--to", "newest", "--dry-run")
    assert f"#{first}" in out and f"#{second}" in out and "2 个中 2 个可迁移" in out
    versions_before = {i: db.session.get(ProcessInstance, i).spec_id for i in (first, second)}
    out = huitou("process", "migrate", "gap_case", "--instances", str(first))
    assert f"#{first}" in out and "已迁移" in out and f"#{second}" not in out
    assert db.session.get(ProcessInstance, first).spec_id != versions_before[first]
    assert db.session.get(ProcessInstance, second).spec_id == versions_before[second]

    office = browser("fpb")
    page = office.get("/operations/processes/gap_case/migrate").get_data(as_text=True)
    assert f'id="instance-{second}"' in page and f'id="instance-{first}"' not in page
    assert "1 个中 1 个可迁移" in page
    response = office.post("/operations/processes/gap_case/migrate", {"instances": ""})
    assert response.status_code == 303
    db.session.expire_all()
    assert (
        db.session.get(ProcessInstance, second).spec_id
        == db.session.get(ProcessInstance, first).spec_id
    )
    for instance_id in (first, second):
        _consistent(instance_id)
    versions_page = office.get("/operations/processes").get_data(as_text=True)
    assert '/gap_case/migrate"' not in versions_page, "nothing runs behind any more"
    version = db.session.get(ProcessInstance, first).spec_id
    diagram = office.get(f"/operations/versions/{version}/diagram").get_json()
    assert "check_plan" in diagram["xml"], "the version's own diagram"
    old = office.get(f"/operations/versions/{versions_before[first]}").get_data(as_text=True)
    assert "新增 · 复核帮扶措施" in old and "修改 · 制定帮扶措施" in old


def test_thousands_behind_are_checked_and_moved_a_page_at_a_time(
    app, county, user, browser, changed_diagrams, monkeypatch
):
    monkeypatch.setattr(cli_support, "make_app", lambda: app)
    monkeypatch.setattr(migration, "PAGE", 2)
    clock.set_now(at("2018-08-01T10:00"))
    round_ = make_round()
    villages = ("布古纳村", "喀特勒什村", "布古纳村", "喀特勒什村", "布古纳村")
    ids = [open_household_case(round_, v, due=date(2018, 9, 30)).instance_id for v in villages]
    db.session.commit()
    changed_diagrams()

    first = migration.plan_migration("gap_case", user("admin"), limit=2)
    assert [p.instance.id for p in first.plans] == sorted(ids)[:2]
    assert (first.behind, first.next_after) == (5, sorted(ids)[1])
    last = migration.plan_migration("gap_case", user("admin"), after=sorted(ids)[3], limit=2)
    assert [p.instance.id for p in last.plans] == sorted(ids)[4:] and last.next_after is None

    office = browser("fpb")
    page = office.get("/operations/processes/gap_case/migrate").get_data(as_text=True)
    assert "共有 5 个实例落后于最新版本；本页检查其中 2 个" in page
    assert f"after={sorted(ids)[1]}" in page and f'id="instance-{sorted(ids)[2]}"' not in page
    second = office.get(f"/operations/processes/gap_case/migrate?after={sorted(ids)[1]}")
    assert f'id="instance-{sorted(ids)[2]}"' in second.get_data(as_text=True)
    # The page's button moves the instances listed on it, no others.
    listed = ",".join(map(str, sorted(ids)[:2]))
    assert f'name="instances" value="{listed}"' in page
    office.post("/operations/processes/gap_case/migrate", {"instances": listed})
    db.session.expire_all()
    behind = migration.plan_migration("gap_case", user("admin"), limit=10)
    assert sorted(p.instance.id for p in behind.plans) == sorted(ids)[2:]

    result = CliRunner().invoke(
        cli.main, ["process", "migrate", "gap_case", "--batch", "2"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "3 个流程中 3 个已迁移到最新版本" in result.output
    db.session.expire_all()
    assert not migration.plan_migration("gap_case", user("admin")).plans
    for instance_id in ids:
        _consistent(instance_id)
