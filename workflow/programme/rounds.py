"""Rounds: launching a year's 回头看·回头帮 with its deadlines, as an annual_round process."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from workflow.engine import instances
from workflow.models import (
    CaseStatus,
    Gap,
    HelpCase,
    Role,
    Round,
    RoundKind,
    RoundStatus,
    Township,
    TownshipSurvey,
    User,
)
from workflow.people.access import require_role
from workflow.platform import audit, clock
from workflow.platform.acting import acting_as
from workflow.platform.db import db
from workflow.platform.errors import NotFound, Refused, ValidationFailed
from workflow.platform.i18n import _
from workflow.programme.catalogue import catalogue_record

FIRST_EXIT_YEAR = 2014  # households that exited from 2014 on are looked back at (§一)
LAUNCH_YEARS = range(2014, 2031)  # the years a round may be launched for
ROUND_NAME = re.compile(r"^\s*(\d{4})(?:-(mid|end|final))?\s*$")
# The year-end and final look-backs' dates (§四.2, §四.3): before the year's end, together with
# the annual acceptance; what they find is helped back next year (item 4 of issue 12).
YEAR_END_DATES = ((12, 10), (12, 20), (12, 31))


@dataclass(frozen=True)
class Deadlines:
    """A round's three official dates (each meaning 23:59:59 Beijing time of that day)."""

    survey_due: date
    results_due: date
    done_by: date

    @classmethod
    def defaults(cls, year: int, kind: RoundKind = RoundKind.MID) -> Deadlines:
        """The plan's dates: a mid-year round surveys by 07-13, results tables by 10-15,
        help-back done 12-31; a year-end or final round surveys by 12-10, results by 12-20."""
        if kind == RoundKind.MID:
            return cls(date(year, 7, 13), date(year, 10, 15), date(year, 12, 31))
        return cls(*(date(year, month, day) for month, day in YEAR_END_DATES))

    @classmethod
    def filled(
        cls,
        year: int,
        survey_due: date | None = None,
        results_due: date | None = None,
        done_by: date | None = None,
        kind: RoundKind = RoundKind.MID,
    ) -> Deadlines:
        """The dates given, each one left out taken from the plan's defaults (page, CLI, API)."""
        defaults = cls.defaults(year, kind)
        return cls(
            survey_due or defaults.survey_due,
            results_due or defaults.results_due,
            done_by or defaults.done_by,
        )


def year_problems(year: int) -> dict[str, str]:
    """What is wrong with a year to launch (nothing for a year in LAUNCH_YEARS)."""
    if year in LAUNCH_YEARS:
        return {}
    return {
        "year": _(
            "Enter a year between %(first)s and %(last)s.",
            first=LAUNCH_YEARS[0],
            last=LAUNCH_YEARS[-1],
        )
    }


def get_round(name: str | int) -> Round:
    """The round a name says: `2018-mid`, `2018-end`, `2020-final`, or a plain year when that
    year holds one round. The one resolver of every `--round`, round address and API path."""
    match = ROUND_NAME.match(str(name))
    if match is None:
        raise NotFound(
            _("No round is called %(name)s; name one like 2018-mid or 2018-end.", name=name)
        )
    year, kind = int(match.group(1)), match.group(2)
    query = sa.select(Round).where(Round.year == year)
    if kind is not None:
        query = query.where(Round.kind == RoundKind(kind))
    found = list(db.session.scalars(query.order_by(Round.survey_due)))
    if not found:
        if kind is not None:
            raise NotFound(_("The round %(name)s has not been launched yet.", name=name))
        raise NotFound(_("The work of %(year)s has not been launched yet.", year=year))
    if len(found) > 1:
        raise NotFound(
            _(
                "%(year)s holds several rounds: %(names)s; name one of them.",
                year=year,
                names=", ".join(r.name for r in found),
            )
        )
    return found[0]


def find_round(year: int, kind: RoundKind) -> Round | None:
    """A year's round of a kind, if there is one."""
    return db.session.scalar(sa.select(Round).where(Round.year == year, Round.kind == kind))


