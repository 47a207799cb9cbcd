"""Read a filled survey form (附件1–3): bytes in, normalized rows plus every problem out.

Nothing raises for a bad file: refusals and cell problems come back as FormError, in Chinese.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from workflow.forms.cells import CellError, blank, read_cell
from workflow.forms.layout import SEQ, SHEET_PREFIX, FormLayout, survey_layout
from workflow.forms.survey_sheets import HEADER_SCAN as _HEADER_SCAN
from workflow.forms.survey_sheets import Refused as _Refused
from workflow.forms.survey_sheets import load_form_sheet, too_many
from workflow.forms.uyghur import is_uyghur_line
from workflow.platform.i18n import _
from workflow.programme.standards import Standard

MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_RATIO = 100
_RATIO_FLOOR = 1024 * 1024  # members smaller than this cannot hurt, whatever their ratio
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
_SIGNATURE = re.compile(r"\s*(填表人|审核人|负责人)[^:：]{0,6}[:：]")
_KEYS = {1: ("id_number",), 2: ("township", "village"), 3: ("township",)}


@dataclass(frozen=True)
class FormError:
    """One problem of an uploaded form: where it is (sheet, cell) and what is wrong, in Chinese."""

    sheet: str
    cell: str
    message: str

    def __str__(self) -> str:
        if self.cell:
            return f"{self.sheet}!{self.cell}: {self.message}"
        return f"{self.sheet}: {self.message}" if self.sheet else self.message


def summarize_errors(errors: list[FormError], at_least: int = 5) -> list[str]:
    """Every problem as `sheet!cell: message`, except that the same problem in one column on
    `at_least` rows or more is one line for the range (an unfilled column is one problem, not
    hundreds), in the order the problems were found."""
    groups: dict[tuple[str, str, str], list[FormError]] = {}
    for error in errors:
        column = error.cell.rstrip("0123456789")
        groups.setdefault((error.sheet, column, error.message), []).append(error)
    lines: list[str] = []
    for (sheet, column, message), same in groups.items():
        if not column or len(same) < at_least:
            lines += [str(e) for e in same]
            continue
        first, last = same[0].cell, same[-1].cell
        lines.append(
            _(
                "%(sheet)s!%(first)s:%(last)s: %(problem)s (%(count)s rows)",
                sheet=sheet,
                first=first,
                last=last,
                problem=message,
                count=len(same),
            )
        )
    return lines


@dataclass(frozen=True)
class ParsedRow:
    """One data row: its Excel row number, its normalized values and the cell of each field."""

    row: int
    values: dict[str, Any]
    cells: dict[str, str]


@dataclass(frozen=True)
class ParsedForm:
    """The rows read from a form and every problem found; usable only when errors is empty."""

    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[FormError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Tell whether the form can be stored."""
        return not self.errors


def read_survey_form(
    form_no: int, standard: Standard, data: bytes, max_rows: int = 20000
) -> ParsedForm:
    """Return the rows of survey form 1, 2 or 3 and every problem of the file, all at once."""
    layout = survey_layout(form_no, standard)
    try:
        _check_container(data)
        sheet, grid = load_form_sheet(
            data, layout.sheet_name, lambda g: _find_header(layout, g)[1] is not None, max_rows
        )
        return _parse(layout, sheet, grid, max_rows)
    except _Refused as refusal:
        return ParsedForm([], [FormError(refusal.sheet, "", str(refusal))])


