"""The tick advances due instances in batches, one transaction each: one broken case is rolled
back and reported without losing the others, and a tick that lost its lease stops."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from notifications import rules
from notifications.models import EmailMessage, Notice
from tests.factories import at, make_round, open_household_case
from workflow import scheduler
from workflow.models import CaseEscalation, HelpCase, SchedulerLease
from workflow.platform import audit, clock
from workflow.platform.db import db

CASES = (("H-WATER", "有安全饮水", "SLJ"), ("H-HOUSE", "住房安全有保障", "ZJJ"))
CASES += (("H-MED", "基本医疗有保障", "WJW"), ("H-EDU", "义务教育有保障", "JKJ"))
CASES += (("H-INCOME", "收入达标", "NYJ"),)


@pytest.fixture
def five_cases(county) -> list[int]:
    """Five cases of one household, each due 2018-09-30 with another department."""
    clock.set_now(at("2018-08-01T10:00"))
    round_ = make_round()
    ids = [
        open_household_case(
            round_, indicator=code, label=label, dept_code=dept, due=date(2018, 9, 30)
        ).id
        for code, label, dept in CASES
    ]
    db.session.commit()
    clock.set_now(None)
    return ids


def reminded(case_ids: list[int]) -> list[int]:
    return sorted(
        db.session.scalars(
            sa.select(CaseEscalation.case_id).where(
                CaseEscalation.case_id.in_(case_ids), CaseEscalation.level == 0
            )
        )
    )


def test_a_broken_case_is_rolled_back_and_the_others_of_its_batch_are_kept(five_cases, monkeypatch):
    broken = five_cases[2]
    tell = rules.notify_case_level

    def notify_or_fail(case: HelpCase, level: int) -> int:
        if case.id == broken:  # after its escalation and audit event were written
            raise RuntimeError("the mail template is broken")
        return tell(case, level)

    monkeypatch.setattr(rules, "notify_case_level", notify_or_fail)
    monkeypatch.setattr(scheduler, "BATCH", 2)
    report = scheduler.tick(at("2018-09-24T09:00"))
    db.session.expire_all()
    assert len(report.advanced) == 4
    assert list(report.failed) == [db.session.get(HelpCase, broken).instance_id]
    assert (
        "the mail template is broken" in report.failed[db.session.get(HelpCase, broken).instance_id]
    )
    assert reminded(five_cases) == sorted(set(five_cases) - {broken})
    assert db.session.get(HelpCase, broken).escalation_level == -1
    assert audit.verify_chain().ok
    told = db.session.scalars(sa.select(Notice.event_key)).all()
    assert f"case:{broken}:level:0" not in told and len(told) == 4

    monkeypatch.setattr(rules, "notify_case_level", tell)  # mended: the next tick catches up
    again = scheduler.tick(at("2018-09-24T10:00"))
    db.session.expire_all()
    assert len(again.advanced) == 1 and not again.failed
    assert reminded(five_cases) == sorted(five_cases)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 5
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EmailMessage)) == 5
    assert audit.verify_chain().ok


def test_a_second_tick_at_the_same_moment_fires_nothing(five_cases, monkeypatch):
    monkeypatch.setattr(scheduler, "BATCH", 3)
    commits = []
    first = scheduler.tick(at("2018-09-24T09:00"), after_commit=lambda: commits.append(1))
    assert len(first.advanced) == 5 and len(commits) == 2, "one commit per batch"
    second = scheduler.tick(at("2018-09-24T09:00"))
    db.session.expire_all()
    assert second.advanced == [] and reminded(five_cases) == sorted(five_cases)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 5


def test_a_tick_that_lost_its_lease_stops_after_its_batch(five_cases, monkeypatch, sqlite_lease):
    monkeypatch.setattr(scheduler, "BATCH", 2)

    def taken_over() -> None:  # this worker stalled; its lease ran out and another took it
        lease = db.session.get(SchedulerLease, scheduler.LEASE_NAME)
        lease.holder = "worker-b"
        db.session.commit()

    report = scheduler.tick(at("2018-09-24T09:00"), holder="worker-a", after_commit=taken_over)
    db.session.expire_all()
    assert len(report.advanced) == 2 and not report.failed
    assert len(reminded(five_cases)) == 2
    assert db.session.get(SchedulerLease, scheduler.LEASE_NAME).holder == "worker-b"


def test_the_lease_is_renewed_with_each_batch(five_cases, monkeypatch, sqlite_lease):
    monkeypatch.setattr(scheduler, "BATCH", 2)
    expiries = []

    def note_expiry() -> None:
        expiries.append(db.session.get(SchedulerLease, scheduler.LEASE_NAME).expires_at)
        db.session.expire_all()

    scheduler.tick(at("2018-09-24T09:00"), holder="worker-a", after_commit=note_expiry)
    assert len(expiries) == 3 and expiries == sorted(expiries)
