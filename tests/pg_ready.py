"""Exit 0 if the PostgreSQL server for tests answers, 1 if not (used by `make test`)."""

from __future__ import annotations

import os
import sys

import sqlalchemy as sa

URL = os.environ.get(
    "HUITOU_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def main() -> int:
    try:
        engine = sa.create_engine(URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except Exception as exc:  # any failure means "not reachable"; the reason is printed
        print(f"PostgreSQL not reachable: {exc.__class__.__name__}: {str(exc).splitlines()[0]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
