"""Who may see and do what, by role and by scope. Every view and command goes through here."""

from __future__ import annotations

import sqlalchemy as sa

from workflow.models import Gap, HelpCase, HumanTask, Role, Substitution, TaskState, User
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied
from workflow.platform.i18n import _

COUNTY_WIDE_READERS = (Role.COUNTY_OFFICE, Role.LEADING_GROUP, Role.ADMIN)


def _scope_matches(
    user: User, township_id: int | None, village_id: int | None, department_id: int | None
) -> bool:
    kind = user.role.scope_kind
    if kind == "village":
        return village_id is not None and village_id == user.village_id
    if kind == "township":
        return township_id is not None and township_id == user.township_id
    if kind == "department":
        return department_id is not None and department_id == user.department_id
    return True


def in_task_group(user: User, task: HumanTask) -> bool:
    """Whether the task is of the user's role and in her scope, whoever holds it now."""
    return task.role == user.role and _scope_matches(
        user, task.township_id, task.village_id, task.department_id
    )


def _holds_by_own_right(user: User, task: HumanTask) -> bool:
    """Whether the task is the user's own: named to her, or unclaimed in her role and scope."""
    if task.assignee_id is not None:
        return task.assignee_id == user.id
    return in_task_group(user, task)


def acting_for(user: User) -> list[User]:
    """The colleagues away today for whom the user stands in (active substitutions)."""
    today = clock.today()
    absent = db.session.scalars(
        sa.select(User)
        .join(Substitution, Substitution.absent_id == User.id)
        .where(
            Substitution.substitute_id == user.id,
            Substitution.ended_at.is_(None),
            Substitution.starts_on <= today,
            Substitution.ends_on >= today,
        )
        .order_by(User.id)
    )
    return list(dict.fromkeys(absent))


def working_for(user: User, task: HumanTask, absent: list[User] | None = None) -> User | None:
    """Whose right the user works the task by: her own, an absent colleague's, or nobody's.
    `absent` is acting_for(user), when the caller already has it."""
    if not user.is_active or task.state != TaskState.READY:
        return None
    if _holds_by_own_right(user, task):
        return user
    absent = acting_for(user) if absent is None else absent
    return next((a for a in absent if _holds_by_own_right(a, task)), None)


def can_work_task(user: User, task: HumanTask) -> bool:
    """A task is worked by a user of its role, inside its scope, by its named assignee, or by
    whoever stands in for them while they are away."""
    return working_for(user, task) is not None


def require_task(user: User, task: HumanTask) -> None:
    """Refuse with a clear message unless the user may work the task."""
    if not can_work_task(user, task):
        raise AccessDenied(_("You may not work this task: it is not for your role or your area."))


def _group_condition(user: User) -> sa.ColumnElement[bool]:
    """The SQL condition of the tasks of the user's role in her scope (claimed or not)."""
    kind = user.role.scope_kind
    if kind == "village":
        scoped = HumanTask.village_id == user.village_id
    elif kind == "township":
        scoped = HumanTask.township_id == user.township_id
    elif kind == "department":
        scoped = HumanTask.department_id == user.department_id
    else:
        scoped = sa.true()
    return sa.and_(HumanTask.role == user.role, scoped)


def _own_condition(user: User) -> sa.ColumnElement[bool]:
    return sa.or_(
        HumanTask.assignee_id == user.id,
        sa.and_(_group_condition(user), HumanTask.assignee_id.is_(None)),
    )


def inbox_filter(user: User) -> sa.ColumnElement[bool]:
    """The SQL condition selecting the READY tasks a user may work: her group's unclaimed ones,
    those assigned to her, and the same for every colleague she stands in for today."""
    people = [user, *acting_for(user)]
    return sa.and_(HumanTask.state == TaskState.READY, sa.or_(*(_own_condition(p) for p in people)))


def group_filter(user: User) -> sa.ColumnElement[bool]:
    """The SQL condition of the READY tasks of the user's group and of those she stands in for,
    including those a colleague has claimed (shown with who holds them, not workable)."""
    people = [user, *acting_for(user)]
    reach = [sa.or_(_group_condition(p), HumanTask.assignee_id == p.id) for p in people]
    return sa.and_(HumanTask.state == TaskState.READY, sa.or_(*reach))


def can_view_case(user: User, case: HelpCase) -> bool:
    """Departments see their cases, townships and villages theirs, the county all of them."""
    if not user.is_active:
        return False
    if user.role in COUNTY_WIDE_READERS:
        return True
    kind = user.role.scope_kind
    if kind == "department":
        return case.department_id == user.department_id
    if kind == "township":
        return case.township_id == user.township_id
    if kind == "village":
        return case.village_id is not None and case.village_id == user.village_id
    return False


def require_case(user: User, case: HelpCase) -> None:
    """Refuse unless the user may see the case."""
    if not can_view_case(user, case):
        raise AccessDenied(_("You may not see this case."))


def case_filter(user: User) -> sa.ColumnElement[bool]:
    """The SQL condition selecting the cases a user may see."""
    if user.role in COUNTY_WIDE_READERS:
        return sa.true()
    kind = user.role.scope_kind
    if kind == "department":
        return HelpCase.department_id == user.department_id
    if kind == "township":
        return HelpCase.township_id == user.township_id
    return HelpCase.village_id == user.village_id


def require_role(user: User, *roles: Role) -> None:
    """Refuse unless the user holds one of the roles."""
    if not user.is_active or user.role not in roles:
        raise AccessDenied(_("Your role may not do this."))


def gap_filter(user: User) -> sa.ColumnElement[bool]:
    """The SQL condition selecting the gaps (补课清单 lines) a user may see."""
    if user.role in COUNTY_WIDE_READERS:
        return sa.true()
    kind = user.role.scope_kind
    if kind == "department":
        return Gap.department_id == user.department_id
    if kind == "township":
        return Gap.township_id == user.township_id
    return Gap.village_id == user.village_id
