"""The database's checks of an uploaded survey form: every row must be a household, village or
township of the uploader's unit, in the round's scope; each problem names its cell."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from workflow.forms import ParsedRow
from workflow.models import Household, Round, Township, Village
from workflow.platform.db import db
from workflow.platform.i18n import _
from workflow.programme.applicability import (
    member_it_applies_to,
    members_of,
    reference_date,
)
from workflow.programme.lookback import household_in_round, looked_back_at, village_exited_in
from workflow.programme.standards import NOT_APPLICABLE, Standard


@dataclass(frozen=True)
class Target:
    """The unit a form is for: a village (附件1/2) or a township (附件3)."""

    township: Township
    village: Village | None


def check_households(
    rows: list[ParsedRow], target: Target, round_: Round, sheet: str
) -> tuple[list[dict[str, Any]], list[str]]:
    rows = [r for r in rows if r.values.get("id_number")]  # unreadable IDs are already reported
    ids = [r.values["id_number"] for r in rows]
    known = {
        h.id_number: h
        for h in db.session.scalars(sa.select(Household).where(Household.id_number.in_(ids)))
    }
    subjects, problems = [], []
    for row in rows:
        where = f"{sheet}!{row.cells['id_number']}"
        household = known.get(row.values["id_number"])
        # Out of poverty, or a planned exit a year-end round accepts (预脱贫, not out yet).
        not_out = household is not None and household.exit_year is None
        if (
            household is None
            or not household.in_register
            or (not_out and not household_in_round(round_, household))
        ):
            problems.append(
                _at(
                    where,
                    _(
                        "ID number %(id)s is not on the county's list of households "
                        "out of poverty.",
                        id=row.values["id_number"],
                    ),
                )
            )
            continue
        if household.village_id != target.village.id:
            problems.append(
                _at(
                    where,
                    _(
                        "The household belongs to %(township)s%(village)s, not to %(target)s.",
                        township=household.village.township.name,
                        village=household.village.name,
                        target=target.village.name,
                    ),
                )
            )
            continue
        if not household_in_round(round_, household):
            problems.append(
                _at(
                    where,
                    _(
                        "The household left poverty in %(year)s, outside this round's look-back "
                        "(households out of poverty in %(first)s–%(last)s).",
                        year=household.exit_year,
                        first=round_.exit_year_from,
                        last=round_.exit_year_to,
                    ),
                )
            )
            continue
        name = row.values.get("name")
        if name and name.replace(" ", "") != household.head_name.replace(" ", ""):
            problems.append(
                _at(
                    f"{sheet}!{row.cells['name']}",
                    _(
                        "The head of household “%(name)s” does not match the register "
                        "(“%(registered)s”).",
                        name=name,
                        registered=household.head_name,
                    ),
                )
            )
        subjects.append({"household_id": household.id, "village_id": target.village.id})
    surveyed = {s["household_id"] for s in subjects}
    missing = db.session.scalars(
        sa.select(Household)
        .where(
            looked_back_at(round_, target.village.id),
            Household.id_number.not_in(ids),
        )
        .order_by(Household.id)
    ).all()
    missing = [h for h in missing if h.id not in surveyed]
    if missing:
        names = _(", ").join(
            _("%(name)s (%(id)s)", name=h.head_name, id=h.id_number) for h in missing[:10]
        )
        more = (
            _(" and others, %(num)s households", num=len(missing))
            if len(missing) > 10
            else _(", %(num)s households in all", num=len(missing))
        )
        problems.append(
            _at(
                sheet,
                _(
                    "Households of the village that must be surveyed are missing: "
                    "%(names)s%(more)s",
                    names=names,
                    more=more,
                ),
            )
        )
    return subjects, problems


def check_applicability(
    rows: list[ParsedRow], standard: Standard, round_: Round, sheet: str
) -> list[str]:
    """不涉及 only where the register says an indicator does not apply to the household."""
    ruled = [i for i in standard.for_kind("household") if i.applies_to is not None]
    claimed = [
        r
        for r in rows
        if r.values.get("id_number") and any(r.values.get(i.code) == NOT_APPLICABLE for i in ruled)
    ]
    if not claimed:
        return []
    households = dict(
        db.session.execute(
            sa.select(Household.id_number, Household.id).where(
                Household.id_number.in_([r.values["id_number"] for r in claimed])
            )
        ).all()
    )
    on = reference_date(round_)
    members = members_of(households.values(), on)
    problems = []
    for row in claimed:
        household_id = households.get(row.values["id_number"])
        if household_id is None:
            continue  # already reported: not on the list
        for ind in ruled:
            if row.values.get(ind.code) != NOT_APPLICABLE:
                continue
            listed = members.get(household_id, [])
            member = member_it_applies_to(ind, listed)
            if not listed:
                problem = _(
                    "The register lists no member of this household, so it cannot show that "
                    "“%(column)s” does not apply; write yes or no.",
                    column=ind.short_name,
                )
            elif member is not None:
                problem = _(
                    "The register shows a member it applies to (%(name)s, %(age)s years old on "
                    "%(date)s); “%(column)s” cannot be “not applicable”.",
                    name=member.name,
                    age=member.age,
                    date=f"{on:%Y-%m-%d}",
                    column=ind.short_name,
                )
            else:
                continue
            problems.append(_at(f"{sheet}!{row.cells[ind.code]}", problem))
    return problems


def check_villages(
    rows: list[ParsedRow], target: Target, round_: Round, sheet: str
) -> tuple[list[dict[str, Any]], list[str]]:
    villages = {v.name: v for v in target.township.villages}
    subjects, problems = [], []
    for row in rows:
        where = f"{sheet}!{row.cells.get('village', '')}"
        name = row.values.get("village")
        if not name:
            continue
        village = villages.get(name)
        if village is None:
            problems.append(
                _at(
                    where,
                    _(
                        "%(township)s has no village named “%(name)s”.",
                        township=target.township.name,
                        name=name,
                    ),
                )
            )
        elif not village_exited_in(round_, village):
            problems.append(
                _at(
                    where,
                    _(
                        "%(village)s is not a village that exited poverty; it does not fill in "
                        "form 2.",
                        village=name,
                    ),
                )
            )
        elif target.village is not None and village.id != target.village.id:
            problems.append(
                _at(
                    where,
                    _(
                        "You may fill in only your own village (%(own)s), not %(other)s.",
                        own=target.village.name,
                        other=name,
                    ),
                )
            )
        else:
            subjects.append({"village_id": village.id})
        township = row.values.get("township")
        if township and township != target.township.name:
            problems.append(
                _at(
                    f"{sheet}!{row.cells['township']}",
                    _("The township must be %(township)s.", township=target.township.name),
                )
            )
    return subjects, problems


def check_township(
    rows: list[ParsedRow], target: Target, round_: Round, sheet: str
) -> tuple[list[dict[str, Any]], list[str]]:
    problems = []
    for row in rows:
        if row.values.get("township") and row.values["township"] != target.township.name:
            problems.append(
                _at(
                    f"{sheet}!{row.cells['township']}",
                    _(
                        "You may fill in only your own township (%(own)s), not “%(other)s”.",
                        own=target.township.name,
                        other=row.values["township"],
                    ),
                )
            )
    if len(rows) != 1:
        problems.append(
            _at(
                sheet,
                _(
                    "Form 3 must have exactly one row, the township's; it has %(num)s.",
                    num=len(rows),
                ),
            )
        )
    return [{} for _ in rows], problems


def _at(where: str, problem: str) -> str:
    """A problem with the sheet (and cell) it is about, as FormError writes it."""
    return f"{where}: {problem}"
