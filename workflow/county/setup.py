"""Setting up a county: an empty one with its administrator."""

from __future__ import annotations

import re
import unicodedata

import sqlalchemy as sa

from workflow.models import County, Role, User
from workflow.people.passwords import check_password_strength
from workflow.platform import audit
from workflow.platform.db import db
from workflow.platform.errors import Refused, ValidationFailed
from workflow.platform.i18n import _

_COUNTY_CODE = re.compile(r"\d{6}")


def county_exists() -> bool:
    """Whether this database already holds a county."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(County)) > 0


def the_county() -> County | None:
    """The county this installation serves (None before `huitou init`)."""
    return db.session.scalar(sa.select(County).order_by(County.id).limit(1))


def county_name() -> str:
    """The county's name as forms and pages print it ('' before `huitou init`)."""
    county = the_county()
    return county.name if county is not None else ""


def normalize_county(name: str, code: str) -> tuple[str, str]:
    """Return the county's name and 6-digit division code, or refuse them saying why."""
    name = unicodedata.normalize("NFKC", name).strip()
    code = re.sub(r"\s", "", unicodedata.normalize("NFKC", code))
    problems = {}
    if not name or len(name) > 40:
        problems["county_name"] = _("Enter the county's name (at most 40 characters).")
    if not _COUNTY_CODE.fullmatch(code) or code.endswith("00"):
        problems["county_code"] = _(
            "The county code must be the county's 6-digit division code (e.g. 652825); "
            "“%(code)s” is not.",
            code=code,
        )
    if problems:
        raise ValidationFailed(problems)
    return name, code


def create_county(name: str, code: str, admin_username: str, admin_password: str) -> County:
    """Create an empty county and its administrator."""
    if county_exists():
        raise Refused(_("The database already holds a county; nothing was changed."))
    name, code = normalize_county(name, code)
    check_password_strength(admin_password)
    county = County(code=code, name=name)
    db.session.add(county)
    admin = User(username=admin_username, display_name=_("System administrator"), role=Role.ADMIN)
    admin.set_password(admin_password)
    db.session.add(admin)
    db.session.flush()
    audit.record(None, "county.create", "county", county.id, after={"name": name, "code": code})
    audit.record(
        None,
        "user.create",
        "user",
        admin.id,
        after={"username": admin_username, "role": admin.role.value},
    )
    return county
