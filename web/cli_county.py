"""`huitou county …` and the demo's `huitou init --demo`: the county's base data from its
workbook (乡镇, 村, 部门, 人员)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from web.cli_support import commit, find_user, with_app
from workflow.county.base_data import LoadReport, load_base_data
from workflow.county.book_writer import write_template
from workflow.county.setup import the_county
from workflow.demo.county import DEMO_PASSWORD, load_demo_county
from workflow.demo.data import build_demo_county
from workflow.demo.year import REHEARSAL_START, play_demo_year
from workflow.platform.db import db
from workflow.platform.errors import ValidationFailed
from workflow.platform.i18n import gettext
from workflow.programme.routing import departments_missing_from_routing


def routing_warning(codes: list[str]) -> str:
    """The warning of a county lacking departments the routing table sends gaps to."""
    return gettext(
        "Warning: the routing table sends gaps to the departments %(codes)s, which the county "
        "does not have; add them to the departments sheet.",
        codes=", ".join(codes),
    )


def init_demo(households: int, no_scenario: bool) -> None:
    """Create the demo county through the base-data loader, and play its 2018 so far."""
    demo = build_demo_county(households=households)
    logins = load_demo_county(demo)
    commit()
    if not no_scenario:
        play_demo_year()
        click.echo(gettext("The work of 2018 was played up to 1 August. The demo clock:"))
        click.echo(f"  HUITOU_REHEARSAL_START={REHEARSAL_START}")
    click.echo(
        gettext(
            "Created the demo county: %(county)s (%(households)s households). "
            "Demo accounts (all with the password %(password)s):",
            county=demo.name,
            households=households,
            password=DEMO_PASSWORD,
        )
    )
    for login in logins:
        role = login.role.value
        click.echo(f"  {login.username:<16} {login.display_name:<8} {role:<18} {login.unit}")


@click.group()
def county() -> None:
    """The county's base data: townships, villages, departments and people."""


@county.command("template")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False))
@with_app
def county_template(output: str) -> None:
    """Write the blank base-data workbook (header rows, an example row, instructions)."""
    county = the_county()
    Path(output).write_bytes(write_template(county.code if county else ""))
    click.echo(gettext("Wrote %(file)s.", file=output))


@county.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "username", required=True, help="The acting administrator.")
@with_app
def county_load(file: str, username: str) -> None:
    """Load the base-data workbook: all or nothing; a second load updates."""
    actor = find_user(username)
    try:
        report = load_base_data(Path(file).read_bytes(), actor)
    except ValidationFailed as exc:
        db.session.rollback()
        problems = exc.messages()
        click.echo(
            gettext("Nothing was loaded: the file has %(num)s problems.", num=len(problems)),
            err=True,
        )
        for problem in problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    commit()
    print_report(report)


def print_report(report: LoadReport) -> None:
    """Echo what a load changed, the first passwords (this once) and the routing warnings."""
    for line in report.summary():
        click.echo(line)
    if report.first_passwords:
        click.echo(
            gettext(
                "First passwords of the new people (shown this once; each must change it at "
                "first login):"
            )
        )
        for first in report.first_passwords:
            click.echo(f"  {first.username:<20} {first.name:<8} {first.password}")
    missing = departments_missing_from_routing()
    if missing:
        click.echo(routing_warning(missing), err=True)
