"""Who may see and do what, by role and by scope. Every view and command goes through here."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from workflow.models import (
    CaseCoUnit,
    Gap,
    HelpCase,
    HumanTask,
    Role,
    Substitution,
    TaskState,
    User,
)
from workflow.platform import clock, transaction_memo
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied
from workflow.platform.i18n import _

COUNTY_WIDE_READERS = (Role.COUNTY_OFFICE, Role.LEADING_GROUP, Role.ADMIN)


def _scope_key(user: User, township: Any, village: Any, department: Any) -> tuple[Any, Any] | None:
    """The one place that reads a scope: which of a thing's three units (ids, or columns) the
    user's role is judged by, with her own unit's id; None for a county-wide role."""
    kind = user.role.scope_kind
    if kind == "village":
        return village, user.village_id
    if kind == "township":
        return township, user.township_id
    if kind == "department":
        return department, user.department_id
    return None


def in_scope(
    user: User,
    township_id: Any,
    village_id: Any,
    department_id: Any,
    shared_with: Collection[int] = (),
) -> bool:
    """Whether a thing of these units lies in the user's scope (a missing unit never does);
    a thing shared with departments (a case's co-responsible units) lies in theirs too."""
    key = _scope_key(user, township_id, village_id, department_id)
    if key is None:
        return True
    unit_id, own = key
    if unit_id is not None and unit_id == own:
        return True
    return user.role.scope_kind == "department" and own is not None and own in shared_with


def scope_condition(
    user: User,
    township: sa.ColumnElement[Any],
    village: sa.ColumnElement[Any],
    department: sa.ColumnElement[Any],
    shared_with: Callable[[int], sa.ColumnElement[bool]] | None = None,
) -> sa.ColumnElement[bool]:
    """The SQL condition of the rows whose unit columns lie in the user's scope; `shared_with`
    gives, for a department's id, the condition of the rows shared with it."""
    key = _scope_key(user, township, village, department)
    if key is None:
        return sa.true()
    column, own = key
    if own is None:
        return sa.false()
    if shared_with is not None and user.role.scope_kind == "department":
        return sa.or_(column == own, shared_with(own))
    return column == own


def in_task_group(user: User, task: HumanTask) -> bool:
    """Whether the task is of the user's role and in her scope, whoever holds it now."""
    return task.role == user.role and in_scope(
        user, task.township_id, task.village_id, task.department_id
    )


def _holds_by_own_right(user: User, task: HumanTask) -> bool:
    """Whether the task is the user's own: named to her, or unclaimed in her role and scope."""
    if task.assignee_id is not None:
        return task.assignee_id == user.id
    return in_task_group(user, task)


# transaction_memo name: (user id, day) -> the colleagues she stands in for that day.
_ABSENT = "acting_for"


def _substitutions_changed(session: Session, *_: object) -> None:
    """Forget who stands in for whom when a substitution is written (the listener after each
    flush; called before each look-up for what is not flushed yet)."""
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(o, Substitution) for o in changed):
        transaction_memo.forget(_ABSENT, session)


sa.event.listen(Session, "after_flush", _substitutions_changed)


def acting_for(user: User) -> list[User]:
    """The colleagues away today for whom the user stands in (active substitutions); asked once
    per transaction (a page asks for its lists, its counts and its badge)."""
    today = clock.today()
    _substitutions_changed(db.session())
    known = transaction_memo.for_transaction(_ABSENT)
    if (user.id, today) not in known:
        known[(user.id, today)] = _absent_colleagues(user, today)
    return list(known[(user.id, today)])


def _absent_colleagues(user: User, today: date) -> list[User]:
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
    scoped = scope_condition(
        user, HumanTask.township_id, HumanTask.village_id, HumanTask.department_id
    )
    return sa.and_(HumanTask.role == user.role, scoped)


