"""The user's own page: who I am, where my mail goes, immediate or daily digest."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from web.handling import acting_user, domain_view
from workflow.people.accounts import change_own_password, update_preferences
from workflow.platform.errors import ValidationFailed
from workflow.platform.i18n import gettext

bp = Blueprint("account", __name__)

# What a person with a first password may still open: the page to change it, and the way out.
_FIRST_PASSWORD_ENDPOINTS = {"account.me", "account.change_password", "auth.logout", "auth.login"}


def init_app(app: Flask) -> None:
    """Send a person who still has her first password to /me until she changes it."""

    @app.before_request
    def change_first_password() -> Response | None:
        endpoint = request.endpoint or ""
        if (
            not current_user.is_authenticated
            or not current_user.must_change_password
            or endpoint in _FIRST_PASSWORD_ENDPOINTS
            or endpoint == "static"
            or endpoint.startswith("api")  # programs use tokens; a redirect means nothing to them
        ):
            return None
        flash(gettext("Please change your first password before you go on."), "info")
        return redirect(url_for("account.me"))


@bp.get("/me")
@login_required
def me():
    """Show the user's role, unit and notification settings."""
    return render_template(
        "account/me.html", user=acting_user(), errors={}, form={}, password_errors={}
    )


@bp.post("/me")
@login_required
@domain_view
def save():
    """Save the user's e-mail address and digest choice."""
    user = acting_user()
    try:
        update_preferences(
            user,
            user,
            email=request.form.get("email", ""),
            digest_mode=request.form.get("digest_mode", ""),
        )
    except ValidationFailed as exc:
        return render_template(
            "account/me.html",
            user=acting_user(),
            errors=exc.by_field(),
            form=request.form,
            password_errors={},
        ), 422
    flash(gettext("Saved."), "success")
    return redirect(url_for("account.me"), 303)


@bp.post("/me/password")
@login_required
@domain_view
def change_password():
    """Change the user's own password (the current one first, the new one twice)."""
    user = acting_user()
    try:
        change_own_password(
            user,
            request.form.get("current_password", ""),
            request.form.get("password", ""),
            request.form.get("repeat_password", ""),
        )
    except ValidationFailed as exc:
        return render_template(
            "account/me.html",
            user=acting_user(),
            errors={},
            form={},
            password_errors=exc.by_field(),
        ), 422
    flash(gettext("Your password is changed. Use the new one next time you log in."), "success")
    return redirect(url_for("account.me"), 303)
