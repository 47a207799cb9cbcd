"""Originals kept and filed (§七.1): every uploaded or signed file, byte for byte, by SHA-256.

A village's signed forms are filed in its archive (村存档) and registered with the township
(乡镇备案) when the township submits; a filed original is kept until its retention date and a
newer upload supersedes it, never replaces it."""

from __future__ import annotations

from datetime import date
from typing import NoReturn

import sqlalchemy as sa

from workflow.models import ArchiveDocument, County, Role, Signature, User
from workflow.people.access import require_role
from workflow.platform import audit, blobs, clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, NotFound, RecordedRefusal, Refused
from workflow.platform.i18n import _

DEFAULT_RETENTION_YEARS = 3


def kind_label(kind: str) -> str:
    """What an archived document is, as the archive page names it."""
    if kind.startswith("form") and kind[4:].isdigit():
        return _("Form %(n)s", n=kind[4:])
    labels = {
        "plan": _("Department plan"),
        "evidence": _("Evidence"),
        "gap_list": _("Make-up list"),
    }
    return labels.get(kind, kind)


def keep_original(
    data: bytes,
    *,
    kind: str,
    object_type: str,
    object_id: object,
    round_id: int,
    file_name: str,
    actor: User | None,
    township_id: int | None = None,
    village_id: int | None = None,
    department_id: int | None = None,
    signature: Signature | None = None,
    filed: bool = False,
) -> ArchiveDocument:
    """Keep a file byte for byte and record it; an earlier current original of the same slot
    (kind and unit) is marked superseded and kept. `filed`: the signed file is filed and
    registered at once (a table the township's leader signs and submits)."""
    sha256 = blobs.put(data)
    document = ArchiveDocument(
        round_id=round_id,
        township_id=township_id,
        village_id=village_id,
        department_id=department_id,
        kind=kind,
        object_type=object_type,
        object_id=str(object_id),
        file_name=(file_name or f"{kind}.xlsx")[:200],
        sha256=sha256,
        size=len(data),
        uploaded_by_id=actor.id if actor else None,
        uploaded_by_name=actor.display_name if actor else "",
        uploaded_at=clock.now(),
    )
    db.session.add(document)
    db.session.flush()
    for earlier in _current_in_slot(document):
        earlier.superseded_at, earlier.superseded_by_id = clock.now(), document.id
    if signature is not None:
        _mark_signed(document, signature)
    if filed:
        document.filed_at = document.registered_at = clock.now()
        document.retain_until = _retain_until(clock.today())
    audit.record(
        actor,
        "archive.keep",
        "archive_document",
        document.id,
        after={"kind": kind, "sha256": sha256, "size": len(data), "file": document.file_name},
    )
    return document


def _current_in_slot(document: ArchiveDocument) -> list[ArchiveDocument]:
    def same(column: sa.ColumnElement, value: int | None) -> sa.ColumnElement:
        return column.is_(None) if value is None else column == value

    return list(
        db.session.scalars(
            sa.select(ArchiveDocument).where(
                ArchiveDocument.round_id == document.round_id,
                ArchiveDocument.kind == document.kind,
                same(ArchiveDocument.township_id, document.township_id),
                same(ArchiveDocument.village_id, document.village_id),
                same(ArchiveDocument.department_id, document.department_id),
                ArchiveDocument.superseded_at.is_(None),
                ArchiveDocument.id != document.id,
                ArchiveDocument.kind != "evidence",
            )
        )
    )


def retention_years() -> int:
    county = db.session.scalar(sa.select(County).limit(1))
    return max(county.retention_years if county else DEFAULT_RETENTION_YEARS, 1)


def _retain_until(day: date) -> date:
    years = retention_years()
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _mark_signed(document: ArchiveDocument, signature: Signature) -> None:
    document.signature_id = signature.id
    document.signer_name = signature.signer_name
    document.signed_at = signature.signed_at


def documents_of_object(object_type: str, object_ids: list[object]) -> list[ArchiveDocument]:
    """The current originals recorded for some objects (such as a village's submissions)."""
    if not object_ids:
        return []
    return list(
        db.session.scalars(
            sa.select(ArchiveDocument).where(
                ArchiveDocument.object_type == object_type,
                ArchiveDocument.object_id.in_([str(i) for i in object_ids]),
            )
        )
    )


def file_at_village(documents: list[ArchiveDocument], signature: Signature) -> None:
    """The village signed its forms: each original is signed and filed (村存档), kept from now
    until the county's retention date."""
    now = clock.now()
    for document in documents:
        _mark_signed(document, signature)
        if document.filed_at is None:
            document.filed_at = now
            document.retain_until = _retain_until(clock.today())
    audit.record(
        None,
        "archive.file",
        "signature",
        signature.id,
        after={"documents": [d.id for d in documents]},
    )


