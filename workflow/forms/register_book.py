"""The 建档立卡 register workbook, apart from the database: bytes in, rows and every problem
out; rows in, workbook bytes out.

Columns are found by header name (any order, variants, extra columns ignored, title rows above
the header allowed). Every cell is read with `cells.read_cell`, the one way huitou reads a cell.
A register is a prefecture's worth of rows at most: rows are kept as slotted records, not dicts.
"""

from __future__ import annotations

import gc
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl.utils import get_column_letter

from workflow.forms.cells import CellError, blank, read_cell
from workflow.forms.layout import DATE, TEXT, YES_NO, Column
from workflow.forms.reader import FormError, norm_header
from workflow.forms.register_checks import (
    HouseholdIn,
    MemberIn,
    RegisterBook,
    check_file,
    household_key,
)
from workflow.forms.register_layout import (
    ATTRIBUTES,
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_SHEET,
    LIST_SEPARATOR,
    MEMBER_COLUMNS,
    MEMBER_SHEET,
    MEMBER_STATUS_WORDS,
    SEXES,
)
from workflow.forms.upload import opened_upload
from workflow.platform.i18n import _

MAX_UNCOMPRESSED = 1024 * 1024 * 1024  # a prefecture's register unpacks to a few hundred MB
_HEADER_SCAN = 10
_DATE_TEXT = re.compile(r"(\d{4})\D{0,2}?(\d{1,2})\D{0,2}?(\d{1,2})\D?")


def read_register(data: bytes) -> RegisterBook:
    """Read a register workbook: every household and member row, and every problem found."""
    book = RegisterBook()
    with opened_upload(data, MAX_UNCOMPRESSED) as (workbook, refusal):
        if workbook is None:
            book.errors.append(refusal)
            return book
        sheets = {ws.title.strip(): ws for ws in workbook.worksheets}
        for name in (HOUSEHOLD_SHEET, MEMBER_SHEET):
            if name not in sheets:
                book.errors.append(
                    FormError(name, "", _("The workbook has no sheet “%(sheet)s”.", sheet=name))
                )
        if book.errors:
            return book
        # Rows become long-lived objects by the hundred thousand and hold no cycles: the
        # collector's full passes over them would cost more than the reading.
        collecting = gc.isenabled()
        gc.disable()
        try:
            _read_households(sheets[HOUSEHOLD_SHEET].iter_rows(values_only=True), book)
            _read_members(sheets[MEMBER_SHEET].iter_rows(values_only=True), book)
        finally:
            if collecting:
                gc.enable()
    check_file(book)
    return book


def _header(
    rows: Iterable[tuple], columns: Sequence[Column], sheet: str, errors: list[FormError]
) -> tuple[dict[str, int], int] | None:
    """Find the header row among the first rows: each field's column index and the row number."""
    wanted = {norm_header(t): c.key for c in columns for t in (c.header, *c.aliases)}
    essential = [c for c in columns if c.essential]
    for number, values in enumerate(rows, start=1):
        positions: dict[str, int] = {}
        for index, value in enumerate(values):
            key = wanted.get(norm_header(value)) if isinstance(value, str) else None
            if key and key not in positions:
                positions[key] = index
        if all(c.key in positions for c in essential):
            return positions, number
        if number >= _HEADER_SCAN:
            break
    for c in essential:
        errors.append(
            FormError(sheet, "", _("No column headed “%(column)s” was found.", column=c.header))
        )
    return None


def _reader(columns: Sequence[Column], positions: dict[str, int], sheet: str, errors: list):
    """A function reading one field of a row: normalized value, or None after noting the problem."""
    by_key = {c.key: c for c in columns}
    letters = {key: get_column_letter(index + 1) for key, index in positions.items()}

    def value(values: tuple, row: int, key: str) -> Any:
        column = by_key[key]
        index = positions.get(key)
        raw = values[index] if index is not None and index < len(values) else None
        if blank(raw):
            if column.required:
                errors.append(
                    FormError(
                        sheet,
                        f"{letters[key]}{row}",
                        _("%(column)s is empty.", column=column.header),
                    )
                )
            return False if column.kind == YES_NO else (None if column.kind != TEXT else "")
        try:
            if column.kind == TEXT:
                if isinstance(raw, float) and raw.is_integer():
                    raw = int(raw)
                text = str(raw).strip()
                return text if text.isascii() else unicodedata.normalize("NFKC", text)
            if column.kind == DATE:
                return _date(raw)
            return read_cell(column, raw)
        except CellError as exc:
            errors.append(FormError(sheet, f"{letters[key]}{row}", str(exc)))
            return None

    return value, letters


