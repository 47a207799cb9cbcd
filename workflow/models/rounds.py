"""A round: one year's 回头看·回头帮, with its standard and its deadlines."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from workflow.platform.db import UTCDateTime, db, enum_column


class RoundStatus(enum.StrEnum):
    """Where a year's round stands."""

    PLANNED = "planned"  # created by the previous year's carry-over; not yet launched
    OPEN = "open"
    CLOSED = "closed"


class RoundKind(enum.StrEnum):
    """Which look-back of the year a round is (§四 of the plan)."""

    MID = "mid"  # 年中: July, households and villages that exited in the years before
    END = "end"  # 年底: year end, that year's exits too, with the acceptance of its 预脱贫
    FINAL = "final"  # 终期: 2020, everyone who ever exited


class Round(db.Model):
    """One look-back of a year: deadlines are Beijing-time dates (end of day). A year holds at
    most one round of each kind; a round is named `<year>-<kind>`, e.g. 2018-mid."""

    __tablename__ = "round"
    __table_args__ = (
        sa.CheckConstraint(
            "survey_due <= results_due AND results_due <= done_by", name="date_order"
        ),
        sa.UniqueConstraint("year", "kind", name="uq_round_year_kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    kind: Mapped[RoundKind] = mapped_column(
        enum_column(RoundKind, "round_kind"), default=RoundKind.MID, server_default="mid"
    )
    standard_version: Mapped[str] = mapped_column(sa.String(40))
    exit_year_from: Mapped[int]
    exit_year_to: Mapped[int]
    survey_due: Mapped[date]
    results_due: Mapped[date]
    done_by: Mapped[date]
    status: Mapped[RoundStatus] = mapped_column(
        enum_column(RoundStatus, "round_status"), default=RoundStatus.OPEN
    )
    launched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    launched_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # at the carry-over
    previous_round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("round.id"))
    catalogue_id: Mapped[int | None] = mapped_column(sa.ForeignKey("standard_catalogue.id"))
    # The annual_round instance; no foreign key, since instances already point at their round.
    instance_id: Mapped[int | None]

    def covers_exit(self, exit_year: int | None) -> bool:
        """Whether an exit of that year (a household's, a village's) is within the round's
        look-back years."""
        return exit_year is not None and self.exit_year_from <= exit_year <= self.exit_year_to

    @property
    def name(self) -> str:
        """The round's name in commands, addresses and the API: 2018-mid, 2018-end, 2020-final."""
        return f"{self.year}-{self.kind.value}"
