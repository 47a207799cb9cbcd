"""The programme's line of rounds, 2018 to 2020 (§四): the rounds the plan calls for — July
2018's look-back, the year-end look-backs of 2018 and 2019, the final one of 2020 — and every
round launched or planned besides, in the calendar's order; a round the plan calls for that is
not launched yet shows with the plan's default dates."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.models import Round, RoundKind
from workflow.programme.rounds import KIND_ORDER, Deadlines, in_calendar_order

# §四.1, §四.2 (2018 and 2019, each year's end), §四.3 (by the end of 2020).
PLANNED_BY_THE_SEED = (
    (2018, RoundKind.MID),
    (2018, RoundKind.END),
    (2019, RoundKind.END),
    (2020, RoundKind.FINAL),
)


@dataclass(frozen=True)
class Slot:
    """One place on the line: a round (launched, or planned by a carry-over), or one the plan
    calls for that nobody has launched yet (`round` None, the plan's default dates)."""

    year: int
    kind: RoundKind
    round: Round | None
    deadlines: Deadlines

    @property
    def name(self) -> str:
        """The round's name: 2018-mid, 2019-end, 2020-final."""
        return f"{self.year}-{self.kind.value}"


def programme_line() -> list[Slot]:
    """Every round there is and every round the plan still calls for, in the calendar's order."""
    slots = {
        (r.year, r.kind): Slot(r.year, r.kind, r, Deadlines(r.survey_due, r.results_due, r.done_by))
        for r in in_calendar_order()
    }
    for year, kind in PLANNED_BY_THE_SEED:
        if (year, kind) not in slots:
            slots[year, kind] = Slot(year, kind, None, Deadlines.defaults(year, kind))
    return sorted(slots.values(), key=lambda s: (s.year, KIND_ORDER[s.kind]))
