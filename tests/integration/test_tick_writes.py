"""What a tick's batch writes together stays as safe as one write at a time: an instance
someone changed meanwhile is not overwritten, and nobody told already is told again."""

from __future__ import annotations

import sqlalchemy as sa

from notifications import rules
from notifications.models import EmailMessage, Notice
from tests.factories import at
from tests.integration.test_tick_batches import five_cases, reminded  # noqa: F401 - fixture
from workflow import scheduler
from workflow.models import HelpCase, ProcessInstance
from workflow.platform import clock
from workflow.platform.db import db


def test_a_process_changed_while_its_batch_ran_is_not_overwritten(five_cases, monkeypatch):  # noqa: F811
    changed = db.session.get(HelpCase, five_cases[1]).instance_id
    tell = rules.notify_case_level

    def change_then_tell(case: HelpCase, level: int) -> int:
        if case.instance_id == changed:  # someone saves this process while the tick runs
            db.session.execute(
                sa.update(ProcessInstance)
                .where(ProcessInstance.id == changed)
                .values(version=ProcessInstance.version + 1, subject="changed meanwhile")
                .execution_options(synchronize_session=False)  # another's save, unseen here
            )
        return tell(case, level)

    monkeypatch.setattr(rules, "notify_case_level", change_then_tell)
    report = scheduler.tick(at("2018-09-24T09:00"))
    db.session.expire_all()
    assert list(report.failed) == [changed]
    assert "已被他人更改" in report.failed[changed]  # someone changed it
    assert reminded(five_cases) == sorted(set(five_cases) - {five_cases[1]})
    assert len(report.advanced) == 4


def test_who_was_told_already_is_not_told_again(five_cases, user):  # noqa: F811
    case = db.session.get(HelpCase, five_cases[0])
    clerk = user("dept_slj")
    key = f"case:{case.id}:level:0"
    clock.set_now(at("2018-09-20T09:00"))
    db.session.add(
        Notice(user_id=clerk.id, event_key=key, created_at=clock.now(), subject="told by hand")
    )
    db.session.commit()
    clock.set_now(None)
    report = scheduler.tick(at("2018-09-24T09:00"))
    db.session.expire_all()
    assert len(report.advanced) == 5 and not report.failed
    subjects = db.session.scalars(sa.select(Notice.subject).where(Notice.event_key == key)).all()
    assert subjects == ["told by hand"]
    assert not db.session.scalars(
        sa.select(EmailMessage.id).where(EmailMessage.event_key == key)
    ).all()
    others = db.session.scalar(
        sa.select(sa.func.count()).select_from(Notice).where(Notice.event_key != key)
    )
    assert others == 4
