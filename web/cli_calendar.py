"""`huitou planned-exit …`: the year-end acceptance of the year's 预脱贫 households (§五.5), the
township's proposal and the county office's decision, on the command line."""

from __future__ import annotations

import click
import sqlalchemy as sa

from web.cli_support import commit, find_user, with_app
from workflow.models import Household
from workflow.platform.db import db
from workflow.platform.errors import NotFound
from workflow.platform.i18n import gettext
from workflow.programme import planned_exits, rounds

VERDICTS = {"yes": True, "no": False}


@click.group("planned-exit")
def planned_exit() -> None:
    """The year-end acceptance of the year's planned exits (预脱贫)."""


def _household(id_number: str) -> Household:
    household = db.session.scalar(sa.select(Household).where(Household.id_number == id_number))
    if household is None:
        raise NotFound(gettext("No household has the ID number %(id)s.", id=id_number))
    return household


def _verdict(meets: bool | None) -> str:
    if meets is None:
        return "-"
    return gettext("meets the standard") if meets else gettext("does not meet the standard")


def _said(household: Household, meets: bool) -> str:
    return f"{household.head_name} ({household.id_number}): {_verdict(meets)}"


@planned_exit.command("list")
@click.option("--round", "name", required=True, help=gettext("The year-end round: 2018-end"))
@click.option("--as", "username", default="fpb", show_default=True)
@with_app
def list_(name: str, username: str) -> None:
    """The round's planned exits in the user's scope, with what was proposed and decided."""
    round_ = rounds.get_round(name)
    for household, review in planned_exits.planned_households(round_, find_user(username)):
        proposed = _verdict(review.proposed_meets if review else None)
        decided = _verdict(review.decided_meets if review else None)
        click.echo(f"{household.id_number}\t{household.head_name}\t{proposed}\t{decided}")


@planned_exit.command("propose")
@click.option("--round", "name", required=True)
@click.option("--id-number", required=True)
@click.option("--meets", type=click.Choice(["yes", "no"]), required=True)
@click.option("--reason", default="", help=gettext("What the household still lacks (for no)"))
@click.option("--as", "username", required=True, help=gettext("The township's clerk or leader"))
@with_app
def propose(name: str, id_number: str, meets: str, reason: str, username: str) -> None:
    """The township proposes 达标 (yes) or 不达标 (no, with --reason) for one of its planned
    exits."""
    household = _household(id_number)
    planned_exits.propose(
        rounds.get_round(name), household, find_user(username), VERDICTS[meets], reason
    )
    commit()
    click.echo(gettext("Proposed: %(said)s", said=_said(household, VERDICTS[meets])))


@planned_exit.command("decide")
@click.option("--round", "name", required=True)
@click.option("--id-number", required=True)
@click.option("--meets", type=click.Choice(["yes", "no"]), required=True)
@click.option("--reason", default="", help=gettext("What the household still lacks (for no)"))
@click.option("--as", "username", default="fpb", show_default=True)
@with_app
def decide(name: str, id_number: str, meets: str, reason: str, username: str) -> None:
    """The county office decides; the register records the exit, or moves the plan on."""
    household = _household(id_number)
    planned_exits.decide(
        rounds.get_round(name), household, find_user(username), VERDICTS[meets], reason
    )
    commit()
    click.echo(gettext("Decided: %(said)s", said=_said(household, VERDICTS[meets])))
