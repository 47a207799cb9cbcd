"""Signing: a person attests to a form, a table or a plan as it stands (§七.1).

The one way to sign: a Signature row (who, when, the hash of what was signed, the statement)
and its "sign" audit event, in the caller's transaction (flushed, never committed). Where a
generated file is what is signed (a results table, a department's plan), the exact bytes are
kept in the store of originals and the signature records their SHA-256."""

from __future__ import annotations

import hashlib

from workflow.models import Signature, User
from workflow.platform import audit, blobs, clock
from workflow.platform.db import db

STATEMENT_LENGTH = 200  # Signature.statement's column


def content_hash(text: str) -> str:
    """The SHA-256 (hex) of a text that stands for what is signed."""
    return hashlib.sha256(text.encode()).hexdigest()


def sign(
    actor: User,
    object_type: str,
    object_id: object,
    digest: str,
    statement: str,
    *,
    replaces: Signature | None = None,
    file: bytes | None = None,
) -> Signature:
    """Record that `actor` signed the object whose content hashes to `digest`, saying
    `statement`; `replaces` is the object's earlier signature, if any (its hash is audited as
    the one before); `file` is the exact file signed, kept by its SHA-256, which the signature
    (and its audit event) records."""
    file_sha256 = blobs.put(file) if file is not None else None
    signature = Signature(
        object_type=object_type,
        object_id=str(object_id),
        signer_id=actor.id,
        signer_name=actor.display_name,
        signed_at=clock.now(),
        content_hash=digest,
        statement=statement[:STATEMENT_LENGTH],
        file_sha256=file_sha256,
    )
    db.session.add(signature)
    db.session.flush()
    audit.record(
        actor,
        "sign",
        object_type,
        signature.object_id,
        before={"hash": replaces.content_hash} if replaces is not None else None,
        after={
            "hash": digest,
            "statement": signature.statement,
            **({"file_sha256": file_sha256} if file_sha256 else {}),
        },
    )
    return signature
