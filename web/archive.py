"""The archive (§七.1): a unit's archive page (its documents and, for a township, who keeps
each archive), the archive as a zip with its manifest, the original of one document (re-checked
against its hash), and the refused deletion of a filed one."""

from __future__ import annotations

from urllib.parse import quote

import sqlalchemy as sa
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import login_required

from web.handling import acting_user, domain_view
from workflow.archive import custody, documents
from workflow.archive.export import archive_in_view, archive_zip
from workflow.models import Township
from workflow.people.access import COUNTY_WIDE_READERS
from workflow.platform.db import db
from workflow.platform.i18n import gettext
from workflow.programme import rounds
from workflow.survey.templates import find_township, find_village

bp = Blueprint("archive", __name__)


def _attachment(data: bytes, name: str, mimetype: str) -> Response:
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@bp.get("/rounds/<round:year>/archive.zip")
@login_required
@domain_view
def export(year: str):
    """The archive of the caller's unit (or of ?township= / ?village=) as a zip."""
    township, village = request.args.get("township"), request.args.get("village")
    data, _count = archive_zip(
        rounds.get_round(year),
        acting_user(),
        township=find_township(township) if township else None,
        village=find_village(village) if village else None,
    )
    name = gettext("archive_%(year)s.zip", year=year)
    return _attachment(data, name, "application/zip")


@bp.get("/archive/documents/<int:document_id>")
@login_required
@domain_view
def original(document_id: int):
    """Download the original, byte for byte, after checking it against its hash."""
    document, data = documents.original(document_id, acting_user())
    return _attachment(data, document.file_name, "application/octet-stream")


@bp.post("/archive/documents/<int:document_id>/delete")
@login_required
@domain_view
def delete(document_id: int):
    """Delete an original: refused (and recorded) while it is filed and within retention."""
    documents.delete_document(document_id, acting_user())
    return redirect(url_for("rounds.index"), 303)


SHOWN = 500  # documents listed on the page at most (the zip holds them all)


@bp.get("/rounds/<round:year>/archive")
@login_required
@domain_view
def page(year: str):
    """A unit's archive: its originals (superseded ones too), the zip, and its custodians."""
    actor = acting_user()
    round_ = rounds.get_round(year)
    named = request.args.get("township", "").strip()
    township, village, found = archive_in_view(
        round_, actor, find_township(named) if named else None
    )
    county = actor.role in COUNTY_WIDE_READERS
    return render_template(
        "archive/index.html",
        round=round_,
        township=township,
        village=village,
        documents=found[:SHOWN],
        total=len(found),
        shown=SHOWN,
        townships=db.session.scalars(sa.select(Township).order_by(Township.code)).all()
        if county
        else [],
        custodians=custody.custodians_of(township) if township else [],
        may_name=custody.may_name_custodians(actor, township),
        kind_label=documents.kind_label,
        candidates=custody.custodian_candidates(township)
        if custody.may_name_custodians(actor, township)
        else [],
    )


@bp.post("/rounds/<round:year>/archive/custodian")
@login_required
@domain_view
def name_custodian(year: str):
    """The township's leader names who keeps one of its archives (audited)."""
    form = request.form
    row = custody.name_custodian(acting_user(), form.get("village", ""), form.get("custodian", ""))
    flash(
        gettext(
            "Named %(name)s custodian of the archive of %(unit)s.",
            name=row.custodian_name,
            unit=row.village.name if row.village else row.township.name,
        ),
        "success",
    )
    return redirect(url_for("archive.page", year=year), 303)
