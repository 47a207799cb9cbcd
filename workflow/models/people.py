"""Users: a role and the one village, township or department (or the county) they act for."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from workflow.models.org import Department, Township, Village
from workflow.platform.db import db, enum_column
from workflow.platform.i18n import _


class Role(enum.StrEnum):
    """What a user does in the programme (DOMAIN.md, "Who works in it")."""

    VILLAGE_CLERK = "village_clerk"
    TOWNSHIP_CLERK = "township_clerk"
    TOWNSHIP_LEADER = "township_leader"
    COUNTY_OFFICE = "county_office"
    DEPARTMENT_CLERK = "department_clerk"
    DEPARTMENT_LEADER = "department_leader"
    LEADING_GROUP = "leading_group"
    ADMIN = "admin"

    @property
    def scope_kind(self) -> str:
        """Which kind of unit a user of this role belongs to."""
        return _SCOPE_KIND[self]


_SCOPE_KIND = {
    Role.VILLAGE_CLERK: "village",
    Role.TOWNSHIP_CLERK: "township",
    Role.TOWNSHIP_LEADER: "township",
    Role.DEPARTMENT_CLERK: "department",
    Role.DEPARTMENT_LEADER: "department",
    Role.COUNTY_OFFICE: "county",
    Role.LEADING_GROUP: "county",
    Role.ADMIN: "county",
}


class DigestMode(enum.StrEnum):
    """How a user wants to hear about things: at once, or in one daily digest."""

    IMMEDIATE = "immediate"
    DAILY = "daily"


# A village clerk has a village (and its township); township roles a township; department
# roles a department; county roles none of them.
_SCOPE_RULE = (
    "(role = 'village_clerk' AND village_id IS NOT NULL AND township_id IS NOT NULL"
    " AND department_id IS NULL)"
    " OR (role IN ('township_clerk', 'township_leader') AND township_id IS NOT NULL"
    " AND village_id IS NULL AND department_id IS NULL)"
    " OR (role IN ('department_clerk', 'department_leader') AND department_id IS NOT NULL"
    " AND village_id IS NULL AND township_id IS NULL)"
    " OR (role IN ('county_office', 'leading_group', 'admin') AND village_id IS NULL"
    " AND township_id IS NULL AND department_id IS NULL)"
)


class User(db.Model):
    """A person who logs in, with one role and one scope."""

    __tablename__ = "user_account"
    __table_args__ = (sa.CheckConstraint(_SCOPE_RULE, name="scope_matches_role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(40), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(60))
    email: Mapped[str] = mapped_column(sa.String(120), default="")
    phone: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), index=True)
    township_id: Mapped[int | None] = mapped_column(sa.ForeignKey("township.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(sa.ForeignKey("village.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"), index=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    # A first password (given by the administrator or a base-data load) is changed at first login.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Part of every session's id: raising it ends every session of the user (logout, a new
    # password, deactivation). See workflow/people/sessions.py.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    digest_mode: Mapped[DigestMode] = mapped_column(
        enum_column(DigestMode, "digest_mode"), default=DigestMode.IMMEDIATE
    )
    # The language pages, e-mails and notices speak to this person: "zh" or "ug" (i18n.LANGUAGES).
    language: Mapped[str] = mapped_column(sa.String(8), default="zh", server_default="zh")
    township: Mapped[Township | None] = relationship()
    village: Mapped[Village | None] = relationship()
    department: Mapped[Department | None] = relationship()

    def set_password(self, password: str) -> None:
        """Store a strong (scrypt) hash of the password, never the password."""
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.end_sessions()

    def end_sessions(self) -> None:
        """Make every session id issued so far invalid (a new login gets the new one)."""
        self.session_generation = (self.session_generation or 0) + 1

    def check_password(self, password: str) -> bool:
        """Whether the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def scope_label(self) -> str:
        """The unit this user acts for, as the county writes it."""
        if self.village is not None:
            return f"{self.village.township.name}{self.village.name}"
        if self.township is not None:
            return self.township.name
        if self.department is not None:
            return self.department.name
        return _("The whole county")

    # flask-login's user protocol, kept here so the domain's User is the session's user.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """The session's id of the user: her id and session generation (sessions.py reads it)."""
        return f"{self.id}:{self.session_generation or 0}"
