"""Who may see and do what, by role and by scope. Every view and command goes through here."""

from __future__ import annotations

import sqlalchemy as sa

from workflow.errors import AccessDenied
from workflow.i18n import _
from workflow.models import HelpCase, HumanTask, Role, TaskState, User

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


def can_work_task(user: User, task: HumanTask) -> bool:
    """A task is worked by a user of its role, inside its scope (or its named assignee)."""
    if not user.is_active or task.state != TaskState.READY:
        return False
    if task.assignee_id is not None:
        return task.assignee_id == user.id
    return task.role == user.role and _scope_matches(
        user, task.township_id, task.village_id, task.department_id
    )


def require_task(user: User, task: HumanTask) -> None:
    """Refuse with a clear message unless the user may work the task."""
    if not can_work_task(user, task):
        raise AccessDenied(_("You may not work this task: it is not for your role or your area."))


def inbox_filter(user: User) -> sa.ColumnElement[bool]:
    """The SQL condition selecting the READY tasks in a user's inbox."""
    base = sa.and_(HumanTask.state == TaskState.READY, HumanTask.role == user.role)
    kind = user.role.scope_kind
    if kind == "village":
        scoped = HumanTask.village_id == user.village_id
    elif kind == "township":
        scoped = HumanTask.township_id == user.township_id
    elif kind == "department":
        scoped = HumanTask.department_id == user.department_id
    else:
        scoped = sa.true()
    assigned = sa.and_(HumanTask.state == TaskState.READY, HumanTask.assignee_id == user.id)
    unassigned = sa.and_(base, scoped, HumanTask.assignee_id.is_(None))
    return sa.or_(unassigned, assigned)


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
    from workflow.models import Gap

    if user.role in COUNTY_WIDE_READERS:
        return sa.true()
    kind = user.role.scope_kind
    if kind == "department":
        return Gap.department_id == user.department_id
    if kind == "township":
        return Gap.township_id == user.township_id
    return Gap.village_id == user.village_id
