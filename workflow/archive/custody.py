"""专人保管 (§七.1): each village's and township's archive has a named custodian, set by the
township's leader; every change is a new row and an audit event."""

from __future__ import annotations

import sqlalchemy as sa

from workflow.models import ArchiveCustodian, Role, Township, User, Village
from workflow.people.access import require_role
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, ValidationFailed
from workflow.platform.i18n import _


def set_custodian(
    township: Township, village: Village | None, custodian: User, actor: User
) -> ArchiveCustodian:
    """The township leader names who keeps the archive of the township or one of its villages."""
    require_role(actor, Role.TOWNSHIP_LEADER)
    if actor.township_id != township.id:
        raise AccessDenied(_("This archive is not in your area."))
    if village is not None and village.township_id != township.id:
        raise ValidationFailed({"village": _("The village is not in this township.")})
    if not custodian.is_active or custodian.township_id != township.id:
        raise ValidationFailed(
            {"custodian": _("The custodian must be an active user of this township.")}
        )
    before = current_custodian(township.id, village.id if village else None)
    row = ArchiveCustodian(
        township_id=township.id,
        village_id=village.id if village else None,
        custodian_id=custodian.id,
        custodian_name=custodian.display_name,
        set_by_id=actor.id,
        set_at=clock.now(),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor,
        "archive.custodian",
        "village" if village else "township",
        village.id if village else township.id,
        before={"custodian": before.custodian_name} if before else None,
        after={"custodian": custodian.display_name},
    )
    return row


def current_custodian(township_id: int, village_id: int | None) -> ArchiveCustodian | None:
    """Who keeps the archive now (the latest one named), if anyone was named."""
    return db.session.scalar(
        sa.select(ArchiveCustodian)
        .where(
            ArchiveCustodian.township_id == township_id,
            ArchiveCustodian.village_id.is_(None)
            if village_id is None
            else ArchiveCustodian.village_id == village_id,
        )
        .order_by(ArchiveCustodian.id.desc())
        .limit(1)
    )


def custodians_of(township: Township) -> list[tuple[Village | None, ArchiveCustodian | None]]:
    """Each archive of a township (its own first, then its villages') with its custodian now."""
    units: list[Village | None] = [None, *sorted(township.villages, key=lambda v: v.code)]
    return [(v, current_custodian(township.id, v.id if v else None)) for v in units]


def custodian_candidates(township: Township) -> list[User]:
    """Who may keep an archive of the township: its active users (its villages' clerks too)."""
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.township_id == township.id, User.is_active.is_(True))
            .order_by(User.role, User.username)
        )
    )


def may_name_custodians(actor: User, township: Township | None) -> bool:
    """Whether the actor names the custodians of this township's archives (its leader)."""
    return (
        township is not None
        and actor.is_active
        and actor.role == Role.TOWNSHIP_LEADER
        and actor.township_id == township.id
    )


def name_custodian(actor: User, village_id: str, username: str) -> ArchiveCustodian:
    """The archive page's form: the township leader names, for her township's own archive
    (no village) or one of its villages' (by id), the user (by login name) who keeps it."""
    require_role(actor, Role.TOWNSHIP_LEADER)
    township = db.session.get(Township, actor.township_id)
    village = None
    if village_id.strip():
        ident = village_id.strip()
        village = (
            db.session.get(Village, int(ident)) if ident.isdigit() and len(ident) < 10 else None
        )
        if village is None:
            raise ValidationFailed({"village": _("The village is not in this township.")})
    keeper = db.session.scalar(sa.select(User).where(User.username == username.strip()))
    if keeper is None:
        raise ValidationFailed({"custodian": _("Choose who keeps the archive.")})
    return set_custodian(township, village, keeper, actor)
