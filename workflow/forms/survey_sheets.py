"""Open a survey form's workbook and read its sheets' values (formulas marked, percentages
seen): by python-calamine where it reads the workbook exactly as openpyxl would
(forms/fast_sheet.py), otherwise by openpyxl's read-only reader."""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from openpyxl import load_workbook

from workflow.forms import fast_sheet
from workflow.forms.cells import Formula, Percent, blank
from workflow.platform.i18n import _

HEADER_SCAN = 30  # non-blank rows searched for the header
# calamine where it reads as openpyxl does; the tests turn it off to compare the two readers.
FAST = True

Grid = list[tuple[int, tuple]]


class Refused(Exception):
    """A whole-file refusal; caught inside read_survey_form."""

    def __init__(self, message: str, sheet: str = "") -> None:
        super().__init__(message)
        self.sheet = sheet


def load_form_sheet(
    data: bytes, name: str, is_form: Callable[[Grid], bool], max_rows: int
) -> tuple[str, Grid]:
    """Return the sheet holding the form (the one named `name` first, then the first whose rows
    `is_form`, else the first) and its non-blank rows as (row number, values)."""
    sheets = fast_sheet.read_grid(data) if FAST else None
    if sheets:
        try:
            return _choose(sheets, name, is_form, max_rows)
        except fast_sheet.Doubt:
            pass  # calamine read a value openpyxl may read differently: read it all again
    return _load_openpyxl(data, name, is_form, max_rows)


def _choose(
    sheets: list[tuple[str, Iterable[tuple]]],
    name: str,
    is_form: Callable[[Grid], bool],
    max_rows: int,
) -> tuple[str, Grid]:
    """The first sheet holding the form, reading no sheet after it; else the first sheet."""
    if not sheets:
        raise Refused(_("The workbook has no sheets."))
    found = []
    for title, rows in sorted(sheets, key=lambda sheet: sheet[0].strip() != name):
        grid = _collect(title, rows, max_rows)
        if is_form(grid):
            return title, grid
        found.append((title, grid))
    return found[0]


def _load_openpyxl(
    data: bytes, name: str, is_form: Callable[[Grid], bool], max_rows: int
) -> tuple[str, Grid]:
    """load_form_sheet by openpyxl's read-only reader (formulas as written, formats seen)."""
    with warnings.catch_warnings():
        # openpyxl's notes on unsupported extensions mean nothing to a clerk.
        warnings.simplefilter("ignore")
        try:
            # Formulas as written (data_only=False): a formula is refused as one, not read as
            # its cached value or, without one, as an empty cell.
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        except Exception:
            raise Refused(
                _("The file cannot be opened: it is not a valid Excel workbook (.xlsx).")
            ) from None
        try:
            return _choose(
                [(ws.title, _openpyxl_rows(ws)) for ws in book.worksheets], name, is_form, max_rows
            )
        except Refused:
            raise
        except Exception:
            raise Refused(
                _(
                    "The file's content is damaged and cannot be read. Save it again in Excel and "
                    "upload it again."
                )
            ) from None
        finally:
            book.close()


def _openpyxl_rows(ws: Any) -> Iterator[tuple]:
    """A worksheet's rows from row 1 as values (read only when iterated)."""
    ws.reset_dimensions()  # some writers record a wrong sheet size; read what is there
    for cells in ws.iter_rows():
        yield tuple(_value(c) for c in cells)


def _collect(title: str, rows: Iterable[tuple], max_rows: int) -> Grid:
    """Return (row number, values) of the non-blank rows of a sheet, refusing overlong sheets."""
    grid = []
    for number, values in enumerate(rows, start=1):
        if all(blank(v) for v in values):
            continue
        grid.append((number, values))
        if len(grid) > max_rows + HEADER_SCAN:
            raise Refused(too_many(max_rows), title)
    return grid


def _value(cell: Any) -> Any:
    """A cell's value as read: a formula marked as one, a percentage as a Percent."""
    if getattr(cell, "data_type", None) == "f":
        return Formula(getattr(cell.value, "text", None) or cell.value or "=")
    return Percent(cell.value) if _is_percent_cell(cell) else cell.value


def _is_percent_cell(cell: Any) -> bool:
    """Tell whether a cell holds a number displayed as a percentage."""
    value = cell.value
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and "%" in (cell.number_format or "")
    )


def too_many(max_rows: int) -> str:
    """Return the refusal for a sheet with too many rows."""
    return _(
        "The sheet has more than %(rows)s rows, too many to import at once. Split it and "
        "import the parts one by one.",
        rows=f"{max_rows:,}",
    )
