"""The administrator's set-up page of a new county: base data → register → standards
catalogue → the round launched, each with its template, its upload and what is loaded so far."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required

from web.downloads import xlsx_response
from web.handling import acting_user, domain_view
from workflow.county.base_data import LoadReport, load_base_data, rename_history
from workflow.county.book_writer import write_template
from workflow.county.progress import setup_progress
from workflow.county.setup import county_name, the_county
from workflow.models import Role
from workflow.people.access import require_role
from workflow.platform.errors import ValidationFailed
from workflow.platform.i18n import gettext
from workflow.programme.routing import departments_missing_from_routing
from workflow.programme.standards_document import available_years

bp = Blueprint("county", __name__, url_prefix="/admin/county")


def _page(report: LoadReport | None = None, problems: list[str] | None = None, status: int = 200):
    user = acting_user()
    return render_template(
        "county/setup.html",
        county=county_name(),
        progress=setup_progress(user),
        renames=rename_history(),
        unrouted=departments_missing_from_routing(),
        catalogue_years=available_years(),
        report=report,
        problems=problems or [],
    ), status


@bp.get("")
@login_required
@domain_view
def setup():
    """The checklist, with counts of what the county holds so far."""
    require_role(acting_user(), Role.ADMIN)
    return _page()


@bp.get("/template.xlsx")
@login_required
@domain_view
def template():
    """The blank base-data workbook (乡镇, 村, 部门, 人员 and the instructions)."""
    require_role(acting_user(), Role.ADMIN)
    county = the_county()
    data = write_template(county.code if county else "")
    return xlsx_response(data, gettext("county base data.xlsx"))


@bp.post("")
@login_required
@domain_view
def load():
    """Load the base-data workbook, all or nothing; new people's first passwords shown once."""
    actor = acting_user()
    require_role(actor, Role.ADMIN)
    file = request.files.get("file")
    if file is None or not file.filename:
        return _page(problems=[gettext("Choose the workbook first.")], status=422)
    try:
        report = load_base_data(file.read(), actor)
    except ValidationFailed as exc:
        return _page(problems=exc.messages(), status=422)
    # Rendered, not redirected: the first passwords are shown this once and stored nowhere.
    return _page(report=report)
