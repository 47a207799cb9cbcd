"""A user's in-app notices: the latest ones, how many are unread, and marking them read."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from notifications.models import Notice
from workflow.models import User
from workflow.platform import clock
from workflow.platform.db import db

SHOWN = 200  # the list shows this many of the newest notices


def latest_notices(user: User, limit: int = SHOWN) -> list[Notice]:
    """The user's own notices, newest first."""
    return list(
        db.session.scalars(
            sa.select(Notice)
            .where(Notice.user_id == user.id)
            .order_by(Notice.created_at.desc())
            .limit(limit)
        )
    )


def unread_count(user: User) -> int:
    """How many of the user's notices she has not read yet."""
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notice)
            .where(Notice.user_id == user.id, Notice.read_at.is_(None))
        )
        or 0
    )


def mark_read(user: User, notices: Sequence[Notice]) -> list[Notice]:
    """Mark the user's unread notices among these as read now (flushes; someone else's notices
    are left alone); returns the ones newly read."""
    now = clock.now()
    newly = [n for n in notices if n.user_id == user.id and n.read_at is None]
    for notice in newly:
        notice.read_at = now
    db.session.flush()
    return newly
