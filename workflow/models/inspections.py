"""定期督查 (§七.3): the leading group's inspections of a township or a department, each with
a checklist frozen when it was scheduled, and the result recorded line by line."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.models.org import Department, Township
from workflow.platform.db import UTCDateTime, db, enum_column


class InspectionStatus(enum.StrEnum):
    """Whether an inspection is still to be done or its result is on record."""

    SCHEDULED = "scheduled"
    RECORDED = "recorded"


class LineResult(enum.StrEnum):
    """What the inspectors found about one line of the checklist."""

    PENDING = "pending"  # not checked (yet)
    RECTIFIED = "rectified"  # 已整改
    NOT_RECTIFIED = "not_rectified"  # 未整改
    EXPLAINED = "explained"  # 情况说明: not done, for a reason the inspectors accept on record


class Inspection(db.Model):
    """One inspection (督查) of one township or one department on a date."""

    __tablename__ = "inspection"
    __table_args__ = (
        sa.CheckConstraint(
            "(township_id IS NULL AND department_id IS NOT NULL) OR "
            "(township_id IS NOT NULL AND department_id IS NULL)",
            name="one_unit",
        ),
        sa.Index("ix_inspection_round", "round_id", "scheduled_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id"))
    township_id: Mapped[int | None] = mapped_column(sa.ForeignKey("township.id"))
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))
    scheduled_on: Mapped[date]
    inspectors: Mapped[str] = mapped_column(sa.String(200), default="")  # 督查组
    scheduled_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    scheduled_by_name: Mapped[str] = mapped_column(sa.String(60))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[InspectionStatus] = mapped_column(
        enum_column(InspectionStatus, "inspection_status"), default=InspectionStatus.SCHEDULED
    )
    conclusion: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_by_name: Mapped[str] = mapped_column(sa.String(60), default="")
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    township: Mapped[Township | None] = relationship()
    department: Mapped[Department | None] = relationship()
    lines: Mapped[list[InspectionLine]] = relationship(
        order_by="InspectionLine.seq", back_populates="inspection"
    )

    @property
    def unit_name(self) -> str:
        """The township's or the department's name."""
        unit = self.township or self.department
        return unit.name if unit is not None else ""


class InspectionLine(db.Model):
    """One line of an inspection's checklist: an open case or an undecided accountability item
    of the unit, described as it stood when the inspection was scheduled."""

    __tablename__ = "inspection_line"
    __table_args__ = (
        sa.UniqueConstraint("inspection_id", "seq", name="uq_inspection_line_seq"),
        sa.CheckConstraint("kind IN ('case', 'item')", name="kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(sa.ForeignKey("inspection.id"))
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(8))  # "case" or "item"
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("help_case.id"))
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accountability_item.id"))
    subject: Mapped[str] = mapped_column(sa.Text)  # what is checked, frozen
    responsible: Mapped[str] = mapped_column(sa.String(200), default="")
    due_on: Mapped[date | None]
    overdue_days: Mapped[int] = mapped_column(default=0)
    result: Mapped[LineResult] = mapped_column(
        enum_column(LineResult, "inspection_result"), default=LineResult.PENDING
    )
    note: Mapped[str] = mapped_column(sa.Text, default="")
    inspection: Mapped[Inspection] = relationship(back_populates="lines")
