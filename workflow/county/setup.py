"""Setting up a county: an empty one with its administrator, or the demo county."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from workflow.demo.data import DemoCounty
from workflow.demo.members import load_demo_households
from workflow.models import County, Department, Role, Township, User, Village
from workflow.platform import audit
from workflow.platform.db import db
from workflow.platform.errors import ConflictError, ValidationFailed
from workflow.platform.i18n import _

DEMO_PASSWORD = "huitou-demo"  # demo county only; `huitou init` without --demo asks for one
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class DemoLogin:
    """A demo user's login, printed by `huitou init --demo`."""

    username: str
    display_name: str
    role: Role
    unit: str


def county_exists() -> bool:
    """Whether this database already holds a county."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(County)) > 0


def check_password_strength(password: str) -> None:
    """Refuse passwords that are too short or too simple."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            _("The password must have at least %(num)s characters.", num=MIN_PASSWORD_LENGTH)
        )
    if password.isdigit() or password.isalpha():
        problems.append(_("The password must mix letters and digits."))
    if len(problems) == 2:
        problems = [_("%(first)s, %(second)s", first=problems[0], second=problems[1])]
    if problems:
        raise ValidationFailed({"password": problems[0]})


def create_county(name: str, code: str, admin_username: str, admin_password: str) -> County:
    """Create an empty county and its administrator."""
    if county_exists():
        raise ConflictError(_("The database already holds a county; nothing was changed."))
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


def _add_village_clerks(villages: object, password_hash: str) -> None:
    """Every village has its 村级填报员; villages without a named demo user get one."""
    staffed = set(
        db.session.scalars(sa.select(User.village_id).where(User.role == Role.VILLAGE_CLERK))
    )
    for village in villages:
        if village.id not in staffed:
            db.session.add(
                User(
                    username=f"cun{village.code}",
                    display_name=_("Clerk of %(village)s", village=village.name),
                    email=f"cun{village.code}@huitou.example",
                    role=Role.VILLAGE_CLERK,
                    village_id=village.id,
                    township_id=village.township_id,
                    password_hash=password_hash,
                )
            )
    db.session.flush()


def load_demo_county(demo: DemoCounty, password: str = DEMO_PASSWORD) -> list[DemoLogin]:
    """Create the demo county: townships, villages, households, departments, users per role."""
    if county_exists():
        raise ConflictError(_("The database already holds a county; nothing was changed."))
    county = County(code=demo.code, name=demo.name)
    db.session.add(county)
    db.session.flush()
    townships = {
        t.code: Township(county_id=county.id, code=t.code, name=t.name) for t in demo.townships
    }
    db.session.add_all(townships.values())
    db.session.flush()
    villages = {
        v.code: Village(
            township_id=townships[v.township_code].id,
            code=v.code,
            name=v.name,
            is_exited_poor=v.is_exited_poor,
            exit_year=v.exit_year,
        )
        for v in demo.villages
    }
    db.session.add_all(villages.values())
    departments = {
        d.code: Department(code=d.code, name=d.name, clause=d.clause) for d in demo.departments
    }
    db.session.add_all(departments.values())
    db.session.flush()
    # One hash serves every demo user: scrypt is deliberately slow, and they share a password.
    template = User(username="-", display_name="-", role=Role.ADMIN)
    template.set_password(password)
    logins = []
    for u in demo.users:
        user = User(
            username=u.username,
            display_name=u.display_name,
            email=u.email,
            role=Role(u.role),
            password_hash=template.password_hash,
        )
        if u.scope_kind == "village":
            user.village_id = villages[u.scope].id
            user.township_id = villages[u.scope].township_id
        elif u.scope_kind == "township":
            user.township_id = townships[u.scope].id
        elif u.scope_kind == "department":
            user.department_id = departments[u.scope].id
        db.session.add(user)
        logins.append(DemoLogin(u.username, u.display_name, user.role, u.unit))
    db.session.flush()
    _add_village_clerks(villages.values(), template.password_hash)
    load_demo_households(demo)
    audit.record(
        None,
        "county.demo",
        "county",
        county.id,
        after={
            "townships": len(townships),
            "villages": len(villages),
            "households": len(demo.households),
            "users": len(logins),
        },
    )
    return logins
