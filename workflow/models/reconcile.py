"""四统一: the police register extracts (公安户籍) as loaded, each reconciliation run, and the
differences it found between the register, the police extract and the paper archive (附件1)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.models.org import Household, Township, Village
from workflow.models.rounds import Round
from workflow.platform.db import UTCDateTime, db


class PoliceExtract(db.Model):
    """One load of the county's police register extract: who loaded which file when. The newest
    is the one compared; earlier ones are kept."""

    __tablename__ = "police_extract"
    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(sa.ForeignKey("county.id"))
    number: Mapped[int]
    loaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    loaded_by_name: Mapped[str] = mapped_column(sa.String(60), default="")
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    file_name: Mapped[str] = mapped_column(sa.String(200), default="")
    sha256: Mapped[str] = mapped_column(sa.String(64))  # the original, in platform/blobs.py
    households: Mapped[int]
    people: Mapped[int]


class PoliceMember(db.Model):
    """One person of a police extract, as the extract lists them."""

    __tablename__ = "police_member"
    __table_args__ = (sa.Index("ix_police_member_person", "extract_id", "id_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    extract_id: Mapped[int] = mapped_column(sa.ForeignKey("police_extract.id"))
    household_number: Mapped[str] = mapped_column(sa.String(30))  # 户号
    name: Mapped[str] = mapped_column(sa.String(60))
    id_number: Mapped[str] = mapped_column(sa.String(18))
    relation: Mapped[str] = mapped_column(sa.String(20), default="")
    birth_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(sa.String(12), default="normal")
    changed_on: Mapped[date | None]  # 变动日期


class ReconcileRun(db.Model):
    """One reconciliation of a round's households (or one township's): what it compared."""

    __tablename__ = "reconcile_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id"), index=True)
    township_id: Mapped[int | None] = mapped_column(sa.ForeignKey("township.id"))
    extract_id: Mapped[int | None] = mapped_column(sa.ForeignKey("police_extract.id"))
    run_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    households: Mapped[int]
    differing: Mapped[int]  # households with a difference
    opened: Mapped[int]  # differences new in this run
    closed: Mapped[int]  # differences no longer found
    round: Mapped[Round] = relationship()


class ReconcileDifference(db.Model):
    """One difference of one household between two sources: both values, both sources. Open
    while found; closed (closed_at) by the first run that no longer finds it — never deleted.
    The township says which source is right and what it corrected where."""

    __tablename__ = "reconcile_difference"
    __table_args__ = (sa.Index("ix_reconcile_difference_open", "round_id", "closed_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id"))
    household_id: Mapped[int] = mapped_column(sa.ForeignKey("household.id"), index=True)
    township_id: Mapped[int] = mapped_column(sa.ForeignKey("township.id"), index=True)
    village_id: Mapped[int] = mapped_column(sa.ForeignKey("village.id"))
    gap_id: Mapped[int | None] = mapped_column(sa.ForeignKey("gap.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    person_id: Mapped[str] = mapped_column(sa.String(18), default="")  # "" for the household
    person_name: Mapped[str] = mapped_column(sa.String(60), default="")
    source_a: Mapped[str] = mapped_column(sa.String(12))
    value_a: Mapped[str] = mapped_column(sa.String(200), default="")
    source_b: Mapped[str] = mapped_column(sa.String(12))
    value_b: Mapped[str] = mapped_column(sa.String(200), default="")
    found_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    right_source: Mapped[str] = mapped_column(sa.String(12), default="")
    correction: Mapped[str] = mapped_column(sa.Text, default="")
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    household: Mapped[Household] = relationship()
    township: Mapped[Township] = relationship()
    village: Mapped[Village] = relationship()
