"""Writing and verifying the hash-chained audit log."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from workflow.models.audit import AuditEvent, AuditHead
from workflow.models.people import User
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.i18n import _

GENESIS = "0" * 64
_HEAD_KEY = "huitou.audit_head"


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + _canonical(fields)).encode()).hexdigest()


def _hashed_fields(ev: AuditEvent) -> dict[str, Any]:
    return {
        "seq": ev.seq,
        "at": ev.at.isoformat(),
        "actor_id": ev.actor_id,
        "actor_name": ev.actor_name,
        "action": ev.action,
        "object_type": ev.object_type,
        "object_id": ev.object_id,
        "before": ev.before,
        "after": ev.after,
        "reason": ev.reason,
    }


def record(
    actor: User | None,
    action: str,
    obj_type: str,
    obj_id: Any,
    *,
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event to the chain in the current transaction (written with the session's next
    flush, in the order recorded; never commits)."""
    head = _locked_head()
    ev = AuditEvent(
        seq=head.seq + 1,
        at=clock.now().replace(microsecond=0),
        actor_id=actor.id if actor else None,
        actor_name=actor.display_name if actor else _("System"),
        action=action,
        object_type=obj_type,
        object_id=str(obj_id),
        before=_canonical(before),
        after=_canonical(after),
        reason=reason,
        prev_hash=head.hash,
    )
    ev.hash = _event_hash(head.hash, _hashed_fields(ev))
    head.seq, head.hash = ev.seq, ev.hash
    db.session.add(ev)  # the unit of work inserts a table's new rows in the order they were added
    return ev


def lock_chain() -> None:
    """Take the chain's lock for the rest of the transaction now, before any savepoint: a lock
    first taken inside a savepoint is given up when that savepoint is rolled back."""
    _locked_head()


def _locked_head() -> AuditHead:
    """The chain's tip, locked once per transaction (later events reuse it while it holds)."""
    session = db.session()  # the scoped session's current Session
    transaction = session.get_transaction()
    held = session.info.get(_HEAD_KEY)
    if held is not None and held[0] is transaction:
        return held[1]
    head = db.session.execute(
        sa.select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        db.session.add(head)
    session.info[_HEAD_KEY] = (session.get_transaction(), head)
    return head


@dataclass(frozen=True)
class ChainReport:
    """The result of checking the chain: how many events, and the first broken link if any."""

    checked: int
    broken_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify_chain(batch: int = 5000) -> ChainReport:
    """Walk the whole chain in order and name the first event whose link or content is wrong."""
    prev_hash, expected_seq, checked = GENESIS, 1, 0
    last_id = 0
    while True:
        rows = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.id > last_id)
            .order_by(AuditEvent.id)
            .limit(batch)
        ).all()
        if not rows:
            break
        for ev in rows:
            last_id = ev.id
            if ev.seq != expected_seq:
                return ChainReport(
                    checked,
                    ev.seq,
                    _("The sequence has a gap: expected %(seq)s.", seq=expected_seq),
                )
            if ev.prev_hash != prev_hash:
                return ChainReport(
                    checked, ev.seq, _("The link to the previous event does not match.")
                )
            if _event_hash(prev_hash, _hashed_fields(ev)) != ev.hash:
                return ChainReport(
                    checked, ev.seq, _("The event's content was changed (the hash does not match).")
                )
            prev_hash, expected_seq, checked = ev.hash, expected_seq + 1, checked + 1
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.seq != checked or head.hash != prev_hash):
        return ChainReport(
            checked, checked + 1, _("The end of the chain is missing (events were deleted).")
        )
    return ChainReport(checked)


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, flush_context: Any, instances: Any) -> None:
    """The audit log is append-only: the ORM refuses to update or delete an event."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent):
            raise PermissionError("audit events are append-only")
