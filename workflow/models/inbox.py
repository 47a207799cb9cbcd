"""What the task inbox keeps per person: named filters, and who stands in for whom while away."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.models.people import User
from workflow.platform.db import UTCDateTime, db


class SavedFilter(db.Model):
    """A user's named inbox filter: just the query string, so its URL works for anyone."""

    __tablename__ = "saved_filter"
    __table_args__ = (sa.UniqueConstraint("user_id", "name", name="uq_saved_filter_user_name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    query: Mapped[str] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Substitution(db.Model):
    """While a user is away (Beijing dates, inclusive), a colleague works her tasks for her."""

    __tablename__ = "substitution"
    __table_args__ = (
        sa.CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
        sa.CheckConstraint("absent_id <> substitute_id", name="not_oneself"),
        sa.Index("ix_substitution_substitute_dates", "substitute_id", "starts_on", "ends_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    absent_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    substitute_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date] = mapped_column(sa.Date)
    reason: Mapped[str] = mapped_column(sa.String(200))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    absent: Mapped[User] = relationship(foreign_keys=[absent_id])
    substitute: Mapped[User] = relationship(foreign_keys=[substitute_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])

    def is_active_on(self, day: date) -> bool:
        """Whether the substitution applies on a Beijing date."""
        return self.ended_at is None and self.starts_on <= day <= self.ends_on
