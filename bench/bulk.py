"""Bulk data for the scale scenarios: a few cases opened through the domain, then cloned in SQL.

Pushing a million tasks through the engine would take hours, so a scenario opens a handful of
real gap_case cases (its *templates*) and copies their rows: each clone is a process_instance
with its template's serialized state (its own case id written in, so a due clone really runs),
a help_case about another household of the county, routed to another department. PostgreSQL
receives the rows by COPY and builds the states server-side; SQLite by batched executemany.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from itertools import islice
from typing import Any

import sqlalchemy as sa

from workflow.cases.lifecycle import Subject, open_case
from workflow.demo.county import load_demo_county
from workflow.demo.data import build_demo_county
from workflow.models import (
    CaseStatus,
    Department,
    HelpCase,
    Household,
    InstanceStatus,
    ProcessInstance,
    Round,
    SubjectKind,
    Township,
    Village,
)
from workflow.platform import clock
from workflow.platform.db import db

BATCH = 5000
TEMPLATE_INDICATORS = (
    ("H-WATER", "有安全饮水", "SLJ"),
    ("H-HOUSE", "住房安全有保障", "ZJJ"),
    ("H-MED", "基本医疗有保障", "WJW"),
    ("H-EDU", "义务教育有保障", "JYJ"),
)


def seed_county(households: int = 600, year: int = 2018) -> Round:
    """The demo county and a launched-looking round row (no survey processes), committed."""
    load_demo_county(build_demo_county(households=households))
    round_ = Round(
        year=year,
        standard_version=str(year),
        exit_year_from=2014,
        exit_year_to=year - 1,
        survey_due=date(year, 7, 13),
        results_due=date(year, 10, 15),
        done_by=date(year, 12, 31),
        launched_at=clock.now(),
    )
    db.session.add(round_)
    db.session.commit()
    return round_


def open_templates(round_: Round, dues: Sequence[date]) -> list[HelpCase]:
    """One real household case per deadline, through the domain (open_case), committed."""
    homes = db.session.scalars(sa.select(Household).order_by(Household.id).limit(len(dues))).all()
    departments = {d.code: d for d in db.session.scalars(sa.select(Department))}
    templates = []
    for n, (due, home) in enumerate(zip(dues, homes, strict=True)):
        code, label, dept = TEMPLATE_INDICATORS[n % len(TEMPLATE_INDICATORS)]
        subject = Subject(SubjectKind.HOUSEHOLD, home.village.township, home.village, home)
        department = departments.get(dept) or next(iter(departments.values()))
        case = open_case(round_, subject, code, label, department, None, due=due)
        templates.append(case)
    db.session.commit()
    return templates


@dataclass(frozen=True)
class Home:
    """Where a cloned case's household lives (ids only: the clone loops need no ORM objects)."""

    id: int
    village_id: int
    township_id: int
    label: str


def county_homes() -> list[Home]:
    """Every household of the county with its village and township ids."""
    rows = db.session.execute(
        sa.select(
            Household.id,
            Household.village_id,
            Village.township_id,
            Household.head_name,
            Household.id_number,
        ).join(Village)
    )
    return [Home(i, v, t, f"{name} ({idn})") for i, v, t, name, idn in rows]


def department_ids() -> list[int]:
    """Every department's id, in code order."""
    return list(db.session.scalars(sa.select(Department.id).order_by(Department.code)))


def township_ids() -> list[int]:
    """Every township's id, in code order."""
    return list(db.session.scalars(sa.select(Township.id).order_by(Township.code)))


@dataclass(frozen=True)
class Clone:
    """One cloned case: its ids, the template it copies, and what differs from the template."""

    n: int
    case_id: int
    instance_id: int
    template: HelpCase
    home: Home
    department_id: int
    status: CaseStatus