def default_standard_year(year: int, kind: RoundKind) -> int:
    """Which year's standard a round checks against: a mid-year look-back checks the households
    against the previous year's standard (§四.1: July 2018 against 2017), a year-end or final one
    against that year's (§四.2, §四.3)."""
    return year - 1 if kind == RoundKind.MID else year


def exit_year_to(year: int, kind: RoundKind) -> int:
    """The last exit year a round looks back at: the years before for a mid-year round, that
    year too for a year-end or final one."""
    return year - 1 if kind == RoundKind.MID else year


def launch_round(
    year: int,
    actor: User,
    deadlines: Deadlines | None = None,
    standard_year: int | None = None,
    kind: RoundKind = RoundKind.MID,
) -> Round:
    """Start a year's round of a kind: store it, then start annual_round, which starts every
    township."""
    require_role(actor, Role.COUNTY_OFFICE, Role.ADMIN)
    problems = year_problems(year)
    if problems:
        raise ValidationFailed(problems)
    kind = RoundKind(kind)
    dl = deadlines or Deadlines.defaults(year, kind)
    if not dl.survey_due <= dl.results_due <= dl.done_by:
        problems["deadlines"] = _("The dates must be in order: survey due ≤ results due ≤ done by.")
    if dl.done_by.year != year:
        problems["done_by"] = _("The done-by date must fall within %(year)s.", year=year)
    if problems:
        raise ValidationFailed(problems)
    planned = find_round(year, kind)
    if planned is not None and planned.status != RoundStatus.PLANNED:
        raise Refused(
            _(
                "The round %(name)s has already been launched; it cannot be launched twice.",
                name=planned.name,
            )
        )
    if db.session.scalar(sa.select(sa.func.count()).select_from(Township)) == 0:
        raise Refused(
            _(
                "The county has no townships yet: load its base data first "
                "(huitou county load, or the set-up page)."
            )
        )
    previous = latest_round_before(year, kind)
    catalogue = catalogue_record(standard_year or default_standard_year(year, kind))
    # A round planned by last year's carry-over (holding the carried cases) is launched in place.
    round_ = planned or Round(year=year, kind=kind, exit_year_from=FIRST_EXIT_YEAR)
    round_.standard_version = f"{catalogue.year}-v{catalogue.version}"
    round_.catalogue_id = catalogue.id
    round_.exit_year_to = exit_year_to(year, kind)
    round_.survey_due, round_.results_due, round_.done_by = (
        dl.survey_due,
        dl.results_due,
        dl.done_by,
    )
    round_.status = RoundStatus.OPEN
    round_.launched_at, round_.launched_by_id = clock.now(), actor.id
    round_.previous_round_id = previous.id if previous else None
    db.session.add(round_)
    db.session.flush()
    audit.record(
        actor,
        "round.launch",
        "round",
        round_.id,
        after={
            "year": year,
            "kind": kind.value,
            "survey_due": str(dl.survey_due),
            "results_due": str(dl.results_due),
            "done_by": str(dl.done_by),
            "catalogue_version": catalogue.version,
        },
    )
    data = {"round_id": round_.id, "done_by_at": clock.iso(clock.end_of_day(dl.done_by))}
    with acting_as(actor):
        instance = instances.start_instance(
            "annual_round",
            data,
            instances.Scope(round_.id),
            subject=_("Look-back and help-back %(year)s", year=round_.name),
        )
    round_.instance_id = instance.id
    return round_


KIND_ORDER = {RoundKind.MID: 0, RoundKind.END: 1, RoundKind.FINAL: 2}


def next_round(round_: Round) -> Round:
    """Next year's (mid-year) round, created as planned (not yet launched) if it does not
    exist: the cases carried over, and those a year-end round found, are next year's work."""
    year = round_.year + 1
    existing = find_round(year, RoundKind.MID)
    if existing is not None:
        return existing

    dl = Deadlines.defaults(year)
    catalogue = catalogue_record(year)
    planned = Round(
        year=year,
        standard_version=f"{catalogue.year}-v{catalogue.version}",
        catalogue_id=catalogue.id,
        exit_year_from=round_.exit_year_from,
        exit_year_to=year - 1,
        survey_due=dl.survey_due,
        results_due=dl.results_due,
        done_by=dl.done_by,
        status=RoundStatus.PLANNED,
        launched_at=clock.now(),
        previous_round_id=round_.id,
    )
    db.session.add(planned)
    db.session.flush()
    audit.record(None, "round.plan", "round", planned.id, after={"year": year})
    return planned


