"""The 建档立卡 register's versions and the members of its households."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from workflow.platform.db import UTCDateTime, db

MEMBER_NORMAL = "normal"  # 正常
MEMBER_DECEASED = "deceased"  # 死亡
MEMBER_MOVED_OUT = "moved_out"  # 迁出
MEMBER_STATUSES = (MEMBER_NORMAL, MEMBER_DECEASED, MEMBER_MOVED_OUT)


class RegisterVersion(db.Model):
    """One load of the register for a year: who loaded which file when, and what it held."""

    __tablename__ = "register_version"
    __table_args__ = (sa.UniqueConstraint("year", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    number: Mapped[int]
    loaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    households: Mapped[int]
    members: Mapped[int]
    changes: Mapped[str] = mapped_column(sa.Text, default="{}")  # JSON: count per kind


class HouseholdMember(db.Model):
    """A member of a register household (the head included), as the national system lists them."""

    __tablename__ = "household_member"
    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(sa.ForeignKey("household.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    id_number: Mapped[str] = mapped_column(sa.String(18), unique=True)
    relation: Mapped[str] = mapped_column(sa.String(20), default="")  # 与户主关系
    sex: Mapped[str] = mapped_column(sa.String(4), default="")
    birth_date: Mapped[date]
    schooling: Mapped[str] = mapped_column(sa.String(30), default="")  # 在校生状况
    health: Mapped[str] = mapped_column(sa.String(30), default="")  # 健康状况
    labour_skill: Mapped[str] = mapped_column(sa.String(30), default="")  # 劳动技能
    medical_insurance: Mapped[bool] = mapped_column(default=False)
    pension_insurance: Mapped[bool] = mapped_column(default=False)
    subsistence: Mapped[bool] = mapped_column(default=False)  # 低保
    destitute_support: Mapped[bool] = mapped_column(default=False)  # 特困供养
    status: Mapped[str] = mapped_column(sa.String(12), default=MEMBER_NORMAL)
    in_register: Mapped[bool] = mapped_column(default=True, server_default=sa.true())


class PlannedExitReview(db.Model):
    """The year-end acceptance of one 预脱贫 household (§五.5): the township proposes whether it
    meets the year's standard (达标), the county office decides."""

    __tablename__ = "planned_exit_review"
    __table_args__ = (sa.UniqueConstraint("round_id", "household_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id"))
    household_id: Mapped[int] = mapped_column(sa.ForeignKey("household.id"))
    proposed_meets: Mapped[bool]
    proposed_reason: Mapped[str] = mapped_column(sa.String(2000), default="", server_default="")
    proposed_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_meets: Mapped[bool | None]
    decided_reason: Mapped[str] = mapped_column(sa.String(2000), default="", server_default="")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
