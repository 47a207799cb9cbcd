"""`huitou inspection`: the leading group's 定期督查 (§七.3) from the command line."""

from __future__ import annotations

import click

from web.cli_forms import ROUND_HELP
from web.cli_support import commit, find_user, parse_date, with_app
from workflow.oversight import inspections
from workflow.platform.errors import ValidationFailed
from workflow.platform.i18n import gettext
from workflow.programme import rounds


@click.group()
def inspection() -> None:
    """Regular inspections of townships and departments (§七.3)."""


@inspection.command("schedule")
@click.option("--round", "year", required=True, help=ROUND_HELP)
@click.option("--township", help=gettext("Township name or division code"))
@click.option("--department", help="Department code (such as SLJ) or name.")
@click.option("--on", "day", required=True, help="The day of the inspection (YYYY-MM-DD).")
@click.option("--inspectors", required=True, help="Who inspects (the inspection team).")
@click.option("--as", "username", required=True, help="The leading group or county office.")
@with_app
def schedule(
    year: str,
    township: str | None,
    department: str | None,
    day: str,
    inspectors: str,
    username: str,
) -> None:
    """Schedule an inspection; its checklist is the unit's open cases and undecided items now."""
    unit_township, unit_department = inspections.unit_named(township, department)
    done = inspections.schedule_inspection(
        rounds.get_round(year),
        find_user(username),
        township=unit_township,
        department=unit_department,
        on=parse_date(day),
        inspectors=inspectors,
    )
    commit()
    click.echo(
        gettext(
            "Inspection %(id)s of %(unit)s scheduled for %(day)s with %(n)s lines on its "
            "checklist.",
            id=done.id,
            unit=done.unit_name,
            day=done.scheduled_on.isoformat(),
            n=len(done.lines),
        )
    )
    for line in done.lines:
        click.echo(f"  {line.seq}. {line.subject} — {line.responsible}")


@inspection.command("record")
@click.argument("inspection_id", type=int)
@click.option("--round", "year", required=True, help=ROUND_HELP)
@click.option(
    "--result",
    "results",
    multiple=True,
    help="LINE=RESULT[:NOTE]; RESULT: rectified, not_rectified, explained (or their labels).",
)
@click.option("--conclusion", required=True, help="The inspection's conclusion.")
@click.option("--as", "username", required=True, help="The leading group or county office.")
@with_app
def record(
    inspection_id: int, year: str, results: tuple[str, ...], conclusion: str, username: str
) -> None:
    """Record an inspection's result, line by line, and its conclusion."""
    actor = find_user(username)
    found = inspections.inspection_to_read(rounds.get_round(year), inspection_id, actor)
    by_seq = {str(line.seq): line for line in found.lines}
    chosen: dict[int, tuple[str, str]] = {}
    problems = []
    for text in results:
        seq, _eq, rest = text.partition("=")
        value, _colon, note = rest.partition(":")
        line, result = by_seq.get(seq.strip()), inspections.result_of(value)
        if line is None or result is None:
            problems.append(gettext("Not a line and result: %(text)s", text=text))
            continue
        chosen[line.id] = (result.value, note)
    if problems:
        raise ValidationFailed(problems)
    inspections.record_inspection(found, actor, chosen, conclusion)
    commit()
    counts = inspections.result_counts(found)
    click.echo(
        gettext(
            "Recorded inspection %(id)s: %(done)s rectified, %(open)s not rectified, "
            "%(explained)s explained, %(pending)s not checked.",
            id=found.id,
            done=counts["rectified"],
            open=counts["not_rectified"],
            explained=counts["explained"],
            pending=counts["pending"],
        )
    )


@inspection.command("list")
@click.option("--round", "year", required=True, help=ROUND_HELP)
@click.option("--as", "username", required=True, help="Who reads them (scope checked).")
@with_app
def list_inspections(year: str, username: str) -> None:
    """The round's inspections: day, unit, inspectors, and the result once recorded."""
    for found in inspections.inspections_of_round(rounds.get_round(year), find_user(username)):
        counts = inspections.result_counts(found)
        state = (
            gettext(
                "%(done)s rectified, %(open)s not rectified, %(explained)s explained",
                done=counts["rectified"],
                open=counts["not_rectified"],
                explained=counts["explained"],
            )
            if found.recorded_at
            else gettext("Not yet inspected")
        )
        click.echo(
            f"{found.id}\t{found.scheduled_on.isoformat()}\t{found.unit_name}\t"
            f"{found.inspectors}\t{len(found.lines)}\t{state}"
        )
