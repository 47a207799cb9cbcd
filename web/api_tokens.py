"""The administrator's API tokens page: issue a token for a user (shown once), revoke one."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from web.handling import acting_user, domain_view
from workflow.models import ApiToken, Role, User
from workflow.people import api_tokens
from workflow.people.access import require_role
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import ValidationFailed
from workflow.platform.i18n import gettext

bp = Blueprint("api_tokens", __name__, url_prefix="/admin/tokens")


def _page(
    errors: dict[str, str] | None = None,
    status: int = 200,
    issued: ApiToken | None = None,
    secret: str = "",
):
    actor = acting_user()
    users = db.session.scalars(
        sa.select(User).where(User.is_active.is_(True)).order_by(User.username)
    ).all()
    now = clock.now()
    tokens = api_tokens.list_tokens(actor)
    return render_template(
        "api_tokens/index.html",
        tokens=tokens,
        states={t.id: api_tokens.token_state(t, now) for t in tokens},
        users=users,
        errors=errors or {},
        form=request.form if errors else {},
        issued=issued,
        secret=secret,
        today=clock.today(),
    ), status


@bp.get("")
@login_required
@domain_view
def index():
    """Every token issued, with its user, use and state; the form to issue one."""
    require_role(acting_user(), Role.ADMIN)
    return _page()


@bp.post("")
@login_required
@domain_view
def issue():
    """Issue a token and show it this once (it is stored only as a hash)."""
    actor = acting_user()
    require_role(actor, Role.ADMIN)
    form = request.form
    errors: dict[str, str] = {}
    expires_on = None
    if form.get("expires_on", "").strip():
        try:
            expires_on = date.fromisoformat(form["expires_on"].strip())
        except ValueError:
            errors["expires_on"] = gettext("Enter a date as YYYY-MM-DD.")
    try:
        if errors:
            raise ValidationFailed(errors)
        token, secret = api_tokens.issue_token(
            actor, form.get("username", ""), form.get("name", ""), expires_on
        )
    except ValidationFailed as exc:
        return _page(exc.by_field(), 422)
    # Shown in this answer only, never redirected through the session or stored.
    page, status = _page(issued=token, secret=secret, status=201)
    return page, status, {"Cache-Control": "no-store"}


def _tokens_page(**_view_args: object) -> str:
    return url_for("api_tokens.index")


@bp.post("/<int:token_id>/revoke")
@login_required
@domain_view(back=_tokens_page)
def revoke(token_id: int):
    """Revoke a token: any request with it is refused from now on."""
    actor = acting_user()
    token = api_tokens.get_token(actor, token_id)
    api_tokens.revoke_token(actor, token)
    flash(gettext("Token %(prefix)s… revoked.", prefix=token.prefix), "success")
    return redirect(url_for("api_tokens.index"), 303)
