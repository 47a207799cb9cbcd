"""The in-app notification list."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, render_template
from flask_login import current_user, login_required

from notifications import notices
from web.handling import acting_user, domain_view

bp = Blueprint("notices", __name__, url_prefix="/notices")


@bp.get("")
@login_required
@domain_view
def index() -> str:
    """The user's notices, newest first; opening the list marks them read."""
    user = acting_user()
    rows = notices.latest_notices(user)
    unread_ids = {n.id for n in rows if n.read_at is None}
    page = render_template("notices/index.html", notices=rows, unread_ids=unread_ids)
    notices.mark_read(user, rows)
    return page


def init_app(app: Flask) -> None:
    """Show the unread count in every page's navigation."""

    @app.context_processor
    def unread_count() -> dict[str, Any]:
        if not current_user.is_authenticated:
            return {"unread_notices": 0}
        return {"unread_notices": notices.unread_count(acting_user())}