def _check_container(data: bytes, limit: int = MAX_UNCOMPRESSED) -> None:
    """Refuse what is not a sane .xlsx, judging from the zip directory before unpacking anything."""
    if data[:8] == _OLE_MAGIC:
        raise _Refused(
            _(
                "This is an old Excel file (.xls) or a password-protected workbook. Save it in "
                "Excel as an unencrypted “Excel Workbook (*.xlsx)” and upload it again."
            )
        )
    if not data.startswith(_XLSX_MAGIC):
        raise _Refused(
            _(
                "This is not an Excel file (.xlsx). Upload the form filled in on the system's "
                "template."
            )
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception:  # a damaged directory raises anything from BadZipFile to struct.error
        raise _Refused(
            _(
                "The file is damaged and cannot be unpacked. Save it again in Excel and upload it "
                "again."
            )
        ) from None
    # zipfile never inflates a member past the size its directory entry declares, so checking
    # the declared sizes bounds what openpyxl can unpack.
    total = sum(m.file_size for m in members)
    if total > limit:
        raise _Refused(
            _(
                "Unpacked, the file would take about %(size)sMB, over the %(limit)sMB limit; "
                "refused.",
                size=f"{total / 2**20:,.0f}",
                limit=f"{limit / 2**20:,.0f}",
            )
        )
    for m in members:
        if m.file_size > _RATIO_FLOOR and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise _Refused(
                _(
                    "“%(member)s” in the file is compressed more than %(ratio)s times, which "
                    "suggests a malicious file; refused.",
                    member=m.filename,
                    ratio=MAX_RATIO,
                )
            )


def check_container(data: bytes, limit: int) -> FormError | None:
    """The refusal of a file that is not a sane .xlsx of at most `limit` bytes unpacked, or None."""
    try:
        _check_container(data, limit)
    except _Refused as refusal:
        return FormError(refusal.sheet, "", str(refusal))
    return None


def norm_header(text: str) -> str:
    """Return a header text as compared: half-width, no spaces or *, no trailing (unit), without
    the Uyghur line a Uyghur-language clerk's download adds under it (forms/uyghur.py)."""
    text = "\n".join(line for line in text.splitlines() if not is_uyghur_line(line))
    text = re.sub(r"[\s*]", "", unicodedata.normalize("NFKC", text))
    return re.sub(r"\([^()]*\)$", "", text)


def _find_header(
    layout: FormLayout, grid: list[tuple[int, tuple]]
) -> tuple[dict[str, int], int | None]:
    """Return each field's column index and the grid index of the last header row (None: absent)."""
    wanted: dict[str, str] = {}
    for column in layout.columns:
        for text in (column.header, *column.aliases):
            wanted.setdefault(norm_header(text), column.key)
    essential = {c.key for c in layout.columns if c.essential}
    positions: dict[str, int] = {}
    end = None
    for index, (_row, values) in enumerate(grid[:_HEADER_SCAN]):
        new: dict[str, int] = {}
        for col, value in enumerate(values):
            key = wanted.get(norm_header(value)) if isinstance(value, str) else None
            if key and key not in positions:
                new.setdefault(key, col)
        if end is None and (len(new) < 2 or not essential & new.keys()):
            continue  # 序号 and 备注 alone do not make this form's header
        if end is not None and (not new or index > end + 1):
            break
        positions.update(new)
        end = index
    return positions, end


def _parse(
    layout: FormLayout, sheet: str, grid: list[tuple[int, tuple]], max_rows: int
) -> ParsedForm:
    """Return the parsed data rows under the header, with every cell problem."""
    positions, end = _find_header(layout, grid)
    missing = [c.header for c in layout.columns if c.essential and c.key not in positions]
    if end is None or missing:
        return ParsedForm([], [FormError(sheet, "", _not_this_form(layout, sheet, missing, end))])
    body, errors, signed = [], [], False
    for number, values in grid[end + 1 :]:
        signed = signed or any(isinstance(v, str) and _SIGNATURE.match(v) for v in values)
        filled = [k for k, col in positions.items() if k != "seq" and not blank(_at(values, col))]
        if filled and not signed:
            body.append((number, values))
        elif signed and (keys := [k for k in _KEYS[layout.form_no] if k in filled]):
            cell = f"{get_column_letter(positions[keys[0]] + 1)}{number}"
            errors.append(
                FormError(
                    sheet,
                    cell,
                    _("Data below the signature rows is not imported. Move it above them."),
                )
            )
    if len(body) > max_rows:
        return ParsedForm([], [FormError(sheet, "", too_many(max_rows))])
    rows = []
    first_seen: dict[tuple, str] = {}
    read = [
        (column, positions[column.key], get_column_letter(positions[column.key] + 1))
        for column in layout.columns
        if column.key in positions and column.kind != SEQ
    ]
    for number, values in body:
        parsed = ParsedRow(number, {}, {})
        for column, col, letter in read:
            cell = f"{letter}{number}"
            parsed.cells[column.key] = cell
            raw = values[col] if col < len(values) else None
            if blank(raw):
                if column.required:
                    errors.append(
                        FormError(
                            sheet, cell, _("%(column)s is not filled in.", column=column.name)
                        )
                    )
                continue
            try:
                parsed.values[column.key] = read_cell(column, raw)
            except CellError as problem:
                errors.append(FormError(sheet, cell, str(problem)))
        key_fields = _KEYS[layout.form_no]
        if all(k in parsed.values for k in key_fields):
            key = tuple(parsed.values[k] for k in key_fields)
            here = parsed.cells[key_fields[-1]]
            if key in first_seen:
                what = layout.column(key_fields[-1]).name
                errors.append(
                    FormError(
                        sheet,
                        here,
                        _(
                            "%(column)s “%(value)s” repeats %(cell)s. %(rule)s",
                            column=what,
                            value=key[-1],
                            cell=first_seen[key],
                            rule=_once(layout.form_no),
                        ),
                    )
                )
            else:
                first_seen[key] = here
        rows.append(parsed)
    return ParsedForm(rows, errors)


def _not_this_form(layout: FormLayout, sheet: str, missing: list[str], end: int | None) -> str:
    """Return why a sheet is not the expected form, naming the headers it lacks."""
    form = layout.sheet_name
    if end is None:  # no header row at all: name a few of the columns it should have
        names = _("%(names)s and other columns", names=_(", ").join(f"“{m}”" for m in missing[:3]))
    else:
        names = _(", ").join(f"“{m}”" for m in missing)
    other = (
        _(" (the file holds %(sheet)s)", sheet=sheet)
        if sheet.startswith(SHEET_PREFIX) and sheet != form
        else ""
    )
    return _(
        "This is not the %(form)s template%(other)s: the headers %(names)s are missing. "
        "Fill in the %(form)s template the system makes.",
        form=form,
        other=other,
        names=names,
    )


def _once(form_no: int) -> str:
    """Return the rule a repeated subject breaks: one row per household, village or township."""
    return {
        1: _("Only one row per household."),
        2: _("Only one row per village."),
        3: _("Only one row per township."),
    }[form_no]


def _at(values: tuple, col: int) -> Any:
    """Return the value in a column of a row, None past its end."""
    return values[col] if col < len(values) else None
