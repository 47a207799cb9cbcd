"""E-mail over SMTP: an outbox filled in the state change's transaction and sent after it commits.

Sending happens outside any transaction of the caller, in a session of its own: a message is
claimed (one short transaction), sent, and its outcome recorded (another). A claim pushes the
message's next attempt forward, so two workers never send it at the same time, and a worker that
dies while sending leaves it to be retried once the claim runs out.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, make_msgid
from itertools import groupby
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from notifications.models import EmailMessage, EmailStatus
from workflow.models import DigestMode, User
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.i18n import gettext, use_language
from workflow.platform.settings import Settings, get_settings

log = logging.getLogger(__name__)

# session.info key: the session's current transaction put mail in the outbox.
QUEUED = "huitou.mail_queued"
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_ATTEMPTS = len(BACKOFF) + 1
CLAIM = timedelta(minutes=10)
DIGEST_TIME = time(8, 0)  # Beijing time
BATCH = 200
SMTP_TIMEOUT = 30
# A message that cannot be written (a line break in an address, a malformed sender setting).
_UNSENDABLE = (ValueError, MessageError)
# Failures of one message on a working connection; anything else means the server is gone.
_ANSWERED = (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused, *_UNSENDABLE)


@dataclass
class DeliveryReport:
    """What one delivery run did (ids of outbox rows)."""

    configured: bool = True
    sent: list[int] = field(default_factory=list)
    retrying: dict[int, str] = field(default_factory=dict)
    gave_up: dict[int, str] = field(default_factory=dict)


def mail_body(subject: str, text: str, link: str) -> str:
    """The body of a notice's e-mail: what happened, and where to see it in huitou."""
    url = get_settings().base_url.rstrip("/") + link
    lines = [subject, text] if text else [subject]
    return "\n".join([*lines, "", gettext("Open in huitou: %(url)s", url=url)])


def queue_email(
    user: User, subject: str, body: str, event_key: str, *, checked: bool = False
) -> EmailMessage | None:
    """Put a message for a user in the current transaction's outbox (once per event; `checked`
    when the caller already knows it is not there)."""
    if not user.email:
        return None
    if not checked and _in_outbox(db.session, user.id, event_key):
        return None
    message = EmailMessage(**_outbox_row(user, subject, body, event_key, clock.now()))
    db.session.add(message)
    db.session.info[QUEUED] = True
    return message


def queue_emails(users: list[User], subject: str, body: str, event_key: str) -> int:
    """Put the same message for each of these users in the outbox with the session's next flush
    (the caller knows none of them has it yet); returns how many were queued (those with an
    address)."""
    now = clock.now()
    rows = [_outbox_row(user, subject, body, event_key, now) for user in users if user.email]
    if rows:
        db.session.add_all(EmailMessage(**row) for row in rows)
        db.session.info[QUEUED] = True
    return len(rows)


def _outbox_row(
    user: User, subject: str, body: str, event_key: str, now: datetime
) -> dict[str, Any]:
    """A new outbox row: sent at once, or held for the user's daily digest."""
    held = user.digest_mode == DigestMode.DAILY
    return {
        "user_id": user.id,
        "to_address": user.email,
        "subject": subject,
        "body": body,
        "event_key": event_key,
        "created_at": now,
        "status": EmailStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": None if held else now,
        "last_error": "",
        "sent_at": None,
        "digest": held,
    }


def _in_outbox(session: Session | sa.orm.scoped_session[Session], user_id: int, key: str) -> bool:
    where = (EmailMessage.user_id == user_id, EmailMessage.event_key == key)
    return session.scalar(sa.select(EmailMessage.id).where(*where)) is not None


def digest_cutoff(moment: datetime) -> datetime:
    """The latest 08:00 Beijing time at or before a moment: when that day's digest falls due."""
    local = clock.in_beijing(moment)
    cutoff = datetime.combine(local.date(), DIGEST_TIME, clock.BEIJING)
    return cutoff if cutoff <= local else cutoff - timedelta(days=1)


def send_digests(moment: datetime) -> int:
    """Fold each digest reader's messages held before 08:00 into one message for that day.

    The folded digests go out with the next `deliver_pending`; returns how many were made.
    """
    cutoff = digest_cutoff(moment)
    day = cutoff.date().isoformat()
    made = 0
    with Session(db.engine) as session:
        held = session.scalars(
            sa.select(EmailMessage)
            .where(
                EmailMessage.digest.is_(True),
                EmailMessage.status == EmailStatus.PENDING,
                EmailMessage.created_at < cutoff,
            )
            .order_by(EmailMessage.user_id, EmailMessage.created_at, EmailMessage.id)
        ).all()
        for user_id, group in groupby(held, key=lambda m: m.user_id):
            if _fold_digest(session, user_id, list(group), day, moment):
                made += 1
        try:
            session.commit()
        except sa.exc.IntegrityError:  # another scheduler folded the same day's digest first
            session.rollback()
            return 0
    return made


def _fold_digest(
    session: Session, user_id: int, messages: list[EmailMessage], day: str, moment: datetime
) -> bool:
    key = f"digest:{day}"
    if _in_outbox(session, user_id, key):
        return False  # one digest a day; anything later waits for tomorrow's
    user = session.get(User, user_id)
    with use_language(user.language if user is not None else None):
        parts = [gettext("Your notices since the last daily digest:"), ""]
        subject = gettext(
            "huitou daily digest for %(day)s: %(count)s notices", day=day, count=len(messages)
        )
    for number, message in enumerate(messages, start=1):
        parts += [f"{number}. {message.body}", ""]
        message.status = EmailStatus.SENT
        message.sent_at = moment
    session.add(
        EmailMessage(
            user_id=user_id,
            to_address=(user.email if user is not None else "") or messages[-1].to_address,
            subject=subject,
            body="\n".join(parts).rstrip(),
            event_key=key,
            created_at=moment,
            next_attempt_at=moment,
        )
    )
    return True


