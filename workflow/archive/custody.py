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
