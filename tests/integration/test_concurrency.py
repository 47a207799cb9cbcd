"""Two people completing the same task at once: one wins, the other is told, nothing is lost."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from tests.factories import at, make_round, open_household_case, work_done
from workflow.cases import lifecycle as cases
from workflow.models import AuditEvent, CaseStatus, HelpCase, HumanTask, TaskState, User
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import ConflictError


def _user(name: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == name))


@pytest.fixture
def verifying_case(county, user):
    """A case waiting for the township to verify it."""
    clock.set_now(at("2018-08-01T10:00"))
    case = open_household_case(make_round())
    clerk = user("dept_slj")
    work_done(case, clerk)
    db.session.commit()
    return case.id


def test_two_clerks_verifying_the_same_case_one_wins(app, verifying_case):
    """Both load the case before either submits; the second submit is refused as a conflict."""
    ctx_a, ctx_b = app.app_context(), app.app_context()
    ctx_a.push()
    case_a = db.session.get(HelpCase, verifying_case)
    clerk_a = _user("aoyi_zg")
    assert case_a.status == CaseStatus.VERIFYING
    ctx_b.push()
    case_b = db.session.get(HelpCase, verifying_case)
    clerk_b = _user("aoyi_zg")
    assert case_b.status == CaseStatus.VERIFYING
    ctx_b.pop()

    cases.verify_case(case_a, clerk_a, ok=True)  # A submits "passed" and commits first
    db.session.commit()
    ctx_a.pop()

    ctx_b.push()
    with pytest.raises(ConflictError) as err:
        cases.verify_case(case_b, clerk_b, ok=False, reason="我认为没通水")  # B still sees READY
        db.session.commit()
    db.session.rollback()
    assert "其他人" in err.value.message or "刷新" in err.value.message
    ctx_b.pop()

    db.session.expire_all()
    case = db.session.get(HelpCase, verifying_case)
    assert case.status == CaseStatus.ACCEPTING, "A's decision stands"
    verify_events = db.session.scalars(
        sa.select(AuditEvent.action).where(
            AuditEvent.action.in_(["case.verify", "case.verify_reject"])
        )
    ).all()
    assert verify_events == ["case.verify"], "B's refused decision left no trace of a change"
    ready = db.session.scalars(
        sa.select(HumanTask.spec_name).where(
            HumanTask.instance_id == case.instance_id, HumanTask.state == TaskState.READY
        )
    ).all()
    assert ready == ["county_accept"]


def test_racing_threads_exactly_one_wins(app, verifying_case):
    """Two threads submit at the same moment; exactly one succeeds and one gets a conflict."""
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def work(ok: bool) -> None:
        with app.app_context():
            case = db.session.get(HelpCase, verifying_case)
            clerk = _user("aoyi_zg")
            barrier.wait()
            try:
                cases.verify_case(case, clerk, ok=ok, reason="" if ok else "未通水")
                db.session.commit()
                outcomes.append("won")
            except ConflictError:
                db.session.rollback()
                outcomes.append("conflict")

    threads = [threading.Thread(target=work, args=(flag,)) for flag in (True, False)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["conflict", "won"]
    db.session.expire_all()
    events = db.session.scalars(
        sa.select(AuditEvent.action).where(
            AuditEvent.action.in_(["case.verify", "case.verify_reject"])
        )
    ).all()
    assert len(events) == 1
