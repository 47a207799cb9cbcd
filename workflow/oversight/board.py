"""The supervisors' overdue board: open cases past their deadline, by band of lateness, with
the step they wait at and who holds it; a round's trend; reminding whoever holds a late case.

Who reads it: township leaders (their township), department leaders (their department), the
county office, the leading group and, read-only, the administrator. Clerks and village clerks
work their own inbox and are refused. Reminding is for the supervisors, not the administrator,
and at most once per case per (Beijing) day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from blinker import signal
from sqlalchemy.orm import joinedload

from workflow.cases.lists import FINISHED, still_open
from workflow.models import (
    AuditEvent,
    HelpCase,
    HumanTask,
    Role,
    Round,
    RoundStatus,
    TaskState,
    User,
)
from workflow.oversight.trend import Trend, in_scope, weekly_trend
from workflow.people.access import can_work_task, require_case, require_role
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, ConflictError, NotFound, Refused
from workflow.platform.i18n import _
from workflow.platform.settings import get_settings
from workflow.programme.rounds import get_round

READERS = (
    Role.TOWNSHIP_LEADER,
    Role.DEPARTMENT_LEADER,
    Role.COUNTY_OFFICE,
    Role.LEADING_GROUP,
    Role.ADMIN,
)
# The leading group reads the board and decides accountability; reminding is the supervisors'
# work (DESIGN: the leading group changes nothing but its decisions).
REMINDERS = (Role.TOWNSHIP_LEADER, Role.DEPARTMENT_LEADER, Role.COUNTY_OFFICE)
GROUPINGS = ("department", "village")

# Sent when a supervisor reminds a late case's holders; notifications/ tells them.
case_reminded = signal("case-reminded")


def bands() -> tuple[tuple[int, int, int | None], ...]:
    """(band, first day, last day or None) of lateness: band 2 starts where escalation level 2
    does, band 3 where level 3 does (from HUITOU_LEVEL2_AFTER_DAYS and _LEVEL3_)."""
    s = get_settings()
    level3 = s.level2_after_days + s.level3_after_days
    return (
        (1, 1, s.level2_after_days - 1),
        (2, s.level2_after_days, level3 - 1),
        (3, level3, None),
    )


def band_of(days: int) -> int:
    """The band a case this many days overdue falls in."""
    return next(band for band, first, _last in reversed(bands()) if days >= first) if days else 1


def days_overdue(case: HelpCase, now: datetime) -> int:
    """Calendar days (Beijing) since the deadline day; 1 on the day after it."""
    return (clock.in_beijing(now).date() - clock.in_beijing(case.due_at).date()).days


@dataclass(frozen=True)
class OverdueRow:
    """A late case, the step it waits at and who may work it."""

    case: HelpCase
    days: int
    band: int
    task: HumanTask | None
    holder_unit: str
    assignee: str


@dataclass
class Group:
    """The late cases of one department or one village (or a township's own)."""

    name: str
    rows: list[OverdueRow] = field(default_factory=list)
    total: int = 0  # late cases of the group in all, listed or not


@dataclass(frozen=True)
class Board:
    """What a supervisor sees: the groups, the counts by band, the trend."""

    round: Round | None
    grouping: str
    groups: list[Group]
    band_counts: dict[int, int]
    open_count: int
    trend: Trend | None
    can_remind: bool

    @property
    def overdue_count(self) -> int:
        return sum(self.band_counts.values())

    @property
    def listed_count(self) -> int:
        """How many late cases the board lists (the most overdue first)."""
        return sum(len(g.rows) for g in self.groups)


def require_reader(user: User) -> None:
    """Refuse clerks and village clerks: the board is for those who supervise."""
    require_role(user, *READERS)


def _board_round(year: int | str | None) -> Round | None:
    if year:
        return get_round(year)
    return db.session.scalar(
        sa.select(Round)
        .where(Round.status != RoundStatus.PLANNED)
        .order_by((Round.status == RoundStatus.OPEN).desc(), Round.year.desc())
        .limit(1)
    )


LISTED = 100  # late cases listed on the board; the rest are counted and one link away


def _late_since(days: int) -> datetime:
    """Cases due before this moment are at least `days` Beijing calendar days overdue."""
    return datetime.combine(clock.today() - timedelta(days=days - 1), time(0), clock.BEIJING)


def _counts(
    user: User, round_: Round, now: datetime, grouping: str
) -> tuple[int, dict[int, int], dict[tuple, int]]:
    """Open cases in scope, the late ones by band, and how many late cases each group holds
    (listed or not): one aggregate over the open cases by group (on PostgreSQL read from a
    partial index of the open cases alone)."""
    key = _group_key(grouping)
    late = [HelpCase.due_at < now] + [HelpCase.due_at < _late_since(f) for _b, f, _l in bands()]
    sums = [sa.func.coalesce(sa.func.sum(sa.case((late[0] & c, 1))), 0) for c in late[2:]]
    rows = db.session.execute(
        sa.select(
            *key,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(sa.case((late[0], 1))), 0),
            *sums,
        )
        .where(in_scope(user, round_), still_open())
        .group_by(*key)
    ).all()
    width = len(key)
    at_least = [sum(int(r[width + 1 + k]) for r in rows) for k in range(3)]  # bands 1, 2, 3+
    bands_ = {1: at_least[0] - at_least[1], 2: at_least[1] - at_least[2], 3: at_least[2]}
    sizes = {tuple(r[:width]): int(r[width + 1]) for r in rows if r[width + 1]}
    return sum(int(r[width]) for r in rows), bands_, sizes


def _group_key(grouping: str) -> list[sa.ColumnElement]:
    """The columns a board's groups are told apart by."""
    if grouping == "department":
        return [HelpCase.department_id]
    return [HelpCase.township_id, HelpCase.village_id]


