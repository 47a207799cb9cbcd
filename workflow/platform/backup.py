"""A consistent copy of the database while huitou runs: SQLite's online backup API.

The copy is made in one step of the backup API, so it is the database as one committed moment
left it (a write in progress waits, or is not in it at all), and is written beside the target
first and renamed into place: an interrupted backup never leaves a half file under the name.
PostgreSQL is backed up with its own tools (`pg_dump`, see the README).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlalchemy as sa

from workflow.platform.db import db
from workflow.platform.errors import ValidationFailed
from workflow.platform.i18n import _


def backup_to(target: Path) -> int:
    """Copy the running SQLite database to target; return the copy's size in bytes."""
    url = sa.engine.make_url(db.engine.url)
    if url.get_backend_name() != "sqlite":
        raise ValidationFailed(
            {"database": _("Back up PostgreSQL with pg_dump, as the README shows.")}
        )
    source_path = url.database
    if not source_path or source_path == ":memory:":
        raise ValidationFailed({"database": _("An in-memory database cannot be backed up.")})
    target = target.resolve()
    if target == Path(source_path).resolve():
        raise ValidationFailed({"output": _("The backup cannot overwrite the database itself.")})
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    source = sqlite3.connect(source_path, timeout=30)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # all pages in one step: one consistent moment
            problem = copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
    finally:
        source.close()
    if problem != "ok":
        partial.unlink(missing_ok=True)
        raise ValidationFailed(
            {"output": _("The copy failed its integrity check: %(p)s", p=problem)}
        )
    partial.replace(target)
    return target.stat().st_size
