"""Inbox filters: read them from a query string (checked, with messages a clerk can act on),
turn them into one SQL condition, and keep a user's named filters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from urllib.parse import parse_qsl, urlencode

import sqlalchemy as sa

from workflow.cases.lists import household_named
from workflow.models import (
    Department,
    HelpCase,
    Household,
    HumanTask,
    SavedFilter,
    Township,
    User,
    Village,
)
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.errors import NotFound, Refused, ValidationFailed
from workflow.platform.i18n import _

FIELDS = ("kind", "township", "village", "department", "due_before", "overdue", "who")
_KIND = re.compile(r"[a-z][a-z0-9_]{0,79}")
MAX_SAVED = 30


@dataclass(frozen=True)
class InboxFilter:
    """What the inbox is narrowed to; an empty filter shows everything the user may see."""

    kind: str = ""
    township: Township | None = None
    village: Village | None = None
    department: Department | None = None
    due_before: date | None = None
    overdue: bool = False
    who: str = ""  # a household head's name (Chinese or Uyghur script) or ID number

    def condition(self) -> sa.ColumnElement[bool]:
        """The SQL condition on HumanTask this filter stands for."""
        parts: list[sa.ColumnElement[bool]] = []
        if self.kind:
            parts.append(HumanTask.spec_name == self.kind)
        if self.township is not None:
            parts.append(HumanTask.township_id == self.township.id)
        if self.village is not None:
            parts.append(HumanTask.village_id == self.village.id)
        if self.department is not None:
            parts.append(HumanTask.department_id == self.department.id)
        if self.due_before is not None:
            parts.append(HumanTask.due_at <= clock.end_of_day(self.due_before))
        if self.overdue:
            parts.append(HumanTask.due_at < clock.now())
        if self.who:
            households = sa.select(Household.id).where(household_named(self.who))
            cases = sa.select(HelpCase.instance_id).where(HelpCase.household_id.in_(households))
            parts.append(HumanTask.instance_id.in_(cases))
        return sa.and_(sa.true(), *parts)

    def query(self) -> dict[str, str]:
        """The filter as query parameters: what a shared or saved URL carries."""
        values = {
            "kind": self.kind,
            "township": self.township.code if self.township else "",
            "village": self.village.code if self.village else "",
            "department": self.department.code if self.department else "",
            "due_before": self.due_before.isoformat() if self.due_before else "",
            "overdue": "1" if self.overdue else "",
            "who": self.who,
        }
        return {k: v for k, v in values.items() if v}

    @property
    def is_empty(self) -> bool:
        """Whether nothing narrows the inbox."""
        return not self.query()


def _by_code(model: type, code: str) -> object | None:
    return db.session.scalar(sa.select(model).where(model.code == code))


def parse_filter(args: Mapping[str, str]) -> InboxFilter:
    """Read a filter from query parameters; refuse every bad value, each with its reason."""
    raw = {name: (args.get(name) or "").strip() for name in FIELDS}
    problems: dict[str, str] = {}
    kind = raw["kind"]
    if kind and not (_KIND.fullmatch(kind) and _kind_exists(kind)):
        problems["kind"] = _("There is no task kind “%(value)s”.", value=kind[:80])
    township = village = department = None
    if raw["township"]:
        township = _by_code(Township, raw["township"])
        if township is None:
            problems["township"] = _("There is no township “%(value)s”.", value=raw["township"])
    if raw["village"]:
        village = _by_code(Village, raw["village"])
        if village is None:
            problems["village"] = _("There is no village “%(value)s”.", value=raw["village"])
    if raw["department"]:
        department = _by_code(Department, raw["department"].upper())
        if department is None:
            problems["department"] = _(
                "There is no department “%(value)s”.", value=raw["department"]
            )
    due_before = None
    if raw["due_before"]:
        try:
            due_before = date.fromisoformat(raw["due_before"])
        except ValueError:
            problems["due_before"] = _(
                "“%(value)s” is not a date; write it as 2018-07-13.", value=raw["due_before"]
            )
    if raw["overdue"] not in ("", "1", "0"):
        problems["overdue"] = _("“Overdue only” is either on or off.")
    if problems:
        raise ValidationFailed(problems)
    who = raw["who"][:60]
    return InboxFilter(kind, township, village, department, due_before, raw["overdue"] == "1", who)


def _kind_exists(kind: str) -> bool:
    found = db.session.scalar(sa.select(HumanTask.id).where(HumanTask.spec_name == kind).limit(1))
    return found is not None


def kinds_of(*conditions: sa.ColumnElement[bool]) -> list[tuple[str, str]]:
    """The task kinds (spec name and title) among the tasks the conditions select (any of
    them). Each condition is read apart (on PostgreSQL from its index alone, when it is one of
    `access.group_branches` with READY) and the kinds gathered."""
    seen = sa.union_all(
        *(sa.select(HumanTask.spec_name, HumanTask.title).where(c) for c in conditions)
    ).subquery()
    rows = db.session.execute(
        sa.select(seen.c.spec_name, sa.func.min(seen.c.title))
        .group_by(seen.c.spec_name)
        .order_by(seen.c.spec_name)
    )
    return [(name, title) for name, title in rows]


def saved_filters(user: User) -> list[SavedFilter]:
    """The user's named filters, by name."""
    return list(
        db.session.scalars(
            sa.select(SavedFilter).where(SavedFilter.user_id == user.id).order_by(SavedFilter.name)
        )
    )


