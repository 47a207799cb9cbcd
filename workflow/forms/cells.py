"""Read one cell the way clerks write it: 是/√/有/1/Y/对, full-width digits, numbers as text
with thousands commas and units, ID numbers with a lower-case x."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from typing import Any

from workflow.forms.layout import (
    AMOUNT,
    COUNT,
    FIRST_EXIT_YEAR,
    ID,
    LAST_EXIT_YEAR,
    PERCENT,
    YEAR,
    YES_NO,
    Column,
)
from workflow.platform.i18n import _
from workflow.platform.idcard import InvalidIdNumber, validate_id
from workflow.programme.standards import NOT_APPLICABLE, NOT_APPLICABLE_SPELLINGS

_YES = {"是", "有", "√", "✓", "✔", "☑", "1", "Y", "YES", "对", "T", "TRUE", "是的"}
_NO = {"否", "无", "没有", "×", "✗", "✘", "☒", "X", "0", "N", "NO", "错", "F", "FALSE", "不是"}
_YES |= {"ھەئە", "هەئە", "بار"}  # Uyghur clerks: yes; there is (docs/GLOSSARY-ug.md)
_NO |= {"ياق", "يوق"}  # no; there is none
_NOT_APPLICABLE = {
    re.sub(r"\s", "", unicodedata.normalize("NFKC", s)).upper() for s in NOT_APPLICABLE_SPELLINGS
}
# The answers already written as compared (no spaces, upper case, half-width): no normalizing.
_ANSWERS = {
    s: s in _YES
    for s in _NO | _YES
    if re.sub(r"\s", "", unicodedata.normalize("NFKC", s)).upper() == s
}
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_UNIT_SUFFIXES = {"元": ("元",), "万元": ("万元", "万"), "%": ("%",)}


class CellError(Exception):
    """A cell that cannot be read; its message is shown to the clerk."""


class Percent(float):
    """A number shown with a % format: Excel stores 8.4% as 0.084."""


class Formula(str):
    """A cell holding a formula (its text): refused, since huitou stores what was typed, never a
    value a formula computed (or a cached one that may be stale or missing)."""


def blank(value: Any) -> bool:
    """Tell whether a cell counts as empty."""
    return value is None or (isinstance(value, str) and not value.strip())


def read_cell(column: Column, raw: Any) -> Any:
    """Return a cell's value normalized for its column kind, or raise CellError saying why not."""
    if isinstance(raw, Formula):
        raise CellError(
            _(
                "%(column)s holds a formula (%(formula)s); type the value itself.",
                column=column.name,
                formula=str(raw)[:40],
            )
        )
    if column.kind == YES_NO:
        return _yes_no(column, raw)
    if column.kind == ID:
        try:
            return validate_id(raw)
        except InvalidIdNumber as exc:
            shown = f"{raw:.15g}" if isinstance(raw, float) else raw
            raise CellError(
                _(
                    "The ID number “%(number)s” is wrong: %(reason)s",
                    number=shown,
                    reason=exc.reason,
                )
            ) from None
    if column.kind in (AMOUNT, PERCENT):
        number = _number(column, raw, _UNIT_SUFFIXES.get(_unit(column), ()))
        if column.kind == AMOUNT and number < 0:
            raise CellError(_("%(column)s cannot be negative.", column=column.name))
        return number
    if column.kind == COUNT:
        size = _whole(column, raw, ("人", "口"))
        if size is None or size < 1:
            raise CellError(
                _(
                    "%(column)s must be a positive whole number; the cell says “%(value)s”.",
                    column=column.name,
                    value=_shown(raw),
                )
            )
        return size
    if column.kind == YEAR:
        year = _whole(column, raw, ("年度", "年"))
        if year is None or not FIRST_EXIT_YEAR <= year <= LAST_EXIT_YEAR:
            raise CellError(
                _(
                    "%(column)s must be a year from %(first)s to %(last)s; the cell says "
                    "“%(value)s”.",
                    column=column.name,
                    first=FIRST_EXIT_YEAR,
                    last=LAST_EXIT_YEAR,
                    value=_shown(raw),
                )
            )
        return year
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # phone numbers and the like typed into a number cell
    return str(raw).strip()


