"""The archive as a zip (§七.1): the originals, the signed generated tables, and a manifest
(xlsx and JSON) listing every document with its hash, signer, time and custodian, so that the
archive can be checked outside huitou."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime
from io import BytesIO

import sqlalchemy as sa
from openpyxl import Workbook

from workflow.archive.custody import current_custodian
from workflow.archive.documents import require_can_read
from workflow.models import ArchiveDocument, Role, Round, Township, User, Village
from workflow.people.access import in_scope
from workflow.platform import blobs, clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied
from workflow.platform.i18n import _

DEPARTMENT_ROLES = (Role.DEPARTMENT_CLERK, Role.DEPARTMENT_LEADER)
MANIFEST_KEYS = (
    "path",
    "kind",
    "township",
    "village",
    "sha256",
    "size",
    "uploaded_by",
    "uploaded_at",
    "signer",
    "signed_at",
    "filed_at",
    "registered_at",
    "retain_until",
    "custodian",
    "superseded_at",
)


def manifest_headers() -> list[str]:
    """The manifest sheet's column headings, in MANIFEST_KEYS' order."""
    return [
        _("File"),
        _("Kind"),
        _("Township"),
        _("Village"),
        "SHA-256",
        _("Bytes"),
        _("Uploaded by"),
        _("Uploaded at"),
        _("Signed by"),
        _("Signed at"),
        _("Filed at the village"),
        _("Registered with the township"),
        _("Kept until"),
        _("Custodian"),
        _("Superseded at"),
    ]


def archive_documents(
    round_: Round, *, township: Township | None = None, village: Village | None = None
) -> list[ArchiveDocument]:
    """Every original of the round in a township or village (superseded ones too), in order."""
    query = sa.select(ArchiveDocument).where(ArchiveDocument.round_id == round_.id)
    if village is not None:
        query = query.where(ArchiveDocument.village_id == village.id)
    elif township is not None:
        query = query.where(ArchiveDocument.township_id == township.id)
    return list(db.session.scalars(query.order_by(ArchiveDocument.id)))


def _moment(value: object) -> str:
    return clock.in_beijing(value).isoformat() if value is not None else ""  # type: ignore[arg-type]


def manifest_line(document: ArchiveDocument, path: str) -> dict[str, object]:
    """What the manifest says of one document."""
    custodian = (
        current_custodian(document.township_id, document.village_id)
        if document.township_id
        else None
    )
    return {
        "path": path,
        "kind": document.kind,
        "township": document.township.name if document.township else "",
        "village": document.village.name if document.village else "",
        "sha256": document.sha256,
        "size": document.size,
        "uploaded_by": document.uploaded_by_name,
        "uploaded_at": _moment(document.uploaded_at),
        "signer": document.signer_name,
        "signed_at": _moment(document.signed_at),
        "filed_at": _moment(document.filed_at),
        "registered_at": _moment(document.registered_at),
        "retain_until": document.retain_until.isoformat() if document.retain_until else "",
        "custodian": custodian.custodian_name if custodian else "",
        "superseded_at": _moment(document.superseded_at),
    }


def archive_zip(
    round_: Round,
    viewer: User | None,
    *,
    township: Township | None = None,
    village: Village | None = None,
) -> tuple[bytes, int]:
    """The zip of a unit's archive (each original re-checked against its hash) and how many
    documents it holds; `viewer` None is the county's own command line."""
    township, village, documents = unit_archive(round_, viewer, township=township, village=village)
    lines = []
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for document in documents:
            if viewer is not None:
                require_can_read(viewer, document)
            path = f"{document.kind}/{document.id:06d}_{document.file_name}"
            archive.writestr(_entry(path, document.uploaded_at), blobs.get(document.sha256))
            lines.append(manifest_line(document, path))
        archive.writestr(
            _entry("manifest.json", clock.now()),
            json.dumps({"round": round_.year, "documents": lines}, indent=1, ensure_ascii=False),
        )
        archive.writestr(_entry("manifest.xlsx", clock.now()), _manifest_xlsx(lines))
    return buffer.getvalue(), len(documents)


def _entry(path: str, moment: datetime) -> zipfile.ZipInfo:
    """A zip entry dated by the clock (a rehearsal's zip reads as its own date), deflated."""
    info = zipfile.ZipInfo(path, clock.in_beijing(moment).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def unit_archive(
    round_: Round,
    viewer: User | None,
    *,
    township: Township | None = None,
    village: Village | None = None,
) -> tuple[Township | None, Village | None, list[ArchiveDocument]]:
    """The unit whose archive is meant (the one named, else the viewer's own) and its
    documents; `viewer` None is the county's own command line."""
    if township is None and village is None and viewer is not None:
        township, village = _own_unit(viewer)
    documents = archive_documents(round_, township=township, village=village)
    if viewer is not None and viewer.role in DEPARTMENT_ROLES:
        documents = [d for d in documents if d.department_id == viewer.department_id]
    return township, village, documents


def archive_in_view(
    round_: Round, viewer: User, township: Township | None = None
) -> tuple[Township | None, Village | None, list[ArchiveDocument]]:
    """The archive page's unit and documents: the township named (the county picks any, a
    township only its own), else the viewer's own unit; every document one she may read."""
    if township is not None and not in_scope(viewer, township.id, None, None):
        raise AccessDenied(_("This archive is not in your area."))
    township, village, documents = unit_archive(round_, viewer, township=township)
    for document in documents:
        require_can_read(viewer, document)
    return township, village, documents


def _own_unit(viewer: User) -> tuple[Township | None, Village | None]:
    """The archive a user exports when she names none: her village's or township's (the county
    and the departments: the round's, a department's own documents only)."""
    if viewer.role == Role.VILLAGE_CLERK:
        return None, viewer.village
    if viewer.role in (Role.TOWNSHIP_CLERK, Role.TOWNSHIP_LEADER):
        return viewer.township, None
    return None, None


def _manifest_xlsx(lines: list[dict[str, object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Manifest")
    sheet.append(manifest_headers())
    for line in lines:
        sheet.append([line[key] for key in MANIFEST_KEYS])
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()
