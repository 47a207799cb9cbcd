"""The last word on a domain refusal no view caught: its own page and status, never a 500.

Views catch the refusals they answer with a form (a 422 with errors by their fields); anything
that escapes them (a conflict in a download, a refusal raised in a GET) still says what
happened, in the message the domain wrote. The API's blueprint answers its own in JSON first.
"""

from __future__ import annotations

from flask import Flask, render_template

from workflow.platform.db import db
from workflow.platform.errors import (
    AccessDenied,
    ConflictError,
    DomainError,
    NotFound,
    Refused,
    ValidationFailed,
)
from workflow.platform.i18n import gettext

STATUS = (
    (AccessDenied, 403),
    (NotFound, 404),
    (ConflictError, 409),
    (Refused, 409),
    (ValidationFailed, 422),
)


def _title(status: int) -> str:
    titles = {
        403: gettext("Not allowed"),
        404: gettext("Not found"),
        409: gettext("Someone else changed this first"),
    }
    return titles.get(status, gettext("The form could not be taken"))


def _title_of(exc: DomainError, status: int) -> str:
    # A refusal is not a stale write: reloading will not help, so it is not titled as one.
    return gettext("This cannot be done now") if isinstance(exc, Refused) else _title(status)


def init_app(app: Flask) -> None:
    """Register a page for every kind of domain refusal."""

    @app.errorhandler(DomainError)
    def refused(exc: DomainError) -> tuple[str, int]:
        db.session.rollback()
        status = next((code for kind, code in STATUS if isinstance(exc, kind)), 422)
        return render_template(
            "error.html", title=_title_of(exc, status), message=exc.message
        ), status
