"""Filling a downloaded form the way a clerk does: openpyxl writes into the real workbook."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter


def _columns(ws: Any) -> dict[str, int]:
    """Header text (line breaks removed) → column number, from the two header rows."""
    found: dict[str, int] = {}
    for row in ws.iter_rows(min_row=1, max_row=8):
        for cell in row:
            if isinstance(cell.value, str):
                found.setdefault(cell.value.replace("\n", ""), cell.column)
    return found


def _first_data_row(ws: Any) -> int:
    for row in ws.iter_rows(min_row=1, max_row=12):
        if row[0].value == 1:
            return row[0].row
    raise AssertionError("no data row numbered 1")


def fill(
    data: bytes, key_header: str, answers: dict[str, dict[str, Any]], default: dict[str, Any]
) -> bytes:
    """Fill every data row: `default` values by header, overridden per row by the row's key
    (the value under key_header, e.g. an ID number or a village name)."""
    wb = load_workbook(BytesIO(data))
    ws = wb.active
    cols = _columns(ws)
    key_col = cols[key_header]
    row = _first_data_row(ws)
    while ws.cell(row, 1).value not in (None, ""):
        key = str(ws.cell(row, key_col).value)
        for header, value in {**default, **answers.get(key, {})}.items():
            ws.cell(row, cols[header]).value = value
        row += 1
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def edit(data: bytes, edits: dict[str, Any]) -> bytes:
    """Set cells by coordinate (e.g. {"C7": "x"}) in the form's sheet."""
    wb = load_workbook(BytesIO(data))
    ws = wb.active
    for coord, value in edits.items():
        ws[coord].value = value
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def rows_of(data: bytes, key_header: str) -> dict[str, int]:
    """Key (e.g. ID number) → Excel row number."""
    wb = load_workbook(BytesIO(data))
    ws = wb.active
    key_col = _columns(ws)[key_header]
    row, found = _first_data_row(ws), {}
    while ws.cell(row, 1).value not in (None, ""):
        found[str(ws.cell(row, key_col).value)] = row
        row += 1
    return found


def column_letter(data: bytes, header: str) -> str:
    return get_column_letter(_columns(load_workbook(BytesIO(data)).active)[header])
