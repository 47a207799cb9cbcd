"""In-app notices: one row per person told."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from workflow.db import UTCDateTime, db


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
