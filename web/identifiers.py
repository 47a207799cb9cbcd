"""Identifiers from URLs and query strings: only what the database's INTEGER columns can hold.

A number past that range is no record that could exist, so it is answered like any absent
record (404 on a route, nothing chosen in a query string) before it reaches a query, where
SQLite would overflow and PostgreSQL refuse it as out of range (a server error either way).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

# PostgreSQL's `integer` and the ids of every table (SQLite's are wider, but the same rule holds).
DB_INT_MAX = 2**31 - 1
_MAX_DIGITS = len(str(DB_INT_MAX))


class DatabaseInteger(IntegerConverter):
    """`<int:…>` in a route: ASCII digits up to DB_INT_MAX; anything else matches no route."""

    regex = r"[0-9]+"

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = DB_INT_MAX,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def id_arg(raw: object) -> int | None:
    """A positive id from a query string or form, or None for anything no record can have."""
    text = str(raw if raw is not None else "").strip()
    if not text or not text.isascii() or not text.isdigit() or len(text) > _MAX_DIGITS:
        return None
    value = int(text)
    return value if 0 < value <= DB_INT_MAX else None


def id_list(values: Iterable[object]) -> list[int]:
    """The ids among some raw values, in order, leaving out whatever is no id."""
    return [value for value in map(id_arg, values) if value is not None]


def count_arg(raw: object, default: int, ceiling: int) -> int:
    """A page number or size from a query string: 1 … ceiling, else the default."""
    value = id_arg(raw)
    return default if value is None else min(value, ceiling)


def init_app(app: Flask) -> None:
    """Bound every `<int:…>` route argument (call before any blueprint is registered)."""
    app.url_map.converters["int"] = DatabaseInteger
