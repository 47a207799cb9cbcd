"""What every benchmark scenario shares: where it runs, what it measures, how big it is.

A scenario is a module of bench/ with ``run(backend: Backend, size: Size) -> list[Measurement]``.
It asks the backend for a fresh, migrated database of its own, measures, and returns its figures;
each figure carries the floor it was measured against in the same run, and its target.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

import sqlalchemy as sa

from web.app import create_app
from workflow.platform.schema import upgrade_database
from workflow.platform.settings import Settings

Size = Literal["smoke", "full"]

PG_SERVER = os.environ.get(
    "HUITOU_BENCH_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@dataclass
class Measurement:
    """One figure of one scenario on one backend, with its floor and its target."""

    scenario: str
    measure: str
    backend: str
    value: float
    unit: str
    floor: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    # A rate (rows/s, cases/s): the ratio is then floor over value, still "times the floor's cost".
    higher_is_better: bool = False
    # "scenario:measure" whose value in the same run (same backend) is this figure's floor; the
    # runner fills it in (e.g. the prefecture's time per household against the county's).
    floor_of: str = ""
    # The target as a ratio: met when ratio <= max_ratio (judged as soon as the floor is known).
    max_ratio: float | None = None

    @property
    def ratio(self) -> float | None:
        """The figure over its floor (how many times the floor's cost), when it has one."""
        if self.floor in (None, 0) or (self.higher_is_better and not self.value):
            return None
        return self.floor / self.value if self.higher_is_better else self.value / self.floor

    def judge(self) -> Measurement:
        """Mark the target met or missed from the ratio, when the target is a ratio."""
        if self.max_ratio is not None and self.ratio is not None:
            self.met = self.ratio <= self.max_ratio
        return self

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio}


@dataclass(frozen=True)
class Backend:
    """A database server kind: ``sqlite`` (a file in a temporary folder) or ``postgresql``."""

    name: Literal["sqlite", "postgresql"]

    @contextmanager
    def fresh_database(self, label: str) -> Iterator[str]:
        """A new, empty database for one scenario; dropped afterwards. Yields its URL."""
        if self.name == "sqlite":
            folder = Path(tempfile.mkdtemp(prefix=f"huitou-bench-{label}-"))
            yield f"sqlite:///{folder / 'bench.db'}"
            return
        name = f"bench_{label}_{uuid.uuid4().hex[:8]}"
        server = sa.create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            yield (
                sa.engine.make_url(PG_SERVER)
                .set(database=name)
                .render_as_string(hide_password=False)
            )
        finally:
            with server.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            server.dispose()


def make_app(url: str):
    """The huitou app over a database, migrated, with nothing else loaded."""
    app = create_app(Settings(database_url=url, secret_key="bench"))
    with app.app_context():
        upgrade_database()
    return app


def postgresql_reachable() -> bool:
    """Whether the PostgreSQL server answers (the PostgreSQL runs are skipped otherwise)."""
    try:
        engine = sa.create_engine(PG_SERVER)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return True
    except sa.exc.OperationalError:
        return False
