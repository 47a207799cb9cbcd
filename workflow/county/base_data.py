"""Load the county's base data (townships, villages, departments, people) from its workbook:
all or nothing; a second load updates by division code, department code and username, keeps
renames in the audit log and deactivates (never deletes) the people the new file leaves out."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from workflow.county.book_checks import (
    CountyData,
    DepartmentEntry,
    Known,
    PersonEntry,
    TownshipEntry,
    VillageEntry,
    check_book,
)
from workflow.county.book_reader import RawBook, read_book
from workflow.county.setup import the_county
from workflow.forms.reader import summarize_errors
from workflow.models import AuditEvent, Department, Role, Township, User, Village
from workflow.people.access import require_role
from workflow.people.passwords import first_password
from workflow.platform import audit
from workflow.platform.db import db
from workflow.platform.errors import ImportRefused, Refused
from workflow.platform.i18n import _

RECORD_KINDS = {
    "township": "Townships",
    "village": "Villages",
    "department": "Departments",
    "user": "People",
}
RENAMES = ("township.rename", "village.rename", "department.rename", "user.rename")


@dataclass(frozen=True)
class FirstPassword:
    """A new person's first password, shown once (page) or printed once (command)."""

    username: str
    name: str
    password: str


@dataclass
class LoadReport:
    """What a load changed: per kind, how many were created, updated and renamed."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    renamed: dict[str, int] = field(default_factory=dict)
    deactivated: list[str] = field(default_factory=list)
    first_passwords: list[FirstPassword] = field(default_factory=list)
    pending: list[tuple[str, Any, dict[str, Any]]] = field(default_factory=list, repr=False)

    def count(self, table: dict[str, int], kind: str) -> None:
        table[kind] = table.get(kind, 0) + 1

    def summary(self) -> list[str]:
        """What the load changed, one line per kind of record, in Chinese."""
        lines = [
            _(
                "%(kind)s: %(created)s new, %(renamed)s renamed, %(updated)s changed otherwise.",
                kind=_(RECORD_KINDS[kind]),
                created=self.created.get(kind, 0),
                renamed=self.renamed.get(kind, 0),
                updated=self.updated.get(kind, 0),
            )
            for kind in RECORD_KINDS
        ]
        if self.deactivated:
            lines.append(
                _("Deactivated (not in the file): %(names)s", names=", ".join(self.deactivated))
            )
        return lines


def known_base_data() -> Known:
    """What the county already holds, for the workbook's references to resolve against."""
    townships = dict(db.session.execute(sa.select(Township.code, Township.name)).all())
    villages = {
        code: (name, township)
        for code, name, township in db.session.execute(
            sa.select(Village.code, Village.name, Township.code).join(Township)
        )
    }
    departments = dict(db.session.execute(sa.select(Department.code, Department.name)).all())
    return Known(townships, villages, departments)


def read_base_data(data: bytes | RawBook) -> CountyData:
    """Read and check a base-data workbook (or one already read) against the county (nothing
    is changed)."""
    county = the_county()
    if county is None:
        raise Refused(_("There is no county yet: run huitou init first."))
    raw = data if isinstance(data, RawBook) else read_book(data)
    return check_book(raw, county.code, county.name, known_base_data())


def load_base_data(
    data: bytes | RawBook, actor: User | None, *, shared_password: str | None = None
) -> LoadReport:
    """Load a base-data workbook, all or nothing (the administrator; None: `huitou init`).

    New people get a random first password each, to change at first login; a demo passes
    `shared_password` instead (one hash for all: scrypt is slow on purpose)."""
    if actor is not None:
        require_role(actor, Role.ADMIN)
    book = read_base_data(data)
    if book.errors:
        raise ImportRefused(summarize_errors(book.errors, at_least=8))
    report = LoadReport()
    _store_departments(book.departments, actor, report)
    townships = _store_townships(book.townships, actor, report)
    _store_villages(book.villages, townships, actor, report)
    _store_people(book.people, actor, report, shared_password)
    county = the_county()
    audit.record(
        actor,
        "county.base_data",
        "county",
        county.id,
        after={
            "created": report.created,
            "updated": report.updated,
            "renamed": report.renamed,
            "deactivated": report.deactivated,
        },
    )
    return report


