"""The inbox as a workbook: one row per task, laid out like the county's other lists."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from workflow.forms.layout import TEXT, Column, FormLayout
from workflow.forms.writer import render_sheet
from workflow.platform.i18n import _


@dataclass(frozen=True)
class TaskRow:
    """One task, already in the words the clerk reads on the page."""

    task: str
    subject: str
    township: str
    village: str
    department: str
    deadline: str
    standing: str
    holder: str


def _layout() -> FormLayout:
    return FormLayout(
        0,
        _("Task list"),
        (
            Column("seq", _("No."), "seq", 5),
            Column("task", _("Task"), TEXT, 14),
            Column("subject", _("Matter"), TEXT, 28),
            Column("township", _("Township"), TEXT, 12),
            Column("village", _("Village"), TEXT, 12),
            Column("department", _("Department"), TEXT, 14),
            Column("deadline", _("Deadline"), TEXT, 11),
            Column("standing", _("Time left"), TEXT, 12),
            Column("holder", _("Held by"), TEXT, 10),
        ),
    )


def write_task_list(rows: list[TaskRow], *, title: str, when: date, unit: str = "") -> bytes:
    """The workbook of a (filtered) inbox."""
    values = [{**asdict(r), "seq": n} for n, r in enumerate(rows, start=1)]
    return render_sheet(_layout(), title, unit, "", when, values)
