"""Sending a generated workbook to the browser under its Chinese file name."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, name: str) -> Response:
    """An attachment download of workbook bytes (RFC 5987 file name, so Chinese survives)."""
    return Response(
        data,
        mimetype=XLSX,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )
