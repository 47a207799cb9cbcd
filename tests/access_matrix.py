"""The harness the page and API access matrices share (tests/integration/test_access.py and
test_api_access.py): the same users, the same two cases, one snapshot of what a request could
change, and one sweep that sends a probe as everyone, compares each answer with the matrix and
checks that a refused POST changed nothing."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa

from tests.factories import department, household_of, open_household_case
from workflow.cases.lifecycle import Subject, open_case
from workflow.models import HelpCase, HumanTask, Round, SubjectKind, TaskState, Village
from workflow.platform.db import db

INSIDERS = (
    "admin",
    "fpb",
    "ldxz",
    "aoyi_zg",
    "aoyi_fzr",
    "buguna_cun",
    "dept_slj",
    "dept_slj_fzr",
)
OUTSIDERS = ("dept_jtj", "qmz_zg", "katelesh_cun")
USERS = INSIDERS + OUTSIDERS
ANONYMOUS = None
EVERYONE = (ANONYMOUS, *USERS)

PLAN = {
    "measure": "铺设入户自来水管道",
    "target_standard": "全天候安全饮水",
    "responsible_person": "张水利",
    "planned_completion": "2018-09-30",
}


def who(name: str | None) -> str:
    return name or "anonymous"


def ready_task(spec_name: str, **where: int) -> int:
    """The id of the READY task of a step, narrowed by HumanTask columns."""
    query = sa.select(HumanTask.id).where(
        HumanTask.spec_name == spec_name, HumanTask.state == TaskState.READY
    )
    for column, value in where.items():
        query = query.where(getattr(HumanTask, column) == value)
    return db.session.scalar(query)


def water_and_road(round_: Round) -> tuple[HelpCase, HelpCase, Village]:
    """The matrices' two cases: 水利局's for a household of 布古纳村, waiting to be planned, and
    交通局's road case for the same village; with the village."""
    water = open_household_case(round_)
    village = household_of("布古纳村").village
    road = open_case(
        round_,
        Subject(SubjectKind.VILLAGE, village.township, village),
        "V-ROAD",
        "通硬化路",
        department("JTJ"),
        None,
        evidence="通硬化路：否",
    )
    return water, road, village


@dataclass(frozen=True)
class Snapshot:
    """Every row a request could change, read fresh from the database. `leave_out` are tables
    that merely being there writes (logging in, using a token); with `login_events` False the
    audit events about users (logins) and the chain's own columns are left out too."""

    leave_out: frozenset[str]
    login_events: bool = True

    def take(self) -> dict[str, list]:
        db.session.rollback()
        db.session.expire_all()
        state = {}
        for table in db.metadata.sorted_tables:
            if table.name in self.leave_out:
                continue
            if table.name == "audit_event" and not self.login_events:
                c = table.c
                query = (
                    sa.select(c.action, c.object_type, c.object_id, c.before, c.after, c.reason)
                    .where(c.object_type != "user")
                    .order_by(c.seq)
                )
            elif table.name == "user_account" and not self.login_events:
                # Logging in or out ends or starts sessions: not a change of the user's data.
                columns = [c for c in table.c if c.name != "session_generation"]
                query = sa.select(*columns).order_by(*table.primary_key.columns)
            else:
                query = sa.select(table).order_by(*table.primary_key.columns)
            state[table.name] = db.session.execute(query).all()
        return state

    def changed(self, before: dict[str, list]) -> list[str]:
        """The tables that differ from `before`."""
        after = self.take()
        return [name for name in before if before[name] != after[name]]


class Probe(Protocol):
    """A row of a matrix: a request and who gets which answer."""

    verdicts: dict[str | None, Any]

    @property
    def method(self) -> str: ...

    def changes_for(self, name: str | None) -> bool: ...


def sweep(
    probe: Probe,
    snapshot: Snapshot,
    answer_of: Callable[[str | None], tuple[Any, Any]],
    names: Collection[str | None] = EVERYONE,
) -> list[str]:
    """Send the probe as everyone but those it lets act (`answer_of(name)` sends it and returns
    what came back and what the matrix expects, in the matrix's terms); return who got a wrong
    answer. Fails at once when a POST answered otherwise changed anything."""
    before = snapshot.take()
    wrong = []
    for name in names:
        if probe.changes_for(name):
            continue
        got, want = answer_of(name)
        if got != want:
            wrong.append(f"{who(name)}: got {got}, expected {want}")
        if probe.method == "POST":
            changed = snapshot.changed(before)
            assert not changed, f"{who(name)}'s {probe.method} changed {changed}"
    return wrong
