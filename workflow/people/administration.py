"""Which administration pages a role may open: the rules behind the 管理 menu."""

from __future__ import annotations

from workflow.models import Role, User
from workflow.platform.errors import AccessDenied
from workflow.platform.i18n import _

# Section → the roles that may use it (each page checks again on its own).
SECTIONS: dict[str, tuple[Role, ...]] = {
    "county": (Role.ADMIN,),
    "users": (Role.ADMIN,),
    "catalogue": (Role.ADMIN, Role.COUNTY_OFFICE),
    "deadlines": (Role.ADMIN, Role.COUNTY_OFFICE),
    "routing": (Role.ADMIN, Role.COUNTY_OFFICE, Role.LEADING_GROUP),
    "tokens": (Role.ADMIN,),
    "operations": (Role.ADMIN, Role.COUNTY_OFFICE),
}


def sections_for(user: User) -> list[str]:
    """The administration sections open to the user, in menu order (empty for most roles)."""
    if not user.is_active:
        return []
    return [name for name, roles in SECTIONS.items() if user.role in roles]


def require_some_section(user: User) -> list[str]:
    """The user's sections; refused when her role has none."""
    sections = sections_for(user)
    if not sections:
        raise AccessDenied(_("Your role may not do this."))
    return sections
