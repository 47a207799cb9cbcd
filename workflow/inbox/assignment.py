"""Who holds a task: claiming and releasing group tasks, supervisors reassigning them, and
substitutes standing in for colleagues who are away."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa

from workflow.models import HumanTask, Role, Substitution, TaskState, User
from workflow.people.access import acting_for, can_work_task, in_task_group
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.errors import (
    AccessDenied,
    ConflictError,
    NotFound,
    Refused,
    ValidationFailed,
)
from workflow.platform.i18n import _

__all__ = [
    "acting_for",
    "can_reassign_task",
    "can_supervise",
    "claim_task",
    "colleagues_for_task",
    "end_substitute",
    "is_supervisor",
    "reassign_tasks",
    "reassignable_filter",
    "release_task",
    "set_substitute",
    "substitute_candidates",
    "substitutes_of",
    "supervised_people",
    "visible_substitutions",
]

_TOWNSHIP_ROLES = (Role.TOWNSHIP_CLERK, Role.VILLAGE_CLERK)
_DEPARTMENT_ROLES = (Role.DEPARTMENT_CLERK, Role.DEPARTMENT_LEADER)


def can_supervise(actor: User, user: User) -> bool:
    """Whether the actor leads the user: the county office everyone, a township leader her
    township's and villages' clerks, a department leader her department's people."""
    if not actor.is_active or actor.id == user.id:
        return False
    if actor.role == Role.COUNTY_OFFICE:
        return user.role != Role.ADMIN
    if actor.role == Role.TOWNSHIP_LEADER:
        return user.role in _TOWNSHIP_ROLES and user.township_id == actor.township_id
    if actor.role == Role.DEPARTMENT_LEADER:
        return user.role in _DEPARTMENT_ROLES and user.department_id == actor.department_id
    return False


def can_reassign_task(actor: User, task: HumanTask) -> bool:
    """Whether the actor may hand the task to someone: the same rule as supervising its role."""
    if not actor.is_active or task.state != TaskState.READY:
        return False
    if actor.role == Role.COUNTY_OFFICE:
        return True
    if actor.role == Role.TOWNSHIP_LEADER:
        return task.role in _TOWNSHIP_ROLES and task.township_id == actor.township_id
    if actor.role == Role.DEPARTMENT_LEADER:
        return task.role in _DEPARTMENT_ROLES and task.department_id == actor.department_id
    return False


def _same_unit(user: User) -> sa.ColumnElement[bool]:
    """Active users of the same role and unit as the given one."""
    return sa.and_(
        User.is_active.is_(True),
        User.role == user.role,
        User.township_id.is_(None)
        if user.township_id is None
        else User.township_id == user.township_id,
        User.village_id.is_(None)
        if user.village_id is None
        else User.village_id == user.village_id,
        User.department_id.is_(None)
        if user.department_id is None
        else User.department_id == user.department_id,
    )


def colleagues_for_task(task: HumanTask) -> list[User]:
    """The active people who hold the task's role in its scope: whom it may be given to."""
    kind = task.role.scope_kind
    scoped = {
        "village": User.village_id == task.village_id,
        "township": User.township_id == task.township_id,
        "department": User.department_id == task.department_id,
    }.get(kind, sa.true())
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.is_active.is_(True), User.role == task.role, scoped)
            .order_by(User.display_name)
        )
    )


def _ready(task: HumanTask) -> None:
    if task.state != TaskState.READY:
        raise ConflictError(_("The task is already done. Reload your inbox."))


def claim_task(task: HumanTask, actor: User) -> HumanTask:
    """Take a group task for oneself, so colleagues see who holds it."""
    _ready(task)
    if not (in_task_group(actor, task) or can_work_task(actor, task)):
        raise AccessDenied(_("You may not work this task: it is not for your role or your area."))
    if task.assignee_id is not None:
        if task.assignee_id == actor.id:
            return task
        holder = db.session.get(User, task.assignee_id)
        raise Refused(_("%(name)s already holds this task.", name=holder.display_name))
    task.assignee_id = actor.id
    audit.record(actor, "task.claim", "human_task", task.id, after={"assignee": actor.id})
    return task


