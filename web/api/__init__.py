"""The JSON API under /api/v1: who is asking (a bearer token or the browser session), and every
refusal as JSON with a Chinese message.

Views here are as thin as the pages': they call the same domain operations with the acting user.
Requests with a token are exempt from CSRF (no cookie rides along); a POST on the session must
carry Flask-WTF's X-CSRFToken header.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from web import input_guard
from web.extensions import csrf
from web.handling import commit_or_conflict
from workflow.models import User
from workflow.people import api_tokens
from workflow.platform.db import db
from workflow.platform.errors import (
    AccessDenied,
    ConflictError,
    NotFound,
    RecordedRefusal,
    Refused,
    ValidationFailed,
)
from workflow.platform.i18n import gettext

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PREFIX = "/api/"
F = TypeVar("F", bound=Callable[..., Any])


def api_user() -> User:
    """The user the request acts as (set by the authentication hook)."""
    return g.api_user


def public(view: F) -> F:
    """Mark a view that answers without authentication (the OpenAPI document)."""
    view.api_public = True  # type: ignore[attr-defined]
    return view


def problem(status: int, message: str, **extra: Any) -> tuple[Response, int]:
    """An error answer: always JSON, always with a message a clerk can read."""
    return jsonify({"message": message, **extra}), status


@bp.before_request
def authenticate() -> tuple[Response, int] | None:
    """Find who is asking: a bearer token first, else the session; refuse everyone else."""
    endpoint = request.endpoint or ""
    function = _view_function(endpoint)
    if function is not None and getattr(function, "api_public", False):
        return None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _space, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            return _unauthorized(gettext("Send the token as: Authorization: Bearer <token>."))
        try:
            g.api_user = api_tokens.authenticate(raw)
        except api_tokens.TokenRefused as exc:
            db.session.rollback()
            return _unauthorized(exc.message)
        db.session.commit()  # the token's last use, on its own before the request's work
        g.api_by_token = True
        return None
    if not current_user.is_authenticated:
        return _unauthorized(gettext("Log in, or send an API token."))
    g.api_user = current_user._get_current_object()
    g.api_by_token = False
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()  # raises CSRFError, answered below
    return None


def _view_function(endpoint: str) -> Callable[..., Any] | None:
    return current_app.view_functions.get(endpoint)


def _unauthorized(message: str) -> tuple[Response, int]:
    response, status = problem(401, message)
    response.headers["WWW-Authenticate"] = 'Bearer realm="huitou"'
    return response, status


@bp.errorhandler(AccessDenied)
def _forbidden(exc: AccessDenied) -> tuple[Response, int]:
    db.session.rollback()
    return problem(403, exc.message)


@bp.errorhandler(NotFound)
def _not_found(exc: NotFound) -> tuple[Response, int]:
    db.session.rollback()
    return problem(404, exc.message)


@bp.errorhandler(ConflictError)
def _conflict(exc: ConflictError) -> tuple[Response, int]:
    """A stale write: someone changed it first; the client reloads and tries again."""
    db.session.rollback()
    return problem(409, exc.message)


@bp.errorhandler(Refused)
def _refused(exc: Refused) -> tuple[Response, int]:
    """The thing's state forbids the action now; reloading will not help (a RecordedRefusal
    keeps the try's audit event)."""
    if isinstance(exc, RecordedRefusal):
        commit()
    else:
        db.session.rollback()
    return problem(409, exc.message)


@bp.errorhandler(ValidationFailed)
def _invalid(exc: ValidationFailed) -> tuple[Response, int]:
    db.session.rollback()
    errors = exc.by_field()
    return problem(422, exc.message, errors=errors)


@bp.errorhandler(CSRFError)
def _csrf(exc: CSRFError) -> tuple[Response, int]:
    return problem(
        400,
        gettext(
            "A change made on the browser session needs the X-CSRFToken header "
            "(or use an API token)."
        ),
    )


@bp.errorhandler(HTTPException)
def _http(exc: HTTPException) -> tuple[Response, int]:
    db.session.rollback()
    return problem(exc.code or 500, _http_message(exc.code or 500))


def _server_error(exc: HTTPException) -> tuple[Response, int]:
    """An unexpected error inside the API: logged, rolled back, and answered in JSON too."""
    db.session.rollback()
    original = getattr(exc, "original_exception", None) or exc
    current_app.logger.error("unhandled error on %s", request.path, exc_info=original)
    return problem(500, _http_message(500))


def _http_message(status: int) -> str:
    messages = {
        400: gettext("The request could not be read."),
        404: gettext("The page or record does not exist."),
        405: gettext("This address does not take that method."),
        413: gettext("Uploads are limited to 20 MB."),
    }
    return messages.get(status, gettext("Something went wrong on the server."))


bp.before_request(input_guard.check_request)  # after authenticate: who asks comes first
# The app's own handlers for these codes answer pages in HTML, and Flask prefers a handler
# registered for the code to one for the class: the API names each code it can answer.
for _code in (400, 401, 403, 404, 405, 409, 413, 422, 429):
    bp.register_error_handler(_code, _http)
bp.register_error_handler(500, _server_error)


def commit() -> None:
    """Commit the request's one transaction; a stale write is a conflict, never applied."""
    commit_or_conflict()


def _unrouted_api_path() -> tuple[Response, int] | None:
    """An /api/ address that matches no route answers in JSON too, not with an HTML page."""
    exc = request.routing_exception
    if exc is None or not request.path.startswith(PREFIX):
        return None
    status = getattr(exc, "code", 404) or 404
    return problem(status, _http_message(status))


def init_app(app: Flask) -> None:
    """Register the API: its blueprint (CSRF checked by the hook above) and JSON for stray paths."""
    # The route modules add their routes to `bp`, which they import from this package: imported
    # here, once the package has defined it, and not before the factory asks for the API.
    from web.api import archive, cases, openapi, rounds, tasks  # noqa: F401, PLC0415

    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.before_request(_unrouted_api_path)
