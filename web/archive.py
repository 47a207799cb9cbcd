"""The archive (§七.1): a unit's filed originals as a zip with its manifest, the original of
one document (re-checked against its hash), and the refused deletion of a filed one."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, redirect, request, url_for
from flask_login import login_required

from web.handling import acting_user, domain_view
from workflow.archive import documents
from workflow.archive.export import archive_zip
from workflow.platform.i18n import gettext
from workflow.programme import rounds
from workflow.survey.templates import find_township, find_village

bp = Blueprint("archive", __name__)


def _attachment(data: bytes, name: str, mimetype: str) -> Response:
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@bp.get("/rounds/<round:year>/archive.zip")
@login_required
@domain_view
def export(year: str):
    """The archive of the caller's unit (or of ?township= / ?village=) as a zip."""
    township, village = request.args.get("township"), request.args.get("village")
    data, _count = archive_zip(
        rounds.get_round(year),
        acting_user(),
        township=find_township(township) if township else None,
        village=find_village(village) if village else None,
    )
    name = gettext("archive_%(year)s.zip", year=year)
    return _attachment(data, name, "application/zip")


@bp.get("/archive/documents/<int:document_id>")
@login_required
@domain_view
def original(document_id: int):
    """Download the original, byte for byte, after checking it against its hash."""
    document, data = documents.original(document_id, acting_user())
    return _attachment(data, document.file_name, "application/octet-stream")


@bp.post("/archive/documents/<int:document_id>/delete")
@login_required
@domain_view
def delete(document_id: int):
    """Delete an original: refused (and recorded) while it is filed and within retention."""
    documents.delete_document(document_id, acting_user())
    return redirect(url_for("rounds.index"), 303)
