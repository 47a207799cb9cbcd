"""Writing and verifying the hash-chained audit log: a chain per stream, each transaction
appending to a stream no other open transaction holds (docs/AUDIT.md)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from workflow.models.audit import AuditEvent, AuditHead
from workflow.models.people import User
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.i18n import _

GENESIS = "0" * 64  # stream 1's first link: the one chain every event was in before streams
STREAMS = 16  # how many transactions can append at once without waiting for each other
_HEAD_KEY = "huitou.audit_head"


def genesis(stream: int) -> str:
    """The link before a stream's first event. Each stream has its own, so an event moved to
    another stream (or streams swapped) breaks a link."""
    if stream == 1:
        return GENESIS
    return hashlib.sha256(f"huitou audit stream {stream}".encode()).hexdigest()


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
    """Append one event to the chain of this transaction's stream (written with the session's
    next flush, in the order recorded; never commits)."""
    head = _locked_head()
    ev = AuditEvent(
        stream=head.id,
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
    """Take this transaction's stream now, before any savepoint: a lock first taken inside a
    savepoint is given up when that savepoint is rolled back."""
    _locked_head()


def _locked_head() -> AuditHead:
    """The tip of a stream no other open transaction is appending to, locked once per
    transaction (its later events reuse it while it holds).

    On PostgreSQL the first free stream is taken with SKIP LOCKED, so writers never queue behind
    each other until all streams are busy; then the transaction waits for one. SQLite has one
    writer at a time and always finds stream 1 free."""
    session = db.session()  # the scoped session's current Session
    transaction = session.get_transaction()
    held = session.info.get(_HEAD_KEY)
    if held is not None and held[0] is transaction:
        return held[1]
    head = _free_head()
    if head is None:
        _create_heads()
        head = _free_head()
    if head is None:  # every stream is busy: wait for one, spread over the streams
        stream = 1 + hash(transaction) % STREAMS
        head = db.session.execute(
            sa.select(AuditHead).where(AuditHead.id == stream).with_for_update()
        ).scalar_one()
    session.info[_HEAD_KEY] = (transaction, head)
    return head


def _free_head() -> AuditHead | None:
    return db.session.execute(
        sa.select(AuditHead)
        .where(AuditHead.id <= STREAMS)
        .order_by(AuditHead.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).scalar_one_or_none()


def _create_heads() -> None:
    """The streams' heads, made once (by whichever transaction gets there first)."""
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    rows = [{"id": n, "seq": 0, "hash": genesis(n)} for n in range(1, STREAMS + 1)]
    db.session.execute(insert(AuditHead).values(rows).on_conflict_do_nothing(index_elements=["id"]))


@dataclass(frozen=True)
class ChainReport:
    """The result of checking the chains: how many events, and the first broken link if any."""

    checked: int
    broken_seq: int | None = None
    problem: str = ""
    stream: int = 1

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify_chain(batch: int = 5000) -> ChainReport:
    """Walk every stream's chain in order and name the first event whose link or content is
    wrong, or a stream whose end or whose head is missing."""
    heads = {head.id: head for head in db.session.scalars(sa.select(AuditHead))}
    streams = set(heads) | set(db.session.scalars(sa.select(AuditEvent.stream).distinct()))
    checked = 0
    for stream in sorted(streams):
        report = _verify_stream(stream, heads.get(stream), batch)
        if not report.ok:
            return ChainReport(checked + report.checked, report.broken_seq, report.problem, stream)
        checked += report.checked
    # the heads are made together (migration 0016, or the first write of an empty log)
    missing = sorted(set(range(1, STREAMS + 1)) - set(heads)) if heads else []
    if missing:
        return ChainReport(
            checked, 1, _("A stream of the audit log was removed."), stream=missing[0]
        )
    return ChainReport(checked)


def _verify_stream(stream: int, head: AuditHead | None, batch: int) -> ChainReport:
    prev_hash, expected_seq, checked = genesis(stream), 1, 0
    last_seq = 0
    while True:
        rows = db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.stream == stream, AuditEvent.seq > last_seq)
            .order_by(AuditEvent.seq)
            .limit(batch)
        ).all()
        if not rows:
            break
        for ev in rows:
            last_seq = ev.seq
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
    if head is None and checked:
        return ChainReport(
            checked, checked + 1, _("The end of the chain is missing (events were deleted).")
        )
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