def _late_cases(user: User, round_: Round, now: datetime, limit: int) -> list[HelpCase]:
    """The most overdue open cases in scope (earliest deadline first), with what rows show."""
    return list(
        db.session.scalars(
            sa.select(HelpCase)
            .where(in_scope(user, round_), still_open(), HelpCase.due_at < now)
            .order_by(HelpCase.due_at, HelpCase.id)
            .options(
                joinedload(HelpCase.township),
                joinedload(HelpCase.village),
                joinedload(HelpCase.department),
                joinedload(HelpCase.household),
            )
            .limit(limit)
        ).unique()
    )


def current_tasks(cases: list[HelpCase]) -> dict[int, HumanTask]:
    """The READY task of each case's process (instance id → task), in one query."""
    ids = [c.instance_id for c in cases if c.instance_id]
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(HumanTask)
        .where(HumanTask.instance_id.in_(ids), HumanTask.state == TaskState.READY)
        .order_by(HumanTask.id)
    )
    return {t.instance_id: t for t in rows}


def _holder_unit(case: HelpCase, task: HumanTask | None) -> str:
    if task is None:
        return ""
    kind = task.role.scope_kind
    if kind == "department":
        return case.lead_name
    if kind == "township":
        return case.township.name
    if kind == "village" and case.village is not None:
        return case.village.name
    return ""


def _group_name(case: HelpCase, grouping: str) -> str:
    if grouping == "department":
        return case.lead_name
    if case.village is not None:
        return f"{case.township.name} {case.village.name}"
    return _("%(township)s (the township itself)", township=case.township.name)


def overdue_board(
    user: User, grouping: str = "department", year: int | str | None = None, limit: int = LISTED
) -> Board:
    """The late open cases in the user's scope, grouped by department or by village, latest
    first, with counts by band and the round's weekly trend. Counting is done by the database;
    only the `limit` most overdue cases are loaded and listed."""
    require_reader(user)
    grouping = grouping if grouping in GROUPINGS else "department"
    round_ = _board_round(year)
    can_remind = user.role in REMINDERS
    if round_ is None:
        return Board(None, grouping, [], {1: 0, 2: 0, 3: 0}, 0, None, can_remind)
    now = clock.now()
    open_count, counts, sizes = _counts(user, round_, now, grouping)
    late = _late_cases(user, round_, now, limit) if sum(counts.values()) else []
    tasks = current_tasks(late)
    assignees = _assignee_names(tasks.values())
    groups: dict[str, Group] = {}
    for case in late:
        task = tasks.get(case.instance_id)
        days = days_overdue(case, now)
        row = OverdueRow(
            case,
            days,
            band_of(days),
            task,
            _holder_unit(case, task),
            assignees.get(task.assignee_id, "") if task else "",
        )
        name = _group_name(case, grouping)
        key = (
            (case.department_id,)
            if grouping == "department"
            else (case.township_id, case.village_id)
        )
        group = groups.setdefault(name, Group(name, total=sizes.get(key, 0)))
        group.rows.append(row)
    for group in groups.values():
        group.rows.sort(key=lambda r: (-r.days, r.case.id))
    ordered = sorted(groups.values(), key=lambda g: (-g.rows[0].days, -g.total, g.name))
    trend = weekly_trend(user, round_, now)
    return Board(round_, grouping, ordered, counts, open_count, trend, can_remind)


def _assignee_names(tasks: object) -> dict[int, str]:
    ids = {t.assignee_id for t in tasks if t.assignee_id}  # type: ignore[attr-defined]
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(ids))))


def task_holders(task: HumanTask) -> list[User]:
    """Whoever can work the task now: its named assignee, or every active user of its role
    and scope."""
    people = db.session.scalars(
        sa.select(User).where(
            User.is_active,
            User.id == task.assignee_id if task.assignee_id else User.role == task.role,
        )
    )
    return [person for person in people if can_work_task(person, task)]


def _reminded_today(case: HelpCase) -> bool:
    start = datetime.combine(clock.today(), time(0), clock.BEIJING)
    return (
        db.session.scalar(
            sa.select(AuditEvent.id)
            .where(
                AuditEvent.object_type == "help_case",
                AuditEvent.object_id == str(case.id),
                AuditEvent.action == "case.remind",
                AuditEvent.at >= start,
            )
            .limit(1)
        )
        is not None
    )


def remind_owner(case_id: int, actor: User) -> list[User]:
    """Remind whoever can work a case's current step (notice and e-mail), audited; once per
    case per day. Returns the people reminded."""
    require_role(actor, *REMINDERS)
    case = db.session.get(HelpCase, case_id)
    if case is None:
        raise NotFound(_("There is no such case."))
    require_case(actor, case)
    if actor.role == Role.DEPARTMENT_LEADER and actor.department_id != case.department_id:
        raise AccessDenied(_("Your department shares this case; its lead unit's leader reminds."))
    if case.status in FINISHED or case.verified_at is not None:
        raise Refused(_("This case is done; there is nobody to remind."))
    task = current_tasks([case]).get(case.instance_id)
    if task is None:
        raise ConflictError(_("The case has no open task for this step. Reload the page."))
    if _reminded_today(case):
        raise Refused(_("This case's holder was already reminded today; nothing was sent again."))
    people = task_holders(task)
    if not people:
        raise Refused(_("Nobody can work this case's current step; reassign it first."))
    audit.record(
        actor,
        "case.remind",
        "help_case",
        case.id,
        after={"task": task.spec_name, "to": [p.id for p in people]},
    )
    case_reminded.send(case, people=people, actor=actor)
    return people
