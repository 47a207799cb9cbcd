"""Moving running instances to the newest version of their process (`huitou process migrate`
and its page): per instance, whether it can move and what moves; those that can are moved,
each in a savepoint of its own and audited, the others stay on their version. Thousands behind
are checked and moved a page at a time (by instance id), so no step holds them all."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import sqlalchemy as sa

from workflow.engine import specs
from workflow.engine.migration import MigrationCheck, check_migration, migrate_instance
from workflow.models import InstanceStatus, ProcessInstance, ProcessSpec, User
from workflow.operations.incidents import describe, require_operator
from workflow.platform import audit
from workflow.platform.acting import acting_as
from workflow.platform.db import db
from workflow.platform.errors import NotFound
from workflow.platform.i18n import _

log = logging.getLogger(__name__)
PAGE = 100  # instances checked (each loaded and diffed) at a time


@dataclass
class InstancePlan:
    """One instance: whether it can move and what moves (or why it could not be read)."""

    instance: ProcessInstance
    check: MigrationCheck | None = None
    error: str = ""
    moved: bool = False

    @property
    def can_move(self) -> bool:
        return self.check is not None and self.check.can_move


@dataclass
class MigrationPlan:
    """The instances of a process not on its newest version, and what migrating does to each."""

    process_id: str
    newest_hash: str
    plans: list[InstancePlan] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)  # ids asked for that are not behind
    behind: int = 0  # instances behind the newest version in all, this page's and the others
    next_after: int | None = None  # the last id of this page when more are behind after it

    @property
    def movable(self) -> int:
        return sum(1 for p in self.plans if p.can_move)

    @property
    def moved(self) -> int:
        return sum(1 for p in self.plans if p.moved)


def _behind_query(process_id: str, newest_hash: str, ids: list[int] | None) -> sa.Select:
    query = (
        sa.select(ProcessInstance)
        .join(ProcessInstance.spec)
        .where(
            ProcessInstance.process_id == process_id,
            ProcessInstance.status == InstanceStatus.RUNNING,
            ProcessSpec.content_hash != newest_hash,
        )
    )
    return query.where(ProcessInstance.id.in_(ids)) if ids else query


def plan_migration(
    process_id: str,
    actor: User,
    instance_ids: list[int] | None = None,
    *,
    after: int = 0,
    limit: int | None = None,
) -> MigrationPlan:
    """A dry run over one page: for the next `limit` running instances behind the newest
    version (or of those asked for) with an id above `after`, whether each can move and what
    moves; with how many are behind in all. Changes nothing."""
    require_operator(actor)
    limit = limit or PAGE
    try:
        newest = specs.parse_process(process_id)
    except Exception as exc:
        raise NotFound(_("There is no process %(process)s.", process=process_id)) from exc
    plan = MigrationPlan(process_id, newest.content_hash)
    behind = _behind_query(process_id, newest.content_hash, instance_ids)
    plan.behind = db.session.scalar(sa.select(sa.func.count()).select_from(behind.subquery()))
    page = list(
        db.session.scalars(
            behind.options(sa.orm.undefer(ProcessInstance.state))
            .where(ProcessInstance.id > after)
            .order_by(ProcessInstance.id)
            .limit(limit + 1)
        )
    )
    if len(page) > limit:
        page = page[:limit]
        plan.next_after = page[-1].id
    target = (newest.spec, newest.subprocess_specs)
    for instance in page:
        try:
            plan.plans.append(InstancePlan(instance, check_migration(instance, target)))
        except Exception as exc:  # a broken instance cannot be read, let alone moved
            plan.plans.append(InstancePlan(instance, error=describe(exc)))
    if instance_ids:
        listed = set(db.session.scalars(behind.with_only_columns(ProcessInstance.id)))
        plan.missing = [i for i in instance_ids if i not in listed]
    return plan


def migrate_to_newest(
    process_id: str,
    actor: User,
    instance_ids: list[int] | None = None,
    *,
    after: int = 0,
    limit: int | None = None,
) -> MigrationPlan:
    """Move every instance of the page (as `plan_migration` takes it) that can move to the
    newest version, each audited; the others stay. Their user tasks are mirrored and their
    timers kept as the engine has them afterwards."""
    plan = plan_migration(process_id, actor, instance_ids, after=after, limit=limit)
    if not plan.movable:
        return plan
    row, loaded = specs.stored_spec(process_id)
    target = specs.specs_for_row(row)
    audit.lock_chain()  # before the savepoints: a lock taken inside one goes with its rollback
    for item in plan.plans:
        if not item.can_move:
            continue
        instance = item.instance
        before = instance.spec.content_hash
        try:
            with db.session.begin_nested(), acting_as(None):
                item.check = migrate_instance(instance, row, target)
        except Exception as exc:  # this one stays where it was; the others go on
            log.exception("migrating process instance %s failed", instance.id)
            item.error = describe(exc)
            continue
        item.moved = True
        audit.record(
            actor,
            "process.migrated",
            "process_instance",
            instance.id,
            before={"version": before},
            after={"version": loaded.content_hash, "moves": item.check.moves},
        )
    return plan
