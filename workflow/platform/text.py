"""Free text where it enters: bounded, and no control characters or broken ones.

A NUL cannot be stored in PostgreSQL and truncates text in other programs; other control
characters and lone surrogates (which only a JSON escape can make) break exports and e-mails.
Tabs and line breaks are ordinary text.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from workflow.platform.errors import ValidationFailed
from workflow.platform.i18n import _

# Any one text a person types (a note, a reason, a measure): a long page of writing.
FREE_TEXT_LIMIT = 5000
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text_problem(value: str, limit: int | None = FREE_TEXT_LIMIT) -> str | None:
    """What is wrong with a text as typed, or None."""
    if _FORBIDDEN.search(value):
        return _(
            "The text contains a control character or a broken character; type it again "
            "without pasting it."
        )
    if limit is not None and len(value) > limit:
        return _(
            "At most %(limit)s characters can be entered here (this has %(length)s).",
            limit=limit,
            length=len(value),
        )
    return None


def _overlong(row: Any) -> dict[str, str]:
    """Each text column of a row holding more characters than the column allows."""
    state = sa.inspect(row)
    problems: dict[str, str] = {}
    for attribute in state.mapper.column_attrs:
        column = attribute.columns[0]
        limit = getattr(column.type, "length", None)
        value = state.dict.get(attribute.key)  # what was set; nothing is loaded for the check
        if limit and isinstance(value, str) and len(value) > limit:
            problems[attribute.key] = text_problem(value, limit) or ""
    return problems


def _check_lengths(session: Session, _context: object, _instances: object) -> None:
    problems: dict[str, str] = {}
    for row in (*session.new, *session.dirty):
        problems.update(_overlong(row))
    if problems:
        raise ValidationFailed(problems)


def install_length_check() -> None:
    """Refuse, before any flush, a text longer than its column (PostgreSQL would fail with a
    server error, SQLite would keep it whole): a field error named by the column."""
    if not event.contains(Session, "before_flush", _check_lengths):
        event.listen(Session, "before_flush", _check_lengths)
