"""What every request may send: texts of bounded length without control characters, and bodies
of bounded size. Checked once here for pages and API alike, before any view reads them; a
refusal names each field and changes nothing.

File uploads are bounded by MAX_CONTENT_LENGTH and checked by what they contain (evidence,
survey forms); here only their companion fields are read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, jsonify, render_template, request

from workflow.platform.i18n import gettext
from workflow.platform.text import text_problem

# A form or JSON body without files: far above any form's fields, far below memory's limits.
BODY_LIMIT = 1024 * 1024
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
API_PREFIX = "/api/"


def _json_texts(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every (field path, text) in a JSON value, keys included."""
    if isinstance(value, str):
        yield path or "_", value
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            yield name, str(key)
            yield from _json_texts(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_texts(item, f"{path}[{index}]")


def _texts() -> Iterator[tuple[str, str]]:
    for name, value in request.form.items(multi=True):
        yield name, value
    for name, upload in request.files.items(multi=True):
        yield name, upload.filename or ""
    if request.is_json:
        yield from _json_texts(request.get_json(silent=True), "")


def request_problems() -> dict[str, str]:
    """Each field of the request's body that cannot be taken, with what is wrong."""
    problems: dict[str, str] = {}
    for name, value in _texts():
        if name in problems:
            continue
        problem = text_problem(value)
        if problem:
            problems[name] = problem
    return problems


def _refusal(problems: dict[str, str]) -> tuple[Response | str, int]:
    message = gettext("; ").join(f"{name}: {text}" for name, text in problems.items())
    if request.path.startswith(API_PREFIX):
        return jsonify({"message": message, "errors": problems}), 422
    return render_template(
        "error.html", title=gettext("The form could not be taken"), message=message
    ), 422


def _too_large() -> tuple[Response | str, int]:
    message = gettext("The request is too large.")
    if request.path.startswith(API_PREFIX):
        return jsonify({"message": message}), 413
    return render_template("error.html", title=message, message=message), 413


def check_request() -> tuple[Response | str, int] | None:
    """Refuse a body too large for its kind or a text that cannot be stored (before_request)."""
    if request.method in SAFE_METHODS:
        return None
    uploads = request.mimetype == "multipart/form-data"
    if not uploads and (request.content_length or 0) > BODY_LIMIT:
        return _too_large()
    problems = request_problems()
    return _refusal(problems) if problems else None


def init_app(app: Flask) -> None:
    """Check every page request (after CSRF); the API checks its own after knowing who asks."""

    @app.before_request
    def guard_pages() -> tuple[Response | str, int] | None:
        if request.path.startswith(API_PREFIX):
            return None
        return check_request()
