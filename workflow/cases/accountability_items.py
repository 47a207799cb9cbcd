"""Opening an accountability item (追责问责 §七) for a case that reached the last escalation level;
the leading group's decisions and the report it inspects are oversight's
(`workflow/oversight/accountability.py`)."""

from __future__ import annotations

import sqlalchemy as sa

from workflow.models import AccountabilityItem, HelpCase
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.i18n import _


def open_item(case: HelpCase) -> AccountabilityItem:
    """Open the item for a case that reached level 3 (once per case)."""
    existing = db.session.scalar(
        sa.select(AccountabilityItem).where(AccountabilityItem.case_id == case.id)
    )
    if existing is not None:
        return existing
    days = clock.days_between(case.due_at, clock.now())
    item = AccountabilityItem(
        round_id=case.round_id,
        case_id=case.id,
        department_id=case.department_id,
        township_id=case.township_id,
        opened_at=clock.now(),
        grounds=_(
            "“%(indicator)s” (%(subject)s), handled by %(department)s, is still not done "
            "%(days)s days after its deadline.",
            department=case.department.name,
            indicator=case.indicator_label,
            subject=case.subject_label,
            days=days,
        ),
    )
    db.session.add(item)
    db.session.flush()
    audit.record(
        None,
        "accountability.open",
        "accountability_item",
        item.id,
        after={"case": case.id, "days_overdue": days},
    )
    return item
