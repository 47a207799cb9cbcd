"""Lists of cases as a user may see them: open, overdue or all, a page at a time."""

from __future__ import annotations

import sqlalchemy as sa

from workflow.models import CaseCoUnit, CaseStatus, HelpCase, User
from workflow.people.access import case_filter
from workflow.platform import clock
from workflow.platform.db import db

CASE_VIEWS = ("open", "overdue", "all")
FINISHED = (CaseStatus.CLOSED, CaseStatus.CARRIED_OVER)


def still_open() -> sa.ColumnElement[bool]:
    """The SQL condition of a case still to be worked: not finished, not yet verified on site."""
    return sa.and_(HelpCase.status.not_in(FINISHED), HelpCase.verified_at.is_(None))


def _visible_cases(viewer: User, view: str, ids: list[int] | None) -> sa.Select:
    query = sa.select(HelpCase).where(case_filter(viewer))
    if ids:  # the cases behind a figure of the accountability report
        return query.where(HelpCase.id.in_(ids))
    if view in ("open", "overdue"):
        query = query.where(still_open())
        if view == "overdue":
            query = query.where(HelpCase.due_at < clock.now())
    return query


def list_cases(
    viewer: User,
    view: str = "open",
    ids: list[int] | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[HelpCase]:
    """The cases a user may see: still open, already overdue, or all; soonest deadline first."""
    query = _visible_cases(viewer, view, ids).order_by(HelpCase.due_at, HelpCase.id)
    return list(db.session.scalars(query.offset(offset).limit(limit)))


def count_cases(viewer: User, view: str = "open", ids: list[int] | None = None) -> int:
    """How many cases list_cases would give without its limit."""
    visible = _visible_cases(viewer, view, ids).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(visible))


def shared_cases(viewer: User, limit: int = 100) -> list[HelpCase]:
    """The open cases the viewer's department shares without leading them (协办), soonest
    deadline first: they have no task of hers, so her inbox lists them apart."""
    if viewer.role.scope_kind != "department" or viewer.department_id is None:
        return []
    query = (
        sa.select(HelpCase)
        .join(CaseCoUnit, CaseCoUnit.case_id == HelpCase.id)
        .where(CaseCoUnit.department_id == viewer.department_id, still_open())
        .order_by(HelpCase.due_at, HelpCase.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))
