"""A form's sheets read fast: by python-calamine, when it provably reads what openpyxl reads.

openpyxl's read-only parse costs about 20 times calamine's on the survey's forms. calamine gives
values only, so it is used only for a workbook where nothing it leaves out or reads differently
can be there: no formula (refused as one, which calamine would read as its cached value), no
error cell, no ISO date cell, no 1904 date system, no escaped characters or phonetic runs in the
text, no sheet other than worksheets, no number so long that a float cannot hold it exactly. The
cells whose style shows a date or a percentage are read again from the sheet's XML the way
openpyxl reads them (a date as datetime, a percentage as `Percent`). Any doubt: None, and the
caller reads the workbook with openpyxl.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_excel

from workflow.forms.cells import Percent

try:  # an optional speed-up: without it every workbook is read by openpyxl
    from python_calamine import CalamineWorkbook, SheetTypeEnum
except ImportError:  # pragma: no cover
    CalamineWorkbook = None

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# A cell formula (<f>, <x:f …/>), not <formula1> of a data validation nor <firstHeader>.
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
_UNSAFE_TYPE = re.compile(rb"""\bt\s*=\s*["'](?:e|d|str)["']""")
_EXACT = 1e15  # calamine reads numbers as floats: past this, openpyxl's int may differ
_CELL_ATTRS = re.compile(rb"""(\w+)\s*=\s*["']([^"']*)["']""")
_VALUE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v>([^<]*)</")
_REF = re.compile(r"([A-Z]+)(\d+)")


def read_grid(data: bytes) -> list[tuple[str, Iterator[tuple]]] | None:
    """Each worksheet's title and its rows (values as openpyxl's reader gives them, blanks as
    None), or None when calamine cannot be trusted with this workbook."""
    if CalamineWorkbook is None:
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            special = _inspect(archive)
        if special is None:
            return None
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = book.sheets_metadata
        if any(m.typ != SheetTypeEnum.WorkSheet for m in metadata) or len(metadata) != len(special):
            return None
        return [
            (m.name, _rows(book.get_sheet_by_name(m.name), cells))
            for m, cells in zip(metadata, special, strict=True)
        ]
    except Exception:  # anything odd: openpyxl reads it and reports what is wrong
        return None


class Doubt(Exception):
    """Raised while rows are read: the caller reads the workbook with openpyxl instead."""


def _inspect(archive: zipfile.ZipFile) -> list[dict[tuple[int, int], Any]] | None:
    """Per worksheet in workbook order, the cells openpyxl reads differently from calamine
    (dates, percentages) with openpyxl's value; None when calamine must not read the book."""
    names = set(archive.namelist())
    workbook = archive.read("xl/workbook.xml")
    if re.search(rb"date1904\s*=\s*[\"'](?:1|true)", workbook):
        return None
    if "xl/sharedStrings.xml" in names:
        strings = archive.read("xl/sharedStrings.xml")
        if b"_x" in strings or b"rPh" in strings:
            return None
    styles = _styles(archive.read("xl/styles.xml")) if "xl/styles.xml" in names else {}
    sheets = _sheet_paths(archive, workbook)
    if sheets is None:
        return None
    found = []
    for path in sheets:
        xml = archive.read(path)
        if _FORMULA.search(xml) or _UNSAFE_TYPE.search(xml) or b"_x" in xml:
            return None
        found.append(_special_cells(xml, styles))
    return found


def _sheet_paths(archive: zipfile.ZipFile, workbook: bytes) -> list[str] | None:
    """The worksheets' parts in workbook order (None: something other than plain worksheets)."""
    rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels:
        if not rel.get("Type", "").endswith("/worksheet"):
            continue
        target = rel.get("Target", "")
        target = target[1:] if target.startswith("/") else f"xl/{target}"
        targets[rel.get("Id")] = target
    root = etree.fromstring(workbook)
    ref = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    paths = [targets.get(sheet.get(ref)) for sheet in root.iter(f"{_NS}sheet")]
    return None if None in paths else paths


def _styles(xml: bytes) -> dict[int, tuple[bool, bool, bool]]:
    """The cell styles (cellXfs index) showing a date or a percentage: (date, timedelta, %)."""
    root = etree.fromstring(xml)
    formats = dict(BUILTIN_FORMATS)
    for fmt in root.iter(f"{_NS}numFmt"):
        formats[int(fmt.get("numFmtId"))] = fmt.get("formatCode", "")
    special: dict[int, tuple[bool, bool, bool]] = {}
    xfs = root.find(f"{_NS}cellXfs")
    for index, xf in enumerate(xfs if xfs is not None else ()):
        code = formats.get(int(xf.get("numFmtId", 0)), "General")
        dated = is_date_format(code)
        if dated or "%" in code:
            special[index] = (dated, dated and is_timedelta_format(code), "%" in code)
    return special


def _special_cells(
    xml: bytes, styles: dict[int, tuple[bool, bool, bool]]
) -> dict[tuple[int, int], Any]:
    """The numbers of a sheet in a date or percentage style, as openpyxl's reader gives them."""
    if not styles:
        return {}
    if 0 in styles:
        raise Doubt  # cells without a style attribute would be special too
    wanted = "|".join(str(i) for i in styles)
    pattern = re.compile(
        rb"<c\b([^>]*\bs\s*=\s*[\"'](?:" + wanted.encode() + rb")[\"'][^>]*?)(?:/>|>(.*?)</c>)",
        re.S,
    )
    cells = {}
    for match in pattern.finditer(xml):
        attrs = dict(_CELL_ATTRS.findall(match.group(1)))
        if attrs.get(b"t", b"n") != b"n":
            continue
        value = _VALUE.search(match.group(2) or b"")
        text = value.group(1).decode().strip() if value else ""
        if not text:
            continue
        if b"r" not in attrs:
            raise Doubt  # a cell without its reference: let openpyxl place it
        column, row = _REF.fullmatch(attrs[b"r"].decode()).groups()
        dated, elapsed, percent = styles[int(attrs[b"s"])]
        number = float(text) if any(c in text for c in ".eE") else int(text)
        if dated:
            cells[(int(row), column_index_from_string(column))] = from_excel(
                number, timedelta=elapsed
            )
        elif percent:
            cells[(int(row), column_index_from_string(column))] = Percent(number)
    return cells


def _rows(sheet: Any, special: dict[tuple[int, int], Any]) -> Iterator[tuple]:
    """The sheet's rows from A1, as openpyxl's read-only reader gives their values; raises
    Doubt on a value calamine may have read differently. (calamine's rows start at row 1 but at
    the first used column: the columns before it are put back.)"""
    if sheet.start is None:
        return  # an empty sheet
    (_top, left), (bottom, right) = sheet.start, sheet.end
    pad = (None,) * left
    by_row: dict[int, dict[int, Any]] = {}
    for (row, col), value in special.items():
        by_row.setdefault(row, {})[col] = value
    number = 0
    for number, row in enumerate(sheet.iter_rows(), start=1):
        if len(row) != right - left + 1:
            raise Doubt
        here = by_row.get(number)
        if here is None:
            yield pad + tuple(_value(v) for v in row)
        else:
            yield pad + tuple(
                here[col] if col in here else _value(v) for col, v in enumerate(row, start=left + 1)
            )
    if number != bottom + 1:
        raise Doubt  # not the rows from row 1 to the last: let openpyxl number them


def _value(value: Any) -> Any:
    """One calamine value as openpyxl reads the same cell (one not in a date or % style)."""
    kind = type(value)
    if kind is str:
        return value or None
    if kind is float:
        if value.is_integer():
            if abs(value) >= _EXACT:
                raise Doubt
            return int(value)
        return value
    if kind is bool or (kind is int and abs(value) < _EXACT):
        return value
    raise Doubt  # a date where openpyxl's rules see none, or a type calamine added
