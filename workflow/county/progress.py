"""How far an empty county has come in setting itself up: base data → register → standards
catalogue → the round launched, with what each step holds so far."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from workflow.models import (
    CatalogueRecord,
    Department,
    Household,
    Role,
    Round,
    Township,
    User,
    Village,
)
from workflow.people.access import require_role
from workflow.platform.db import db


@dataclass(frozen=True)
class SetupProgress:
    """The counts the set-up checklist shows."""

    townships: int
    villages: int
    poor_villages: int
    departments: int
    people: int
    inactive_people: int
    households: int
    catalogue_versions: int
    rounds: int

    @property
    def base_data_done(self) -> bool:
        return self.townships > 0 and self.villages > 0 and self.departments > 0

    @property
    def register_done(self) -> bool:
        return self.households > 0

    @property
    def round_launched(self) -> bool:
        return self.rounds > 0


def _count(model: type, *where: sa.ColumnElement[bool]) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where)) or 0


def setup_progress(viewer: User) -> SetupProgress:
    """What the county holds so far (the administrator's set-up page)."""
    require_role(viewer, Role.ADMIN)
    return SetupProgress(
        townships=_count(Township),
        villages=_count(Village),
        poor_villages=_count(Village, Village.is_exited_poor),
        departments=_count(Department),
        people=_count(User, User.is_active),
        inactive_people=_count(User, sa.not_(User.is_active)),
        households=_count(Household),
        catalogue_versions=_count(CatalogueRecord),
        rounds=_count(Round),
    )
