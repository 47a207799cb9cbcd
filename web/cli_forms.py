"""`huitou` commands for the county's paperwork: forms, imports, reports, the catalogue."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import sqlalchemy as sa

from web.cli_support import commit, find_user, parse_date, with_app
from web.handling import from_replica
from workflow.cases import results
from workflow.cases.plans import department_plan_xlsx, plan_rows
from workflow.county.setup import county_name
from workflow.forms.gap_list import write_gap_list
from workflow.models import Department
from workflow.oversight import accountability
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import ImportRefused, NotFound, ValidationFailed
from workflow.platform.i18n import gettext
from workflow.programme import rounds
from workflow.programme.catalogue import catalogue_record, load_catalogue
from workflow.survey import gaps
from workflow.survey import templates as survey_templates
from workflow.survey.intake import import_survey

ROUND_HELP = gettext("The round: 2018-mid, 2018-end, 2020-final, or a year holding one round")


@click.command()
@click.argument("form_no", type=click.IntRange(1, 6))
@click.option("--round", "year", required=True, help=ROUND_HELP)
@click.option("--village", help=gettext("Village name (such as Bugona) or division code"))
@click.option("--township", help=gettext("Township name or division code"))
@click.option("--as", "username", help=gettext("Produce it as this user (checking their area)"))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@with_app
def template(
    form_no: int,
    year: str,
    village: str | None,
    township: str | None,
    username: str | None,
    output: str,
) -> None:
    """Write an official form: 附件1–3 pre-filled, 附件4–6 filled from the cases."""
    round_ = rounds.get_round(year)
    v = survey_templates.find_village(village) if village else None
    t = survey_templates.find_township(township) if township else None
    if form_no > 3:
        if username:
            results.require_results_scope(find_user(username), form_no, v, t)
        data = results.results_form(round_, form_no, village=v, township=t)
    else:
        data = survey_templates.survey_template(form_no, round_, village=v, township=t)
    Path(output).write_bytes(data)
    click.echo(gettext("Wrote form %(n)s: %(path)s", n=form_no, path=output))


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--round", "year", required=True, help=ROUND_HELP)
@click.option("--as", "username", required=True, help="The clerk submitting the form.")
@click.option(
    "--village",
    help=gettext("For a township clerk: whose form this is (village name or code)."),
)
@with_app
def import_form(path: str, year: str, username: str, village: str | None) -> None:
    """Import a filled 附件1/2/3: all rows or nothing; every problem listed by cell."""
    round_ = rounds.get_round(year)
    v = survey_templates.find_village(village) if village else None
    data = Path(path).read_bytes()
    try:
        result = import_survey(
            data, find_user(username), round_, file_name=Path(path).name, village=v
        )
    except ImportRefused as exc:
        db.session.rollback()
        click.echo(
            gettext("Not imported; nothing was saved. %(num)s problems:", num=len(exc.problems)),
            err=True,
        )
        for problem in exc.messages():
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    commit()
    replaced = gettext(" (replacing the version imported before)") if result.replaced else ""
    click.echo(
        gettext(
            "Imported form %(n)s: %(rows)s rows, %(gaps)s problems found%(replaced)s.",
            n=result.submission.form_no,
            rows=result.rows,
            gaps=result.gaps,
            replaced=replaced,
        )
    )


@click.group()
def report() -> None:
    """Reports."""


@report.command("gaps")
@click.option("--round", "year", required=True, help=ROUND_HELP)
@click.option("--township", help=gettext("Township name or division code"))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@with_app
@from_replica
def report_gaps(year: str, township: str | None, output: str) -> None:
    """Write the 补课清单 (one row per gap) as xlsx."""
    round_ = rounds.get_round(year)
    t = survey_templates.find_township(township) if township else None
    rows = gaps.gap_list(round_, township=t)
    Path(output).write_bytes(
        write_gap_list(
            gaps.gap_rows(rows),
            year=year,
            township=t.name if t else "",
            when=clock.today(),
            county=county_name(),
        )
    )
    click.echo(
        gettext("Wrote the make-up list: %(num)s gaps → %(path)s", num=len(rows), path=output)
    )


@report.command("plan")
@click.option("--round", "year", required=True, help=ROUND_HELP)
@click.option("--department", "code", required=True, help=gettext("Department code (such as SLJ)"))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@with_app
@from_replica
def report_plan(year: str, code: str, output: str) -> None:
    """Write a department's 《“回头帮”年度实施方案》 task list as xlsx."""
    department = db.session.scalar(
        sa.select(Department).where(Department.code == code.strip().upper())
    )
    if department is None:
        raise NotFound(gettext("There is no department with code “%(code)s”.", code=code))
    round_ = rounds.get_round(year)
    Path(output).write_bytes(department_plan_xlsx(round_, department))
    tasks = len(plan_rows(round_, department))
    click.echo(
        gettext(
            "Wrote the annual help-back plan %(year)s of %(department)s: %(num)s tasks → %(path)s",
            department=department.name,
            year=year,
            num=tasks,
            path=output,
        )
    )


@report.command("accountability")
@click.option("--round", "year", required=True, help=ROUND_HELP)
@click.option(
    "--as-of",
    "as_of",
    help=gettext("Measure overdue to the end of this day (YYYY-MM-DD; default: now)"),
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@with_app
@from_replica
def report_accountability(year: str, as_of: str | None, output: str) -> None:
    """Write the leading group's accountability report (by township, by department, items)."""
    day = parse_date(as_of)
    moment = clock.end_of_day(day) if day else None
    report = accountability.build_report(rounds.get_round(year), moment)
    Path(output).write_bytes(accountability.report_workbook(report))
    click.echo(
        gettext(
            "Wrote the accountability report: %(townships)s townships, %(departments)s "
            "departments, %(items)s accountability items → %(path)s",
            townships=len(report.by_township),
            departments=len(report.by_department),
            items=len(report.items),
            path=output,
        )
    )


@click.group()
def catalogue() -> None:
    """The standards catalogue (one version per change, every change audited)."""


@catalogue.command("show")
@click.option("--year", type=int, required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@with_app
def catalogue_show(year: str, output: str) -> None:
    """Write the year's catalogue in force as JSON (edit it, then `catalogue load`)."""
    record = catalogue_record(year)
    commit()
    Path(output).write_text(record.document, encoding="utf-8")
    click.echo(
        gettext(
            "Standards catalogue %(year)s (version %(version)s) → %(path)s",
            year=year,
            version=record.version,
            path=output,
        )
    )


@catalogue.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--as", "username", required=True, help="An administrator or the county office.")
@with_app
def catalogue_load(path: str, username: str) -> None:
    """Load a changed catalogue as the year's next version; every problem is listed."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        message = gettext("The file is not valid JSON (%(error)s).", error=exc)
        click.echo(gettext("Error: %(error)s", error=message), err=True)
        sys.exit(1)
    try:
        record = load_catalogue(document, find_user(username))
    except ValidationFailed as exc:
        db.session.rollback()
        click.echo(gettext("The standards catalogue is wrong; nothing was changed:"), err=True)
        for problem in exc.messages():
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    commit()
    click.echo(
        gettext(
            "Loaded version %(version)s of the standards catalogue %(year)s.",
            year=record.year,
            version=record.version,
        )
    )
