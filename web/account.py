"""The user's own page: who I am, where my mail goes, immediate or daily digest."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from web.handling import acting_user, domain_view
from workflow.accounts import update_preferences
from workflow.db import db
from workflow.errors import ValidationFailed
from workflow.i18n import gettext

bp = Blueprint("account", __name__)


@bp.get("/me")
@login_required
def me():
    """Show the user's role, unit and notification settings."""
    return render_template("account/me.html", user=acting_user(), errors={}, form={})


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
        db.session.commit()
    except ValidationFailed as exc:
        db.session.rollback()
        errors = exc.problems if isinstance(exc.problems, dict) else {"_": exc.message}
        return render_template(
            "account/me.html", user=acting_user(), errors=errors, form=request.form
        ), 422
    flash(gettext("Saved."), "success")
    return redirect(url_for("account.me"), 303)