def deliver_pending(moment: datetime | None = None) -> DeliveryReport:
    """Send every message that is due, each claimed and recorded in its own short transaction.

    A refused or failed send is recorded and retried later; it never raises. Without
    HUITOU_SMTP_HOST nothing is sent and the outbox keeps its messages.
    """
    settings = get_settings()
    if not settings.smtp_host:
        return DeliveryReport(configured=False)
    moment = moment or clock.now()
    report = DeliveryReport()
    smtp: smtplib.SMTP | None = None
    with Session(db.engine) as session:
        due = session.scalars(
            sa.select(EmailMessage.id)
            .where(
                EmailMessage.status == EmailStatus.PENDING,
                EmailMessage.digest.is_(False),
                EmailMessage.next_attempt_at <= moment,
            )
            .order_by(EmailMessage.next_attempt_at, EmailMessage.id)
            .limit(BATCH)
        ).all()
        session.rollback()
        try:
            for message_id in due:
                outgoing = _claim(session, message_id, moment)
                if outgoing is None:
                    continue
                try:
                    smtp = smtp or _connect(settings)
                    smtp.send_message(_mime(outgoing, settings, moment))
                except (OSError, *_UNSENDABLE) as exc:
                    _record_failure(session, outgoing, exc, moment, report)
                    if smtp is None or not isinstance(exc, _ANSWERED):
                        break  # no server to talk to: the others wait for the next run
                    continue
                _record(session, outgoing.id, status=EmailStatus.SENT, sent_at=moment)
                report.sent.append(outgoing.id)
        finally:
            if smtp is not None:
                _quit(smtp)
    return report


def _claim(session: Session, message_id: int, moment: datetime) -> sa.Row[Any] | None:
    """Take a message for this worker (committed), with what sending it needs."""
    claimed = session.execute(
        sa.update(EmailMessage)
        .where(
            EmailMessage.id == message_id,
            EmailMessage.status == EmailStatus.PENDING,
            EmailMessage.next_attempt_at <= moment,
        )
        .values(next_attempt_at=moment + CLAIM)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        session.rollback()
        return None  # another worker has it, or it was sent meanwhile
    columns = (EmailMessage.to_address, EmailMessage.subject, EmailMessage.body, User.language)
    row = session.execute(
        sa.select(EmailMessage.id, EmailMessage.attempts, *columns)
        .outerjoin(User, User.id == EmailMessage.user_id)
        .where(EmailMessage.id == message_id)
    ).one()
    session.commit()  # copied out, so no transaction stays open while sending
    return row


def _record(session: Session, message_id: int, **values: object) -> None:
    session.execute(
        sa.update(EmailMessage)
        .where(EmailMessage.id == message_id)
        .values(attempts=EmailMessage.attempts + 1, **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def _record_failure(
    session: Session,
    outgoing: sa.Row[Any],
    exc: Exception,
    moment: datetime,
    report: DeliveryReport,
) -> None:
    attempts = outgoing.attempts + 1
    error = _describe(exc)
    log.warning(
        "mail %s to %s failed (attempt %d): %s", outgoing.id, outgoing.to_address, attempts, error
    )
    give_up = attempts >= MAX_ATTEMPTS
    _record(
        session,
        outgoing.id,
        status=EmailStatus.FAILED if give_up else EmailStatus.PENDING,
        next_attempt_at=None if give_up else moment + BACKOFF[attempts - 1],
        last_error=error,
    )
    (report.gave_up if give_up else report.retrying)[outgoing.id] = error


def _describe(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = exc.smtp_error
        text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        return f"{exc.smtp_code} {text}"[:500]
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {reply.decode(errors='replace')}"
            for address, (code, reply) in exc.recipients.items()
        )[:500]
    return f"{type(exc).__name__}: {exc}"[:500]


def _connect(settings: Settings) -> smtplib.SMTP:
    smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT)
    try:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
    except BaseException:
        smtp.close()
        raise
    return smtp


def _quit(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except OSError:
        smtp.close()


def _mime(outgoing: sa.Row[Any], settings: Settings, moment: datetime) -> MimeMessage:
    with use_language(outgoing.language):
        return _written(outgoing, settings, moment)


def _written(outgoing: sa.Row[Any], settings: Settings, moment: datetime) -> MimeMessage:
    """The message as sent, its sender's name and footer in the recipient's language."""
    sender = Address(display_name=gettext("huitou"), addr_spec=settings.smtp_sender)
    mime = MimeMessage()
    mime["Subject"] = outgoing.subject
    mime["From"] = sender
    mime["To"] = outgoing.to_address
    mime["Date"] = format_datetime(clock.in_beijing(moment))
    mime["Message-ID"] = make_msgid(f"huitou.{outgoing.id}", domain=sender.domain or "huitou")
    footer = gettext(
        "This message was sent automatically by huitou, the county's look-back and help-back "
        "platform. Please do not reply."
    )
    mime.set_content(f"{outgoing.body}\n\n-- \n{footer}\n", cte="base64")
    return mime
