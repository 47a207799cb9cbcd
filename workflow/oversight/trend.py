"""A round's cases over time for the overdue board: open, done and overdue at each week's point,
counted by the database, drawn as an inline SVG chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from workflow.models import HelpCase, Round, User
from workflow.oversight.charts import Series, line_chart
from workflow.people.access import case_filter
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.i18n import _


def in_scope(user: User, round_: Round) -> sa.ColumnElement[bool]:
    """The SQL condition of the round's cases the user may see."""
    return sa.and_(case_filter(user), HelpCase.round_id == round_.id)


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


def _week_points(start: datetime, end: datetime) -> list[datetime]:
    points, moment = [], start
    while moment < end - timedelta(days=3):  # no weekly point crowding the last one
        points.append(moment)
        moment += timedelta(days=7)
    return [*points, end]


def weekly_trend(user: User, round_: Round, now: datetime) -> Trend:
    """Open, done (verified or closed) and overdue cases of the user's scope at each week's
    point from the round's launch to today (or its done-by date, if that came first).

    The database counts the cases by the first point at which each was opened, done and late
    (one GROUP BY over a few hundred combinations at most); the points add them up."""
    scope = in_scope(user, round_)
    first = db.session.scalar(sa.select(sa.func.min(HelpCase.opened_at)).where(scope))
    end = min(now, clock.end_of_day(round_.done_by))
    start = min(round_.launched_at, first) if first is not None else round_.launched_at
    points = _week_points(start, max(end, start))
    v, c = HelpCase.verified_at, HelpCase.closed_at
    done_at = sa.case((v.is_(None), c), (c.is_(None), v), (v < c, v), else_=c)

    def first_point(reached: object) -> sa.ColumnElement[int]:
        whens = [(reached(p), i) for i, p in enumerate(points)]  # type: ignore[operator]
        return sa.case(*whens, else_=len(points))

    keys = (
        first_point(lambda p: HelpCase.opened_at <= p),
        first_point(lambda p: done_at <= p),
        first_point(lambda p: HelpCase.due_at < p),
    )
    rows = db.session.execute(sa.select(*keys, sa.func.count()).where(scope).group_by(*keys))
    opened, done, overdue = ([0] * len(points) for _ in range(3))
    for was_opened, was_done, was_late, count in rows:
        for k in range(was_opened, len(points)):
            if was_done <= k:
                done[k] += count
            else:
                opened[k] += count
                overdue[k] += count if was_late <= k else 0
    labels = [clock.in_beijing(p).strftime("%m-%d") for p in points]
    return Trend(labels, opened, done, overdue)