def _unit(column: Column) -> str:
    """Return the unit a column header names in brackets (元, 万元, %), or ''."""
    match = re.search(r"\(([^()]*)\)$", unicodedata.normalize("NFKC", column.header))
    return match.group(1) if match else ""


def _yes_no(column: Column, raw: Any) -> bool | str:
    """Return the answer of a 是/否 cell written in any of the ways clerks write it, or
    NOT_APPLICABLE (不涉及, /, —, 无此情况) where the column allows it."""
    if type(raw) is str and (answer := _ANSWERS.get(raw)) is not None:
        return answer
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    text = re.sub(r"\s", "", unicodedata.normalize("NFKC", str(raw))).upper()
    if text in _YES:
        return True
    if text in _NO:
        return False
    if text in _NOT_APPLICABLE:
        if column.may_not_apply:
            return NOT_APPLICABLE
        raise CellError(
            _(
                "“%(value)s” cannot be written in “%(column)s”: it applies to every household; "
                "write yes or no.",
                column=column.name,
                value=str(raw).strip(),
            )
        )
    raise CellError(
        _(
            "“%(value)s” in “%(column)s” cannot be read; write yes or no.",
            column=column.name,
            value=str(raw).strip(),
        )
    )


def _number(column: Column, raw: Any, suffixes: tuple[str, ...]) -> float:
    """Return a number typed as a number or as text (full-width, thousands commas, unit)."""
    if isinstance(raw, Percent) and column.kind == PERCENT:
        return round(float(raw) * 100, 10)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    if isinstance(raw, datetime | date | time | bool):
        raise CellError(_not_a_number(column, raw))
    text = re.sub(r"[\s,]", "", unicodedata.normalize("NFKC", str(raw))).replace("−", "-")
    for suffix in suffixes:
        text = text.removesuffix(suffix)
    if not _NUMBER.fullmatch(text):
        raise CellError(_not_a_number(column, raw))
    return float(text)


def _not_a_number(column: Column, raw: Any) -> str:
    """Return the problem of a number cell holding something else."""
    return _(
        "%(column)s must be a number; the cell says “%(value)s”.",
        column=column.name,
        value=_shown(raw),
    )


def _whole(column: Column, raw: Any, suffixes: tuple[str, ...]) -> int | None:
    """Return a whole number (family size, year), or None when the cell holds something else."""
    try:
        number = _number(column, raw, suffixes)
    except CellError:
        return None
    return int(number) if number.is_integer() else None


def _shown(raw: Any) -> str:
    """Return a cell value as quoted back to the clerk."""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def read_code(column: Column, raw: Any) -> str:
    """Return a code made of digits (a division code, a household number), typed as text with
    full-width digits or spaces, or as a number: Excel hands a 12-digit code back as an int or
    a float, and shows a long one as 6.52825E+11 without changing the number it holds."""
    if isinstance(raw, bool | datetime | date | time):
        raise CellError(_not_a_code(column, raw))
    if isinstance(raw, float):
        if not raw.is_integer():
            raise CellError(_not_a_code(column, raw))
        raw = int(raw)
    text = re.sub(r"[\s'\u2019]", "", unicodedata.normalize("NFKC", str(raw)))
    if not text.isdigit() or not text.isascii():
        raise CellError(_not_a_code(column, raw))
    return text


def _not_a_code(column: Column, raw: Any) -> str:
    """Return the problem of a code cell holding something other than digits."""
    return _(
        "%(column)s must be written in digits; the cell says “%(value)s”.",
        column=column.name,
        value=_shown(raw),
    )
