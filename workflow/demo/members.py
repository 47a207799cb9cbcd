"""The demo households' register: their members (ages that agree with the ID numbers, children
of school age, elderly parents, some households on 低保) and the workbook the loader reads."""

from __future__ import annotations

import functools
import random
from collections.abc import Iterable, Iterator
from datetime import date, timedelta

import sqlalchemy as sa

from workflow.county.register import RegisterLoad, load_register_book
from workflow.demo import names
from workflow.demo.data import DemoCounty, Household
from workflow.forms.register_book import read_register
from workflow.forms.register_checks import RegisterBook
from workflow.forms.register_writer import write_register
from workflow.models import Role, User
from workflow.platform.db import db
from workflow.platform.idcard import birth_date, is_male, make_id

REGISTER_YEAR = 2018
_ON_DAY = date(2018, 9, 1)  # ages and schooling as of the 2018 school year
_ATTRIBUTES = (("一般贫困户", 80), ("低保贫困户", 16), ("特困供养贫困户", 4))
_CAUSES = ("缺资金", "缺技术", "因病", "因学", "缺劳力", "因残", "缺土地", "交通条件落后")
_LAST_BIRTH = date(2018, 6, 30)


def _age(born: date) -> int:
    return _ON_DAY.year - born.year - ((_ON_DAY.month, _ON_DAY.day) < (born.month, born.day))


def _schooling(age: int, rng: random.Random) -> str:
    if age < 3:
        return "非在校生"
    if age <= 5:
        return "学前教育"
    if age <= 11:
        return "小学"
    if age <= 14:
        return "初中"
    if age <= 17:
        return "普通高中" if rng.random() < 0.6 else "中职"
    if age <= 22 and rng.random() < 0.25:
        return "高职高专" if rng.random() < 0.5 else "本科"
    return "非在校生"


