"""Load the 建档立卡 register: each load of a year is a version, compared with the register as
stored and applied all or nothing. Households that leave the register are marked, never deleted.

Built for a prefecture's register (100,000 households, 400,000 members): stored rows are read
as tuples into dicts, and households and members are inserted and updated in bulk.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from workflow.county.register_changes import Changes, compare
from workflow.forms.reader import FormError, summarize_errors
from workflow.forms.register_book import read_register
from workflow.forms.register_checks import HouseholdIn, MemberIn, RegisterBook
from workflow.forms.register_layout import HOUSEHOLD_SHEET
from workflow.forms.register_writer import register_template
from workflow.models import (
    Household,
    HouseholdMember,
    RegisterVersion,
    Role,
    Township,
    User,
    Village,
)
from workflow.people.access import require_role
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.i18n import _

_CHUNK = 5000


@dataclass
class RegisterLoad:
    """The outcome of a load: every problem (then nothing stored), or the changes and, unless it
    was a dry run, the version stored."""

    problems: list[str] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)
    version: RegisterVersion | None = None
    households: int = 0
    members: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def load_register(data: bytes, year: int, user: User, *, dry_run: bool = False) -> RegisterLoad:
    """Read a register workbook, compare it with the register as stored and (unless dry_run, or
    any problem) store it as the year's next version. Flushes, never commits."""
    require_role(user, Role.ADMIN, Role.COUNTY_OFFICE)
    book = read_register(data)
    return load_register_book(book, data, year, user, dry_run=dry_run, release_rows=True)


def load_register_book(
    book: RegisterBook,
    data: bytes,
    year: int,
    user: User,
    *,
    dry_run: bool = False,
    release_rows: bool = False,
) -> RegisterLoad:
    """load_register for a workbook already read (the demo reads its own once per process).

    With release_rows, the book's member rows are dropped as they are stored, so that a
    prefecture's rows and the batches sent to the database are never held at once."""
    require_role(user, Role.ADMIN, Role.COUNTY_OFFICE)
    # The county's own checks run on a file with problems too: every problem is listed at once.
    villages = _resolve_villages(book)
    stored = db.session.execute(
        sa.select(
            Household.id,
            Household.household_number,
            Household.id_number,
            Household.head_name,
            Household.family_size,
            Household.exit_year,
            Household.planned_exit_year,
            Household.in_register,
        )
    ).all()
    by_number = {h.household_number: h for h in stored if h.household_number}
    by_id = {h.id_number: h for h in stored}
    matched: list[tuple[HouseholdIn, Any]] = []
    for h in book.households:
        old = by_number.get(h.number) if h.number else None
        holder = by_id.get(h.head_id)
        if old is None:
            old = holder
            if (
                old is not None
                and old.household_number
                and h.number
                and old.household_number != h.number
            ):
                book.errors.append(_duplicate_head(book, h, old))
        elif holder is not None and holder is not old:
            book.errors.append(_duplicate_head(book, h, holder))
        matched.append((h, old))
    if book.errors:
        return RegisterLoad(problems=summarize_errors(book.errors))
    kept = {old.id for _h, old in matched if old is not None}
    leaving = [h for h in stored if h.in_register and h.id not in kept]
    members = db.session.execute(
        sa.select(
            HouseholdMember.id,
            HouseholdMember.household_id,
            HouseholdMember.id_number,
            HouseholdMember.name,
            HouseholdMember.status,
        ).where(HouseholdMember.in_register)
    ).all()
    members_by_household: dict[int, dict[str, Any]] = {}
    for m in members:
        members_by_household.setdefault(m.household_id, {})[m.id_number] = m
    members_in_file: dict[str, list[MemberIn]] = {}
    for m in book.members:
        members_in_file.setdefault(m.household, []).append(m)
    result = RegisterLoad(
        changes=compare(matched, leaving, members_by_household, members_in_file),
        households=len(book.households),
        members=len(book.members),
    )
    del members_in_file, members_by_household  # they hold every member row: free them first
    if dry_run:
        return result
    result.version = _store(
        book, year, user, data, matched, leaving, villages, members, result, release_rows
    )
    return result


def _duplicate_head(book: RegisterBook, h: HouseholdIn, other: Any) -> FormError:
    return FormError(
        HOUSEHOLD_SHEET,
        book.cell(h, "head_id"),
        _(
            "%(number)s is already the head's ID number of household %(other)s in the register.",
            number=h.head_id,
            other=other.household_number or other.id,
        ),
    )


def _resolve_villages(book: RegisterBook) -> list[int]:
    """The village id of every household (by code, or by name within its township, or by a name
    unique in the county); unknown villages are added to book.errors."""
    rows = db.session.execute(
        sa.select(Village.id, Village.code, Village.name, Township.code, Township.name).join(
            Township, Village.township_id == Township.id
        )
    ).all()
    by_code = {r[1]: r[0] for r in rows}
    by_place: dict[tuple[str, str], int] = {}
    by_name: dict[str, list[int]] = {}
    for village_id, _code, name, township_code, township_name in rows:
        by_place[(township_code, name)] = by_place[(township_name, name)] = village_id
        by_name.setdefault(name, []).append(village_id)
    found: list[int] = []
    for h in book.households:
        if not h.village:
            found.append(0)  # already reported as empty
            continue
        village_id = by_code.get(h.village)
        if village_id is None and h.township:
            village_id = by_place.get((h.township, h.village))
        elif village_id is None:
            same = by_name.get(h.village, [])
            village_id = same[0] if len(same) == 1 else None
        if village_id is None:
            where = h.township or _("the county")
            book.errors.append(
                FormError(
                    HOUSEHOLD_SHEET,
                    book.cell(h, "village"),
                    _(
                        "There is no village “%(village)s” in %(where)s.",
                        village=h.village,
                        where=where,
                    ),
                )
            )
        found.append(village_id or 0)
    return found


