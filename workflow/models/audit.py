"""The append-only, hash-chained audit log."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from workflow.platform.db import UTCDateTime, db


class AuditEvent(db.Model):
    """One thing a person (or the scheduler) did; each event's hash covers the one before it in
    its stream (see `docs/AUDIT.md`)."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    stream: Mapped[int] = mapped_column(default=1, server_default="1")
    seq: Mapped[int]
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    actor_name: Mapped[str] = mapped_column(sa.String(60))
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[str] = mapped_column(sa.String(40))
    before: Mapped[str] = mapped_column(sa.Text, default="null")
    after: Mapped[str] = mapped_column(sa.Text, default="null")
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    __table_args__ = (
        sa.Index("ix_audit_object", "object_type", "object_id"),
        sa.UniqueConstraint("stream", "seq"),
    )


class AuditHead(db.Model):
    """The tip of one stream's chain (`id` is the stream's number), locked by the transaction
    appending to it so that two writers never fork a chain; other streams stay free."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(sa.String(64))
