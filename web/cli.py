"""The `huitou` command: set up a county, rehearse deadlines, check the audit chain, serve."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from waitress import serve as waitress_serve

from notifications.wiring import tick_and_deliver
from web import (
    cli_archive,
    cli_calendar,
    cli_forms,
    cli_inspections,
    cli_operations,
    cli_reconcile,
    cli_register,
)
from web.cli_county import county, init_demo
from web.cli_support import commit, find_user, make_app, parse_date, read_new_password, with_app
from web.scheduling import run_worker, start_scheduler
from workflow.county import setup as county_setup
from workflow.models import RoundKind
from workflow.platform import clock
from workflow.platform.audit import verify_chain
from workflow.platform.backup import backup_to
from workflow.platform.i18n import LANGUAGES, gettext, set_language
from workflow.platform.schema import upgrade_database
from workflow.programme import rounds
from workflow.scheduler import TickReport


@click.group()
@click.option(
    "--lang",
    type=click.Choice(sorted(LANGUAGES)),
    envvar="HUITOU_LANG",
    help="Language of the output: zh (default) or ug (Uyghur); or set HUITOU_LANG.",
)
def main(lang: str | None) -> None:
    """huitou 回头看·回头帮 — a county's case management on SpiffWorkflow."""
    if lang:
        set_language(lang)


@main.command()
@click.option("--demo", is_flag=True, help="Create the demo county with synthetic people.")
@click.option("--if-absent", is_flag=True, help="Do nothing (exit 0) if a county already exists.")
@click.option("--households", default=3500, show_default=True, help="Demo households.")
@click.option("--no-scenario", is_flag=True, help="Demo county only, without its 2018 so far.")
@click.option("--county-name", default=None, help="The county's name (asked if absent).")
@click.option("--county-code", default=None, help="Its 6-digit division code (asked if absent).")
@click.option("--admin", "admin_username", default=None, help="Administrator's username.")
@with_app
def init(
    demo: bool,
    if_absent: bool,
    households: int,
    no_scenario: bool,
    county_name: str | None,
    county_code: str | None,
    admin_username: str | None,
) -> None:
    """Create the county: the demo county, or an empty one with an administrator.

    The administrator's password is asked twice; from a pipe, it is read as two lines."""
    if county_setup.county_exists():
        if if_absent:
            click.echo(gettext("The database already holds a county; the set-up was skipped."))
            return
        message = gettext("The database already holds a county; nothing was changed.")
        click.echo(gettext("Error: %(error)s", error=message), err=True)
        sys.exit(1)
    if demo:
        init_demo(households, no_scenario)
        return
    name = county_name or click.prompt(gettext("County name"))
    code = county_code or click.prompt(gettext("County division code (6 digits)"))
    name, code = county_setup.normalize_county(name, code)
    username = admin_username or click.prompt(gettext("Administrator's username"), default="admin")
    password = read_new_password(gettext("Administrator's password"))
    county_setup.create_county(name, code, username, password)
    commit()
    click.echo(
        gettext(
            "Created %(county)s (%(code)s) and the administrator account %(username)s.",
            county=name,
            code=code,
            username=username,
        )
    )
    click.echo(
        gettext(
            "Next, the county's base data: huitou county template -o FILE.xlsx, fill it in, "
            "then huitou county load FILE.xlsx --as %(username)s (or the set-up page, "
            "/admin/county).",
            username=username,
        )
    )


@main.command()
@click.option(
    "--now",
    "now_text",
    default=None,
    help="Run the tick as if it were this moment, "
    "e.g. 2018-07-14T09:00+08:00 (no offset means Beijing time).",
)
@with_app
def tick(now_text: str | None) -> None:
    """Fire every timer that is due (at --now, to rehearse deadlines)."""
    moment = clock.parse_moment(now_text) if now_text else None
    report = tick_and_deliver(moment)
    if not report.acquired:
        click.echo(gettext("Another scheduler is running; this tick did nothing."))
        sys.exit(2)
    _echo_tick(report)
    if report.failed:
        sys.exit(1)


@main.group("round")
def round_group() -> None:
    """A year's round."""


