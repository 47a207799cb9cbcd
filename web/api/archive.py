"""The archive through the API: deleting an original is refused, and recorded, while it is
filed and within its retention date (§七.1)."""

from __future__ import annotations

from flask import Response

from web.api import api_user, bp, commit
from workflow.archive import documents


@bp.delete("/archive/documents/<int:document_id>")
def archive_document_delete(document_id: int) -> tuple[Response, int]:
    """Delete an original from the archive (the county office; never a filed one in retention)."""
    documents.delete_document(document_id, api_user())
    commit()
    return Response(status=204), 204
