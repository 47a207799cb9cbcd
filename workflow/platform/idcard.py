"""Citizen ID numbers (公民身份号码, GB 11643-1999): read what clerks type, check, and make them."""

from __future__ import annotations

from datetime import date

from workflow.platform.i18n import _

# GB 11643-1999 (ISO 7064 MOD 11-2): weight of position i is 2**(17-i) mod 11.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

# Full-width digits and x/ｘ/Ｘ as typed with a Chinese input method; X is the only letter allowed.
_TO_ASCII = str.maketrans(
    {**{chr(0xFF10 + d): str(d) for d in range(10)}, "ｘ": "X", "Ｘ": "X", "x": "X"}
)
# Excel's "store as text" apostrophe, when it leaks into exported text.
_TEXT_MARKS = "'‘’"

REASON_EMPTY = _("No ID number is filled in.")
REASON_LENGTH = _("It is not 18 characters long.")
REASON_CHARACTERS = _("It holds characters an ID number cannot have.")
REASON_BIRTH = _("Its birth date is not a real date.")
REASON_FLOAT = _(
    "The ID number was stored as a number and lost its last digits. Format the cell as text "
    "and type it again."
)
REASON_TYPE = _("It is not text.")


class InvalidIdNumber(ValueError):
    """An ID number that cannot be read or fails GB 11643; `reason` is a short Chinese sentence."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_digit(first17: str) -> str:
    """Return the GB 11643 check character ('0'–'9' or 'X') for the first 17 digits."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError(f"expected 17 ASCII digits, got {first17!r}")
    total = sum(int(ch) * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalize_id(raw: object) -> str:
    """Return the ID number as plain text: no spaces, ASCII digits, upper-case X."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        raise InvalidIdNumber(REASON_TYPE)
    if isinstance(raw, int):
        # Only possible when every digit survived, i.e. the number has no X check digit.
        return str(raw)
    if isinstance(raw, float):
        # Excel keeps 15 significant digits: an 18-digit number stored as a number is already
        # corrupted, even when it looks whole.
        raise InvalidIdNumber(REASON_FLOAT)
    if not isinstance(raw, str):
        raise InvalidIdNumber(REASON_TYPE)
    if raw.isdigit() and raw.isascii():
        return raw  # already plain: the same string, not a copy (a register holds 400,000)
    text = "".join(raw.split()).translate(_TO_ASCII)  # split() also drops U+3000 and NBSP
    return text.lstrip(_TEXT_MARKS)


def validate_id(raw: object) -> str:
    """Return the normalized ID number, or raise InvalidIdNumber saying what is wrong."""
    number = normalize_id(raw)
    if not number:
        raise InvalidIdNumber(REASON_EMPTY)
    if len(number) != 18:
        raise InvalidIdNumber(REASON_LENGTH)
    body, last = number[:17], number[17]
    if not (body.isascii() and body.isdigit()) or last not in "0123456789X":
        raise InvalidIdNumber(REASON_CHARACTERS)
    if _birth_date_or_none(number) is None:
        raise InvalidIdNumber(REASON_BIRTH)
    expected = check_digit(body)
    if last != expected:
        raise InvalidIdNumber(
            _("The check digit is wrong; it should be %(digit)s.", digit=expected)
        )
    return number


def birth_date(id_number: str) -> date:
    """Return the birth date encoded in a valid ID number."""
    born = _birth_date_or_none(validate_id(id_number))
    assert born is not None  # validate_id checked it
    return born


def is_male(id_number: str) -> bool:
    """Return True when the ID number's sequence digit (17th) is odd, i.e. the holder is male."""
    return int(validate_id(id_number)[16]) % 2 == 1


def make_id(region6: str, birth: date, seq3: int, *, male: bool | None = None) -> str:
    """Return a valid 18-digit ID number; `male`, when given, must agree with seq3's parity."""
    if len(region6) != 6 or not (region6.isascii() and region6.isdigit()):
        raise ValueError(f"region code must be 6 digits, got {region6!r}")
    if not 0 <= seq3 <= 999:
        raise ValueError(f"sequence must be 0–999, got {seq3}")
    if male is not None and (seq3 % 2 == 1) != male:
        raise ValueError(f"sequence {seq3:03d} is {'odd' if seq3 % 2 else 'even'}: wrong sex")
    if not 1900 <= birth.year <= 2099:
        raise ValueError(f"birth year out of range: {birth.year}")
    first17 = f"{region6}{birth:%Y%m%d}{seq3:03d}"
    return first17 + check_digit(first17)


def _birth_date_or_none(number: str) -> date | None:
    """Return the date in positions 7–14, or None when it is not a real date since 1900."""
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    return born if born.year >= 1900 else None
