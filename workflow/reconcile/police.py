"""Load the police register extract (公安户籍): all or nothing, every problem by cell; each load
kept with who loaded it and when, its original in the blob store. The newest is compared."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from workflow.county.setup import the_county
from workflow.forms.police_book import read_police
from workflow.forms.reader import summarize_errors
from workflow.models import PoliceExtract, PoliceMember, Role, User
from workflow.people.access import COUNTY_WIDE_READERS, require_role
from workflow.platform import audit, blobs, clock
from workflow.platform.db import db
from workflow.platform.errors import NotFound
from workflow.platform.i18n import _

_CHUNK = 5000
LOADERS = (Role.ADMIN, Role.COUNTY_OFFICE)


@dataclass
class PoliceLoad:
    """The outcome of a load: every problem (nothing stored), or the extract stored."""

    problems: list[str] = field(default_factory=list)
    extract: PoliceExtract | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def load_police(data: bytes, user: User, file_name: str = "") -> PoliceLoad:
    """Read a police extract and store it as the county's newest. Flushes, never commits."""
    require_role(user, *LOADERS)
    county = the_county()
    if county is None:
        raise NotFound(_("There is no county yet."))
    book = read_police(data)
    if book.errors:
        return PoliceLoad(problems=summarize_errors(book.errors))
    number = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(PoliceExtract.number), 0)))
    extract = PoliceExtract(
        county_id=county.id,
        number=number + 1,
        loaded_by_id=user.id,
        loaded_by_name=user.display_name or user.username,
        loaded_at=clock.now(),
        file_name=file_name[:200],
        sha256=blobs.put(data),
        households=book.households,
        people=len(book.people),
    )
    db.session.add(extract)
    db.session.flush()
    insert = PoliceMember.__table__.insert()
    people = book.people
    for start in range(0, len(people), _CHUNK):
        db.session.execute(
            insert,
            [
                {
                    "extract_id": extract.id,
                    "household_number": p.household,
                    "name": p.name,
                    "id_number": p.id_number,
                    "relation": p.relation,
                    "birth_date": p.birth_date,
                    "status": p.status,
                    "changed_on": p.changed_on,
                }
                for p in people[start : start + _CHUNK]
            ],
        )
    audit.record(
        user,
        "police.load",
        "police_extract",
        extract.id,
        after={"number": extract.number, "households": extract.households, "people": len(people)},
    )
    return PoliceLoad(extract=extract)


def require_loader(user: User) -> None:
    """Refuse unless the user may load an extract and run the reconciliation."""
    require_role(user, *LOADERS)


def police_extracts(user: User) -> list[PoliceExtract]:
    """Every extract loaded, newest first (the county-wide readers only)."""
    require_role(user, *COUNTY_WIDE_READERS)
    return list(db.session.scalars(sa.select(PoliceExtract).order_by(PoliceExtract.id.desc())))


def newest_extract() -> PoliceExtract | None:
    """The extract a reconciliation compares: the newest loaded."""
    return db.session.scalars(sa.select(PoliceExtract).order_by(PoliceExtract.id.desc())).first()
