"""Write the 建档立卡 register workbook: the blank template, or a county's register (the demo's)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from workflow.forms.register_layout import (
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_EXAMPLE,
    HOUSEHOLD_SHEET,
    MEMBER_COLUMNS,
    MEMBER_EXAMPLES,
    MEMBER_SHEET,
    NOTES,
    NOTES_SHEET,
)

_BOLD = Font(bold=True)


def register_template() -> bytes:
    """The blank register: both sheets with their header and one example row, and the notes."""
    return write_register([HOUSEHOLD_EXAMPLE], MEMBER_EXAMPLES)


def write_register(
    households: Iterable[Sequence[object]], members: Iterable[Sequence[object]]
) -> bytes:
    """A register workbook; rows carry the values in the order of HOUSEHOLD_COLUMNS and
    MEMBER_COLUMNS. Written in write-only mode, so a prefecture's register fits in memory."""
    book = Workbook(write_only=True)
    for title, columns, rows in (
        (HOUSEHOLD_SHEET, HOUSEHOLD_COLUMNS, households),
        (MEMBER_SHEET, MEMBER_COLUMNS, members),
    ):
        sheet = book.create_sheet(title)
        for index, column in enumerate(columns):
            sheet.column_dimensions[_letter(index)].width = column.width
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, column.header)
            cell.font = _BOLD
            header.append(cell)
        sheet.append(header)
        for row in rows:
            sheet.append(list(row))
    notes = book.create_sheet(NOTES_SHEET)
    notes.column_dimensions["A"].width = 100
    for line in NOTES:
        notes.append([line])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _letter(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else "A" + chr(ord("A") + index - 26)
