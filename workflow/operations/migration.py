"""Moving running instances to the newest version of their process (`huitou process migrate`
and its page): per instance, whether it can move and what moves; those that can are moved,
each in a savepoint of its own and audited, the others stay on their version."""

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

    @property
    def movable(self) -> int:
        return sum(1 for p in self.plans if p.can_move)

    @property
    def moved(self) -> int:
        return sum(1 for p in self.plans if p.moved)


def _behind(process_id: str, newest_hash: str, ids: list[int] | None) -> list[ProcessInstance]:
    query = (
        sa.select(ProcessInstance)
        .join(ProcessInstance.spec)
        .options(sa.orm.undefer(ProcessInstance.state))
        .where(
            ProcessInstance.process_id == process_id,
            ProcessInstance.status == InstanceStatus.RUNNING,
            ProcessSpec.content_hash != newest_hash,
        )
        .order_by(ProcessInstance.id)
    )
    if ids:
        query = query.where(ProcessInstance.id.in_(ids))
    return list(db.session.scalars(query))


def plan_migration(
    process_id: str, actor: User, instance_ids: list[int] | None = None
) -> MigrationPlan:
    """A dry run: for every running instance behind the newest version (or those asked for),
    whether it can move and what moves. Changes nothing."""
    require_operator(actor)
    try:
        newest = specs.parse_process(process_id)
    except Exception as exc:
        raise NotFound(_("There is no process %(process)s.", process=process_id)) from exc
    plan = MigrationPlan(process_id, newest.content_hash)
    target = (newest.spec, newest.subprocess_specs)
    for instance in _behind(process_id, newest.content_hash, instance_ids):
        try:
            plan.plans.append(InstancePlan(instance, check_migration(instance, target)))
        except Exception as exc:  # a broken instance cannot be read, let alone moved
            plan.plans.append(InstancePlan(instance, error=describe(exc)))
    listed = {p.instance.id for p in plan.plans}
    plan.missing = [i for i in instance_ids or [] if i not in listed]
    return plan


def migrate_to_newest(
    process_id: str, actor: User, instance_ids: list[int] | None = None
) -> MigrationPlan:
    """Move every instance that can move to the newest version (each audited); the others stay.
    Their user tasks are mirrored and their timers kept as the engine has them afterwards."""
    plan = plan_migration(process_id, actor, instance_ids)
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
