"""Lists of cases as a user may see them: open, overdue or all, a page at a time."""

from __future__ import annotations

import sqlalchemy as sa

from workflow.models import CaseCoUnit, CaseStatus, HelpCase, Household, User
from workflow.people.access import case_filter
from workflow.platform import clock
from workflow.platform.db import db

CASE_VIEWS = ("open", "overdue", "all")
FINISHED = (CaseStatus.CLOSED, CaseStatus.CARRIED_OVER)


def still_open() -> sa.ColumnElement[bool]:
    """The SQL condition of a case still to be worked: not finished, not yet verified on site."""
    return sa.and_(HelpCase.status.not_in(FINISHED), HelpCase.verified_at.is_(None))


# The middle dots a Chinese transliteration of a Uyghur name is written with (阿不都·热合曼).
# · • ・ ． . ‧ (given by code point: the katakana and full-width dots are CJK characters)
NAME_DOTS = "".join(map(chr, (0xB7, 0x2022, 0x30FB, 0xFF0E, 0x2E, 0x2027)))


def _without_dots(column: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    for dot in NAME_DOTS:
        column = sa.func.replace(column, dot, "")
    return column


def household_named(text: str) -> sa.ColumnElement[bool]:
    """Households whose head is called so: in Chinese (the middle dot or not), in Uyghur script
    where the register gives it, or by (part of) the ID number."""
    words = "".join(ch for ch in text.strip() if ch not in NAME_DOTS and not ch.isspace())
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    like = f"%{escaped}%"
    return sa.or_(
        _without_dots(Household.head_name).like(like, escape="\\"),
        sa.func.replace(Household.head_name_ug, " ", "").like(like, escape="\\"),
        Household.id_number.like(like.upper(), escape="\\"),
    )


def _visible_cases(viewer: User, view: str, ids: list[int] | None, named: str = "") -> sa.Select:
    query = sa.select(HelpCase).where(case_filter(viewer))
    if ids:  # the cases behind a figure of the accountability report
        return query.where(HelpCase.id.in_(ids))
    if named.strip():
        households = sa.select(Household.id).where(household_named(named))
        query = query.where(HelpCase.household_id.in_(households))
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
    named: str = "",
) -> list[HelpCase]:
    """The cases a user may see: still open, already overdue, or all; soonest deadline first;
    only those of a household whose head is `named` (household_named) when given."""
    query = _visible_cases(viewer, view, ids, named).order_by(HelpCase.due_at, HelpCase.id)
    return list(db.session.scalars(query.offset(offset).limit(limit)))


def count_cases(
    viewer: User, view: str = "open", ids: list[int] | None = None, named: str = ""
) -> int:
    """How many cases list_cases would give without its limit."""
    visible = _visible_cases(viewer, view, ids, named).subquery()
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
