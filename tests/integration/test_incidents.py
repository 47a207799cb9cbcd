"""Incidents: an instance that fails in the tick is recorded, left alone with back-off while
the others of its batch go on, stops being tried after four failures, and is retried from the
operations page once the cause is fixed; a failed task completion is an incident too, and mail
that gave up is resent from the same page."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from notifications.models import EmailMessage, EmailStatus
from notifications.wiring import tick_and_deliver
from tests.factories import at, failed_message, make_round, open_household_case, work_done
from workflow import services
from workflow.cases import lifecycle as cases
from workflow.engine.services import register_services
from workflow.models import (
    AuditEvent,
    CaseEscalation,
    CaseStatus,
    HelpCase,
    IncidentKind,
    ProcessIncident,
)
from workflow.platform import clock
from workflow.platform.db import db


@pytest.fixture
def broken_service():
    """Make one service function fail for the cases named in `broken` (the mail server is down,
    say); the real table comes back after the test."""
    broken: set[int] = set()
    real = services.SERVICES["escalate_case"]

    def escalate_case(case_id: int, level: int) -> bool:
        if case_id in broken:
            raise RuntimeError("SMTP server not answering")
        return real(case_id, level)

    register_services({**services.SERVICES, "escalate_case": escalate_case})
    yield broken
    services.install()


def _incident(instance_id: int) -> ProcessIncident | None:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(ProcessIncident).where(ProcessIncident.instance_id == instance_id)
    )


def _levels(case_id: int) -> list[int]:
    return sorted(
        db.session.scalars(sa.select(CaseEscalation.level).where(CaseEscalation.case_id == case_id))
    )


def _tick(moment: str):
    db.session.commit()
    report = tick_and_deliver(at(moment))
    db.session.expire_all()
    return report


def test_a_failing_instance_is_an_incident_with_back_off_then_retried_after_the_fix(
    county, user, browser, broken_service
):
    clock.set_now(at("2018-08-01T10:00"))
    round_ = make_round()
    failing = open_household_case(round_, due=date(2018, 9, 30))
    healthy = open_household_case(round_, "喀特勒什村", due=date(2018, 9, 30))
    broken_service.add(failing.id)
    failing_id, healthy_id, instance_id = failing.id, healthy.id, failing.instance_id

    report = _tick("2018-09-23T09:01+08:00")
    assert list(report.failed) == [instance_id]
    assert _levels(healthy_id) == [0], "the other case of the batch was reminded"
    incident = _incident(instance_id)
    assert incident.kind == IncidentKind.TICK and incident.failures == 1
    assert "SMTP server not answering" in incident.error
    assert incident.retry_at == at("2018-09-23T09:06+08:00")

    assert not _tick("2018-09-23T09:02+08:00").failed, "not tried again a minute later"
    assert _incident(instance_id).failures == 1
    assert list(_tick("2018-09-23T09:07+08:00").failed) == [instance_id]  # after 5 minutes
    assert _incident(instance_id).retry_at == at("2018-09-23T09:37+08:00")
    assert not _tick("2018-09-23T09:30+08:00").failed
    _tick("2018-09-23T09:38+08:00")  # after 30 minutes: the third failure
    _tick("2018-09-23T11:39+08:00")  # after 2 hours: the fourth, and the last
    incident = _incident(instance_id)
    assert incident.failures == 4 and incident.retry_at is None
    assert not _tick("2018-09-24T09:00+08:00").failed, "it is no longer tried"
    assert _incident(instance_id).failures == 4

    office = browser("fpb")
    clock.set_now(at("2018-09-24T10:00"))
    page = office.get("/operations").get_data(as_text=True)
    assert "SMTP server not answering" in page
    assert "已试 4 次，停止自动重试" in page
    assert "已到期未触发的定时器" in page

    retry = f"/operations/incidents/{incident.id}/retry"
    response = office.post(retry)  # the cause is not fixed yet: it fails again, still open
    assert response.status_code == 303
    assert "重试仍然失败" in office.get("/operations").get_data(as_text=True)
    assert _incident(instance_id).failures == 5 and _incident(instance_id).resolved_at is None

    services.install()  # the fix
    assert office.post(retry).status_code == 303
    page = office.get("/operations").get_data(as_text=True)
    assert "重试成功，故障已排除" in page and "没有出错的流程" in page
    assert _incident(instance_id).resolved_at is not None
    assert _levels(failing_id) == [0], "the reminder went out on the retry"
    actions = db.session.scalars(
        sa.select(AuditEvent.action)
        .where(
            AuditEvent.object_type == "process_instance", AuditEvent.object_id == str(instance_id)
        )
        .order_by(AuditEvent.seq)
    ).all()
    assert actions == ["incident.retry_failed", "incident.retried"]


def test_an_instance_that_recovers_by_itself_closes_its_incident(county, broken_service):
    clock.set_now(at("2018-08-01T10:00"))
    case = open_household_case(make_round(), due=date(2018, 9, 30))
    broken_service.add(case.id)
    instance_id = case.instance_id
    _tick("2018-09-23T09:01+08:00")
    broken_service.clear()  # the mail server is back
    assert _tick("2018-09-23T09:07+08:00").advanced == [instance_id]
    assert _incident(instance_id).resolved_at is not None
    assert _levels(case.id) == [0]


def test_a_failing_task_completion_is_an_incident_and_nothing_is_saved(county, user, browser):
    clock.set_now(at("2018-08-01T10:00"))
    case = work_done(open_household_case(make_round(), due=date(2018, 9, 30)), user("dept_slj"))
    cases.verify_case(case, user("aoyi_zg"), True)
    db.session.commit()
    case_id, instance_id = case.id, case.instance_id

    real = services.SERVICES["close_case"]

    def close_case(case_id: int) -> None:
        raise RuntimeError("the case register is locked")

    register_services({**services.SERVICES, "close_case": close_case})
    try:
        office = browser("fpb")
        response = office.post(f"/cases/{case_id}/accept", {"decision": "ok"})
        assert response.status_code == 303
        shown = office.get(f"/cases/{case_id}").get_data(as_text=True)
        assert "本步骤之后流程无法继续，本次提交未保存" in shown
        db.session.expire_all()
        assert db.session.get(HelpCase, case_id).status == CaseStatus.ACCEPTING
        incident = _incident(instance_id)
        assert incident.kind == IncidentKind.TASK and incident.task_name == "county_accept"
        assert "the case register is locked" in incident.error
        assert "the case register is locked" in office.get("/operations").get_data(as_text=True)
    finally:
        register_services({**services.SERVICES, "close_case": real})
    assert office.post(f"/cases/{case_id}/accept", {"decision": "ok"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(HelpCase, case_id).status == CaseStatus.CLOSED
    assert _incident(instance_id).resolved_at is not None, "the completion that went through"


def test_mail_that_gave_up_is_listed_and_resent(county, user, browser):
    clock.set_now(at("2018-08-01T10:00"))
    message_id = failed_message(user("dept_slj")).id
    db.session.commit()
    office = browser("admin")
    page = office.get("/operations").get_data(as_text=True)
    assert "SMTPServerDisconnected" in page and "帮扶个案逾期提醒" in page
    assert office.post(f"/operations/mail/{message_id}/resend").status_code == 303
    db.session.expire_all()
    message = db.session.get(EmailMessage, message_id)
    assert message.status == EmailStatus.PENDING and message.attempts == 0
    assert "没有发送失败的邮件" in office.get("/operations").get_data(as_text=True)
    again = office.post(f"/operations/mail/{message_id}/resend")
    assert again.status_code == 303  # refused: it has not given up (any more)
    assert "该邮件并未发送失败" in office.get("/operations").get_data(as_text=True)


def test_others_may_not_open_the_operations_page(county, browser):
    for name in ("ldxz", "dept_slj", "aoyi_fzr"):
        assert browser(name).get("/operations").status_code == 403, name
