"""Connecting the domain's signals to the notification rules, and mail delivery to commits.

Mail is queued in the transaction that changes state. A SQLAlchemy `after_commit` listener only
notes that the committed transaction queued mail; the sending happens afterwards, outside any
transaction: when the web request ends, or after each commit of a scheduler tick.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session, SessionTransaction

from notifications import email, rules
from workflow import scheduler
from workflow.cases.escalation import case_escalated, cases_loaded
from workflow.platform import clock
from workflow.platform.db import db
from workflow.survey.certification import certification_late
from workflow.survey.townships import survey_escalated

log = logging.getLogger(__name__)

# session.info key: a committed transaction queued mail that is not delivered yet.
COMMITTED = "huitou.mail_committed"


def _on_case_escalated(case: Any, level: int, **_: Any) -> None:
    rules.notify_case_level(case, level)


def _on_cases_loaded(cases: list[Any], **_: Any) -> None:
    rules.preload_case_notices(cases)


def _on_survey_escalated(survey: Any, level: int, stage: str = "survey", **_: Any) -> None:
    rules.notify_survey_level(survey, level, stage)


def _on_certification_late(survey: Any, department_ids: list[int], **_: Any) -> None:
    rules.notify_certification_late(survey, department_ids)


def _note_commit(session: Session) -> None:
    if session.info.pop(email.QUEUED, False):
        session.info[COMMITTED] = True


def _forget_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(email.QUEUED, None)


def deliver_committed() -> None:
    """Send the mail that the session's committed transactions queued (nothing if none did)."""
    if not db.session.info.pop(COMMITTED, False):
        return
    try:
        email.deliver_pending(clock.now())
    except sa.exc.SQLAlchemyError:  # what was committed stays committed; the next tick retries
        log.exception("delivering mail after a commit failed")


def _deliver_after_request(exc: BaseException | None) -> None:
    deliver_committed()


def tick_and_deliver(moment: datetime | None = None) -> scheduler.TickReport:
    """Run the scheduler's tick, mailing after each commit; then fold digests, send what is due."""
    report = scheduler.tick(moment, after_commit=deliver_committed)
    if report.acquired:
        at = moment or clock.now()
        try:
            email.send_digests(at)
            email.deliver_pending(at)
        except sa.exc.SQLAlchemyError:
            log.exception("delivering mail after the tick failed")
    return report


def connect(app: Flask) -> None:
    """Subscribe the notification rules to the domain's events and mail to commits (idempotent)."""
    case_escalated.connect(_on_case_escalated, weak=False)
    cases_loaded.connect(_on_cases_loaded, weak=False)
    survey_escalated.connect(_on_survey_escalated, weak=False)
    certification_late.connect(_on_certification_late, weak=False)
    for name, listener in (
        ("after_commit", _note_commit),
        ("after_soft_rollback", _forget_rollback),
    ):
        if not sa.event.contains(db.session, name, listener):
            sa.event.listen(db.session, name, listener)
    if _deliver_after_request not in app.teardown_request_funcs.get(None, []):
        app.teardown_request(_deliver_after_request)