def release_task(task: HumanTask, actor: User) -> HumanTask:
    """Give a task one holds back to the group (a supervisor may do it for the holder)."""
    _ready(task)
    if task.assignee_id is None:
        raise Refused(_("Nobody holds this task."))
    if task.assignee_id != actor.id and not can_reassign_task(actor, task):
        raise AccessDenied(_("Only the person holding the task or a supervisor may release it."))
    before = task.assignee_id
    task.assignee_id = None
    audit.record(
        actor, "task.release", "human_task", task.id, before={"assignee": before}, after={}
    )
    return task


def reassign_tasks(
    tasks: Sequence[HumanTask], assignee: User, reason: str, actor: User
) -> list[HumanTask]:
    """A supervisor gives tasks to one person of their role and scope; all or nothing, each
    audited with the reason."""
    require_supervisor(actor)
    if not tasks:
        raise ValidationFailed({"task": _("Choose at least one task.")})
    for task in tasks:
        _ready(task)
        if not can_reassign_task(actor, task):
            raise AccessDenied(_("You may not reassign task %(id)s.", id=task.id))
    problems: dict[str, str] = {}
    if not reason.strip():
        problems["reason"] = _("Give the reason for reassigning.")
    wrong = [t.id for t in tasks if assignee not in colleagues_for_task(t)]
    if wrong:
        problems["assignee"] = _(
            "%(name)s does not hold the role and area of task %(ids)s.",
            name=assignee.display_name,
            ids=", ".join(str(i) for i in wrong),
        )
    if problems:
        raise ValidationFailed(problems)
    for task in tasks:
        before = task.assignee_id
        task.assignee_id = assignee.id
        audit.record(
            actor,
            "task.reassign",
            "human_task",
            task.id,
            before={"assignee": before},
            after={"assignee": assignee.id},
            reason=reason.strip(),
        )
    return list(tasks)


def supervised_people(actor: User) -> list[User]:
    """The actor and the people she leads: whom she may name a substitute for."""
    query = sa.select(User).where(User.is_active.is_(True), User.id != actor.id)
    if actor.role == Role.TOWNSHIP_LEADER:
        query = query.where(User.role.in_(_TOWNSHIP_ROLES), User.township_id == actor.township_id)
    elif actor.role == Role.DEPARTMENT_LEADER:
        query = query.where(
            User.role.in_(_DEPARTMENT_ROLES), User.department_id == actor.department_id
        )
    elif actor.role == Role.COUNTY_OFFICE:
        query = query.where(User.role != Role.ADMIN)
    else:
        return [actor]
    return [actor, *db.session.scalars(query.order_by(User.role, User.display_name))]


def substitute_candidates(absent: User) -> list[User]:
    """Who can stand in for a user: active colleagues of her role in her unit."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(_same_unit(absent), User.id != absent.id)
            .order_by(User.display_name)
        )
    )


def set_substitute(
    absent: User,
    substitute: User,
    starts_on: date | None,
    ends_on: date | None,
    reason: str,
    actor: User,
) -> Substitution:
    """Name who works an absent user's tasks from one Beijing date to another (inclusive)."""
    if actor.id != absent.id and not can_supervise(actor, absent):
        raise AccessDenied(_("You may name a substitute only for yourself or for people you lead."))
    problems: dict[str, str] = {}
    if substitute not in substitute_candidates(absent):
        problems["substitute"] = _(
            "%(name)s cannot stand in: a substitute holds the same role in the same unit.",
            name=substitute.display_name,
        )
    if starts_on is None:
        problems["starts_on"] = _("Enter the first day away.")
    if ends_on is None:
        problems["ends_on"] = _("Enter the last day away.")
    elif ends_on < clock.today():
        problems["ends_on"] = _("The last day away has already passed.")
    elif starts_on is not None and ends_on < starts_on:
        problems["ends_on"] = _("The last day cannot be before the first.")
    if not reason.strip():
        problems["reason"] = _("Give the reason (leave, training, …).")
    if problems:
        raise ValidationFailed(problems)
    overlap = db.session.scalar(
        sa.select(Substitution).where(
            Substitution.absent_id == absent.id,
            Substitution.substitute_id == substitute.id,
            Substitution.ended_at.is_(None),
            Substitution.starts_on <= ends_on,
            Substitution.ends_on >= starts_on,
        )
    )
    if overlap is not None:
        raise Refused(
            _(
                "%(name)s already stands in from %(start)s to %(end)s.",
                name=substitute.display_name,
                start=overlap.starts_on.isoformat(),
                end=overlap.ends_on.isoformat(),
            )
        )
    sub = Substitution(
        absent_id=absent.id,
        substitute_id=substitute.id,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason.strip()[:200],
        created_by_id=actor.id,
        created_at=clock.now(),
    )
    db.session.add(sub)
    db.session.flush()
    audit.record(
        actor,
        "substitution.set",
        "substitution",
        sub.id,
        after={
            "absent": absent.id,
            "substitute": substitute.id,
            "from": starts_on.isoformat(),
            "to": ends_on.isoformat(),
        },
        reason=sub.reason,
    )
    return sub