class _Batches:
    """Rows to insert (Core, no ORM bookkeeping) and to update by primary key, sent in batches
    as they come, so that a prefecture's rows are never all held as dicts at once."""

    def __init__(self, insert: Any, update: Any) -> None:
        self.insert, self.update = insert, update
        self.inserts: list[dict[str, Any]] = []
        self.updates: list[dict[str, Any]] = []

    def add(self, values: dict[str, Any], row_id: int | None) -> None:
        if row_id is None:
            self.inserts.append(values)
        else:
            values["id"] = row_id
            self.updates.append(values)
        if len(self.inserts) + len(self.updates) >= _CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.updates:
            db.session.execute(self.update, self.updates)
        if self.inserts:
            db.session.execute(self.insert, self.inserts)
        self.inserts, self.updates = [], []

    def __enter__(self) -> _Batches:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.flush()


def _household_values(h: HouseholdIn, village_id: int) -> dict[str, Any]:
    return {
        "household_number": h.number or None,
        "id_number": h.head_id,
        "head_name": h.head_name,
        "head_name_ug": h.head_name_ug,
        "village_id": village_id,
        "family_size": h.family_size,
        "exit_year": h.exit_year,
        "planned_exit_year": h.planned_exit_year,
        "attribute": h.attribute,
        "poverty_cause": h.cause,
        "helper_name": h.helper_name,
        "helper_unit": h.helper_unit,
        "phone": h.phone,
        "in_register": True,
        "left_version_id": None,
    }


def _member_values(m: MemberIn, household_id: int) -> dict[str, Any]:
    return {
        "household_id": household_id,
        "name": m.name,
        "id_number": m.id_number,
        "relation": m.relation,
        "sex": m.sex,
        "birth_date": m.birth_date,
        "schooling": m.schooling,
        "health": m.health,
        "labour_skill": m.skill,
        "medical_insurance": m.medical,
        "pension_insurance": m.pension,
        "subsistence": m.subsistence,
        "destitute_support": m.destitute,
        "status": m.status,
        "in_register": True,
    }


def _store(
    book: RegisterBook,
    year: int,
    user: User,
    data: bytes,
    matched: list[tuple[HouseholdIn, Any]],
    leaving: list[Any],
    villages: list[int],
    members: list[Any],
    result: RegisterLoad,
    release_rows: bool,
) -> RegisterVersion:
    """Store the version: households inserted or updated, leavers marked, members replaced."""
    number = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(RegisterVersion.number), 0)).where(
            RegisterVersion.year == year
        )
    )
    version = RegisterVersion(
        year=year,
        number=number + 1,
        loaded_by_id=user.id,
        loaded_at=clock.now(),
        sha256=hashlib.sha256(data).hexdigest(),
        households=len(book.households),
        members=len(book.members),
        changes=json.dumps(result.changes.counts),
    )
    db.session.add(version)
    db.session.flush()
    households = Household.__table__
    with _Batches(households.insert(), sa.update(Household)) as batches:
        for (h, old), village_id in zip(matched, villages, strict=True):
            batches.add(_household_values(h, village_id), None if old is None else old.id)
    leaving_ids = [h.id for h in leaving]
    for start in range(0, len(leaving_ids), _CHUNK):
        db.session.execute(
            sa.update(Household)
            .where(Household.id.in_(leaving_ids[start : start + _CHUNK]))
            .values(in_register=False, left_version_id=version.id)
        )
    household_ids = dict(
        db.session.execute(
            sa.select(Household.id_number, Household.id).where(Household.in_register)
        ).all()
    )
    head_of = {h.number or h.head_id: h.head_id for h in book.households}
    # Every stored member, also those removed from an earlier version: they may come back.
    member_ids = dict(
        db.session.execute(sa.select(HouseholdMember.id_number, HouseholdMember.id)).all()
    )
    listed: set[int] = set()
    rows, position = book.members, 0
    with _Batches(HouseholdMember.__table__.insert(), sa.update(HouseholdMember)) as batches:
        while position < len(rows):
            chunk = rows[position : position + _CHUNK]
            if release_rows:
                del rows[:_CHUNK]  # stored rows go as the batches come
            else:
                position += _CHUNK
            for m in chunk:
                member_id = member_ids.get(m.id_number)
                if member_id is not None:
                    listed.add(member_id)
                batches.add(_member_values(m, household_ids[head_of[m.household]]), member_id)
    gone = [m.id for m in members if m.id not in listed]
    for start in range(0, len(gone), _CHUNK):
        db.session.execute(
            sa.update(HouseholdMember)
            .where(HouseholdMember.id.in_(gone[start : start + _CHUNK]))
            .values(in_register=False)
        )
    audit.record(
        user,
        "register.load",
        "register_version",
        version.id,
        after={"year": year, "number": version.number, **result.changes.counts},
    )
    return version


def register_versions(user: User) -> list[RegisterVersion]:
    """The register's versions, newest first (the county office and the administrator only)."""
    require_role(user, Role.ADMIN, Role.COUNTY_OFFICE)
    return list(
        db.session.scalars(
            sa.select(RegisterVersion).order_by(
                RegisterVersion.year.desc(), RegisterVersion.number.desc()
            )
        )
    )


def register_template_for(user: User) -> bytes:
    """The blank register workbook, for those who load the register."""
    require_role(user, Role.ADMIN, Role.COUNTY_OFFICE)
    return register_template()
