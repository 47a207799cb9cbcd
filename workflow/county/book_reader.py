"""Read the county base-data workbook: bytes in, rows by sheet plus every problem out.

Columns are found by header name (any of a column's names, in any order, under a title row,
extra columns ignored); each cell is read the one way the survey import reads cells.
Nothing raises for a bad file: every problem comes back as a FormError, in Chinese.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from workflow.county.sheets import CODE, SHEETS, SheetLayout
from workflow.forms.cells import CellError, blank, read_cell, read_code
from workflow.forms.reader import FormError
from workflow.forms.upload import opened_upload
from workflow.platform.i18n import _

MAX_ROWS = 20000
_HEADER_SCAN = 10  # non-blank rows searched for the header (a title row or two above it)


@dataclass
class BookRow:
    """One data row of a sheet: its values by field and the cell each came from."""

    sheet: str
    row: int
    values: dict[str, Any] = field(default_factory=dict)
    cells: dict[str, str] = field(default_factory=dict)

    def where(self, key: str) -> str:
        """Return the row's cell for a field (column A when the column is absent)."""
        return self.cells.get(key) or f"A{self.row}"


@dataclass
class RawBook:
    """The rows of each sheet (by sheet name) and the problems met reading them."""

    rows: dict[str, list[BookRow]] = field(default_factory=dict)
    errors: list[FormError] = field(default_factory=list)

    def error(self, row: BookRow, key: str, message: str) -> None:
        """Record a problem of one cell."""
        self.errors.append(FormError(row.sheet, row.where(key), message))


def read_book(data: bytes) -> RawBook:
    """Return the rows of the four sheets, each cell read, and every problem of the file."""
    book = RawBook()
    with opened_upload(data) as (workbook, refusal):
        if workbook is None:
            book.errors.append(refusal)
            return book
        sheets = {_norm(ws.title): ws for ws in workbook.worksheets}
        for layout in SHEETS:
            ws = sheets.get(_norm(layout.name))
            if ws is None:
                book.errors.append(
                    FormError(layout.name, "", _("The workbook has no sheet of this name."))
                )
                continue
            book.rows[layout.name] = _read_sheet(layout, _grid(ws), book.errors)
    return book


def _grid(ws: Any) -> list[tuple[int, tuple]]:
    """Return (row number, values) of the sheet's non-blank rows, up to a little past MAX_ROWS."""
    ws.reset_dimensions()  # some writers record a wrong sheet size; read what is there
    grid = []
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if all(blank(v) for v in values):
            continue
        grid.append((number, values))
        if len(grid) > MAX_ROWS + _HEADER_SCAN:
            break
    return grid


def _norm(text: Any) -> str:
    """Return a header or sheet name as compared: half-width, no spaces, * or trailing (note)."""
    text = re.sub(r"[\s*]", "", unicodedata.normalize("NFKC", str(text)))
    return re.sub(r"\([^()]*\)$", "", text)


def _find_header(layout: SheetLayout, grid: list[tuple[int, tuple]]) -> tuple[int, dict[str, int]]:
    """Return the grid index of the header row and each field's column (index -1: no header)."""
    names: dict[str, str] = {}
    for column in layout.columns:
        for text in (column.header, *column.aliases):
            names.setdefault(_norm(text), column.key)
    best = (-1, {})
    for index, (_row, values) in enumerate(grid[:_HEADER_SCAN]):
        found: dict[str, int] = {}
        for col, value in enumerate(values):
            key = names.get(_norm(value)) if isinstance(value, str) else None
            if key and key not in found:
                found[key] = col
        if len(found) > len(best[1]) and len(found) >= min(2, len(layout.columns)):
            best = (index, found)
            if len(found) == len(layout.columns):
                break
    return best


def _read_sheet(
    layout: SheetLayout, grid: list[tuple[int, tuple]], errors: list[FormError]
) -> list[BookRow]:
    """Return the sheet's data rows with every cell read, adding each problem to errors."""
    end, positions = _find_header(layout, grid)
    if end < 0:
        if grid:
            errors.append(FormError(layout.name, "", _missing(layout, layout.columns)))
        return []  # an empty sheet holds nothing to load, which is not wrong
    missing = [c for c in layout.columns if c.essential and c.key not in positions]
    if missing:
        errors.append(FormError(layout.name, "", _missing(layout, missing)))
        return []
    body = grid[end + 1 :]
    if len(body) > MAX_ROWS:
        errors.append(
            FormError(layout.name, "", _("The sheet has more than %(rows)s rows.", rows=MAX_ROWS))
        )
        return []
    rows = []
    for number, values in body:
        row = BookRow(layout.name, number)
        if all(blank(values[c] if c < len(values) else None) for c in positions.values()):
            continue  # a note beside the table, in a column this sheet does not read
        for column in layout.columns:
            if column.key not in positions:
                continue
            col = positions[column.key]
            row.cells[column.key] = f"{get_column_letter(col + 1)}{number}"
            raw = values[col] if col < len(values) else None
            if blank(raw):
                if column.required:
                    errors.append(
                        FormError(
                            layout.name,
                            row.cells[column.key],
                            _("%(column)s is not filled in.", column=column.name),
                        )
                    )
                continue
            try:
                row.values[column.key] = (
                    read_code(column, raw) if column.kind == CODE else read_cell(column, raw)
                )
            except CellError as problem:
                errors.append(FormError(layout.name, row.cells[column.key], str(problem)))
        rows.append(row)
    return rows


def _missing(layout: SheetLayout, columns: Any) -> str:
    """Return the problem of a sheet lacking some of its columns."""
    names = _(", ").join(f"“{c.header}”" for c in columns)
    return _(
        "The header row lacks the columns %(names)s. Use the template of %(sheet)s.",
        names=names,
        sheet=layout.name,
    )
