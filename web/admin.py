"""The administrator's pages: the standards catalogue, viewed and replaced without a code change."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from web.handling import acting_user, domain_view
from workflow.models import CatalogueRecord, Department, Role, User
from workflow.people.access import require_role
from workflow.people.accounts import create_user, reset_password, set_active
from workflow.people.administration import require_some_section
from workflow.platform.db import db
from workflow.platform.errors import NotFound, ValidationFailed
from workflow.platform.i18n import gettext
from workflow.programme.catalogue import catalogue_in_force, load_catalogue
from workflow.programme.standards_document import CatalogueError, available_years

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("")
@login_required
@domain_view
def index():
    """The administration pages the user's role may open."""
    sections = require_some_section(acting_user())
    return render_template("admin/index.html", sections=sections)


def _page(year: int, problems: list[str] | None = None, status: int = 200):
    try:
        record, standard = catalogue_in_force(year)
    except CatalogueError as exc:  # a year with no catalogue, packaged or loaded
        message = gettext("; ").join([*(problems or []), *exc.problems])
        return render_template("error.html", title=gettext("Not found"), message=message), 404
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
        department_names=dict(
            db.session.execute(sa.select(Department.code, Department.name)).all()
        ),
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
    except (ValueError, UnicodeDecodeError, AttributeError):
        return _page(year, [gettext("The file is not a catalogue in JSON.")], 422)
    except ValidationFailed as exc:
        return _page(year, exc.messages(), 422)
    flash(gettext("Catalogue version %(v)s loaded.", v=record.version), "success")
    return redirect(url_for("admin.catalogue", year=year), 303)


def _users_page(errors: dict[str, str] | None = None, status: int = 200):
    users = db.session.scalars(sa.select(User).order_by(User.role, User.username)).all()
    return render_template(
        "admin/users.html", users=users, roles=list(Role), errors=errors or {}, form=request.form
    ), status


@bp.get("/users")
@login_required
@domain_view
def users():
    """Everyone who can log in, with role and unit; add a person; (de)activate a login."""
    require_role(acting_user(), Role.ADMIN)
    return _users_page()


@bp.post("/users")
@login_required
@domain_view
def user_create():
    """Add a person with one role and one unit."""
    actor = acting_user()
    require_role(actor, Role.ADMIN)
    form = request.form
    try:
        user = create_user(
            actor,
            username=form.get("username", ""),
            display_name=form.get("display_name", ""),
            role=form.get("role", ""),
            unit_code=form.get("unit", ""),
            email=form.get("email", ""),
            password=form.get("password", ""),
        )
    except ValidationFailed as exc:
        return _users_page(exc.by_field(), 422)
    flash(gettext("User %(name)s added.", name=user.username), "success")
    return redirect(url_for("admin.users"), 303)


def _managed_user(user_id: int) -> tuple[User, User]:
    """The acting administrator and the user she manages (404 if there is no such user)."""
    actor = acting_user()
    require_role(actor, Role.ADMIN)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(gettext("The page or record does not exist."))
    return actor, user


def _users_address(**_view_args: object) -> str:
    return url_for("admin.users")


@bp.post("/users/<int:user_id>/active")
@login_required
@domain_view(back=_users_address)
def user_active(user_id: int):
    """Deactivate or reactivate a login (a refusal comes back flashed on the list)."""
    actor, user = _managed_user(user_id)
    set_active(actor, user, request.form.get("active") == "1")
    return redirect(url_for("admin.users"), 303)


@bp.post("/users/<int:user_id>/password")
@login_required
@domain_view
def user_password(user_id: int):
    """Give a person a new first password."""
    actor, user = _managed_user(user_id)
    try:
        reset_password(actor, user, request.form.get("password", ""))
    except ValidationFailed as exc:
        errors = exc.by_field()
        return _users_page({f"password-{user.id}": errors.get("password", exc.message)}, 422)
    flash(gettext("New password set for %(name)s.", name=user.username), "success")
    return redirect(url_for("admin.users"), 303)