def _may_end(actor: User, sub: Substitution) -> bool:
    return actor.id in (sub.absent_id, sub.substitute_id, sub.created_by_id) or can_supervise(
        actor, sub.absent
    )


def end_substitute(substitution_id: int, actor: User) -> Substitution:
    """End a substitution early (the absent user is back)."""
    sub = db.session.get(Substitution, substitution_id)
    if sub is None:
        raise NotFound(_("The substitution does not exist."))
    if not actor.is_active or not _may_end(actor, sub):
        raise AccessDenied(_("You may not end this substitution."))
    if sub.ended_at is not None or sub.ends_on < clock.today():
        raise Refused(_("This substitution has already ended."))
    sub.ended_at, sub.ended_by_id = clock.now(), actor.id
    audit.record(actor, "substitution.end", "substitution", sub.id, after={"ended_by": actor.id})
    return sub


def substitutes_of(user: User) -> list[Substitution]:
    """The user's current and coming substitutions (who stands in for her, and when)."""
    return list(
        db.session.scalars(
            sa.select(Substitution)
            .where(
                Substitution.absent_id == user.id,
                Substitution.ended_at.is_(None),
                Substitution.ends_on >= clock.today(),
            )
            .order_by(Substitution.starts_on)
        )
    )


def visible_substitutions(actor: User) -> list[Substitution]:
    """Current and coming substitutions the actor is part of or supervises."""
    rows = db.session.scalars(
        sa.select(Substitution)
        .where(Substitution.ended_at.is_(None), Substitution.ends_on >= clock.today())
        .order_by(Substitution.starts_on, Substitution.id)
    )
    return [s for s in rows if _may_end(actor, s)]


def reassignable_filter(actor: User) -> sa.ColumnElement[bool]:
    """The SQL condition of the READY tasks the actor may reassign (as can_reassign_task)."""
    ready = HumanTask.state == TaskState.READY
    if not actor.is_active:
        return sa.false()
    if actor.role == Role.COUNTY_OFFICE:
        return ready
    if actor.role == Role.TOWNSHIP_LEADER:
        return sa.and_(
            ready, HumanTask.role.in_(_TOWNSHIP_ROLES), HumanTask.township_id == actor.township_id
        )
    if actor.role == Role.DEPARTMENT_LEADER:
        return sa.and_(
            ready,
            HumanTask.role.in_(_DEPARTMENT_ROLES),
            HumanTask.department_id == actor.department_id,
        )
    return sa.false()


def is_supervisor(actor: User) -> bool:
    """Whether the actor leads anyone (and so reassigns tasks and names substitutes)."""
    return actor.is_active and actor.role in (
        Role.COUNTY_OFFICE,
        Role.TOWNSHIP_LEADER,
        Role.DEPARTMENT_LEADER,
    )


def require_supervisor(actor: User) -> None:
    """Refuse anyone who leads nobody: only they reassign tasks (pages and API alike)."""
    if not is_supervisor(actor):
        raise AccessDenied(
            _("Only a township or department leader or the county office reassigns tasks.")
        )
