"""Passwords: how strong a chosen one must be, and the first one a new person is given."""

from __future__ import annotations

import secrets
import string

from workflow.platform.errors import ValidationFailed
from workflow.platform.i18n import _

MIN_PASSWORD_LENGTH = 10
# No 0/O, 1/l/I: a first password is read off a screen or a printout and typed by hand.
_FIRST_PASSWORD_LETTERS = "".join(c for c in string.ascii_letters if c not in "OlI")
_FIRST_PASSWORD_DIGITS = "23456789"


def check_password_strength(password: str) -> None:
    """Refuse passwords that are too short or too simple."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            _("The password must have at least %(num)s characters.", num=MIN_PASSWORD_LENGTH)
        )
    if password.isdigit() or password.isalpha():
        problems.append(_("The password must mix letters and digits."))
    if len(problems) == 2:
        problems = [_("%(first)s, %(second)s", first=problems[0], second=problems[1])]
    if problems:
        raise ValidationFailed({"password": problems[0]})


def first_password() -> str:
    """Return a random first password (12 characters, letters and digits, passes the check)."""
    alphabet = _FIRST_PASSWORD_LETTERS + _FIRST_PASSWORD_DIGITS
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(12))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password
