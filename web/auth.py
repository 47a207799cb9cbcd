"""Logging in and out."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user
from werkzeug.wrappers import Response

from workflow import audit
from workflow.db import db
from workflow.i18n import gettext
from workflow.models import User

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("inbox.inbox")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """Show the login form; on a correct username and password, start a session."""
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is not None and user.is_active and user.check_password(password):
            login_user(user)
            audit.record(user, "user.login", "user", user.id)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        error = gettext("Wrong username or password.")
    return render_template("auth/login.html", error=error), (401 if error else 200)


@bp.post("/logout")
@login_required
def logout() -> Response:
    """End the session."""
    logout_user()
    flash(gettext("You have logged out."), "info")
    return redirect(url_for("auth.login"))
