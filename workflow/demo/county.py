"""Create the demo county the way a real county starts: `huitou init`, then its base data as
the 县情基础数据 workbook through the same loader, then the households."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from workflow.county.base_data import load_base_data
from workflow.county.book_checks import (
    CountyData,
    DepartmentEntry,
    PersonEntry,
    TownshipEntry,
    VillageEntry,
)
from workflow.county.book_reader import RawBook, read_book
from workflow.county.book_writer import write_county_data
from workflow.county.setup import county_exists
from workflow.demo.data import DemoCounty
from workflow.demo.members import load_demo_households
from workflow.models import County, Role
from workflow.platform import audit
from workflow.platform.db import db
from workflow.platform.errors import Refused
from workflow.platform.i18n import _

DEMO_PASSWORD = "huitou-demo"  # demo county only; `huitou init` without --demo asks for one


@dataclass(frozen=True)
class DemoLogin:
    """A demo user's login, printed by `huitou init --demo`."""

    username: str
    display_name: str
    role: Role
    unit: str


def demo_base_data(demo: DemoCounty) -> CountyData:
    """The demo county's townships, villages, departments and people (a clerk for every
    village without a named demo user) as the base-data workbook holds them."""
    people = [
        PersonEntry(u.username, u.display_name, Role(u.role), u.scope, "", u.email)
        for u in demo.users
    ]
    staffed = {u.scope for u in demo.users if u.scope_kind == "village"}
    people += [
        PersonEntry(
            f"cun{v.code}",
            _("Clerk of %(village)s", village=v.name),
            Role.VILLAGE_CLERK,
            v.code,
            "",
            f"cun{v.code}@huitou.example",
        )
        for v in demo.villages
        if v.code not in staffed
    ]
    return CountyData(
        townships=[TownshipEntry(t.code, t.name) for t in demo.townships],
        villages=[
            VillageEntry(v.code, v.name, v.township_code, v.is_exited_poor, v.exit_year)
            for v in demo.villages
        ],
        departments=[DepartmentEntry(d.code, d.name, d.clause) for d in demo.departments],
        people=people,
    )


@functools.lru_cache(maxsize=2)
def _demo_book(demo: DemoCounty) -> RawBook:
    """The demo's base data written as the workbook and read back, once per process (the
    tests load the same demo county hundreds of times; the reader is the same either way)."""
    return read_book(write_county_data(demo_base_data(demo), demo.name))


def load_demo_county(demo: DemoCounty, password: str = DEMO_PASSWORD) -> list[DemoLogin]:
    """Create the demo county: its base data through the workbook loader, then its households."""
    if county_exists():
        raise Refused(_("The database already holds a county; nothing was changed."))
    county = County(code=demo.code, name=demo.name)
    db.session.add(county)
    db.session.flush()
    audit.record(None, "county.create", "county", county.id, after={"name": demo.name})
    load_base_data(_demo_book(demo), None, shared_password=password)
    load_demo_households(demo)
    audit.record(
        None,
        "county.demo",
        "county",
        county.id,
        after={"households": len(demo.households), "users": len(demo.users)},
    )
    return [DemoLogin(u.username, u.display_name, Role(u.role), u.unit) for u in demo.users]