def save_filter(user: User, name: str, inbox_filter: InboxFilter) -> SavedFilter:
    """Keep the current filter under a name (the same name replaces the earlier query)."""
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed({"name": _("Give the filter a name.")})
    if len(name) > 60:
        raise ValidationFailed({"name": _("The name may have at most 60 characters.")})
    if inbox_filter.is_empty:
        raise ValidationFailed({"name": _("Choose at least one filter before saving it.")})
    query = urlencode(inbox_filter.query())
    saved = db.session.scalar(
        sa.select(SavedFilter).where(SavedFilter.user_id == user.id, SavedFilter.name == name)
    )
    if saved is None:
        if len(saved_filters(user)) >= MAX_SAVED:
            raise Refused(_("You have %(num)s saved filters; delete one first.", num=MAX_SAVED))
        saved = SavedFilter(user_id=user.id, name=name, query=query, created_at=clock.now())
        db.session.add(saved)
    else:
        saved.query = query
    db.session.flush()
    audit.record(
        user, "inbox.filter_save", "saved_filter", saved.id, after={"name": name, "query": query}
    )
    return saved


def get_saved_filter(user: User, filter_id: int) -> SavedFilter:
    """One of the user's own saved filters (another's is not found: names are private)."""
    saved = db.session.get(SavedFilter, filter_id)
    if saved is None or saved.user_id != user.id:
        raise NotFound(_("The saved filter does not exist."))
    return saved


def delete_filter(user: User, filter_id: int) -> None:
    """Forget one of the user's saved filters."""
    saved = get_saved_filter(user, filter_id)
    audit.record(
        user,
        "inbox.filter_delete",
        "saved_filter",
        saved.id,
        before={"name": saved.name, "query": saved.query},
    )
    db.session.delete(saved)
    db.session.flush()


def query_of(saved: SavedFilter) -> dict[str, str]:
    """A saved filter's query parameters."""
    return {k: v for k, v in parse_qsl(saved.query) if k in FIELDS}


@dataclass(frozen=True)
class Units:
    """The county's townships, villages and departments, for filter choices and task rows."""

    townships: list[Township]
    villages: list[Village]
    departments: list[Department]

    @cached_property
    def _by_id(self) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
        return (
            {t.id: t.name for t in self.townships},
            {v.id: v.name for v in self.villages},
            {d.id: d.name for d in self.departments},
        )

    def names(self, task: HumanTask) -> dict[str, str]:
        """The task's township, village and department names ('' where it has none)."""
        township, village, department = self._by_id  # built once, not for every row
        return {
            "township": township.get(task.township_id, ""),
            "village": village.get(task.village_id, ""),
            "department": department.get(task.department_id, ""),
        }


def units_for(user: User) -> Units:
    """The units a user's filter may name: a township's people see their own township's."""
    townships = sa.select(Township).order_by(Township.code)
    villages = sa.select(Village).order_by(Village.code)
    if user.role.scope_kind in ("township", "village"):
        townships = townships.where(Township.id == user.township_id)
        villages = villages.where(Village.township_id == user.township_id)
    return Units(
        list(db.session.scalars(townships)),
        list(db.session.scalars(villages)),
        list(db.session.scalars(sa.select(Department).order_by(Department.code))),
    )


def holders(tasks: list[HumanTask]) -> dict[int, User]:
    """The people holding (having claimed or been given) some of the tasks, by id."""
    ids = {t.assignee_id for t in tasks if t.assignee_id is not None}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