def next_id(table: sa.Table) -> int:
    """One past the table's largest id."""
    return (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1


def plan_clones(
    templates: Sequence[HelpCase], count: int, status_of: Callable[[int], CaseStatus]
) -> list[Clone]:
    """The clones to insert: templates, households and departments spread evenly over them."""
    homes, depts = county_homes(), department_ids()
    case0, inst0 = next_id(HelpCase.__table__), next_id(ProcessInstance.__table__)
    return [
        Clone(
            n,
            case0 + n,
            inst0 + n,
            templates[n % len(templates)],
            homes[(n * 7919) % len(homes)],
            depts[(n * 31) % len(depts)],
            status_of(n),
        )
        for n in range(count)
    ]


def insert_clones(clones: Sequence[Clone]) -> None:
    """Insert the clones' process_instance and help_case rows (committed)."""
    now = clock.now()
    instances = [_instance_row(c, now) for c in clones]  # no query may run inside a COPY
    if _is_postgresql():
        _copy_instances(instances)
    else:
        states = {c.template.instance_id: _template_state(c.template) for c in clones[:1000]}
        for batch in _batches(instances):
            for row in batch:
                template = row.pop("template")
                if template.instance_id not in states:
                    states[template.instance_id] = _template_state(template)
                row["state"] = _with_case_id(states[template.instance_id], template, row)
            db.session.execute(sa.insert(ProcessInstance.__table__), batch)
    insert_rows(HelpCase.__table__, (_case_row(c, now) for c in clones))
    db.session.commit()


def _instance_row(c: Clone, now: datetime) -> dict[str, Any]:
    template_instance = db.session.get(ProcessInstance, c.template.instance_id)
    running = c.status not in (CaseStatus.CLOSED, CaseStatus.CARRIED_OVER)
    return {
        "id": c.instance_id,
        "template": c.template,
        "case_id": c.case_id,
        "process_id": template_instance.process_id,
        "spec_id": template_instance.spec_id,
        "version": 1,
        "status": InstanceStatus.RUNNING if running else InstanceStatus.COMPLETED,
        "next_timer_due": template_instance.next_timer_due if running else None,
        "round_id": c.template.round_id,
        "township_id": c.home.township_id,
        "village_id": c.home.village_id,
        "department_id": c.department_id,
        "subject": f"{c.template.indicator_label}: {c.home.label}"[:200],
        "created_at": now,
        "updated_at": now,
    }


def _case_row(c: Clone, now: datetime) -> dict[str, Any]:
    t = c.template
    closed = c.status == CaseStatus.CLOSED
    return {
        "id": c.case_id,
        "round_id": t.round_id,
        "subject_kind": SubjectKind.HOUSEHOLD,
        "household_id": c.home.id,
        "village_id": c.home.village_id,
        "township_id": c.home.township_id,
        "indicator_code": t.indicator_code,
        "indicator_label": t.indicator_label,
        "evidence": t.evidence,
        "department_id": c.department_id,
        "due_at": t.due_at,
        "status": c.status,
        "measure": "" if c.status == CaseStatus.PLANNING else "按标准落实",
        "target_standard": "" if c.status == CaseStatus.PLANNING else t.indicator_label,
        "responsible_person": "" if c.status == CaseStatus.PLANNING else "责任人",
        "funds_spent": 0,
        "escalation_level": -1,
        "verified_at": t.due_at if closed else None,
        "closed_at": t.due_at if closed else None,
        "instance_id": c.instance_id,
        "opened_at": now,
    }


def _template_state(template: HelpCase) -> str:
    return db.session.get(ProcessInstance, template.instance_id).state


def _case_marker(case_id: int) -> str:
    # The serializer writes compact JSON: `"case_id":17,` (case_id is the data's first key).
    return f'"case_id":{case_id},'


def _with_case_id(state: str, template: HelpCase, row: dict[str, Any]) -> str:
    marker = _case_marker(template.id)
    if marker not in state:
        raise ValueError(f"template instance {template.instance_id} does not name its case")
    return state.replace(marker, _case_marker(row["case_id"]))


def _copy_instances(rows: Iterable[dict[str, Any]]) -> None:
    """PostgreSQL: COPY the small columns, then build every state from its template in SQL."""
    db.session.execute(
        sa.text(
            "CREATE TEMP TABLE clone_map (id int, template_id int, template_case int, case_id int,"
            " process_id varchar(80), spec_id int, status varchar(32), next_timer_due timestamp,"
            " round_id int, township_id int, village_id int, department_id int,"
            " subject varchar(200), created_at timestamp) ON COMMIT DROP"
        )
    )
    columns = ["id", "template_id", "template_case", "case_id", "process_id", "spec_id"]
    columns += ["status", "next_timer_due", "round_id", "township_id", "village_id"]
    columns += ["department_id", "subject", "created_at"]

    def flat(row: dict[str, Any]) -> dict[str, Any]:
        template = row["template"]
        return {**row, "template_id": template.instance_id, "template_case": template.id}

    _copy("clone_map", columns, (flat(r) for r in rows))
    db.session.execute(
        sa.text(
            "INSERT INTO process_instance (id, process_id, spec_id, state, version, status,"
            " next_timer_due, round_id, township_id, village_id, department_id, subject,"
            " created_at, updated_at)"
            " SELECT m.id, m.process_id, m.spec_id,"
            " replace(t.state, '\"case_id\":' || m.template_case || ',',"
            "   '\"case_id\":' || m.case_id || ','),"
            " 1, m.status, m.next_timer_due, m.round_id, m.township_id, m.village_id,"
            " m.department_id, m.subject, m.created_at, m.created_at"
            " FROM clone_map m JOIN process_instance t ON t.id = m.template_id"
        )
    )


def insert_rows(table: sa.Table, rows: Iterable[dict[str, Any]]) -> None:
    """Insert many rows into a table: COPY on PostgreSQL, batched executemany on SQLite."""
    if _is_postgresql():
        rows = iter(rows)
        first = next(rows, None)
        if first is not None:
            _copy(table.name, list(first), _chain_one(first, rows))
        return
    for batch in _batches(rows):
        db.session.execute(sa.insert(table), batch)


def _chain_one(first: dict[str, Any], rest: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield first
    yield from rest


def _copy(table: str, columns: list[str], rows: Iterable[dict[str, Any]]) -> None:
    cursor = db.session.connection().connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([_plain(row[c]) for c in columns])


def _plain(value: Any) -> Any:
    """What COPY writes: enum values as their strings, moments as naive UTC like UTCDateTime."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _batches(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    rows = iter(rows)
    while batch := list(islice(rows, BATCH)):
        yield batch


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def finish_bulk_load() -> None:
    """Move PostgreSQL's id sequences past the copied ids; refresh the planner's statistics."""
    if not _is_postgresql():
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        return
    for (table,) in db.session.execute(
        sa.text(
            "SELECT table_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND column_name = 'id'"
            " AND column_default LIKE 'nextval%'"
        )
    ):
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" GREATEST((SELECT max(id) FROM {table}), 1))"
            )
        )
    db.session.commit()
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
