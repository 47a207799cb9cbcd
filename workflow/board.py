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

from workflow import audit, clock
from workflow.access import can_work_task, case_filter, require_case, require_role
from workflow.charts import Series, line_chart
from workflow.db import db
from workflow.errors import ConflictError, NotFound
from workflow.i18n import _
from workflow.models import (
    AuditEvent,
    CaseStatus,
    HelpCase,
    HumanTask,
    Role,
    Round,
    RoundStatus,
    TaskState,
    User,
)
from workflow.settings import get_settings

READERS = (
    Role.TOWNSHIP_LEADER,
    Role.DEPARTMENT_LEADER,
    Role.COUNTY_OFFICE,
    Role.LEADING_GROUP,
    Role.ADMIN,
)
REMINDERS = (Role.TOWNSHIP_LEADER, Role.DEPARTMENT_LEADER, Role.COUNTY_OFFICE, Role.LEADING_GROUP)
FINISHED = (CaseStatus.CLOSED, CaseStatus.CARRIED_OVER)
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


@dataclass(frozen=True)
class Trend:
    """A round's cases over time, one point a week: open, done and overdue at each."""

    labels: list[str]
    open: list[int]
    done: list[int]
    overdue: list[int]

    def svg(self) -> str:
        """The trend as an accessible inline SVG chart."""
        return line_chart(
            "trend",
            _("Open, done and overdue cases by week"),
            _("One point a week from the round's launch to today."),
            self.labels,
            [
                Series(_("Open"), "open", self.open),
                Series(_("Done"), "done", self.done),
                Series(_("Overdue"), "overdue", self.overdue),
            ],
        )


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


def require_reader(user: User) -> None:
    """Refuse clerks and village clerks: the board is for those who supervise."""
    require_role(user, *READERS)


def _board_round(year: int | None) -> Round | None:
    if year is not None:
        round_ = db.session.scalar(sa.select(Round).where(Round.year == year))
        if round_ is None:
            raise NotFound(_("The work of %(year)s has not been launched yet.", year=year))
        return round_
    return db.session.scalar(
        sa.select(Round)
        .where(Round.status != RoundStatus.PLANNED)
        .order_by((Round.status == RoundStatus.OPEN).desc(), Round.year.desc())
        .limit(1)
    )


def _open_cases(user: User, round_: Round) -> list[HelpCase]:
    return list(
        db.session.scalars(
            sa.select(HelpCase).where(
                case_filter(user),
                HelpCase.round_id == round_.id,
                HelpCase.status.not_in(FINISHED),
                HelpCase.verified_at.is_(None),
            )
        )
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
        return case.department.name
    if kind == "township":
        return case.township.name
    if kind == "village" and case.village is not None:
        return case.village.name
    return ""


def _group_name(case: HelpCase, grouping: str) -> str:
    if grouping == "department":
        return case.department.name
    if case.village is not None:
        return f"{case.township.name} {case.village.name}"
    return _("%(township)s (the township itself)", township=case.township.name)


def overdue_board(user: User, grouping: str = "department", year: int | None = None) -> Board:
    """The late open cases in the user's scope, grouped by department or by village, latest
    first, with counts by band and the round's weekly trend."""
    require_reader(user)
    grouping = grouping if grouping in GROUPINGS else "department"
    round_ = _board_round(year)
    can_remind = user.role in REMINDERS
    if round_ is None:
        return Board(None, grouping, [], {1: 0, 2: 0, 3: 0}, 0, None, can_remind)
    now = clock.now()
    cases = _open_cases(user, round_)
    late = [c for c in cases if c.due_at < now]
    tasks = current_tasks(late)
    assignees = _assignee_names(tasks.values())
    groups: dict[str, Group] = {}
    counts = {1: 0, 2: 0, 3: 0}
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
        counts[row.band] += 1
        name = _group_name(case, grouping)
        groups.setdefault(name, Group(name)).rows.append(row)
    for group in groups.values():
        group.rows.sort(key=lambda r: (-r.days, r.case.id))
    ordered = sorted(groups.values(), key=lambda g: (-g.rows[0].days, -len(g.rows), g.name))
    trend = weekly_trend(user, round_, now)
    return Board(round_, grouping, ordered, counts, len(cases), trend, can_remind)


def _assignee_names(tasks: object) -> dict[int, str]:
    ids = {t.assignee_id for t in tasks if t.assignee_id}  # type: ignore[attr-defined]
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(ids))))


def _week_points(start: datetime, end: datetime) -> list[datetime]:
    points, moment = [], start
    while moment < end - timedelta(days=3):  # no weekly point crowding the last one
        points.append(moment)
        moment += timedelta(days=7)
    return [*points, end]


def weekly_trend(user: User, round_: Round, now: datetime) -> Trend:
    """Open, done (verified or closed) and overdue cases of the user's scope at each week's
    point from the round's launch to today (or its done-by date, if that came first)."""
    rows = db.session.execute(
        sa.select(
            HelpCase.opened_at, HelpCase.due_at, HelpCase.verified_at, HelpCase.closed_at
        ).where(case_filter(user), HelpCase.round_id == round_.id)
    ).all()
    end = min(now, clock.end_of_day(round_.done_by))
    start = min([round_.launched_at, *(r.opened_at for r in rows)])
    labels, opened, done, overdue = [], [], [], []
    for point in _week_points(start, max(end, start)):
        labels.append(clock.in_beijing(point).strftime("%m-%d"))
        o = d = late = 0
        for opened_at, due_at, verified_at, closed_at in rows:
            if opened_at > point:
                continue
            finished = [m for m in (verified_at, closed_at) if m is not None]
            if finished and min(finished) <= point:
                d += 1
                continue
            o += 1
            late += due_at < point
        opened.append(o)
        done.append(d)
        overdue.append(late)
    return Trend(labels, opened, done, overdue)


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
    if case.status in FINISHED or case.verified_at is not None:
        raise ConflictError(_("This case is done; there is nobody to remind."))
    task = current_tasks([case]).get(case.instance_id)
    if task is None:
        raise ConflictError(_("The case has no open task for this step. Reload the page."))
    if _reminded_today(case):
        raise ConflictError(
            _("This case's holder was already reminded today; nothing was sent again.")
        )
    people = task_holders(task)
    if not people:
        raise ConflictError(_("Nobody can work this case's current step; reassign it first."))
    audit.record(
        actor,
        "case.remind",
        "help_case",
        case.id,
        after={"task": task.spec_name, "to": [p.id for p in people]},
    )
    case_reminded.send(case, people=people, actor=actor)
    return people
