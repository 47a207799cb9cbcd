"""Slowing down password guessing: too many failed logins for a name, or from an address,
lock that name (or address) out for a while. The lock is told plainly, never silently."""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from workflow.models import LoginAttempt, User
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.errors import DomainError
from workflow.platform.i18n import _
from workflow.platform.settings import get_settings

# An address may fail for many names (a village office shares one connection), so it gets more.
ADDRESS_FACTOR = 4


class LoginLocked(DomainError):
    """Too many failed logins: wait before trying again."""


@dataclass(frozen=True)
class LoginResult:
    user: User | None

    @property
    def ok(self) -> bool:
        return self.user is not None


def _recent_failures(column: sa.ColumnElement[str], value: str) -> int:
    settings = get_settings()
    since = clock.now() - timedelta(minutes=settings.login_lock_minutes)
    last_success = (
        sa.select(sa.func.max(LoginAttempt.at))
        .where(column == value, LoginAttempt.succeeded.is_(True))
        .scalar_subquery()
    )
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(LoginAttempt)
        .where(
            column == value,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at > since,
            sa.or_(last_success.is_(None), LoginAttempt.at > last_success),
        )
    )


def check_not_locked(username: str, address: str) -> None:
    """Refuse at once while the name or the address is locked out (the password is not tried)."""
    settings = get_settings()
    limit = settings.login_max_failures
    if _recent_failures(LoginAttempt.username, username) >= limit or (
        _recent_failures(LoginAttempt.address, address) >= limit * ADDRESS_FACTOR
    ):
        raise LoginLocked(
            _(
                "Too many failed logins. Wait %(minutes)s minutes and try again, "
                "or ask the system administrator to reset your password.",
                minutes=settings.login_lock_minutes,
            )
        )


@functools.cache
def _stand_in_hash() -> str:
    """A hash of a password nobody knows, made as set_password makes one."""
    return generate_password_hash(secrets.token_urlsafe(32), method="scrypt")


def _password_matches(user: User | None, password: str) -> bool:
    """Whether the password is the active user's, after one full hash check whoever asks.

    An unknown name, a deactivated user or a user without a usable password is checked against
    a stand-in hash, so the answer takes as long as for a real user with a wrong password and
    the time cannot tell which names exist."""
    if user is None or not user.password_hash.startswith("scrypt:"):
        check_password_hash(_stand_in_hash(), password)
        return False
    return user.check_password(password) and user.is_active


def attempt_login(username: str, password: str, address: str) -> LoginResult:
    """Check a username and password, recording the attempt; raises LoginLocked when locked."""
    username = username.strip()[:60]
    address = (address or "unknown")[:64]
    check_not_locked(username, address)
    user = db.session.scalar(sa.select(User).where(User.username == username))
    ok = _password_matches(user, password)
    db.session.add(LoginAttempt(username=username, address=address, at=clock.now(), succeeded=ok))
    if not ok:
        return LoginResult(None)
    audit.record(user, "user.login", "user", user.id)
    return LoginResult(user)
