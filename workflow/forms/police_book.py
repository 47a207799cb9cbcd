"""The police register extract (公安户籍), apart from the database: bytes in, rows and every
problem out. Read the register's way (`register_book.find_header` / `field_reader`): columns by
header name in any order, title rows above the header, full-width digits, IDs with a lower-case
x, blank lines skipped; every problem named by sheet and cell."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from workflow.forms.cells import blank
from workflow.forms.police_layout import POLICE_COLUMNS, POLICE_STATUS_WORDS
from workflow.forms.reader import FormError
from workflow.forms.register_book import MAX_UNCOMPRESSED, field_reader, find_header
from workflow.forms.register_layout import LIST_SEPARATOR
from workflow.forms.upload import opened_upload
from workflow.platform.i18n import _


@dataclass(slots=True)
class PoliceIn:
    """One person of the extract, read."""

    row: int
    household: str
    name: str
    id_number: str
    relation: str
    birth_date: date | None
    status: str
    changed_on: date | None


@dataclass
class PoliceBook:
    """What an extract holds; usable only when errors is empty."""

    sheet: str = ""
    people: list[PoliceIn] = field(default_factory=list)
    errors: list[FormError] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # field → column letter

    @property
    def households(self) -> int:
        return len({p.household for p in self.people})


def read_police(data: bytes) -> PoliceBook:
    """Read a police extract: the first sheet whose header names the extract's columns."""
    book = PoliceBook()
    with opened_upload(data, MAX_UNCOMPRESSED) as (workbook, refusal):
        if workbook is None:
            book.errors.append(refusal)
            return book
        first_problems: list[FormError] = []
        for ws in workbook.worksheets:
            problems: list[FormError] = []
            rows = ws.iter_rows(values_only=True)
            found = find_header(rows, POLICE_COLUMNS, ws.title.strip(), problems)
            if found is None:
                first_problems = first_problems or problems
                continue
            book.sheet = ws.title.strip()
            collecting = gc.isenabled()
            gc.disable()  # long-lived rows by the hundred thousand, no cycles
            try:
                _read_people(rows, found, book)
            finally:
                if collecting:
                    gc.enable()
            break
        else:
            book.errors += first_problems
            return book
    _check_duplicates(book)
    return book


def _read_people(rows: Iterable[tuple], found: tuple[dict[str, int], int], book: PoliceBook):
    positions, row = found
    sheet, errors = book.sheet, book.errors
    value, letters = field_reader(POLICE_COLUMNS, positions, sheet, errors)
    book.columns = letters
    has = set(positions)
    allowed = LIST_SEPARATOR.join(w for w in dict.fromkeys(POLICE_STATUS_WORDS) if w)
    for values in rows:
        row += 1
        if all(blank(v) for v in values):
            continue
        word = value(values, row, "status") if "status" in has else ""
        status = POLICE_STATUS_WORDS.get(word or "")
        if status is None:
            errors.append(
                FormError(
                    sheet,
                    f"{letters['status']}{row}",
                    _(
                        "“%(value)s” is not a register status; write one of %(allowed)s.",
                        value=word,
                        allowed=allowed,
                    ),
                )
            )
        book.people.append(
            PoliceIn(
                row,
                value(values, row, "household"),
                value(values, row, "name"),
                value(values, row, "id_number"),
                value(values, row, "relation"),
                value(values, row, "birth_date") if "birth_date" in has else None,
                status or "normal",
                value(values, row, "changed_on") if "changed_on" in has else None,
            )
        )


def _check_duplicates(book: PoliceBook) -> None:
    """A person is listed once: a second row with the same ID number is a problem."""
    letter = book.columns.get("id_number", "A")
    seen: dict[str, int] = {}
    for p in book.people:
        if not p.id_number:
            continue
        first = seen.setdefault(p.id_number, p.row)
        if first != p.row:
            book.errors.append(
                FormError(
                    book.sheet,
                    f"{letter}{p.row}",
                    _("“%(value)s” is also on row %(row)s.", value=p.id_number, row=first),
                )
            )
