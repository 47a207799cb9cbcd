"""Look-ups kept for the rest of a transaction: a tick advances a hundred instances in one."""

from __future__ import annotations

from typing import Any

from workflow.platform.db import db


def for_transaction(name: str) -> dict[Any, Any]:
    """A dict that lives as long as the session's current transaction, so that what it looked
    up once (who holds a role, which escalations a case has) need not be asked again; outside
    a transaction, an empty dict that is not kept. A savepoint rolled back does not undo what
    was put in it: keep only what stays true, or errs on the side of asking no more."""
    session = db.session()
    transaction = session.get_transaction()
    key = f"huitou.memo.{name}"
    held = session.info.get(key)
    if held is None or held[0] is not transaction:
        held = (transaction, {})
        if transaction is not None:
            session.info[key] = held
    return held[1]


def forget(name: str, session: Any = None) -> None:
    """Drop what the transaction's dict of this name holds (something it kept has changed)."""
    (session if session is not None else db.session()).info.pop(f"huitou.memo.{name}", None)
