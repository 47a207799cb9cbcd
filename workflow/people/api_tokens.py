"""API tokens: the administrator issues and revokes them; a request presents one to act as its user.

A token is shown once, when it is issued; the database keeps only its SHA-256 and a short prefix
to tell tokens apart, so a copy of the database lets nobody act as anyone.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from workflow.models import ApiToken, Role, User
from workflow.people.access import require_role
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.errors import DomainError, NotFound, Refused, ValidationFailed
from workflow.platform.i18n import _

TOKEN_PREFIX = "ht_"
SHOWN_PREFIX = 10  # "ht_" and 7 characters of the secret: enough to tell tokens apart
# A token's last use is written at most this often, so a busy client does not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenRefused(DomainError):
    """The presented token is unknown, revoked or expired, or its user may no longer log in."""


def token_hash(raw: str) -> str:
    """The SHA-256 of a token, as stored."""
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(
    actor: User, username: str, name: str, expires_on: date | None = None
) -> tuple[ApiToken, str]:
    """Issue a token for a user; returns the row and the token itself (shown once, never stored)."""
    require_role(actor, Role.ADMIN)
    problems: dict[str, str] = {}
    user = db.session.scalar(sa.select(User).where(User.username == username.strip()))
    if not username.strip():
        problems["user"] = _("Choose the user.")
    elif user is None:
        problems["user"] = _("There is no user with that username.")
    elif not user.is_active:
        problems["user"] = _("This login is deactivated; reactivate it first.")
    if not name.strip():
        problems["name"] = _("Say what the token is for.")
    if expires_on is not None and expires_on < clock.today():
        problems["expires_on"] = _("The expiry date cannot be in the past.")
    if problems:
        raise ValidationFailed(problems)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:80],
        prefix=raw[:SHOWN_PREFIX],
        token_hash=token_hash(raw),
        created_at=clock.now(),
        created_by_id=actor.id,
        expires_at=clock.end_of_day(expires_on) if expires_on else None,
    )
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "api_token.issue", "api_token", token.id, after=_snapshot(token, user))
    return token, raw


def _snapshot(token: ApiToken, user: User) -> dict[str, object]:
    return {
        "user": user.username,
        "name": token.name,
        "prefix": token.prefix,
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
    }


def get_token(actor: User, token_id: int) -> ApiToken:
    """A token, for the administrator."""
    require_role(actor, Role.ADMIN)
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(_("The token does not exist."))
    return token


def revoke_token(actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token: from now on it is refused."""
    require_role(actor, Role.ADMIN)
    if token.revoked_at is not None:
        raise Refused(_("The token was already revoked."))
    token.revoked_at, token.revoked_by_id = clock.now(), actor.id
    audit.record(
        actor,
        "api_token.revoke",
        "api_token",
        token.id,
        before={"prefix": token.prefix, "user": token.user.username},
        after={"revoked_at": token.revoked_at.isoformat()},
    )
    return token


def list_tokens(actor: User) -> list[ApiToken]:
    """Every token ever issued, newest first (revoked ones stay on the list)."""
    require_role(actor, Role.ADMIN)
    return list(db.session.scalars(sa.select(ApiToken).order_by(ApiToken.id.desc())))


def token_state(token: ApiToken, now: datetime | None = None) -> str:
    """Whether a token is active, revoked or expired."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at < (now or clock.now()):
        return "expired"
    return "active"


def authenticate(raw: str) -> User:
    """The user a presented token acts as; notes its use (flushes, never commits)."""
    token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == token_hash(raw.strip()))
    )
    if token is None:
        raise TokenRefused(_("The API token is not valid."))
    now = clock.now()
    state = token_state(token, now)
    if state == "revoked":
        raise TokenRefused(_("The API token was revoked."))
    if state == "expired":
        raise TokenRefused(_("The API token has expired."))
    if not token.user.is_active:
        raise TokenRefused(_("The token's user is deactivated."))
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.flush()
    return token.user
