"""E-mail over a real SMTP server on loopback: queued with the state change, sent after commit,
retried when refused, folded into a daily digest for those who asked for one."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask import Flask

from notifications import email
from notifications.models import EmailMessage, EmailStatus
from tests.factories import at, make_round, open_household_case
from web.app import create_app
from workflow.cases.escalation import escalate_case
from workflow.models import CaseEscalation, DigestMode
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.settings import get_settings, use_settings

OVERDUE = "2018-10-01T00:00:30+08:00"  # just past the deadline of 30 September


@pytest.fixture
def overdue_case(county):
    """A household case routed to the water bureau, due on 30 September 2018."""
    clock.set_now(at("2018-08-01T10:00"))
    case = open_household_case(make_round(), due=date(2018, 9, 30))
    db.session.commit()
    return case.id


def outbox(key: str) -> list[EmailMessage]:
    return list(db.session.scalars(sa.select(EmailMessage).where(EmailMessage.event_key == key)))


def leaders(user) -> list[str]:
    return sorted([user("dept_slj_fzr").email, user("aoyi_fzr").email])


def test_overdue_case_mails_the_department_and_township_leaders_once(
    overdue_case, user, run_tick, smtp_server
):
    run_tick("2018-09-23T09:01+08:00")  # a week before the deadline: the clerk's reminder
    assert [m.rcpt_tos for m in smtp_server.messages] == [(user("dept_slj").email,)]
    smtp_server.clear()

    run_tick(OVERDUE)
    mails = smtp_server.messages
    assert sorted(m.to for m in mails) == ["aoyi_fzr@huitou.example", "dept_slj_fzr@huitou.example"]
    for mail in mails:
        assert mail.subject.startswith(f"逾期督办：帮扶事项 #{overdue_case} ")
        assert "已超过完成时限 2018-09-30" in mail.subject
        assert f"/cases/{overdue_case}" in mail.body and "请勿直接回复" in mail.body

    run_tick(OVERDUE)  # the same tick again, and a later one: nothing is mailed twice
    run_tick("2018-10-01T06:00+08:00")
    assert len(smtp_server.messages) == 2
    sent = outbox(f"case:{overdue_case}:level:1")
    assert [(m.status, m.attempts) for m in sent] == [(EmailStatus.SENT, 1)] * 2


def test_refused_mail_is_retried_and_never_undoes_the_escalation(
    overdue_case, user, run_tick, smtp_server
):
    smtp_server.refuse("451 4.3.0 Try again later")
    run_tick(OVERDUE)

    assert db.session.scalar(
        sa.select(CaseEscalation.id).where(
            CaseEscalation.case_id == overdue_case, CaseEscalation.level == 1
        )
    ), "the escalation is committed although no mail could be sent"
    assert smtp_server.messages == []
    waiting = outbox(f"case:{overdue_case}:level:1")
    assert len(waiting) == 2
    for message in waiting:
        assert (message.status, message.attempts) == (EmailStatus.PENDING, 1)
        assert message.last_error.startswith("451 ")
        assert message.next_attempt_at == at(OVERDUE) + timedelta(minutes=1)

    smtp_server.accept()
    run_tick("2018-10-01T00:01:00+08:00")  # 30 seconds later: still backing off
    assert smtp_server.messages == []
    run_tick("2018-10-01T00:02:00+08:00")  # the minute has passed: sent
    run_tick("2018-10-01T00:30:00+08:00")
    overdue = [m.to for m in smtp_server.messages if m.subject.startswith("逾期督办")]
    assert sorted(overdue) == leaders(user), "each leader's message arrives exactly once"
    assert [m.to for m in smtp_server.messages if m.subject.startswith("临期提醒")] == [
        user("dept_slj").email
    ]
    for message in outbox(f"case:{overdue_case}:level:1"):
        assert (message.status, message.attempts) == (EmailStatus.SENT, 2)


def test_daily_digest_reader_gets_one_message_with_both_cases(county, user, run_tick, smtp_server):
    clock.set_now(at("2018-08-01T10:00"))
    round_ = make_round()
    water = open_household_case(round_, due=date(2018, 9, 30)).id
    power = open_household_case(
        round_, indicator="H-POWER", label="通生活用电", due=date(2018, 9, 30)
    ).id
    user("dept_slj_fzr").digest_mode = DigestMode.DAILY
    leader = user("dept_slj_fzr").email

    run_tick(OVERDUE)
    assert len(smtp_server.to(user("aoyi_fzr").email)) == 2, "immediate readers get each at once"
    run_tick("2018-10-01T07:59+08:00")
    assert smtp_server.to(leader) == []

    run_tick("2018-10-01T08:00:30+08:00")
    run_tick("2018-10-01T09:00+08:00")
    run_tick("2018-10-02T08:01+08:00")  # nothing new was held: no second digest
    [digest] = smtp_server.to(leader)
    assert digest.subject == "回头看·回头帮每日通知汇总（2018-10-01）：共 2 条"
    assert f"#{water} 有安全饮水" in digest.body and f"#{power} 通生活用电" in digest.body
    assert all(m.status == EmailStatus.SENT for m in outbox(f"case:{water}:level:1"))


def test_mail_is_given_up_after_five_refusals(county, user, smtp_server):
    email.queue_email(user("fpb"), "测试", "正文", "test:give-up")
    db.session.commit()
    smtp_server.refuse("451 4.3.0 Try again later")
    moment = clock.now()
    delays = []
    for _ in range(email.MAX_ATTEMPTS):
        report = email.deliver_pending(moment)
        db.session.expire_all()
        [message] = outbox("test:give-up")
        if message.next_attempt_at is not None:
            delays.append(message.next_attempt_at - moment)
        moment += timedelta(hours=3)
    assert delays == list(email.BACKOFF)
    assert (message.status, message.attempts) == (EmailStatus.FAILED, 5)
    assert list(report.gave_up) == [message.id]
    assert email.deliver_pending(moment).sent == []


def test_without_an_smtp_host_mail_waits_in_the_outbox(county, user, smtp_server):
    email.queue_email(user("fpb"), "测试", "正文", "test:no-host")
    db.session.commit()
    use_settings(replace(get_settings(), smtp_host=""))
    assert email.deliver_pending().configured is False
    [message] = outbox("test:no-host")
    assert (message.status, message.attempts) == (EmailStatus.PENDING, 0)
    assert smtp_server.messages == []


@pytest.fixture
def escalating_app(settings, smtp_server) -> Iterator[Flask]:
    """A second app on the test database with views that escalate a case, then commit or not."""
    mail = replace(settings, smtp_host="127.0.0.1", smtp_port=smtp_server.port)
    web_app = create_app(mail, {"TESTING": True, "WTF_CSRF_ENABLED": False})

    @web_app.post("/escalate/<int:case_id>")
    def escalate(case_id: int) -> str:
        escalate_case(case_id, 1)
        db.session.commit()
        return "escalated"

    @web_app.post("/escalate-then-refuse/<int:case_id>")
    def escalate_then_refuse(case_id: int) -> tuple[str, int]:
        escalate_case(case_id, 1)
        db.session.rollback()
        return "refused", 409

    yield web_app
    with web_app.app_context():
        db.engine.dispose()


def test_mail_goes_out_when_the_request_commits_and_never_when_it_rolls_back(
    overdue_case, user, smtp_server, escalating_app
):
    clock.set_now(at(OVERDUE))
    client = escalating_app.test_client()

    assert client.post(f"/escalate-then-refuse/{overdue_case}").status_code == 409
    assert outbox(f"case:{overdue_case}:level:1") == []
    assert email.deliver_pending().sent == []
    assert smtp_server.messages == []

    assert client.post(f"/escalate/{overdue_case}").status_code == 200
    assert sorted(m.to for m in smtp_server.messages) == leaders(user), "sent as the request ended"


def test_guard_refuses_a_port_no_fixture_registered(smtp_server):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with socket.socket() as client, pytest.raises(AssertionError, match="register its port"):
            client.connect(listener.getsockname())
    with socket.create_connection(("127.0.0.1", smtp_server.port), timeout=5) as client:
        assert client.recv(100).startswith(b"220 "), "the registered SMTP server is reachable"
