"""Write the county base-data workbook: the blank template (a header row, one example row and
the 说明 sheet), or a county's base data in the same layout (the demo county loads that way)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from workflow.county.book_checks import CountyData
from workflow.county.sheets import (
    DEPARTMENTS,
    INSTRUCTION_LINES,
    INSTRUCTIONS,
    LANGUAGE_LABELS,
    NO,
    PEOPLE,
    SHEETS,
    TOWNSHIPS,
    VILLAGES,
    YES,
    SheetLayout,
)
from workflow.forms.sheet import put
from workflow.models import Role
from workflow.platform.i18n import gettext

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_EXAMPLE_FONT = Font(color="808080", italic=True)


def write_template(county_code: str = "") -> bytes:
    """Return the blank workbook: each sheet with its header and one (grey) example row, its
    codes under the county's own code."""
    code = county_code or "XXXXXX"
    examples = {s.name: [tuple(v.replace("{code}", code) for v in s.example)] for s in SHEETS}
    return _write(examples, example=True)


def write_county_data(data: CountyData, county_name: str) -> bytes:
    """Return a county's base data as the workbook (what `county load` reads back)."""
    townships = {t.code: t.name for t in data.townships}
    rows = {
        TOWNSHIPS: [(t.code, t.name) for t in data.townships],
        VILLAGES: [
            (
                v.code,
                v.name,
                townships.get(v.township_code, v.township_code),
                YES if v.is_poor else NO,
                v.exit_year or "",
            )
            for v in data.villages
        ],
        DEPARTMENTS: [(d.code, d.name, d.clause) for d in data.departments],
        PEOPLE: [
            (
                p.username,
                p.name,
                gettext(f"role:{p.role.value}"),
                _unit(p.role, p.unit_code, county_name),
                p.phone,
                p.email,
                LANGUAGE_LABELS.get(p.language, ""),
            )
            for p in data.people
        ],
    }
    return _write(rows, example=False)


def _unit(role: Role, code: str | None, county_name: str) -> str:
    """A person's unit as a clerk writes it: the county's name, or a unit's code."""
    if role.scope_kind == "county":
        return county_name
    return code or ""


def _write(rows: dict[str, Iterable[tuple]], example: bool) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for layout in SHEETS:
        _sheet(book.create_sheet(layout.name), layout, rows.get(layout.name, ()), example)
    notes = book.create_sheet(INSTRUCTIONS)
    notes.column_dimensions["A"].width = 120
    for number, line in enumerate(INSTRUCTION_LINES, start=1):
        cell = notes.cell(number, 1)
        put(cell, line)
        cell.alignment = Alignment(wrap_text=True)
    notes["A1"].font = Font(bold=True, size=14)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(ws, layout: SheetLayout, rows: Iterable[tuple], example: bool) -> None:
    for col, column in enumerate(layout.columns, start=1):
        cell = ws.cell(1, col)
        put(cell, column.header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        # Codes are text: a 12-digit code typed into a number cell shows as 6.52825E+11.
        ws.column_dimensions[get_column_letter(col)].width = max(14, 3 * len(column.header))
        ws.column_dimensions[get_column_letter(col)].number_format = "@"
    ws.freeze_panes = "A2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    for number, values in enumerate(rows, start=2):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(number, col)
            put(
                cell,
                value if isinstance(value, int) and not isinstance(value, bool) else str(value),
            )
            cell.number_format = "@"
            if example:
                cell.font = _EXAMPLE_FONT
