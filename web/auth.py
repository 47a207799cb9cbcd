"""Logging in and out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user
from werkzeug.wrappers import Response

from web.handling import acting_user, domain_view
from web.i18n import COOKIE
from web.redirects import local_target
from workflow.people import login_guard, sessions
from workflow.people.accounts import choose_language
from workflow.platform.i18n import LANGUAGES, gettext

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    return local_target(target) or url_for("inbox.inbox")


def login_form(error: str | None = None, notice: str | None = None, next_url: str | None = None):
    """The login page (also shown in place of any page asked for before logging in)."""
    return render_template(
        "auth/login.html",
        error=error,
        notice=notice,
        next_url=local_target(next_url or request.args.get("next")),
    )


@bp.route("/login", methods=["GET", "POST"])
@domain_view(commit_on=(401,))  # a wrong password is answered 401 and still counted
def login() -> str | Response | tuple[str, int]:
    """Show the login form; on a correct username and password, start a session."""
    if request.method == "GET":
        return login_form()
    try:
        result = login_guard.attempt_login(
            request.form.get("username", ""),
            request.form.get("password", ""),
            request.remote_addr or "",
        )
    except login_guard.LoginLocked as exc:
        return login_form(error=exc.message), 429
    if not result.ok:
        error = gettext("Wrong username or password.")
        return login_form(error=error), 401
    login_user(result.user)
    # The language chosen on the login page (its cookie) becomes the account's: pages, e-mails
    # and notices follow it from now on.
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES and chosen != result.user.language:
        choose_language(result.user, result.user, chosen)
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
@login_required
@domain_view
def logout() -> Response:
    """End the session, and every other session of the user (a saved cookie stops working)."""
    user = acting_user()
    sessions.end_all_sessions(user, user)
    logout_user()
    flash(gettext("You have logged out."), "info")
    return redirect(url_for("auth.login"))