def _health(age: int, rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.03:
        return "残疾"
    if draw < (0.35 if age >= 60 else 0.08):
        return "长期慢性病"
    return "健康"


def _skill(age: int, health: str, rng: random.Random) -> str:
    if age < 16 or age > 64 or health != "健康":
        return "无劳动力"
    return "技能劳动力" if rng.random() < 0.15 else "普通劳动力"


class _Ids:
    """Member ID numbers unique across the whole register (heads' numbers included)."""

    def __init__(self, heads: Iterable[str]) -> None:
        self.taken = set(heads)

    def make(self, region: str, born: date, male: bool, rng: random.Random) -> str:
        seq = rng.randrange(500) * 2 + (1 if male else 0)
        while True:
            number = make_id(region, born, seq, male=male)
            if number not in self.taken:
                self.taken.add(number)
                return number
            seq = (seq + 2) % 1000


def _name(uyghur: bool, male: bool, rng: random.Random, family: str = "") -> str:
    if uyghur:
        given = rng.choice(names.UYGHUR_MALE if male else names.UYGHUR_FEMALE)
        return f"{given}{names.NAME_DOT}{family or rng.choice(names.UYGHUR_MALE)}"
    given = rng.choice(names.HAN_MALE if male else names.HAN_FEMALE)
    return (family or rng.choice(names.HAN_SURNAMES)) + given


def _between(rng: random.Random, first: date, last: date) -> date:
    last = max(first, min(last, _LAST_BIRTH))
    return first + timedelta(days=rng.randint(0, (last - first).days))


def _members(h: Household, ids: _Ids) -> Iterator[tuple]:
    """The rows of one household's members, the head first: relation, name, ID, schooling …"""
    rng = random.Random(h.id_number)
    region, head_born, head_male = h.id_number[:6], birth_date(h.id_number), is_male(h.id_number)
    uyghur = names.NAME_DOT in h.head_name
    head_given = h.head_name.split(names.NAME_DOT)[0] if uyghur else h.head_name[:1]
    low_income = rng.random() < 0.2
    people = [("户主", h.head_name, h.id_number, head_born)]
    if h.family_size >= 2:
        male = not head_male
        born = _between(
            rng,
            max(date(1935, 1, 1), head_born - timedelta(days=5 * 365)),
            head_born + timedelta(days=5 * 365),
        )
        people.append(("配偶", _name(uyghur, male, rng), ids.make(region, born, male, rng), born))
    for _ in range(h.family_size - len(people)):
        elder = (
            _age(head_born) < 45
            and rng.random() < 0.25
            and not any(p[0] in ("父亲", "母亲") for p in people)
        )
        male = rng.random() < 0.5
        if elder:
            born = _between(
                rng, head_born - timedelta(days=35 * 365), head_born - timedelta(days=20 * 365)
            )
            born = max(born, date(1930, 1, 1))
            relation = "父亲" if male else "母亲"
        elif head_born.year + 20 > _LAST_BIRTH.year - 4:
            # A young head keeps house with younger brothers and sisters.
            born = _between(
                rng, head_born + timedelta(days=365), head_born + timedelta(days=15 * 365)
            )
            relation = "之弟" if male else "之妹"
        else:
            born = _between(
                rng, head_born + timedelta(days=20 * 365), head_born + timedelta(days=42 * 365)
            )
            relation = "之子" if male else "之女"
        child = relation in ("之子", "之女")
        family = head_given if uyghur and child else ("" if uyghur else h.head_name[:1])
        people.append(
            (relation, _name(uyghur, male, rng, family), ids.make(region, born, male, rng), born)
        )
    for relation, name, number, born in people:
        age = _age(born)
        health = _health(age, rng)
        yield (
            name,
            number,
            relation,
            "男" if is_male(number) else "女",
            born,
            _schooling(age, rng) if relation not in ("户主", "配偶") else "非在校生",
            health,
            _skill(age, health, rng),
            "是" if rng.random() < 0.98 else "否",
            "是" if age >= 16 and rng.random() < 0.9 else "否",
            "是" if low_income or (age >= 70 and rng.random() < 0.3) else "否",
            "否",
            "正常",
        )


def _attribute(h: Household) -> str:
    rng = random.Random(f"attribute{h.id_number}")
    return rng.choices([a for a, _w in _ATTRIBUTES], [w for _a, w in _ATTRIBUTES])[0]


def register_rows(demo: DemoCounty) -> tuple[list[tuple], list[tuple]]:
    """The household rows and member rows of the demo's register, in the workbook's column order."""
    townships = {t.code: t.name for t in demo.townships}
    ids = _Ids(h.id_number for h in demo.households)
    households, members = [], []
    seq: dict[str, int] = {}
    for h in demo.households:
        seq[h.village_code] = seq.get(h.village_code, 0) + 1
        number = f"{h.village_code}{seq[h.village_code]:06d}"
        rows = [(number, h.id_number, *row) for row in _members(h, ids)]
        members += rows
        households.append(
            (
                number,
                townships[h.township_code],
                h.village_code,
                h.head_name,
                h.id_number,
                len(rows),
                _attribute(h),
                random.Random(h.id_number).choice(_CAUSES),
                h.exit_year,
                h.planned_exit_year,
                h.helper_name,
                "",
                h.phone,
            )
        )
    return households, members


def demo_register_workbook(demo: DemoCounty) -> bytes:
    """The demo's register as the national system would export it."""
    households, members = register_rows(demo)
    return write_register(households, members)


_CACHED_UP_TO = 10_000  # households: a test county's register, not a benchmark prefecture's


@functools.lru_cache(maxsize=2)
def _cached_register(demo: DemoCounty) -> tuple[bytes, RegisterBook]:
    data = demo_register_workbook(demo)
    return data, read_register(data)


def _demo_register(demo: DemoCounty) -> tuple[bytes, RegisterBook]:
    """The demo's register workbook and what the reader reads in it; a small county's is written
    and read once per process (the tests load the same demo county hundreds of times)."""
    if len(demo.households) <= _CACHED_UP_TO:
        return _cached_register(demo)
    data = demo_register_workbook(demo)
    return data, read_register(data)


def load_demo_households(demo: DemoCounty) -> RegisterLoad:
    """Load the demo's households and members through the register's loader, as a county office
    loads the national system's export (the county's administrator or office loads it)."""
    actor = db.session.scalar(
        sa.select(User)
        .where(User.role.in_((Role.ADMIN, Role.COUNTY_OFFICE)), User.is_active)
        .order_by(User.id)
    )
    if actor is None:
        raise ValueError("the demo county needs an administrator before its households")
    data, book = _demo_register(demo)
    load = load_register_book(book, data, REGISTER_YEAR, actor)
    if not load.ok:
        raise ValueError("the demo register does not load: " + "; ".join(load.problems[:5]))
    return load
