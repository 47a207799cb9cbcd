"""Sessions the server can end: every session carries the user's session generation.

The browser's signed cookie holds `user id:generation` (Flask-Login's user id). Each request
loads the user and accepts the session only while her generation is still that number and she
is active. Logging out, a new password (her own change or the administrator's reset),
deactivation and "log out everywhere" raise the generation, so every cookie issued before (on
any device, saved or stolen) stops working at once, with no session table to keep or clean.
"""

from __future__ import annotations

import sqlalchemy as sa

from workflow.models import LoginAttempt, User
from workflow.platform import audit
from workflow.platform.db import db

RECENT_SIGN_INS = 10


def user_of_session(session_id: str) -> User | None:
    """The user a session id names, if that session has not been ended."""
    user_part, _colon, generation = session_id.partition(":")
    if not (user_part.isascii() and user_part.isdigit() and len(user_part) <= 10):
        return None
    if not (generation.isascii() and generation.isdigit()):
        return None
    user = db.session.get(User, int(user_part))
    if user is None or not user.is_active:
        return None
    return user if (user.session_generation or 0) == int(generation) else None


def end_all_sessions(user: User, actor: User) -> None:
    """End every session of the user, the one asking included (she logs in again)."""
    user.end_sessions()
    audit.record(actor, "user.sessions_end", "user", user.id)


def recent_sign_ins(user: User, limit: int = RECENT_SIGN_INS) -> list[LoginAttempt]:
    """The latest logins tried with the user's name, newest first, failed ones included."""
    return list(
        db.session.scalars(
            sa.select(LoginAttempt)
            .where(LoginAttempt.username == user.username)
            .order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc())
            .limit(limit)
        )
    )
