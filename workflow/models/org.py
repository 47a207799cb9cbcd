"""The county's organisation: townships, villages, departments, households."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.platform.db import db


class County(db.Model):
    """The one county this installation serves."""

    __tablename__ = "county"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    # How long filed originals are kept (§七.1: no less than a year)
    retention_years: Mapped[int] = mapped_column(default=3, server_default="3")


class Township(db.Model):
    """A township (乡/镇), the responsible body for its villages' work (责任主体 §六)."""

    __tablename__ = "township"
    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("county.id"))
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    name: Mapped[str] = mapped_column(sa.String(40), unique=True)
    villages: Mapped[list[Village]] = relationship(
        back_populates="township", order_by="Village.code"
    )


class Village(db.Model):
    """A village; exited poor villages carry their exit year."""

    __tablename__ = "village"
    __table_args__ = (
        sa.CheckConstraint(
            "(is_exited_poor AND exit_year IS NOT NULL)"
            " OR (NOT is_exited_poor AND exit_year IS NULL)",
            name="exit_year_iff_exited",
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(sa.ForeignKey("township.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    name: Mapped[str] = mapped_column(sa.String(40))
    is_exited_poor: Mapped[bool] = mapped_column(default=False)
    exit_year: Mapped[int | None]
    township: Mapped[Township] = relationship(back_populates="villages")


class Department(db.Model):
    """A county department responsible for part of the help-back work (§六)."""

    __tablename__ = "department"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    clause: Mapped[str] = mapped_column(sa.String(40), default="")


class Household(db.Model):
    """A household of the 建档立卡 register, identified by its head's citizen ID number.

    A household not yet out of poverty (预脱贫) has no exit year but a planned one; one that
    left the register is marked so (in_register false), never deleted.
    """

    __tablename__ = "household"
    __table_args__ = (sa.CheckConstraint("length(id_number) = 18", name="id_number_length"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    id_number: Mapped[str] = mapped_column(sa.String(18), unique=True)
    head_name: Mapped[str] = mapped_column(sa.String(60))
    # The head's name in Uyghur script where the register gives it (head_name: as the county
    # writes it in Chinese, a transliteration with the middle dot).
    head_name_ug: Mapped[str] = mapped_column(sa.String(60), default="", server_default="")
    village_id: Mapped[int] = mapped_column(sa.ForeignKey("village.id"), index=True)
    family_size: Mapped[int]
    exit_year: Mapped[int | None] = mapped_column(index=True)
    phone: Mapped[str] = mapped_column(sa.String(20), default="")
    helper_name: Mapped[str] = mapped_column(sa.String(60), default="")
    household_number: Mapped[str | None] = mapped_column(sa.String(30), unique=True)  # 户编号
    attribute: Mapped[str] = mapped_column(sa.String(20), default="")  # 贫困户属性
    poverty_cause: Mapped[str] = mapped_column(sa.String(40), default="")  # 主要致贫原因
    planned_exit_year: Mapped[int | None]  # 计划脱贫年度 of a 预脱贫 household
    helper_unit: Mapped[str] = mapped_column(sa.String(60), default="")  # 帮扶单位
    in_register: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    left_version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("register_version.id"))
    village: Mapped[Village] = relationship()