def register_with_township(round_id: int, township_id: int, signature: Signature) -> None:
    """The township submitted: its villages' filed originals and its own are registered with
    it (乡镇备案); the township's own forms are filed and signed by its leader."""
    now = clock.now()
    documents = db.session.scalars(
        sa.select(ArchiveDocument).where(
            ArchiveDocument.round_id == round_id,
            ArchiveDocument.township_id == township_id,
            ArchiveDocument.superseded_at.is_(None),
            ArchiveDocument.registered_at.is_(None),
            ArchiveDocument.kind.in_(["form1", "form2", "form3"]),
        )
    ).all()
    for document in documents:
        if document.signature_id is None:
            _mark_signed(document, signature)
        if document.filed_at is None:
            document.filed_at = now
            document.retain_until = _retain_until(clock.today())
        document.registered_at = now
    audit.record(
        None,
        "archive.register",
        "signature",
        signature.id,
        after={"documents": [d.id for d in documents]},
    )


def original(document_id: int, viewer: User) -> tuple[ArchiveDocument, bytes]:
    """Download the original: the stored bytes, re-checked against the hash they were kept by
    (and, for a signed file, the hash its signature records); a mismatch is refused, on record."""
    document = db.session.get(ArchiveDocument, document_id)
    if document is None:
        raise NotFound(_("The page or record does not exist."))
    require_can_read(viewer, document)
    signature = db.session.get(Signature, document.signature_id) if document.signature_id else None
    signed = signature.file_sha256 if signature is not None else None
    if signed is not None and signed != document.sha256:
        _refuse_download(viewer, document, signed)
    try:
        return document, blobs.get(document.sha256)
    except Refused:
        _refuse_download(viewer, document, document.sha256)


def _refuse_download(viewer: User, document: ArchiveDocument, expected: str) -> NoReturn:
    audit.record(
        viewer,
        "archive.original_mismatch",
        "archive_document",
        document.id,
        before={**_facts(document), "expected": expected},
    )
    raise RecordedRefusal(
        _(
            "The stored original of “%(file)s” no longer matches the SHA-256 it was kept and "
            "signed under (%(hash)s…): it was changed after it was stored, and is not handed out. "
            "Tell the county office.",
            file=document.file_name,
            hash=expected[:12],
        )
    )


def require_can_read(viewer: User, document: ArchiveDocument) -> None:
    """The county sees every archive; a township its own; a village its own; a department its."""
    role = viewer.role
    allowed = (
        role in (Role.COUNTY_OFFICE, Role.LEADING_GROUP, Role.ADMIN)
        or (
            role in (Role.TOWNSHIP_CLERK, Role.TOWNSHIP_LEADER)
            and document.township_id == viewer.township_id
        )
        or (role == Role.VILLAGE_CLERK and _same(document.village_id, viewer.village_id))
        or (
            role in (Role.DEPARTMENT_CLERK, Role.DEPARTMENT_LEADER)
            and _same(document.department_id, viewer.department_id)
        )
    )
    if not allowed:
        raise AccessDenied(_("This archive is not in your area."))


def _same(unit_id: int | None, own_id: int | None) -> bool:
    return own_id is not None and unit_id == own_id


def delete_document(document_id: int, actor: User) -> None:
    """Delete an original from the archive: only the county office, and never one that is filed
    and still within its retention date (every try is audited)."""
    document = db.session.get(ArchiveDocument, document_id)
    if document is None:
        raise NotFound(_("The page or record does not exist."))
    require_can_read(actor, document)
    if document.filed_at is not None and (
        document.retain_until is None or clock.today() <= document.retain_until
    ):
        _refuse(actor, document, "delete")
    require_role(actor, Role.COUNTY_OFFICE)
    audit.record(actor, "archive.delete", "archive_document", document.id, before=_facts(document))
    db.session.delete(document)
    db.session.flush()


def replace_document(document_id: int, actor: User, data: bytes) -> ArchiveDocument:
    """Replace a filed original in place: refused within its retention date; a corrected form
    is imported again instead, which keeps this one as superseded."""
    document = db.session.get(ArchiveDocument, document_id)
    if document is None:
        raise NotFound(_("The page or record does not exist."))
    require_can_read(actor, document)
    if document.filed_at is not None:
        _refuse(actor, document, "replace")
    require_role(actor, Role.COUNTY_OFFICE)
    document.sha256, document.size = blobs.put(data), len(data)
    audit.record(actor, "archive.replace", "archive_document", document.id, after=_facts(document))
    return document


def _facts(document: ArchiveDocument) -> dict[str, object]:
    return {"sha256": document.sha256, "file": document.file_name, "kind": document.kind}


def _refuse(actor: User, document: ArchiveDocument, action: str) -> None:
    audit.record(
        actor,
        f"archive.{action}_refused",
        "archive_document",
        document.id,
        before={**_facts(document), "retain_until": str(document.retain_until)},
    )
    raise RecordedRefusal(
        _(
            "“%(file)s” is filed in the archive and must be kept until %(day)s; it cannot be "
            "deleted or replaced.",
            file=document.file_name,
            day=str(document.retain_until or ""),
        )
    )