@round_group.command("launch")
@click.option("--year", type=int, required=True)
@click.option(
    "--kind",
    type=click.Choice(["mid", "end", "final"]),
    default="mid",
    show_default=True,
    help=gettext("Mid-year, year-end (with the acceptance of planned exits) or final look-back"),
)
@click.option("--survey-due", help=gettext("Survey due date (default MM-DD 07-13)"))
@click.option("--results-due", help=gettext("Results tables due date (default 10-15)"))
@click.option("--done-by", help=gettext("Help-back done-by date (default 12-31)"))
@click.option("--as", "username", default="fpb", show_default=True, help="Acting county officer.")
@with_app
def round_launch(
    year: int,
    kind: str,
    survey_due: str | None,
    results_due: str | None,
    done_by: str | None,
    username: str,
) -> None:
    """Launch a year's round of a kind: starts every township's survey."""
    round_kind = RoundKind(kind)
    deadlines = rounds.Deadlines.filled(
        year, parse_date(survey_due), parse_date(results_due), parse_date(done_by), round_kind
    )
    round_ = rounds.launch_round(year, find_user(username), deadlines, kind=round_kind)
    commit()
    click.echo(
        gettext(
            "Launched the work of %(year)s: survey due %(survey_due)s, results due "
            "%(results_due)s, done by %(done_by)s (each at 23:59:59 Beijing time of that day).",
            year=round_.name,
            survey_due=round_.survey_due,
            results_due=round_.results_due,
            done_by=round_.done_by,
        )
    )
    now = f"{clock.in_beijing(clock.now()):%Y-%m-%d %H:%M}"
    click.echo(gettext("The time now is %(now)s (Beijing time).", now=now))


@main.group()
def audit() -> None:
    """The audit log."""


@audit.command("verify")
@with_app
def audit_verify() -> None:
    """Check the whole hash chain; name the first broken link."""
    report = verify_chain()
    if report.ok:
        click.echo(gettext("The audit chain is whole: %(num)s events.", num=report.checked))
        return
    click.echo(
        gettext(
            "The audit chain is broken at event %(seq)s of stream %(stream)s — %(problem)s",
            seq=report.broken_seq,
            stream=report.stream,
            problem=report.problem,
        ),
        err=True,
    )
    sys.exit(1)


@main.command()
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help=gettext("Write the backup to this file."),
)
@with_app
def backup(output: Path) -> None:
    """Copy the SQLite database while huitou runs (PostgreSQL: pg_dump, see the README)."""
    size = backup_to(output)
    click.echo(gettext("Backed up to %(path)s (%(size)s bytes).", path=output, size=f"{size:,}"))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--no-scheduler", is_flag=True, help="Serve without running timers.")
def serve(host: str, port: int, no_scheduler: bool) -> None:
    """Serve the web app (and run the scheduler) at http://HOST:PORT."""
    app = make_app()
    with app.app_context():
        upgrade_database()
    if not no_scheduler:
        start_scheduler(app)
    click.echo(gettext("huitou is running: http://%(host)s:%(port)s", host=host, port=port))
    waitress_serve(app, host=host, port=port, threads=8)


@main.command("scheduler")
def scheduler_worker() -> None:
    """Run the tick in this process every HUITOU_TICK_SECONDS, without serving pages (start as
    many as you like on PostgreSQL; they share the due timers). Stops on SIGTERM or Ctrl-C."""
    app = make_app()
    click.echo(gettext("huitou scheduler worker started."))
    run_worker(app, _tell_tick)


def _echo_tick(report: TickReport) -> None:
    when = clock.in_beijing(report.moment).strftime("%Y-%m-%d %H:%M")
    click.echo(
        gettext(
            "%(when)s (Beijing time): %(advanced)s processes advanced, %(failed)s failed.",
            when=when,
            advanced=len(report.advanced),
            failed=len(report.failed),
        )
    )
    for instance_id, problem in report.failed.items():
        click.echo(
            "  " + gettext("Process %(id)s failed: %(problem)s", id=instance_id, problem=problem),
            err=True,
        )


def _tell_tick(report: TickReport) -> None:
    if not report.acquired:
        click.echo(gettext("Another scheduler is running; this tick did nothing."))
        return
    _echo_tick(report)


for _command in (
    cli_forms.template,
    cli_forms.import_form,
    cli_forms.report,
    cli_forms.catalogue,
    county,
    cli_register.register,
    cli_archive.archive,
    cli_inspections.inspection,
    cli_calendar.planned_exit,
    cli_reconcile.reconcile,
    cli_operations.doctor,
    cli_operations.process,
):
    main.add_command(_command)

if __name__ == "__main__":
    main()
