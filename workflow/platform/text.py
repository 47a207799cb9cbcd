"""Free text where it enters: bounded, and no control characters or broken ones.

A NUL cannot be stored in PostgreSQL and truncates text in other programs; other control
characters and lone surrogates (which only a JSON escape can make) break exports and e-mails.
Tabs and line breaks are ordinary text.
"""

from __future__ import annotations

import re

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
