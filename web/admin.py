"""The administrator's pages: the standards catalogue, viewed and replaced without a code change."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from web.handling import acting_user, domain_view
from workflow.access import require_role
from workflow.catalogue import catalogue_in_force, load_catalogue
from workflow.db import db
from workflow.errors import ValidationFailed
from workflow.i18n import gettext
from workflow.models import CatalogueRecord, Role
from workflow.standards_document import available_years

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _page(year: int, problems: list[str] | None = None, status: int = 200):
    record, standard = catalogue_in_force(year)
    versions = db.session.scalars(
        sa.select(CatalogueRecord)
        .where(CatalogueRecord.year == year)
        .order_by(CatalogueRecord.version.desc())
    ).all()
    return render_template(
        "admin/catalogue.html",
        year=year,
        years=available_years(),
        record=record,
        standard=standard,
        versions=versions,
        problems=problems or [],
    ), status


@bp.get("/catalogue/<int:year>")
@login_required
@domain_view
def catalogue(year: int):
    """A year's catalogue in force: indicators, thresholds, poverty line and its source."""
    require_role(acting_user(), Role.ADMIN, Role.COUNTY_OFFICE)
    return _page(year)


@bp.post("/catalogue/<int:year>")
@login_required
@domain_view
def catalogue_upload(year: int):
    """Load a changed catalogue (JSON, as `huitou catalogue show` writes it) as the next version."""
    user = acting_user()
    require_role(user, Role.ADMIN, Role.COUNTY_OFFICE)
    file = request.files.get("file")
    if file is None or not file.filename:
        return _page(year, [gettext("Choose the catalogue file first.")], 422)
    try:
        document = json.loads(file.read().decode("utf-8"))
        if document.get("year") != year:
            raise ValidationFailed([gettext("The file is the catalogue of another year.")])
        record = load_catalogue(document, user)
        db.session.commit()
    except (ValueError, UnicodeDecodeError, AttributeError):
        db.session.rollback()
        return _page(year, [gettext("The file is not a catalogue in JSON.")], 422)
    except ValidationFailed as exc:
        db.session.rollback()
        problems = exc.problems if isinstance(exc.problems, list) else list(exc.problems.values())
        return _page(year, problems, 422)
    flash(gettext("Catalogue version %(v)s loaded.", v=record.version), "success")
    return redirect(url_for("admin.catalogue", year=year), 303)
