"""The county office's register page: load the year's 建档立卡 register, see what it changed."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required

from web.downloads import xlsx_response
from web.handling import acting_user, domain_view
from workflow.county.register import (
    RegisterLoad,
    load_register,
    register_template_for,
    register_versions,
)
from workflow.county.register_changes import KINDS
from workflow.forms.register_layout import TEMPLATE_FILE_NAME
from workflow.platform import clock
from workflow.platform.i18n import gettext

bp = Blueprint("register", __name__, url_prefix="/admin/register")


def _page(load: RegisterLoad | None = None, dry_run: bool = False, status: int = 200):
    return render_template(
        "admin/register.html",
        versions=register_versions(acting_user()),
        load=load,
        kinds=KINDS,
        dry_run=dry_run,
        year=request.form.get("year", type=int) or clock.today().year,
    ), status


@bp.get("")
@login_required
@domain_view
def page():
    """The register's versions, and the upload of the next one."""
    return _page()


@bp.get("/template")
@login_required
@domain_view
def template():
    """The blank register workbook (贫困户, 家庭成员, 说明)."""
    return xlsx_response(register_template_for(acting_user()), TEMPLATE_FILE_NAME)


@bp.post("")
@login_required
@domain_view
def upload():
    """Load an uploaded register as the year's next version (or only list what it would
    change): all or nothing, every problem by cell."""
    user = acting_user()
    register_versions(user)  # the role check, before reading anything
    file = request.files.get("file")
    year = request.form.get("year", type=int)
    dry_run = bool(request.form.get("dry_run"))
    if file is None or not file.filename or year is None:
        failed = RegisterLoad(problems=[gettext("Choose the year and the register file first.")])
        return _page(failed, dry_run, 422)
    # A refused or previewed load stores nothing; domain_view commits a stored one.
    load = load_register(file.read(), year, user, dry_run=dry_run)
    return _page(load, dry_run, 200 if load.ok else 422)