def _read_households(rows: Iterable[tuple], book: RegisterBook) -> None:
    rows = iter(rows)
    found = _header(rows, HOUSEHOLD_COLUMNS, HOUSEHOLD_SHEET, book.errors)
    if found is None:
        return
    positions, row = found
    value, letters = _reader(HOUSEHOLD_COLUMNS, positions, HOUSEHOLD_SHEET, book.errors)
    book.household_columns = letters
    errors = book.errors
    attributes = set(ATTRIBUTES)
    for values in rows:
        row += 1
        if all(blank(v) for v in values):
            continue
        before = len(errors)
        exit_year = value(values, row, "exit_year") if "exit_year" in positions else None
        planned = (
            value(values, row, "planned_exit_year") if "planned_exit_year" in positions else None
        )
        year_unreadable = len(errors) > before
        h = HouseholdIn(
            row,
            value(values, row, "number") if "number" in positions else "",
            value(values, row, "township") if "township" in positions else "",
            value(values, row, "village"),
            value(values, row, "head_name"),
            value(values, row, "head_id"),
            value(values, row, "family_size"),
            value(values, row, "attribute"),
            value(values, row, "cause") if "cause" in positions else "",
            exit_year,
            planned,
            value(values, row, "helper_name") if "helper_name" in positions else "",
            value(values, row, "helper_unit") if "helper_unit" in positions else "",
            value(values, row, "phone") if "phone" in positions else "",
            value(values, row, "head_name_ug") if "head_name_ug" in positions else "",
        )
        if h.attribute and h.attribute not in attributes:
            errors.append(
                FormError(
                    HOUSEHOLD_SHEET,
                    f"{letters['attribute']}{row}",
                    _(
                        "“%(value)s” is not a household attribute; write one of %(allowed)s.",
                        value=h.attribute,
                        allowed=LIST_SEPARATOR.join(ATTRIBUTES),
                    ),
                )
            )
        if exit_year is None and planned is None and not year_unreadable:
            column = letters.get("exit_year") or letters.get("planned_exit_year") or "A"
            errors.append(
                FormError(
                    HOUSEHOLD_SHEET,
                    f"{column}{row}",
                    _(
                        "Fill in the exit year, or the planned exit year of a household not yet "
                        "out."
                    ),
                )
            )
        book.households.append(h)


def _read_members(rows: Iterable[tuple], book: RegisterBook) -> None:
    rows = iter(rows)
    errors = book.errors
    found = _header(rows, MEMBER_COLUMNS, MEMBER_SHEET, errors)
    if found is None:
        return
    positions, row = found
    if "number" not in positions and "head_id" not in positions:
        errors.append(
            FormError(
                MEMBER_SHEET,
                "",
                _("No column headed “%(column)s” was found.", column=MEMBER_COLUMNS[0].header),
            )
        )
        return
    value, letters = _reader(MEMBER_COLUMNS, positions, MEMBER_SHEET, errors)
    book.member_columns = letters
    has = set(positions)
    sexes = set(SEXES)
    # Birth dates repeat by the thousand in a prefecture: one date object for each.
    dates: dict[date, date] = {}
    for values in rows:
        row += 1
        if all(blank(v) for v in values):
            continue
        number = value(values, row, "number") if "number" in has else ""
        head_id = value(values, row, "head_id") if "head_id" in has else ""
        id_number = value(values, row, "id_number")
        born = value(values, row, "birth_date") if "birth_date" in has else None
        sex = value(values, row, "sex") if "sex" in has else ""
        if id_number:
            # The number is valid here: its date and sex digit need no second check.
            born = born or date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
            sex = sex or SEXES[1 - int(id_number[16]) % 2]
        if born:
            born = dates.setdefault(born, born)
        if sex and sex not in sexes:
            errors.append(
                FormError(
                    MEMBER_SHEET,
                    f"{letters['sex']}{row}",
                    _(
                        "“%(value)s” is not a sex; write one of %(allowed)s.",
                        value=sex,
                        allowed=LIST_SEPARATOR.join(SEXES),
                    ),
                )
            )
        word = value(values, row, "status") if "status" in has else ""
        status = MEMBER_STATUS_WORDS.get(word)
        if status is None:
            errors.append(
                FormError(
                    MEMBER_SHEET,
                    f"{letters['status']}{row}",
                    _(
                        "“%(value)s” is not a member status; write one of %(allowed)s.",
                        value=word,
                        allowed=LIST_SEPARATOR.join(w for w in MEMBER_STATUS_WORDS if w),
                    ),
                )
            )
        book.members.append(
            MemberIn(
                row,
                household_key(number or "", head_id or ""),
                value(values, row, "name"),
                id_number,
                value(values, row, "relation"),
                sex,
                born,
                value(values, row, "schooling") if "schooling" in has else "",
                value(values, row, "health") if "health" in has else "",
                value(values, row, "skill") if "skill" in has else "",
                value(values, row, "medical") if "medical" in has else False,
                value(values, row, "pension") if "pension" in has else False,
                value(values, row, "subsistence") if "subsistence" in has else False,
                value(values, row, "destitute") if "destitute" in has else False,
                status or "normal",
            )
        )


def _date(raw: Any) -> date:
    """A birth date written as a date, as 1980-01-02 / 1980/1/2 / 19800102 / 1980年1月2日."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    if isinstance(raw, float | int) and not isinstance(raw, bool):
        text = str(int(raw))
    match = _DATE_TEXT.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CellError(_("“%(value)s” is not a date.", value=text)) from None


# The header-matching and cell-reading helpers, for other workbooks read the register's way
# (the police register extract, workflow/forms/police_book.py).
find_header = _header
field_reader = _reader
read_date = _date
