"""The in-app notification list."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask, render_template
from flask_login import current_user, login_required

from notifications.models import Notice
from web.handling import acting_user
from workflow.platform import clock
from workflow.platform.db import db

bp = Blueprint("notices", __name__, url_prefix="/notices")


@bp.get("")
@login_required
def index() -> str:
    """The user's notices, newest first; opening the list marks them read."""
    user = acting_user()
    rows = db.session.scalars(
        sa.select(Notice)
        .where(Notice.user_id == user.id)
        .order_by(Notice.created_at.desc())
        .limit(200)
    ).all()
    unread = [n for n in rows if n.read_at is None]
    page = render_template("notices/index.html", notices=rows, unread_ids={n.id for n in unread})
    for notice in unread:
        notice.read_at = clock.now()
    db.session.commit()
    return page


def init_app(app: Flask) -> None:
    """Show the unread count in every page's navigation."""

    @app.context_processor
    def unread_count() -> dict[str, Any]:
        if not current_user.is_authenticated:
            return {"unread_notices": 0}
        count = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Notice)
            .where(Notice.user_id == current_user.id, Notice.read_at.is_(None))
        )
        return {"unread_notices": count}