def inbox_filter(user: User) -> sa.ColumnElement[bool]:
    """The SQL condition selecting the READY tasks a user may work: her group's unclaimed ones,
    those assigned to her, and the same for every colleague she stands in for today."""
    return sa.and_(HumanTask.state == TaskState.READY, sa.or_(*inbox_branches(user)))


def group_filter(user: User) -> sa.ColumnElement[bool]:
    """The SQL condition of the READY tasks of the user's group and of those she stands in for,
    including those a colleague has claimed (shown with who holds them, not workable)."""
    return sa.and_(HumanTask.state == TaskState.READY, sa.or_(*group_branches(user)))


def _people_and_groups(user: User) -> tuple[list[User], list[User]]:
    """The user and those she stands in for; and one of them for each distinct group (role
    and unit), so that no two group conditions select the same tasks."""
    people = list({p.id: p for p in (user, *acting_for(user))}.values())
    groups = {(p.role, _scope_key(p, "township", "village", "department")): p for p in people}
    return people, list(groups.values())


def inbox_branches(user: User) -> list[sa.ColumnElement[bool]]:
    """`inbox_filter` (without its READY) as conditions whose OR it is, each one an index's
    range (a role in a unit, or an assignee): a list can read each in deadline order. No two
    select the same task, so a count may add up theirs."""
    people, groups = _people_and_groups(user)
    return [
        *(sa.and_(_group_condition(p), HumanTask.assignee_id.is_(None)) for p in groups),
        *(HumanTask.assignee_id == p.id for p in people),
    ]


def group_branches(user: User) -> list[sa.ColumnElement[bool]]:
    """`group_filter` (without its READY) as conditions whose OR it is (`inbox_branches`)."""
    people, groups = _people_and_groups(user)
    return [
        *(_group_condition(p) for p in groups),
        *(HumanTask.assignee_id == p.id for p in people),
    ]


def can_view_case(user: User, case: HelpCase) -> bool:
    """Departments see the cases they lead or share, townships and villages theirs, the county
    all of them."""
    return user.is_active and in_scope(
        user, case.township_id, case.village_id, case.department_id, case.co_department_ids
    )


def works_on_case(user: User, case: HelpCase) -> bool:
    """Whether the user's unit does the case's work (progress, funds, evidence): the lead
    department or a co-responsible one, or the township's clerk and leader when the township
    leads. Planning and reporting it done stay with the lead, through the case's tasks."""
    if not user.is_active:
        return False
    if user.role in (Role.DEPARTMENT_CLERK, Role.DEPARTMENT_LEADER):
        return user.department_id is not None and (
            user.department_id == case.department_id or user.department_id in case.co_department_ids
        )
    if user.role in (Role.TOWNSHIP_CLERK, Role.TOWNSHIP_LEADER):
        return case.lead_township and user.township_id == case.township_id
    return False


def _shared_case(department_id: int) -> sa.ColumnElement[bool]:
    return HelpCase.id.in_(
        sa.select(CaseCoUnit.case_id).where(CaseCoUnit.department_id == department_id)
    )


def require_case(user: User, case: HelpCase) -> None:
    """Refuse unless the user may see the case."""
    if not can_view_case(user, case):
        raise AccessDenied(_("You may not see this case."))


def case_filter(user: User) -> sa.ColumnElement[bool]:
    """The SQL condition selecting the cases a user may see (led by her unit or shared with it)."""
    return scope_condition(
        user, HelpCase.township_id, HelpCase.village_id, HelpCase.department_id, _shared_case
    )


def require_role(user: User, *roles: Role) -> None:
    """Refuse unless the user holds one of the roles."""
    if not user.is_active or user.role not in roles:
        raise AccessDenied(_("Your role may not do this."))


def gap_filter(user: User) -> sa.ColumnElement[bool]:
    """The SQL condition selecting the gaps (补课清单 lines) a user may see."""
    return scope_condition(user, Gap.township_id, Gap.village_id, Gap.department_id)
