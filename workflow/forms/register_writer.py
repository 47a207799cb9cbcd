"""Write the 建档立卡 register workbook: the blank template, or a county's register (the demo's,
the benchmark's prefecture) streamed with text as shared strings, as the national system's
exports are."""

from __future__ import annotations

from collections.abc import Sequence

from workflow.forms.register_layout import (
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_EXAMPLE,
    HOUSEHOLD_SHEET,
    MEMBER_COLUMNS,
    MEMBER_EXAMPLES,
    MEMBER_SHEET,
    NOTES,
    NOTES_SHEET,
)
from workflow.forms.xlsx_stream import write_tables


def register_template() -> bytes:
    """The blank register: both sheets with their header and one example, and the notes."""
    return write_register([HOUSEHOLD_EXAMPLE], MEMBER_EXAMPLES)


def write_register(
    households: Sequence[Sequence[object]], members: Sequence[Sequence[object]]
) -> bytes:
    """A register workbook; rows carry the values in the order of HOUSEHOLD_COLUMNS and
    MEMBER_COLUMNS."""
    return write_tables(
        [
            (
                HOUSEHOLD_SHEET,
                [c.header for c in HOUSEHOLD_COLUMNS],
                households,
                [c.width for c in HOUSEHOLD_COLUMNS],
            ),
            (
                MEMBER_SHEET,
                [c.header for c in MEMBER_COLUMNS],
                members,
                [c.width for c in MEMBER_COLUMNS],
            ),
            (NOTES_SHEET, [NOTES[0]], [[line] for line in NOTES[1:]], [100]),
        ]
    )
