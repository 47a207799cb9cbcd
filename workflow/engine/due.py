"""Which process instances a tick advances: those whose next timer is due, found with one
indexed query; on PostgreSQL claimed with `FOR UPDATE SKIP LOCKED` so that workers ticking
together never take the same one."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm

from workflow.models import InstanceStatus, ProcessInstance
from workflow.platform.db import db


def due_instance_ids(moment: datetime, limit: int = 500) -> list[int]:
    """Ids of the instances whose next timer is due at the moment, oldest first (an indexed
    query: a tick with nothing due costs this one query)."""
    return list(
        db.session.scalars(
            sa.select(ProcessInstance.id)
            .where(
                ProcessInstance.status == InstanceStatus.RUNNING,
                ProcessInstance.next_timer_due < moment,  # SpiffWorkflow fires strictly after
            )
            .order_by(ProcessInstance.next_timer_due, ProcessInstance.id)
            .limit(limit)
        )
    )


def due_instances(ids: list[int], moment: datetime) -> list[ProcessInstance]:
    """Those of these instances still due at the moment, with their states (one query)."""
    return list(
        db.session.scalars(
            sa.select(ProcessInstance)
            .options(sa.orm.undefer(ProcessInstance.state))
            .where(
                ProcessInstance.id.in_(ids),
                ProcessInstance.status == InstanceStatus.RUNNING,
                ProcessInstance.next_timer_due < moment,
            )
            .order_by(ProcessInstance.next_timer_due, ProcessInstance.id)
        )
    )


def claim_due(moment: datetime, limit: int, passed: Collection[int] = ()) -> list[ProcessInstance]:
    """Lock and load up to `limit` instances due at the moment that no other transaction holds
    (PostgreSQL `FOR UPDATE SKIP LOCKED`: workers ticking together never take the same one;
    an instance another worker has just advanced is no longer due when its lock is released).
    `passed`: ids this tick has already taken and must leave alone."""
    query = (
        sa.select(ProcessInstance)
        .options(sa.orm.undefer(ProcessInstance.state))
        .where(
            ProcessInstance.status == InstanceStatus.RUNNING,
            ProcessInstance.next_timer_due < moment,
        )
    )
    if passed:
        query = query.where(ProcessInstance.id.not_in(list(passed)))
    query = query.order_by(ProcessInstance.next_timer_due, ProcessInstance.id).limit(limit)
    return list(db.session.scalars(query.with_for_update(skip_locked=True, of=ProcessInstance)))
