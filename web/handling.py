"""How views turn domain refusals into responses, and own the request's one commit.

Every view that reads or changes the domain is wrapped in `domain_view`. The wrapper, not the
view, ends the request's transaction:

- the view returns a response below 400: the transaction is committed. A stale write found at
  commit (someone else changed the row first) is rolled back, whatever the view flashed (its
  success message) is taken back, and the user is sent back to the page, reloaded, with the
  same "someone else has just handled this … reload" message the JSON API answers 409 with;
- the view returns a response of 400 or more (a form shown again with its problems): rolled back;
- the view raises: rolled back (a `RecordedRefusal` commits the try's audit event instead).
  AccessDenied → 403, NotFound → 404; a stale write
  (ConflictError, StaleDataError) or a refusal (Refused, or a ValidationFailed the view does
  not show on its form) → what the view flashed is taken back, the error's message is flashed,
  and a redirect (303) to the view's `back` page, or the page the user came from.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, overload
from urllib.parse import urlsplit

from flask import abort, flash, make_response, redirect, request, session, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from workflow.models import User
from workflow.platform.db import db, replica_reads
from workflow.platform.errors import (
    AccessDenied,
    ConflictError,
    NotFound,
    RecordedRefusal,
    Refused,
    ValidationFailed,
)
from workflow.platform.i18n import gettext

F = TypeVar("F", bound=Callable[..., Any])
Back = Callable[..., str]


def acting_user() -> User:
    """The logged-in user, as the domain's User (views pass it to operations explicitly)."""
    return current_user._get_current_object()  # type: ignore[attr-defined]


def stale_message() -> str:
    """What the user is told when someone else changed the thing first (pages and API alike)."""
    return gettext(
        "Someone else has just handled this; your submission was not saved. "
        "Reload the page and try again."
    )


def commit_or_conflict() -> None:
    """Commit the request's one transaction; a stale write is rolled back and raised as a
    ConflictError carrying `stale_message()`, never applied."""
    try:
        db.session.commit()
    except StaleDataError as exc:
        db.session.rollback()
        raise ConflictError(stale_message()) from exc


@overload
def domain_view(view: F) -> F: ...
@overload
def domain_view(
    *, back: Back | None = None, refusal: str = "error", commit_on: tuple[int, ...] = ()
) -> Callable[[F], F]: ...
def domain_view(
    view: F | None = None,
    *,
    back: Back | None = None,
    refusal: str = "error",
    commit_on: tuple[int, ...] = (),
) -> Any:
    """Wrap a view so the request's transaction is committed or rolled back here, and domain
    errors become answers (see the module's docstring). `back(**view_kwargs)` is the address a
    refusal or a stale write sends the user back to; without it, the page she came from.
    `refusal` is the flash category a refusal is shown with; `commit_on` lists error statuses
    whose answer still commits (the login's 401 keeps the failed attempt it counted)."""

    def decorate(function: F) -> F:
        @wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            flashed = len(session.get("_flashes", []))
            try:
                response = make_response(function(*args, **kwargs))
                if response.status_code >= 400 and response.status_code not in commit_on:
                    db.session.rollback()
                    return response
                commit_or_conflict()
                return response
            except AccessDenied as exc:
                db.session.rollback()
                abort(403, description=exc.message)
            except NotFound as exc:
                db.session.rollback()
                abort(404, description=exc.message)
            except (ConflictError, StaleDataError, Refused, ValidationFailed) as exc:
                if isinstance(exc, RecordedRefusal):
                    commit_or_conflict()  # the try's audit event, nothing else
                else:
                    db.session.rollback()
                _take_back_flashes(flashed)
                if isinstance(exc, StaleDataError):
                    exc = ConflictError(stale_message())
                if request.method == "GET":
                    # A page that cannot be shown has nowhere to send her back to: its error
                    # page says why (web/error_pages.py), with the status of the refusal.
                    raise exc from None
                category = "error" if isinstance(exc, ConflictError) else refusal
                flash(exc.message, category)
                return redirect(_back_to(back, kwargs), 303)
            except BaseException:
                db.session.rollback()
                _take_back_flashes(flashed)  # whatever failed, nothing the view claimed was saved
                raise

        return wrapper  # type: ignore[return-value]

    return decorate(view) if view is not None else decorate


def _take_back_flashes(before: int) -> None:
    """Forget what the view flashed: it spoke of a change that was not saved."""
    flashes = session.get("_flashes")
    if flashes is not None and len(flashes) > before:
        session["_flashes"] = flashes[:before]


def _back_to(back: Back | None, kwargs: dict[str, Any]) -> str:
    if back is not None:
        return back(**kwargs)
    came_from = urlsplit(request.referrer or "")
    if came_from.netloc in ("", request.host) and came_from.path.startswith("/"):
        query = f"?{came_from.query}" if came_from.query else ""
        target = came_from.path + query
        if request.method != "GET" or came_from.path != request.path:
            return target
    return url_for("inbox.inbox")


def from_replica(view: F) -> F:
    """A report or board: its reads go to the read replica when one is configured
    (`HUITOU_DATABASE_REPLICA_URL`); put it under `domain_view`."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with replica_reads():
            return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
