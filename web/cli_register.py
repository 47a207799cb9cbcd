"""`huitou register`: the 建档立卡 register from the national system's Excel export."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from web.cli_support import commit, find_user, with_app
from workflow.county.register import load_register
from workflow.forms.register_writer import register_template
from workflow.platform.i18n import gettext


@click.group()
def register() -> None:
    """The 建档立卡 register: its blank template, and each year's versions loaded from Excel."""


@register.command("template")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
def register_template_command(output: str) -> None:
    """Write the blank register workbook: 贫困户 and 家庭成员 with one example, and 说明."""

    Path(output).write_bytes(register_template())
    click.echo(gettext("Wrote the register template: %(path)s", path=output))


def echo_changes(load: object) -> None:
    """Print every kind of change: its count and the first lines describing it."""
    changes = load.changes  # type: ignore[attr-defined]
    for kind, count in changes.counts.items():
        click.echo(f"{gettext('register:' + kind)}: {count}")
        for line in changes.lines[kind]:
            click.echo(f"  {line}")
        if count > len(changes.lines[kind]):
            click.echo("  " + gettext("… and %(num)s more", num=count - len(changes.lines[kind])))


@register.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--year", type=int, required=True)
@click.option("--as", "username", required=True, help="An administrator or the county office.")
@click.option("--dry-run", is_flag=True, help="List the differences without storing anything.")
@with_app
def register_load(path: str, year: int, username: str, dry_run: bool) -> None:
    """Load the register as the year's next version: all or nothing, differences listed."""
    load = load_register(Path(path).read_bytes(), year, find_user(username), dry_run=dry_run)
    if not load.ok:
        click.echo(gettext("The register is wrong; nothing was changed:"), err=True)
        for problem in load.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    echo_changes(load)
    if dry_run:
        click.echo(gettext("Dry run: nothing was changed."))
        return
    commit()
    click.echo(
        gettext(
            "Loaded version %(version)s of the %(year)s register: %(households)s households, "
            "%(members)s members.",
            version=load.version.number,
            year=year,
            households=load.households,
            members=load.members,
        )
    )