def plan_round(round_: Round) -> Round:
    """The round whose plan takes the gaps a round finds: a year-end round's findings are next
    year's 回头帮 (§四.2), a mid-year or final round's are its own year's."""
    return next_round(round_) if round_.kind == RoundKind.END else round_


def latest_round_before(year: int, kind: RoundKind) -> Round | None:
    """The round launched just before a year's round of a kind: the same year's mid-year round
    before its year-end one, else the previous year's last."""
    earlier = [
        r
        for r in db.session.scalars(sa.select(Round).where(Round.year.between(year - 1, year)))
        if (r.year, KIND_ORDER[r.kind]) < (year, KIND_ORDER[kind])
    ]
    return max(earlier, key=lambda r: (r.year, KIND_ORDER[r.kind]), default=None)


def kind_of(value: str | None) -> RoundKind | None:
    """The kind a form or a command names (None when it names none of them); left out, a
    round is a mid-year one, as in 2018."""
    if not value:
        return RoundKind.MID
    try:
        return RoundKind(value)
    except ValueError:
        return None


def in_calendar_order(newest_first: bool = False) -> list[Round]:
    """Every round launched or planned, in the order of the programme's calendar: a year's
    mid-year round before its year-end one."""
    every = db.session.scalars(sa.select(Round)).all()
    return sorted(every, key=lambda r: (r.year, KIND_ORDER[r.kind]), reverse=newest_first)


@dataclass(frozen=True)
class RoundNumbers:
    """A round's numbers on the line of rounds: gaps its look-back found, cases of its plan
    (those carried in and those a year-end round found included), and how many are done."""

    gaps: int
    cases: int
    cases_done: int


def calendar_numbers() -> dict[int, RoundNumbers]:
    """Every round's numbers, by round id, in three grouped queries."""
    gaps = dict(
        db.session.execute(sa.select(Gap.round_id, sa.func.count()).group_by(Gap.round_id)).all()
    )
    done = HelpCase.status.in_((CaseStatus.ACCEPTING, CaseStatus.CLOSED))
    cases = {
        round_id: (total, finished or 0)
        for round_id, total, finished in db.session.execute(
            sa.select(
                HelpCase.round_id, sa.func.count(), sa.func.sum(sa.case((done, 1), else_=0))
            ).group_by(HelpCase.round_id)
        )
    }
    ids = set(gaps) | set(cases)
    return {i: RoundNumbers(gaps.get(i, 0), *cases.get(i, (0, 0))) for i in ids}


def menu_year() -> int:
    """The round a menu points at: the open one, else the latest one, else this year."""
    open_year = db.session.scalar(
        sa.select(sa.func.max(Round.year)).where(Round.status == RoundStatus.OPEN)
    )
    latest = open_year or db.session.scalar(sa.select(sa.func.max(Round.year)))
    return latest or clock.in_beijing(clock.now()).year


def menu_round() -> str:
    """The name of the round a menu's round links point at: the open one (the latest opened
    if several are), else the latest one, else this year's."""
    every = list(db.session.scalars(sa.select(Round).where(Round.status != RoundStatus.PLANNED)))
    open_ = [r for r in every if r.status == RoundStatus.OPEN] or every
    if not open_:
        return str(clock.in_beijing(clock.now()).year)
    return max(open_, key=lambda r: (r.year, KIND_ORDER[r.kind])).name


def township_surveys(round_: Round, viewer: User) -> list:
    """The round's township surveys in division-code order; a township's or a village's user
    sees her own township's only."""
    query = (
        sa.select(TownshipSurvey)
        .join(Township)
        .where(TownshipSurvey.round_id == round_.id)
        .order_by(Township.code)
    )
    if viewer.role.scope_kind in ("township", "village"):
        query = query.where(TownshipSurvey.township_id == viewer.township_id)
    return list(db.session.scalars(query))
