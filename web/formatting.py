"""Template filters: moments in Beijing time, deadlines as a clerk reads them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from workflow.platform import clock
from workflow.platform.i18n import LANGUAGES, current_language, data_name, gettext


def beijing(moment: datetime | None, with_time: bool = True) -> str:
    """A moment on Beijing's wall clock, e.g. 2018-07-13 23:59（北京时间）."""
    if moment is None:
        return ""
    local = clock.in_beijing(moment)
    # A deadline is the last second of its day, and says so: 23:59:59, not 23:59.
    clock_format = "%H:%M:%S" if local.second else "%H:%M"
    text = local.strftime(f"%Y-%m-%d {clock_format}") if with_time else local.strftime("%Y-%m-%d")
    return gettext("%(moment)s (Beijing time)", moment=text)


def day(value: date | datetime | None) -> str:
    """A date as the county writes it: 2018-07-13."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = clock.in_beijing(value).date()
    text = value.strftime("%Y-%m-%d")
    # Inside right-to-left text the date is isolated left to right, or it reads 13-07-2018.
    return f"\u2066{text}\u2069" if LANGUAGES[current_language()][2] == "rtl" else text


def due_state(moment: datetime | None) -> dict[str, Any]:
    """How a deadline stands now: overdue by n days, due today, or n days left."""
    if moment is None:
        return {"css": "none", "text": gettext("No deadline")}
    now = clock.now()
    if now > moment:
        days = clock.days_between(moment, now)
        return {
            "css": "overdue",
            "text": gettext("Overdue by %(days)s days", days=max(days, 1))
            if days
            else gettext("Overdue"),
        }
    days = clock.days_between(now, moment)
    if days == 0:
        return {"css": "soon", "text": gettext("Due today")}
    css = "soon" if days <= 7 else "ok"
    return {"css": css, "text": gettext("%(days)s days left", days=days)}


FILTERS = {"beijing": beijing, "day": day, "due_state": due_state, "named": data_name}
