"""Rounds: launching a year's 回头看·回头帮 with its deadlines, as an annual_round process."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from workflow.engine import instances
from workflow.models import Role, Round, RoundStatus, Township, TownshipSurvey, User
from workflow.people.access import require_role
from workflow.platform import audit, clock
from workflow.platform.acting import acting_as
from workflow.platform.db import db
from workflow.platform.errors import NotFound, Refused, ValidationFailed
from workflow.platform.i18n import _
from workflow.programme.catalogue import catalogue_record

FIRST_EXIT_YEAR = 2014  # households that exited from 2014 on are looked back at (§一)
LAUNCH_YEARS = range(2014, 2031)  # the years a round may be launched for


@dataclass(frozen=True)
class Deadlines:
    """A round's three official dates (each meaning 23:59:59 Beijing time of that day)."""

    survey_due: date
    results_due: date
    done_by: date

    @classmethod
    def defaults(cls, year: int) -> Deadlines:
        """The plan's dates: survey 07-13, results tables 10-15, help-back done 12-31."""
        return cls(date(year, 7, 13), date(year, 10, 15), date(year, 12, 31))

    @classmethod
    def filled(
        cls,
        year: int,
        survey_due: date | None = None,
        results_due: date | None = None,
        done_by: date | None = None,
    ) -> Deadlines:
        """The dates given, each one left out taken from the plan's defaults (page, CLI, API)."""
        defaults = cls.defaults(year)
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


def get_round(year: int) -> Round:
    """The round of a year."""
    round_ = db.session.scalar(sa.select(Round).where(Round.year == year))
    if round_ is None:
        raise NotFound(_("The work of %(year)s has not been launched yet.", year=year))
    return round_


def default_standard_year(year: int, survey_due: date) -> int:
    """Which year's standard a round checks against: a mid-year look-back checks the households
    against the previous year's standard (§四.1: July 2018 against 2017), a year-end one against
    that year's (§四.2)."""
    return year - 1 if survey_due.month < 12 else year


def launch_round(
    year: int, actor: User, deadlines: Deadlines | None = None, standard_year: int | None = None
) -> Round:
    """Start a year's round: store it, then start annual_round, which starts every township."""
    require_role(actor, Role.COUNTY_OFFICE, Role.ADMIN)
    problems = year_problems(year)
    if problems:
        raise ValidationFailed(problems)
    dl = deadlines or Deadlines.defaults(year)
    if not dl.survey_due <= dl.results_due <= dl.done_by:
        problems["deadlines"] = _("The dates must be in order: survey due ≤ results due ≤ done by.")
    if dl.done_by.year != year:
        problems["done_by"] = _("The done-by date must fall within %(year)s.", year=year)
    if problems:
        raise ValidationFailed(problems)
    planned = db.session.scalar(sa.select(Round).where(Round.year == year))
    if planned is not None and planned.status != RoundStatus.PLANNED:
        raise Refused(
            _(
                "The work of %(year)s has already been launched; it cannot be launched twice.",
                year=year,
            )
        )
    if db.session.scalar(sa.select(sa.func.count()).select_from(Township)) == 0:
        raise Refused(
            _(
                "The county has no townships yet: load its base data first "
                "(huitou county load, or the set-up page)."
            )
        )
    previous = db.session.scalar(sa.select(Round).where(Round.year == year - 1))
    catalogue = catalogue_record(standard_year or default_standard_year(year, dl.survey_due))
    # A round planned by last year's carry-over (holding the carried cases) is launched in place.
    round_ = planned or Round(year=year, exit_year_from=FIRST_EXIT_YEAR)
    round_.standard_version = f"{catalogue.year}-v{catalogue.version}"
    round_.catalogue_id = catalogue.id
    round_.exit_year_to = year - 1
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
            subject=_("Look-back and help-back %(year)s", year=year),
        )
    round_.instance_id = instance.id
    return round_


def menu_year() -> int:
    """The round a menu points at: the open one, else the latest one, else this year."""
    open_year = db.session.scalar(
        sa.select(sa.func.max(Round.year)).where(Round.status == RoundStatus.OPEN)
    )
    latest = open_year or db.session.scalar(sa.select(sa.func.max(Round.year)))
    return latest or clock.in_beijing(clock.now()).year


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
