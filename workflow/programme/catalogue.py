"""The standards catalogue in force for a year: packaged defaults, versions loaded by the admin."""

from __future__ import annotations

import functools
import json
from typing import Any

import sqlalchemy as sa

from workflow.models import CatalogueRecord, Role, User
from workflow.people.access import require_role
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.errors import ValidationFailed
from workflow.programme.standards import Standard
from workflow.programme.standards_document import (
    CatalogueError,
    load_standard,
    parse_standard,
    standard_to_dict,
)


def _latest(year: int) -> CatalogueRecord | None:
    return db.session.scalar(
        sa.select(CatalogueRecord)
        .where(CatalogueRecord.year == year)
        .order_by(CatalogueRecord.version.desc())
        .limit(1)
    )


def catalogue_record(year: int) -> CatalogueRecord:
    """The catalogue row in force for a year, storing the packaged default on first use."""
    record = _latest(year)
    if record is None:
        standard = load_standard(year)
        record = CatalogueRecord(
            year=year,
            version=1,
            loaded_at=clock.now(),
            document=json.dumps(standard_to_dict(standard), ensure_ascii=False),
        )
        db.session.add(record)
        db.session.flush()
        audit.record(None, "catalogue.default", "catalogue", record.id, after={"year": year})
    return record


def catalogue_in_force(year: int) -> tuple[CatalogueRecord | None, Standard]:
    """The year's stored catalogue (None while the packaged default is in force) and its
    Standard, without storing anything: for reading."""
    record = _latest(year)
    return record, standard_of(record) if record else load_standard(year)


def standard_of(record: CatalogueRecord) -> Standard:
    """The Standard a stored catalogue row describes."""
    return _standard_of_document(record.document)


@functools.lru_cache(maxsize=8)
def _standard_of_document(document: str) -> Standard:
    """A stored catalogue parsed once per process (every upload of a round reads it; a Standard
    is immutable, and a new version is a new document)."""
    return parse_standard(json.loads(document))


def standard_for_year(year: int) -> Standard:
    """The standard in force for a year."""
    return standard_of(catalogue_record(year))


def load_catalogue(document: dict[str, Any], actor: User) -> CatalogueRecord:
    """Check an administrator's catalogue document and store it as the year's next version."""
    require_role(actor, Role.ADMIN, Role.COUNTY_OFFICE)
    try:
        standard = parse_standard(document)
    except CatalogueError as exc:
        raise ValidationFailed(exc.problems) from exc
    previous = _latest(standard.year)
    version = (previous.version + 1) if previous else 1
    record = CatalogueRecord(
        year=standard.year,
        version=version,
        loaded_at=clock.now(),
        loaded_by_id=actor.id,
        document=json.dumps(standard_to_dict(standard), ensure_ascii=False),
    )
    db.session.add(record)
    db.session.flush()
    audit.record(
        actor,
        "catalogue.load",
        "catalogue",
        record.id,
        before=json.loads(previous.document) if previous else None,
        after=json.loads(record.document),
    )
    return record
