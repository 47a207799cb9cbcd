"""The one clock: every deadline, timer and scheduler tick asks it what time it is.

Official deadlines are in Beijing time (Asia/Shanghai), which county offices in Xinjiang use for
official business. A deadline given as a date means the end of that day, 23:59:59+08:00.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)

_lock = threading.Lock()
_frozen: datetime | None = None
_offset = timedelta(0)  # a rehearsal clock runs this far from real time


def now() -> datetime:
    """The current moment, timezone-aware UTC (or the moment the clock was set to)."""
    frozen = _frozen
    return frozen if frozen is not None else datetime.now(UTC) + _offset


def start_rehearsal(moment: datetime) -> None:
    """Let the clock run from a past moment (a demo, a county rehearsing its year)."""
    global _offset
    if moment.tzinfo is None:
        raise ValueError("the clock only takes timezone-aware moments")
    with _lock:
        _offset = moment - datetime.now(UTC)


def set_now(moment: datetime | None) -> None:
    """Pin the clock at a moment (a county rehearsal, a test); None returns to real time."""
    global _frozen
    if moment is not None and moment.tzinfo is None:
        raise ValueError("the clock only takes timezone-aware moments")
    with _lock:
        _frozen = None if moment is None else moment.astimezone(UTC)


@contextmanager
def frozen_at(moment: datetime) -> Iterator[datetime]:
    """Run a block with the clock pinned at a moment, restoring the previous setting after."""
    previous = _frozen
    set_now(moment)
    try:
        yield now()
    finally:
        set_now(previous)


def today() -> date:
    """Today's date in Beijing time."""
    return now().astimezone(BEIJING).date()


def end_of_day(day: date) -> datetime:
    """The last second of a Beijing-time day: what an official deadline date means."""
    return datetime.combine(day, END_OF_DAY, BEIJING)


def parse_moment(text: str) -> datetime:
    """Read an ISO date or date-time; without an offset it is Beijing time."""
    text = text.strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"not an ISO date or date-time: {text!r}") from exc
    if len(text) == 10:  # a bare date means its start, as `--now 2018-07-14` would say
        moment = datetime.combine(moment.date(), time(0), BEIJING)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    return moment


def iso(moment: datetime) -> str:
    """A timezone-aware ISO string, the form moments take in task data."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not allowed in task data")
    return moment.isoformat()


def in_beijing(moment: datetime) -> datetime:
    """The same moment on Beijing's wall clock."""
    return moment.astimezone(BEIJING)


def days_between(start: datetime, end: datetime) -> int:
    """Whole days from one moment to a later one (0 if not later)."""
    delta: timedelta = end - start
    return max(delta.days, 0)
