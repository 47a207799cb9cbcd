"""Numbers where they enter: finite, within the column's range and scale, or a field error.

A money column is `Numeric(14, 2)`: at most 12 digits before the point and 2 after (分). Values
come from forms (text) and from JSON (text, integers or floats, where `Infinity` and `NaN` parse),
so every one is read through here and refused in Chinese naming its field.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from workflow.platform.i18n import _

MONEY_DIGITS = 14
MONEY_PLACES = 2
# Longer than any amount a column can hold, written out in full with separators.
_LONGEST_TEXT = 40
_FULL_WIDTH_COMMA = chr(0xFF0C)  # as a clerk types it on a Chinese keyboard


def money_limit(digits: int = MONEY_DIGITS, places: int = MONEY_PLACES) -> Decimal:
    """The first amount a Numeric(digits, places) column cannot hold."""
    return Decimal(10) ** (digits - places)


def parse_amount(
    raw: object,
    field: str,
    problems: dict[str, str],
    *,
    digits: int = MONEY_DIGITS,
    places: int = MONEY_PLACES,
) -> Decimal:
    """An amount of yuan as a Decimal, or Decimal 0 with the field's problem recorded."""
    if isinstance(raw, bool):
        problems[field] = _("The amount must be a number.")
        return Decimal(0)
    text = (
        str(raw if raw is not None else "").replace(",", "").replace(_FULL_WIDTH_COMMA, "").strip()
        or "0"
    )
    if len(text) > _LONGEST_TEXT:
        problems[field] = _("The amount is too large.")
        return Decimal(0)
    try:
        value = Decimal(text)
    except InvalidOperation:
        problems[field] = _("The amount must be a number.")
        return Decimal(0)
    problem = amount_problem(value, digits=digits, places=places)
    if problem:
        problems[field] = problem
        return Decimal(0)
    return value


def amount_problem(
    value: Decimal, *, digits: int = MONEY_DIGITS, places: int = MONEY_PLACES
) -> str | None:
    """What is wrong with an amount for a Numeric(digits, places) column, or None."""
    if not value.is_finite():
        return _("The amount must be a number.")
    if value < 0:
        return _("The amount cannot be negative.")
    limit = money_limit(digits, places)
    if value >= limit:
        return _("The amount must be less than %(limit)s yuan.", limit=f"{limit:,.0f}")
    if value != value.quantize(Decimal(1).scaleb(-places)):
        return _("The amount can have at most %(places)s decimal places.", places=places)
    return None


def stored_amount(value: object) -> Decimal | None:
    """A stored amount as a finite Decimal, or None for anything a report cannot use."""
    if value is None:
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None