def _changes(obj: Any, wanted: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Apply wanted attribute values; return (before, after) of the ones that changed."""
    before, after = {}, {}
    for name, value in wanted.items():
        if getattr(obj, name) != value:
            before[name], after[name] = getattr(obj, name), value
            setattr(obj, name, value)
    return before, after


def _upsert(
    kind: str, existing: Any, make: Any, wanted: dict[str, Any], actor: User | None, report: Any
) -> Any:
    """Create a row or update it; audit the creation, the rename and any other change."""
    if existing is None:
        obj = make(**wanted)
        db.session.add(obj)
        report.pending.append((kind, obj, wanted))
        report.count(report.created, kind)
        return obj
    before, after = _changes(existing, wanted)
    if "name" in after:
        audit.record(
            actor,
            f"{kind}.rename",
            kind,
            existing.id,
            before={"name": before.pop("name")},
            after={"name": after.pop("name")},
        )
        report.count(report.renamed, kind)
    if after:
        audit.record(actor, f"{kind}.update", kind, existing.id, before=before, after=after)
        report.count(report.updated, kind)
    return existing


def _record_created(actor: User | None, report: LoadReport) -> None:
    """Audit the rows created since the last call (one flush for all of them gives their ids)."""
    db.session.flush()
    for kind, obj, wanted in report.pending:
        audit.record(actor, f"{kind}.create", kind, obj.id, after=wanted)
    report.pending.clear()


def _by_code(model: Any) -> dict[str, Any]:
    return {row.code: row for row in db.session.scalars(sa.select(model))}


def _store_departments(entries: list[DepartmentEntry], actor: User | None, report: Any) -> None:
    existing = _by_code(Department)
    for e in entries:
        wanted = {"code": e.code, "name": e.name, "clause": e.clause}
        _upsert("department", existing.get(e.code), Department, wanted, actor, report)
    _record_created(actor, report)


def _store_townships(
    entries: list[TownshipEntry], actor: User | None, report: Any
) -> dict[str, Township]:
    existing = _by_code(Township)
    county = the_county()
    for e in entries:
        wanted = {"code": e.code, "name": e.name, "county_id": county.id}
        existing[e.code] = _upsert(
            "township", existing.get(e.code), Township, wanted, actor, report
        )
    return existing


def _store_villages(
    entries: list[VillageEntry], townships: dict[str, Township], actor: User | None, report: Any
) -> None:
    existing = _by_code(Village)
    for e in entries:
        wanted = {
            "code": e.code,
            "name": e.name,
            "township_id": townships[e.township_code].id,
            "is_exited_poor": e.is_poor,
            "exit_year": e.exit_year,
        }
        _upsert("village", existing.get(e.code), Village, wanted, actor, report)
    _record_created(actor, report)


class _Units:
    """The ids of the county's units by code, read once."""

    def __init__(self) -> None:
        self.villages = {
            code: (vid, tid)
            for code, vid, tid in db.session.execute(
                sa.select(Village.code, Village.id, Village.township_id)
            )
        }
        self.townships = dict(db.session.execute(sa.select(Township.code, Township.id)).all())
        self.departments = dict(db.session.execute(sa.select(Department.code, Department.id)).all())

    def scope(self, entry: PersonEntry) -> dict[str, int | None]:
        """The scope columns of a person's role and unit."""
        scope: dict[str, int | None] = {
            "township_id": None,
            "village_id": None,
            "department_id": None,
        }
        kind = entry.role.scope_kind
        if kind == "village":
            scope["village_id"], scope["township_id"] = self.villages[entry.unit_code]
        elif kind == "township":
            scope["township_id"] = self.townships[entry.unit_code]
        elif kind == "department":
            scope["department_id"] = self.departments[entry.unit_code]
        return scope


@functools.lru_cache(maxsize=1)
def _shared_hash(password: str) -> str:
    # scrypt is slow on purpose; the demo (and every test county) loads with one shared password.
    template = User(username="-", display_name="-", role=Role.ADMIN)
    template.set_password(password)
    return template.password_hash


def _store_people(
    entries: list[PersonEntry], actor: User | None, report: LoadReport, shared: str | None
) -> None:
    existing = {u.username.lower(): u for u in db.session.scalars(sa.select(User))}
    units = _Units()
    shared_hash = _shared_hash(shared) if shared is not None else None
    for e in entries:
        wanted = {
            "display_name": e.name,
            "role": e.role,
            "email": e.email,
            "phone": e.phone,
            **({"language": e.language} if e.language else {}),
            "is_active": True,
            **units.scope(e),
        }
        user = existing.pop(e.username.lower(), None)
        if user is None:
            user = User(username=e.username, **wanted)
            if shared_hash is not None:
                user.password_hash = shared_hash
            else:
                password = first_password()
                user.set_password(password)
                user.must_change_password = True
                report.first_passwords.append(FirstPassword(e.username, e.name, password))
            db.session.add(user)
            report.pending.append(("user", user, _shown(e.username, wanted)))
            report.count(report.created, "user")
            continue
        before, after = _changes(user, wanted)
        if "display_name" in after:
            audit.record(
                actor,
                "user.rename",
                "user",
                user.id,
                before={"name": before.pop("display_name")},
                after={"name": after.pop("display_name")},
            )
            report.count(report.renamed, "user")
        if after:
            audit.record(actor, "user.update", "user", user.id, before=before, after=after)
            report.count(report.updated, "user")
    _record_created(actor, report)
    for user in existing.values():  # left out of the new file: deactivated, never deleted
        if user.is_active and (actor is None or user.id != actor.id):
            user.is_active = False
            audit.record(actor, "user.deactivate", "user", user.id)
            report.deactivated.append(user.username)


def _shown(username: str, wanted: dict[str, Any]) -> dict[str, Any]:
    """A new person as the audit log records her (never her password)."""
    return {"username": username, **{k: str(v) for k, v in wanted.items() if v is not None}}


@dataclass(frozen=True)
class Rename:
    """A township, village, department or person renamed by a load (from the audit log)."""

    at: datetime
    kind: str
    before: str
    after: str
    actor_name: str


def rename_history(limit: int = 50) -> list[Rename]:
    """The latest renames of townships, villages, departments and people (newest first)."""
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action.in_(RENAMES))
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return [
        Rename(
            e.at,
            e.object_type,
            (json.loads(e.before) or {}).get("name", ""),
            (json.loads(e.after) or {}).get("name", ""),
            e.actor_name,
        )
        for e in events
    ]
