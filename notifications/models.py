"""In-app notices and the e-mail outbox: one row per person told."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from workflow.platform.db import UTCDateTime, db, enum_column


class Notice(db.Model):
    """Something a user was told, shown in their notification list until read."""

    __tablename__ = "notice"
    __table_args__ = (sa.UniqueConstraint("user_id", "event_key", name="uq_notice_event"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    event_key: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    link: Mapped[str] = mapped_column(sa.String(200), default="")
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EmailStatus(enum.StrEnum):
    """Where an outgoing message stands: waiting (or retrying), sent, or given up."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class EmailMessage(db.Model):
    """An e-mail in the outbox, written in the state change's transaction, sent after commit.

    `digest` marks a message held for its reader's daily digest: it is never sent on its own,
    and is marked sent when it is folded into that day's digest message.
    """

    __tablename__ = "email_message"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "event_key", name="uq_email_message_event"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        sa.CheckConstraint("status != 'sent' OR sent_at IS NOT NULL", name="sent_has_time"),
        sa.Index("ix_email_message_due", "status", "digest", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    to_address: Mapped[str] = mapped_column(sa.String(120))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    event_key: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[EmailStatus] = mapped_column(
        enum_column(EmailStatus, "email_status"), default=EmailStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    digest: Mapped[bool] = mapped_column(default=False)
