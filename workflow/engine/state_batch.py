"""A tick's batch of instance states written in one versioned executemany UPDATE.

The ORM writes a versioned row with one UPDATE each (it never batches rows it must check the
version of); a tick's batch of a hundred reminders would be a hundred round trips. Here each
instance's new state is kept aside, then written with one statement and many parameter sets,
each guarded by the version it was loaded with; the rows updated are counted against the batch.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from workflow.models import InstanceStatus, ProcessInstance
from workflow.platform.db import db
from workflow.platform.errors import ConflictError
from workflow.platform.i18n import _

_table = ProcessInstance.__table__
_UPDATE = (
    sa.update(_table)
    .where(_table.c.id == sa.bindparam("_id"), _table.c.version == sa.bindparam("_version"))
    .values(
        state=sa.bindparam("state"),
        version=sa.bindparam("version"),
        status=sa.bindparam("status"),
        next_timer_due=sa.bindparam("next_timer_due"),
        updated_at=sa.bindparam("updated_at"),
    )
)


class StateBatch:
    """New states of loaded instances, to be written together by `write`."""

    def __init__(self) -> None:
        self._rows: list[tuple[ProcessInstance, dict[str, Any]]] = []

    def add(
        self,
        instance: ProcessInstance,
        state: str,
        updated_at: datetime,
        status: InstanceStatus,
        next_timer_due: datetime | None,
    ) -> None:
        """Keep an instance's new state (the instance's attributes change only once written)."""
        values = {
            "state": state,
            "version": instance.version + 1,
            "status": status,
            "next_timer_due": next_timer_due,
            "updated_at": updated_at,
        }
        self._rows.append((instance, values))

    def write(self) -> None:
        """Flush the session, then write every kept state in one statement; ConflictError (and
        nothing the caller may keep) when any instance was changed since it was loaded."""
        db.session.flush()
        if not self._rows:
            return
        params = [{"_id": i.id, "_version": i.version, **values} for i, values in self._rows]
        result = db.session.execute(_UPDATE, params)
        if result.rowcount != len(params):
            raise ConflictError(
                _("Someone changed this process while the tick advanced it; the next tick retries.")
            )
        for instance, values in self._rows:
            for key, value in values.items():
                set_committed_value(instance, key, value)
        self._rows.clear()
