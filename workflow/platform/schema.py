"""Bringing the database schema up to date with the Alembic migrations."""

from __future__ import annotations

from flask_migrate import upgrade

from workflow.platform.settings import PROJECT_ROOT


def upgrade_database() -> None:
    """Apply every migration not yet applied (inside an app context)."""
    upgrade(directory=str(PROJECT_ROOT / "migrations"))
