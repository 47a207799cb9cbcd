"""Synthetic counties of any size for the benchmark, and their survey forms filled in.

A county of 3,500 households is the demo county's geography (13 townships, 60 villages, 15 of them
exited poor villages). A bigger one, a prefecture, repeats that geography with new division codes
and names, so that a village keeps about as many households as a real one (≈ 60) whatever the
size; a smaller one (the smoke run) takes the first few townships. Households come from
`build_demo_county`, with ID numbers that pass GB 11643 and are unique across the whole set.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta

import sqlalchemy as sa

from workflow.demo.data import (
    COUNTY_NAME,
    EMAIL_DOMAIN,
    ROLE_ADMIN,
    ROLE_COUNTY_OFFICE,
    ROLE_DEPARTMENT_CLERK,
    ROLE_DEPARTMENT_LEADER,
    ROLE_LEADING_GROUP,
    ROLE_TOWNSHIP_CLERK,
    ROLE_TOWNSHIP_LEADER,
    DemoCounty,
    DemoUser,
    Household,
    Township,
    Village,
    build_demo_county,
)
from workflow.forms.layout import AMOUNT, PERCENT, YES_NO, form_title, survey_layout
from workflow.forms.writer import render_sheet
from workflow.models import Township as TownshipRow
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.idcard import birth_date, make_id
from workflow.programme.lookback import households_in_scope, villages_in_scope
from workflow.programme.standards import ELIGIBLE_SUFFIX, Standard, threshold_of

COUNTY_HOUSEHOLDS = 3500  # one county: the demo county's size and geography
SURVEY_YEAR = 2018
# The county codes of 巴音郭楞蒙古自治州 (Bayingolin): a prefecture's households carry them.
PREFECTURE_COUNTY_CODES = (
    "652825",
    "652801",
    "652822",
    "652823",
    "652824",
    "652826",
    "652827",
    "652828",
    "652829",
)
# How many indicators a subject misses, and how often: most meet all, a few percent miss one or
# two (the demo's careful clerks find about the same).
GAP_SPREAD = ((0, 0.925), (1, 0.05), (2, 0.02), (3, 0.005))


def synthetic_county(households: int, seed: int = 2018) -> DemoCounty:
    """A county (or prefecture) of exactly `households` households, all in the 2018 look-back."""
    base = build_demo_county(seed, households=0)
    copies = max(1, math.ceil(households / COUNTY_HOUSEHOLDS))
    townships: list[Township] = []
    villages: list[Village] = []
    homes: list[Household] = []
    seen_ids: set[str] = set()
    rng = random.Random(seed)
    for copy, count in enumerate(_split(households, copies)):
        t_part, codes = _geography_copy(base, copy, count)
        townships += t_part
        v_part = list(codes.values())
        villages += v_part
        # The demo spreads households over all 60 villages; ask for enough that the chosen
        # villages get `count`, then keep exactly that many.
        wanted = math.ceil(count * len(base.villages) / len(v_part) * 1.15) + 10
        drawn = build_demo_county(seed + copy, households=wanted).households
        region = PREFECTURE_COUNTY_CODES[copy % len(PREFECTURE_COUNTY_CODES)]
        mine = [h for h in drawn if h.village_code in codes][:count]
        for h in mine:
            village = codes[h.village_code]
            homes.append(
                replace(
                    h,
                    id_number=_unique_id(h.id_number, region, seen_ids),
                    exit_year=_in_lookback(h.exit_year, rng),
                    planned_exit_year=None,
                    village_code=village.code,
                    township_code=village.township_code,
                )
            )
    return DemoCounty(
        base.name,
        base.code,
        tuple(townships),
        tuple(villages),
        tuple(homes),
        base.departments,
        _users(townships, base),
    )


def _split(total: int, parts: int) -> list[int]:
    share, rest = divmod(total, parts)
    return [share + (1 if i < rest else 0) for i in range(parts)]


def _geography_copy(
    base: DemoCounty, copy: int, households: int
) -> tuple[list[Township], dict[str, Village]]:
    """The demo geography again (new codes, names marked with the copy's number), and each
    demo village's counterpart by its code; for fewer households than a county, only as many
    townships as keep villages at their usual size."""
    share = min(1.0, households / COUNTY_HOUSEHOLDS)
    keep = max(1, round(len(base.townships) * share))
    townships, villages = [], {}
    for number, township in enumerate(base.townships[:keep]):
        code = f"{base.code}{len(base.townships) * copy + number + 100:03d}"
        suffix = str(copy + 1) if copy else ""
        townships.append(Township(code, township.name + suffix))
        for village in base.villages_of(township.code):
            villages[village.code] = replace(
                village,
                code=code + village.code[-3:],
                name=village.name + suffix,
                township_code=code,
            )
    return townships, villages


def _unique_id(number: str, region: str, seen: set[str]) -> str:
    """The same person's ID number moved to a county of the prefecture, never used before."""
    born, seq = birth_date(number), int(number[14:17])
    while True:
        candidate = make_id(region, born, seq, male=seq % 2 == 1)
        if candidate not in seen:
            seen.add(candidate)
            return candidate
        seq = (seq + 2) % 1000  # keeps the sex
        if seq < 2:
            born += timedelta(days=1)


def _in_lookback(exit_year: int | None, rng: random.Random) -> int:
    """2014–2017: the 2018 round looks back at every synthetic household (the demo's planned
    exits, not out yet, are made out in one of those years)."""
    if exit_year is not None and exit_year < SURVEY_YEAR:
        return exit_year
    return rng.choice((2015, 2016, 2017))


def _users(townships: list[Township], base: DemoCounty) -> tuple[DemoUser, ...]:
    """The county's office, leading group, administrator and departments as in the demo, and a
    clerk and a leader for every township (village clerks are added by load_demo_county)."""
    keep = {"admin", "fpb", "ldxz"}
    users = [
        u
        for u in base.users
        if u.username in keep or u.role in (ROLE_DEPARTMENT_CLERK, ROLE_DEPARTMENT_LEADER)
    ]
    assert {u.role for u in users if u.username in keep} == {
        ROLE_ADMIN,
        ROLE_COUNTY_OFFICE,
        ROLE_LEADING_GROUP,
    }
    for t in townships:
        for prefix, role in (("zg", ROLE_TOWNSHIP_CLERK), ("fzr", ROLE_TOWNSHIP_LEADER)):
            name = f"{prefix}{t.code}"
            users.append(
                DemoUser(name, name, role, "township", t.code, t.name, f"{name}@{EMAIL_DOMAIN}")
            )
    return tuple(users)


# -- filled forms ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilledForm:
    """One workbook a clerk uploads: which form, for which unit, its bytes and what it misses."""

    form_no: int
    township_id: int
    village_id: int | None
    data: bytes
    rows: int
    gaps: int


def gap_count(rng: random.Random) -> int:
    """How many indicators one subject misses, drawn from GAP_SPREAD."""
    draw = rng.random()
    for count, share in GAP_SPREAD:
        if draw < share:
            return count
        draw -= share
    return GAP_SPREAD[-1][0]


def answers(form_no: int, standard: Standard, rng: random.Random) -> tuple[dict[str, object], int]:
    """One subject's answers as a clerk types them: every indicator met except a few drawn gaps.
    Returns the answers by indicator code and how many indicators they miss."""
    columns = [
        c for c in survey_layout(form_no, standard).columns if c.kind in (YES_NO, AMOUNT, PERCENT)
    ]
    missed = set(rng.sample(range(len(columns)), gap_count(rng)))
    pair = [n for n, c in enumerate(columns) if c.key.startswith("H-DIBAO")]
    if len(pair) == 2 and set(pair) <= missed:  # 否 and 否 is a household rightly not on 低保
        missed.discard(pair[0])
    return {
        c.key: _answer(
            c.kind,
            threshold_of(standard, standard.indicator(c.key.removesuffix(ELIGIBLE_SUFFIX))),
            n in missed,
            rng,
        )
        for n, c in enumerate(columns)
    }, len(missed)


def _answer(kind: str, limit: float | None, miss: bool, rng: random.Random) -> object:
    if kind == YES_NO:
        return "否" if miss else "是"
    limit = limit or 5.0
    if kind == PERCENT:
        return round(
            rng.uniform(limit * 0.3, limit * 0.95) if miss else rng.uniform(limit + 0.5, 18), 1
        )
    return round(
        rng.uniform(limit * 0.6, limit * 0.95) if miss else rng.uniform(limit * 1.05, limit * 3), 1
    )


def filled_forms(round_, standard: Standard, seed: int = 2018) -> Iterator[FilledForm]:
    """Every form of the round, as the clerks would upload them: per township, each village's
    附件1 (and 附件2 for an exited village), then the township's 附件3 — the official layout
    pre-filled from the database as `survey_template` does, with the answers typed in."""
    rng = random.Random(seed)
    today = clock.today()

    def form(form_no: int, township, village, subjects: list[dict]) -> FilledForm:
        gaps = 0
        for n, row in enumerate(subjects, start=1):
            typed, missed = answers(form_no, standard, rng)
            row.update(typed, seq=n)
            gaps += missed
        layout = survey_layout(form_no, standard)
        title = form_title(form_no, township.name, village.name if village else "", COUNTY_NAME)
        data = render_sheet(
            layout, title, township.name, village.name if village else "", today, subjects
        )
        return FilledForm(
            form_no, township.id, village.id if village else None, data, len(subjects), gaps
        )

    for township in db.session.scalars(sa.select(TownshipRow).order_by(TownshipRow.code)).all():
        for village in villages_in_scope(round_, township.id):
            households = households_in_scope(round_, village)
            if households:
                rows = [
                    {
                        "name": h.head_name,
                        "id_number": h.id_number,
                        "family_size": h.family_size,
                        "exit_year": h.exit_year,
                        "helper": h.helper_name,
                        "phone": h.phone,
                    }
                    for h in households
                ]
                yield form(1, township, village, rows)
            if village.is_exited_poor:
                row = {"township": township.name, "village": village.name}
                yield form(2, township, village, [row | {"exit_year": village.exit_year}])
        yield form(3, township, None, [{"township": township.name}])
