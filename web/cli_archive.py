"""`huitou archive`: the filed originals of a round, written out as a zip with its manifest."""

from __future__ import annotations

from pathlib import Path

import click

from web.cli_forms import ROUND_HELP
from web.cli_support import commit, find_user, with_app
from workflow.archive import documents
from workflow.archive.custody import set_custodian
from workflow.archive.export import archive_zip
from workflow.platform.i18n import gettext
from workflow.programme import rounds
from workflow.survey import templates as survey_templates


@click.group()
def archive() -> None:
    """The archive of originals (村存档, 乡镇备案)."""


@archive.command("export")
@click.option("--round", "year", required=True, help=ROUND_HELP)
@click.option("--township", help=gettext("Township name or division code"))
@click.option("--village", help=gettext("Village name (such as Bugona) or division code"))
@click.option("--as", "username", help=gettext("Produce it as this user (checking their area)"))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@with_app
def archive_export(
    year: str, township: str | None, village: str | None, username: str | None, output: str
) -> None:
    """Write the archive (originals, signed tables, manifest.xlsx and manifest.json) as a zip."""
    round_ = rounds.get_round(year)
    data, count = archive_zip(
        round_,
        find_user(username) if username else None,
        township=survey_templates.find_township(township) if township else None,
        village=survey_templates.find_village(village) if village else None,
    )
    Path(output).write_bytes(data)
    click.echo(gettext("Wrote the archive: %(num)s documents → %(path)s", num=count, path=output))


@archive.command("delete")
@click.argument("document_id", type=int)
@click.option("--as", "username", required=True, help="The county officer deleting it.")
@with_app
def archive_delete(document_id: int, username: str) -> None:
    """Delete an original: refused (and recorded) while it is filed and within retention."""
    documents.delete_document(document_id, find_user(username))
    commit()
    click.echo(gettext("Deleted document %(id)s from the archive.", id=document_id))


@archive.command("custodian")
@click.option("--township", required=True, help=gettext("Township name or division code"))
@click.option("--village", help=gettext("Village name (such as Bugona) or division code"))
@click.option("--user", "custodian", required=True, help="Who keeps the archive (username).")
@click.option("--as", "username", required=True, help="The township's leader.")
@with_app
def archive_custodian(township: str, village: str | None, custodian: str, username: str) -> None:
    """Name who keeps the archive of a township or one of its villages (专人保管)."""
    t = survey_templates.find_township(township)
    v = survey_templates.find_village(village) if village else None
    row = set_custodian(t, v, find_user(custodian), find_user(username))
    commit()
    unit = v.name if v else t.name
    click.echo(
        gettext(
            "Named %(name)s custodian of the archive of %(unit)s.",
            name=row.custodian_name,
            unit=unit,
        )
    )
