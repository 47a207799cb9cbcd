"""A user's own settings: where mail goes, and whether it comes at once or as a daily digest."""

from __future__ import annotations

import re

import sqlalchemy as sa

from workflow.models import Department, DigestMode, Role, Township, User, Village
from workflow.people.access import require_role
from workflow.people.passwords import check_password_strength
from workflow.platform import audit
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, ValidationFailed
from workflow.platform.i18n import LANGUAGES
from workflow.platform.i18n import gettext as _

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


def choose_language(user: User, actor: User, language: str) -> User:
    """Change one's own language of pages, e-mails and notices (audited)."""
    if actor.id != user.id:
        raise AccessDenied(_("You can only change your own settings."))
    if language not in LANGUAGES:
        raise ValidationFailed({"language": _("Choose Chinese or Uyghur.")})
    if language != user.language:
        before = {"language": user.language}
        user.language = language
        audit.record(
            actor, "user.language", "user", user.id, before=before, after={"language": language}
        )
    return user


def _scope_for(role: Role, unit_code: str) -> dict[str, int | None]:
    """The scope columns for a role, from the unit's division or department code."""
    scope: dict[str, int | None] = {"township_id": None, "village_id": None, "department_id": None}
    code = unit_code.strip()
    kind = role.scope_kind
    if kind == "village":
        village = db.session.scalar(sa.select(Village).where(Village.code == code))
        if village is None:
            raise ValidationFailed({"unit": _("Enter the village's division code.")})
        scope.update(village_id=village.id, township_id=village.township_id)
    elif kind == "township":
        township = db.session.scalar(sa.select(Township).where(Township.code == code))
        if township is None:
            raise ValidationFailed({"unit": _("Enter the township's division code.")})
        scope["township_id"] = township.id
    elif kind == "department":
        department = db.session.scalar(sa.select(Department).where(Department.code == code))
        if department is None:
            raise ValidationFailed({"unit": _("Enter the department's code.")})
        scope["department_id"] = department.id
    return scope


def create_user(
    actor: User,
    *,
    username: str,
    display_name: str,
    role: str,
    unit_code: str,
    email: str,
    password: str,
) -> User:
    """The administrator adds a person with one role and one scope (audited)."""
    require_role(actor, Role.ADMIN)
    problems: dict[str, str] = {}
    username = username.strip()
    if not re.fullmatch(r"[A-Za-z0-9_.-]{3,40}", username):
        problems["username"] = _("Use 3–40 letters, digits, dots, dashes or underscores.")
    elif db.session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        problems["username"] = _("This username is taken.")
    if not display_name.strip():
        problems["display_name"] = _("Enter the person's name.")
    try:
        role_value = Role(role)
    except ValueError:
        problems["role"] = _("Choose a role.")
        role_value = None
    if email.strip() and not _EMAIL.match(email.strip()):
        problems["email"] = _("Enter an e-mail address like name@example.com.")
    try:
        check_password_strength(password)
    except ValidationFailed as exc:
        problems.update(exc.by_field())
    scope = {}
    if role_value is not None:
        try:
            scope = _scope_for(role_value, unit_code)
        except ValidationFailed as exc:
            problems.update(exc.by_field())
    if problems:
        raise ValidationFailed(problems)
    user = User(
        username=username,
        display_name=display_name.strip(),
        email=email.strip(),
        role=role_value,
        **scope,
    )
    user.set_password(password)
    user.must_change_password = True
    db.session.add(user)
    db.session.flush()
    audit.record(
        actor,
        "user.create",
        "user",
        user.id,
        after={"username": username, "role": role_value.value, **scope},
    )
    return user


def set_active(actor: User, user: User, active: bool) -> User:
    """The administrator deactivates (or reactivates) a login; nothing they signed is touched."""
    require_role(actor, Role.ADMIN)
    if user.id == actor.id and not active:
        raise ValidationFailed({"user": _("You cannot deactivate yourself.")})
    user.is_active = active
    if not active:
        user.end_sessions()  # a later reactivation does not revive the cookies issued before
    audit.record(actor, "user.activate" if active else "user.deactivate", "user", user.id)
    return user


def reset_password(actor: User, user: User, password: str) -> User:
    """The administrator gives a person a new first password (she tells it to them in person)."""
    require_role(actor, Role.ADMIN)
    check_password_strength(password)
    user.set_password(password)
    user.must_change_password = True
    audit.record(actor, "user.password_reset", "user", user.id)
    return user


def change_own_password(user: User, current: str, new: str, repeated: str) -> User:
    """A person changes her own password: she proves the current one, and types the new twice."""
    if not user.is_active:
        raise AccessDenied(_("Your role may not do this."))
    if not user.check_password(current):
        raise ValidationFailed({"current_password": _("The current password is not right.")})
    if new != repeated:
        raise ValidationFailed({"repeat_password": _("The two new passwords differ.")})
    if new == current:
        raise ValidationFailed({"password": _("Choose a password different from the current one.")})
    check_password_strength(new)
    user.set_password(new)
    user.must_change_password = False
    audit.record(user, "user.password_change", "user", user.id)
    return user
