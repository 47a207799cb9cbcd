"""The outbox as the operations page sees it: mail that gave up, resent on request, and the
oldest message still waiting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from notifications.email import QUEUED
from notifications.models import EmailMessage, EmailStatus
from workflow.models import User
from workflow.operations.incidents import require_operator
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.errors import NotFound, Refused
from workflow.platform.i18n import _


def gave_up(actor: User, limit: int = 200) -> list[EmailMessage]:
    """Messages that failed after every retry, the latest first."""
    require_operator(actor)
    return list(
        db.session.scalars(
            sa.select(EmailMessage)
            .where(EmailMessage.status == EmailStatus.FAILED)
            .order_by(EmailMessage.created_at.desc(), EmailMessage.id.desc())
            .limit(limit)
        )
    )


def gave_up_count() -> int:
    """How many messages gave up (the self-check)."""
    failed = EmailMessage.status == EmailStatus.FAILED
    return int(db.session.scalar(sa.select(sa.func.count()).where(failed)) or 0)


def resend(message_id: int, actor: User) -> EmailMessage:
    """Put a message that gave up back in the outbox, to be sent after this transaction
    commits with a fresh round of retries (audited)."""
    require_operator(actor)
    message = db.session.get(EmailMessage, message_id)
    if message is None:
        raise NotFound(_("The page or record does not exist."))
    if message.status != EmailStatus.FAILED:
        raise Refused(_("This message has not given up; it is sent or still being tried."))
    before = {"attempts": message.attempts, "error": message.last_error}
    message.status, message.attempts = EmailStatus.PENDING, 0
    message.next_attempt_at = clock.now()
    db.session.info[QUEUED] = True  # delivered once the request commits
    audit.record(actor, "email.resend", "email_message", message.id, before=before)
    return message


@dataclass(frozen=True)
class Waiting:
    """The outbox's backlog: how many messages wait to be sent, and since when the oldest."""

    count: int
    oldest: datetime | None


def waiting() -> Waiting:
    """Messages not sent yet (digests held for 08:00 aside)."""
    unsent = sa.and_(EmailMessage.status == EmailStatus.PENDING, EmailMessage.digest.is_(False))
    count, oldest = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(EmailMessage.created_at)).where(unsent)
    ).one()
    if oldest is not None and oldest.tzinfo is None:  # min() skips the column's type on SQLite
        oldest = oldest.replace(tzinfo=clock.now().tzinfo)
    return Waiting(int(count), oldest)
