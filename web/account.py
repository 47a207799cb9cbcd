"""The user's own page: who I am, where my mail goes, immediate or daily digest."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from web.handling import acting_user, domain_view
from web.i18n import remember_language
from web.redirects import local_target
from workflow.people import sessions
from workflow.people.accounts import change_own_password, choose_language, update_preferences
from workflow.platform.errors import ValidationFailed
from workflow.platform.i18n import LANGUAGES, current_language, gettext

bp = Blueprint("account", __name__)

# What a person with a first password may still open: the page to change it, and the way out.
_FIRST_PASSWORD_ENDPOINTS = {
    "account.me",
    "account.change_password",
    "account.language",
    "auth.logout",
    "auth.login",
}


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
    return _me_page()


def _me_page(errors=None, form=None, password_errors=None) -> str:
    user = acting_user()
    return render_template(
        "account/me.html",
        user=user,
        errors=errors or {},
        form=form or {},
        password_errors=password_errors or {},
        sign_ins=sessions.recent_sign_ins(user),
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
        return _me_page(errors=exc.by_field(), form=request.form), 422
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
        return _me_page(password_errors=exc.by_field()), 422
    # The new password ended every session, this one included: it goes on under the new id.
    login_user(user)
    flash(gettext("Your password is changed. Use the new one next time you log in."), "success")
    return redirect(url_for("account.me"), 303)


@bp.post("/me/sessions/end")
@login_required
@domain_view
def end_sessions():
    """Log out everywhere: every session of the user ends, this one too."""
    user = acting_user()
    sessions.end_all_sessions(user, user)
    logout_user()
    flash(gettext("You have logged out everywhere. Log in again to go on."), "info")
    return redirect(url_for("auth.login"))  # as logging out does


@bp.post("/language")
@domain_view
def language() -> Response:
    """Choose the language of the pages: remembered in a cookie (the login page's switch) and,
    for a logged-in person, on her account (e-mails and notices follow it)."""
    chosen = request.form.get("language", "")
    if chosen not in LANGUAGES:
        chosen = current_language()  # nothing (or nonsense) chosen: the language stays
    if current_user.is_authenticated:
        choose_language(acting_user(), acting_user(), chosen)
    target = local_target(request.form.get("next")) or url_for("inbox.home")
    response = redirect(target)  # as logging out does: a cookie, often no row, changes
    remember_language(response, chosen)
    return response
