"""A synthetic Qiemo County for demos and tests: real place names, made-up people, no I/O."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from workflow.demo import names as names
from workflow.platform.idcard import make_id

COUNTY_NAME = "且末县"
COUNTY_CODE = "652825"
EXIT_YEARS = (2014, 2015, 2016, 2017)  # households out of poverty (§四.1: 2014–2017)
PLANNED_EXIT_YEARS = (2018, 2019)  # the register's 预脱贫 households, not out yet

# docs/CONTRACTS.md: code, name, clause of the plan's §六 (FPB is the fallback, named in none).
_DEPARTMENTS = (
    ("NYJ", "县农业局", "六.1"),
    ("RSJ", "县人社局", "六.1, 六.2"),
    ("MZJ", "县民政局", "六.3"),
    ("NJJ", "县农经局", "六.4"),
    ("TJJ", "县统计局", "六.5"),
    ("JCB", "县委基层办", "六.6, 六.16"),
    ("JKJ", "县教科局", "六.7"),
    ("WJW", "县卫生计生委", "六.8"),
    ("ZJJ", "县住建局", "六.9"),
    ("SLJ", "县水利局", "六.10"),
    ("GW", "国网且末供电分公司", "六.11"),
    ("WGJ", "县委宣传部（县文广局）", "六.12"),
    ("JTJ", "县交通局", "六.13"),
    ("ZFB", "县人民政府办公室", "六.14"),
    ("ZZB", "县委组织部", "六.15"),
    ("GXS", "县供销社", "六.17"),
    ("ZFW", "县委政法委", "六.18"),
    ("FPB", "县扶贫办", ""),
)

ROLE_VILLAGE_CLERK = "village_clerk"
ROLE_TOWNSHIP_CLERK = "township_clerk"
ROLE_TOWNSHIP_LEADER = "township_leader"
ROLE_COUNTY_OFFICE = "county_office"
ROLE_DEPARTMENT_CLERK = "department_clerk"
ROLE_DEPARTMENT_LEADER = "department_leader"
ROLE_LEADING_GROUP = "leading_group"
ROLE_ADMIN = "admin"

EMAIL_DOMAIN = "huitou.example"

_FAMILY_SIZE_WEIGHTS = (8, 16, 22, 26, 15, 8, 3, 2)  # sizes 1–8, mode 4, mean about 3.7
_EXIT_YEAR_WEIGHTS = (10, 15, 25, 25)  # for EXIT_YEARS
# For PLANNED_EXIT_YEARS: Qiemo had 3,687 poor households in 2013 and about 200 still poor after
# 2018, so a few percent plan to exit in 2019 and somewhat more in 2018.
_PLANNED_YEAR_WEIGHTS = (7, 5)
_EXITED_VILLAGE_WEIGHT = 3.0  # an exited poor village holds about three times the households
_HOUSEHOLDS_PER_HELPER = 12
# Mobile prefixes in use since before 2018 (154 was never assigned).
_PHONE_PREFIXES = (*range(130, 140), *range(150, 154), *range(155, 160), *range(180, 190), 199)
_BIRTH_FIRST = date(1940, 1, 1)
_BIRTH_DAYS = (date(2000, 12, 31) - _BIRTH_FIRST).days


@dataclass(frozen=True)
class Township:
    """A 乡 or 镇 with its 9-digit division code."""

    code: str
    name: str


@dataclass(frozen=True)
class Village:
    """A village with its 12-digit code; exited poor villages carry their exit year."""

    code: str
    name: str
    township_code: str
    is_exited_poor: bool
    exit_year: int | None


@dataclass(frozen=True)
class Household:
    """A household of the register, identified by its head's ID number: out of poverty in its
    exit year, or not yet out and planned to exit (预脱贫) in its planned exit year."""

    id_number: str
    head_name: str
    head_sex: str  # "男" / "女", agrees with the ID number's 17th digit
    family_size: int
    exit_year: int | None
    phone: str
    helper_name: str  # 帮扶责任人
    village_code: str
    township_code: str
    planned_exit_year: int | None = None


@dataclass(frozen=True)
class Department:
    """A county department responsible for part of the help-back work (§六)."""

    code: str
    name: str
    clause: str  # e.g. "六.1, 六.2"; empty for the county office's fallback


@dataclass(frozen=True)
class DemoUser:
    """A demo login (no password: the caller assigns one)."""

    username: str
    display_name: str
    role: str
    scope_kind: str | None  # "township" / "village" / "department" / None for county-wide
    scope: str | None  # township, village or department code
    unit: str
    email: str


@dataclass(frozen=True)
class DemoCounty:
    """The whole demo county, ready to be stored."""

    name: str
    code: str
    townships: tuple[Township, ...]
    villages: tuple[Village, ...]
    households: tuple[Household, ...]
    departments: tuple[Department, ...]
    users: tuple[DemoUser, ...]

    def township_named(self, name: str) -> Township:
        """Return the township with this name."""
        return next(t for t in self.townships if t.name == name)

    def village_named(self, name: str) -> Village:
        """Return the village with this name (names are unique county-wide)."""
        return next(v for v in self.villages if v.name == name)

    def villages_of(self, township_code: str) -> tuple[Village, ...]:
        """Return the villages of one township."""
        return tuple(v for v in self.villages if v.township_code == township_code)

    def households_of(self, village_code: str) -> tuple[Household, ...]:
        """Return the households of one village."""
        return tuple(h for h in self.households if h.village_code == village_code)

    def user(self, username: str) -> DemoUser:
        """Return the demo user with this username."""
        return next(u for u in self.users if u.username == username)


def build_demo_county(seed: int = 2018, households: int = 3500) -> DemoCounty:
    """Return the demo county with `households` synthetic households, the same for the same seed."""
    if households < 0:
        raise ValueError(f"households must be >= 0, got {households}")
    rng = random.Random(seed)
    townships, villages = _geography()
    people = _People(rng)
    homes: list[Household] = []
    for village, count in zip(villages, _spread(rng, villages, households), strict=True):
        helpers = [people.cadre_name() for _ in range(-(-count // _HOUSEHOLDS_PER_HELPER))]
        homes.extend(people.household(village, rng.choice(helpers)) for _ in range(count))
    departments = tuple(Department(code, name, clause) for code, name, clause in _DEPARTMENTS)
    return DemoCounty(
        COUNTY_NAME,
        COUNTY_CODE,
        townships,
        villages,
        tuple(homes),
        departments,
        _demo_users(townships, villages, departments),
    )


def _geography() -> tuple[tuple[Township, ...], tuple[Village, ...]]:
    """Return the fixed townships and villages."""
    townships = tuple(Township(code, name) for name, code, _ in names.PLACES)
    villages = tuple(
        Village(f"{code}{201 + i}", village, code, year is not None, year)
        for _, code, places in names.PLACES
        for i, (village, year) in enumerate(places)
    )
    return townships, villages


def _spread(rng: random.Random, villages: tuple[Village, ...], total: int) -> list[int]:
    """Split `total` households over villages, exited poor villages weighing more."""
    weights = [
        (_EXITED_VILLAGE_WEIGHT if v.is_exited_poor else 1.0) * rng.uniform(0.7, 1.3)
        for v in villages
    ]
    quotas = [total * w / sum(weights) for w in weights]
    counts = [int(q) for q in quotas]
    # Largest remainder, so the counts add up exactly.
    by_remainder = sorted(range(len(quotas)), key=lambda i: counts[i] - quotas[i])
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


class _People:
    """Draws names, unique ID numbers and unique phone numbers from one random stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ids: set[str] = set()
        self.phones: set[str] = set()
        self.cadres: set[str] = set()

    def name(self, uyghur: bool, male: bool | None = None) -> str:
        """Return a Uyghur ("given·father") or Han name of the given (or a random) sex."""
        rng = self.rng
        if male is None:
            male = rng.random() < 0.5
        if uyghur:
            given = rng.choice(names.UYGHUR_MALE if male else names.UYGHUR_FEMALE)
            father = rng.choice([n for n in names.UYGHUR_MALE if n != given])
            return f"{given}{names.NAME_DOT}{father}"
        given = rng.choice(names.HAN_MALE if male else names.HAN_FEMALE)
        return rng.choice(names.HAN_SURNAMES) + given

    def cadre_name(self) -> str:
        """Return a cadre's name (Uyghur or Han, either sex) not given to another cadre."""
        while True:
            name = self.name(self.rng.random() < 0.5)
            if name not in self.cadres:
                self.cadres.add(name)
                return name

    def household(self, village: Village, helper: str) -> Household:
        """Return one household of this village."""
        rng = self.rng
        male = rng.random() < 0.7  # most heads are men; widows head the rest
        years = [y for y in EXIT_YEARS if village.exit_year is None or y <= village.exit_year]
        exits = [(y, None) for y in years] + [(None, y) for y in PLANNED_EXIT_YEARS]
        weights = _EXIT_YEAR_WEIGHTS[: len(years)] + _PLANNED_YEAR_WEIGHTS
        exit_year, planned_exit_year = rng.choices(exits, weights)[0]
        return Household(
            id_number=self._id_number(male),
            head_name=self.name(rng.random() < 0.8, male),
            head_sex="男" if male else "女",
            family_size=rng.choices(range(1, 9), _FAMILY_SIZE_WEIGHTS)[0],
            exit_year=exit_year,
            phone=self._phone(),
            helper_name=helper,
            village_code=village.code,
            township_code=village.township_code,
            planned_exit_year=planned_exit_year,
        )

    def _id_number(self, male: bool) -> str:
        """Return an ID number of Qiemo, born 1940–2000, not used before."""
        while True:
            birth = _BIRTH_FIRST + timedelta(days=self.rng.randint(0, _BIRTH_DAYS))
            seq = self.rng.randrange(500) * 2 + (1 if male else 0)
            number = make_id(COUNTY_CODE, birth, seq, male=male)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def _phone(self) -> str:
        """Return an 11-digit mobile number not used before."""
        while True:
            phone = f"{self.rng.choice(_PHONE_PREFIXES)}{self.rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone


def _demo_users(
    townships: tuple[Township, ...],
    villages: tuple[Village, ...],
    departments: tuple[Department, ...],
) -> tuple[DemoUser, ...]:
    """Return one login per role and scope a demo needs, with names independent of the seed."""
    people = _People(random.Random(7))

    def user(username: str, role: str, kind: str | None, scope: str | None, unit: str) -> DemoUser:
        name = people.cadre_name()
        return DemoUser(username, name, role, kind, scope, unit, f"{username}@{EMAIL_DOMAIN}")

    township = {t.name: t for t in townships}
    village = {v.name: v for v in villages}
    result = [
        user("admin", ROLE_ADMIN, None, None, "系统管理"),
        user("fpb", ROLE_COUNTY_OFFICE, None, None, "县扶贫办"),
        user("ldxz", ROLE_LEADING_GROUP, None, None, "县脱贫攻坚领导小组"),
    ]
    for prefix, name in (("aoyi", "奥依亚依拉克镇"), ("qmz", "且末镇")):
        code = township[name].code
        result.append(user(f"{prefix}_zg", ROLE_TOWNSHIP_CLERK, "township", code, name))
        result.append(user(f"{prefix}_fzr", ROLE_TOWNSHIP_LEADER, "township", code, name))
    for username, name in (("buguna_cun", "布古纳村"), ("katelesh_cun", "喀特勒什村")):
        result.append(user(username, ROLE_VILLAGE_CLERK, "village", village[name].code, name))
    for d in departments:
        login = f"dept_{d.code.lower()}"
        result.append(user(login, ROLE_DEPARTMENT_CLERK, "department", d.code, d.name))
        result.append(user(f"{login}_fzr", ROLE_DEPARTMENT_LEADER, "department", d.code, d.name))
    # A second township clerk, so the township leader has someone to reassign to and to name
    # as substitute (added last: the other demo users keep their names).
    aoyi = township["奥依亚依拉克镇"]
    result.append(user("aoyi_zg2", ROLE_TOWNSHIP_CLERK, "township", aoyi.code, aoyi.name))
    # Every other township's leader, answerable for its reports (§七: 按时报送), added last too.
    for t in townships:
        if t.name not in ("奥依亚依拉克镇", "且末镇"):
            result.append(user(f"fzr_{t.code}", ROLE_TOWNSHIP_LEADER, "township", t.code, t.name))
    return tuple(result)
