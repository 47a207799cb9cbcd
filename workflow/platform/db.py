"""The database handle and the column types every model shares."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy.orm import DeclarativeBase

REPLICA = "replica"  # the bind key of the optional read replica (HUITOU_DATABASE_REPLICA_URL)
_READS_KEY = "huitou.replica_reads"


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations name constraints stably."""

    metadata = sa.MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class RoutingSession(FlaskSession):
    """A session that sends plain reads to the read replica while `replica_reads()` is on and a
    replica is configured; every write, and every read outside it, goes to the primary."""

    def get_bind(self, mapper: Any = None, clause: Any = None, bind: Any = None, **kw: Any) -> Any:
        if bind is None and self.info.get(_READS_KEY) and isinstance(clause, sa.Select):
            replica = self._db.engines.get(REPLICA)
            if replica is not None:
                return replica
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kw)


db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})


@contextmanager
def replica_reads() -> Iterator[None]:
    """Read from the replica inside the block (reports, boards, exports): they may lag the
    primary by the replication delay, which a report can afford and a form cannot."""
    session = db.session()
    before = session.info.get(_READS_KEY, False)
    session.info[_READS_KEY] = True
    try:
        yield
    finally:
        session.info[_READS_KEY] = before


class UTCDateTime(sa.types.TypeDecorator):
    """A moment stored as naive UTC and always read back timezone-aware, on SQLite too."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: give a timezone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def enum_column(enum_cls: type[enum.Enum], name: str) -> sa.Enum:
    """A string column limited to an enum's values by a database check constraint."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
