"""What a new version of the 建档立卡 register changes, compared with the register as stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workflow.forms.register_checks import HouseholdIn, MemberIn
from workflow.models.register import MEMBER_DECEASED, MEMBER_MOVED_OUT

# Kinds of change, in the order they are listed; each is a message id of the catalogue.
NEW_HOUSEHOLDS = "new_households"
LEFT_HOUSEHOLDS = "left_households"
NEW_EXITS = "new_exits"
PLANNED_EXITS = "planned_exits"
FAMILY_SIZES = "family_sizes"
MEMBERS_ADDED = "members_added"
MEMBERS_REMOVED = "members_removed"
MEMBERS_DECEASED = "members_deceased"
MEMBERS_MOVED_OUT = "members_moved_out"
KINDS = (
    NEW_HOUSEHOLDS,
    LEFT_HOUSEHOLDS,
    NEW_EXITS,
    PLANNED_EXITS,
    FAMILY_SIZES,
    MEMBERS_ADDED,
    MEMBERS_REMOVED,
    MEMBERS_DECEASED,
    MEMBERS_MOVED_OUT,
)
SHOWN_PER_KIND = 50


@dataclass
class Changes:
    """Every change by kind: a count and the first few lines describing it."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    lines: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in KINDS})

    def add(self, kind: str, line: str) -> None:
        self.counts[kind] += 1
        if len(self.lines[kind]) < SHOWN_PER_KIND:
            self.lines[kind].append(line)

    @property
    def any(self) -> bool:
        return any(self.counts.values())


def _year(value: int | None) -> str:
    return "-" if value is None else str(value)


def compare(
    matched: list[tuple[HouseholdIn, Any | None]],
    leaving: list[Any],
    members_by_household: dict[int, dict[str, Any]],
    members_in_file: dict[str, list[MemberIn]],
) -> Changes:
    """The changes from the stored register to the file: `matched` pairs every household of the
    file with its stored row (None: new), `leaving` are stored households not in the file;
    stored member rows are grouped by household id and keyed by ID number."""
    changes = Changes()
    for new, old in matched:
        who = f"{new.head_name} ({new.number or new.head_id})"
        if old is None or not old.in_register:
            changes.add(NEW_HOUSEHOLDS, f"{who} {new.village}")
        elif old is not None:
            if old.exit_year is None and new.exit_year is not None:
                changes.add(NEW_EXITS, f"{who} {new.exit_year}")
            if old.planned_exit_year != new.planned_exit_year:
                changes.add(
                    PLANNED_EXITS,
                    f"{who} {_year(old.planned_exit_year)} → {_year(new.planned_exit_year)}",
                )
            if old.family_size != new.family_size:
                changes.add(FAMILY_SIZES, f"{who} {old.family_size} → {new.family_size}")
        stored = members_by_household.get(old.id, {}) if old is not None else {}
        if old is None or not stored:
            continue  # a new household's members are new with it
        listed = members_in_file.get(new.number or new.head_id, [])
        for m in listed:
            before = stored.get(m.id_number)
            if before is None:
                changes.add(MEMBERS_ADDED, f"{who} {m.name}")
            elif m.status != before.status and m.status == MEMBER_DECEASED:
                changes.add(MEMBERS_DECEASED, f"{who} {m.name}")
            elif m.status != before.status and m.status == MEMBER_MOVED_OUT:
                changes.add(MEMBERS_MOVED_OUT, f"{who} {m.name}")
        ids = {m.id_number for m in listed}
        for number, before in stored.items():
            if number not in ids:
                changes.add(MEMBERS_REMOVED, f"{who} {before.name}")
    for old in leaving:
        changes.add(LEFT_HOUSEHOLDS, f"{old.head_name} ({old.household_number or old.id_number})")
    return changes
