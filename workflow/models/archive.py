"""The archive (§七.1): every original kept, who signed it, where it is filed and until when."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from workflow.models.org import Township, Village
from workflow.platform.db import UTCDateTime, db


class ArchiveDocument(db.Model):
    """One original file, byte for byte in the store under its SHA-256: an uploaded form, a
    signed generated table or plan, or evidence. Filed at the village (存档) when signed there,
    registered with the township (备案) when the township submits; kept until `retain_until`.
    A newer upload of the same form supersedes it, never replaces it."""

    __tablename__ = "archive_document"
    __table_args__ = (
        sa.Index("ix_archive_document_unit", "round_id", "township_id", "village_id"),
        sa.Index("ix_archive_document_object", "object_type", "object_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("round.id"))
    township_id: Mapped[int | None] = mapped_column(sa.ForeignKey("township.id"))
    village_id: Mapped[int | None] = mapped_column(sa.ForeignKey("village.id"))
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))  # form1…form6, plan, evidence
    object_type: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[str] = mapped_column(sa.String(40))
    file_name: Mapped[str] = mapped_column(sa.String(200))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    uploaded_by_name: Mapped[str] = mapped_column(sa.String(60), default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signature_id: Mapped[int | None] = mapped_column(sa.ForeignKey("signature.id"))
    signer_name: Mapped[str] = mapped_column(sa.String(60), default="")
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    filed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # 村存档
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # 乡镇备案
    retain_until: Mapped[date | None]
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("archive_document.id"))
    township: Mapped[Township | None] = relationship()
    village: Mapped[Village | None] = relationship()


class ArchiveCustodian(db.Model):
    """The person keeping a village's or a township's archive (专人保管); a change is a new row."""

    __tablename__ = "archive_custodian"
    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(sa.ForeignKey("township.id"))
    village_id: Mapped[int | None] = mapped_column(sa.ForeignKey("village.id"))
    custodian_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    custodian_name: Mapped[str] = mapped_column(sa.String(60))
    set_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)
    township: Mapped[Township] = relationship()
    village: Mapped[Village | None] = relationship()
