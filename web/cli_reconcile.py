"""`huitou reconcile`: the police register extract in, and the 四统一 reconciliation of a round."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from web.cli_support import commit, find_user, with_app
from workflow.platform.i18n import gettext
from workflow.programme import rounds
from workflow.reconcile.lines import difference_workbook
from workflow.reconcile.police import load_police
from workflow.reconcile.work import run_reconciliation
from workflow.survey.templates import find_township


@click.group()
def reconcile() -> None:
    """四统一: the police register extract, and the reconciliation of the four sources."""


@reconcile.command("load-police")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "username", required=True, help="An administrator or the county office.")
@with_app
def load_police_command(path: str, username: str) -> None:
    """Load the police register extract (公安户籍): all or nothing, every problem by cell."""
    load = load_police(Path(path).read_bytes(), find_user(username), Path(path).name)
    if not load.ok:
        click.echo(gettext("The police extract is wrong; nothing was changed:"), err=True)
        for problem in load.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    commit()
    click.echo(
        gettext(
            "Loaded police extract %(number)s: %(households)s households, %(people)s people.",
            number=load.extract.number,
            households=load.extract.households,
            people=load.extract.people,
        )
    )


@reconcile.command("run")
@click.option("--round", "year", required=True, help="2018-mid, 2018-end, or a year.")
@click.option("--township", help="Township name or division code.")
@click.option("--as", "username", required=True, help="An administrator or the county office.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@with_app
def run_command(year: str, township: str | None, username: str, output: str) -> None:
    """Reconcile the round's households; write the difference list (one row per difference)."""
    user = find_user(username)
    round_ = rounds.get_round(year)
    t = find_township(township) if township else None
    run = run_reconciliation(round_, user, t)
    Path(output).write_bytes(difference_workbook(round_, user, t))
    commit()
    click.echo(
        gettext(
            "Reconciled %(households)s households: %(differing)s differ; %(opened)s new "
            "differences, %(closed)s closed → %(path)s",
            households=run.households,
            differing=run.differing,
            opened=run.opened,
            closed=run.closed,
            path=output,
        )
    )
