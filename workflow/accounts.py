"""A user's own settings: where mail goes, and whether it comes at once or as a daily digest."""

from __future__ import annotations

import re

from workflow import audit
from workflow.errors import AccessDenied, ValidationFailed
from workflow.i18n import gettext as _
from workflow.models import DigestMode, User

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def update_preferences(user: User, actor: User, *, email: str, digest_mode: str) -> User:
    """Change one's own e-mail address and digest choice (audited)."""
    if actor.id != user.id:
        raise AccessDenied(_("You can only change your own settings."))
    problems: dict[str, str] = {}
    email = email.strip()
    if email and not _EMAIL.match(email):
        problems["email"] = _("Enter an e-mail address like name@example.com.")
    try:
        mode = DigestMode(digest_mode)
    except ValueError:
        problems["digest_mode"] = _("Choose immediate messages or a daily digest.")
    if problems:
        raise ValidationFailed(problems)
    before = {"email": user.email, "digest_mode": user.digest_mode.value}
    user.email, user.digest_mode = email, mode
    audit.record(
        actor,
        "user.preferences",
        "user",
        user.id,
        before=before,
        after={"email": email, "digest_mode": mode.value},
    )
    return user
