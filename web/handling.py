"""How views turn domain refusals into responses, and own the request's one commit."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from workflow.models import User
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, NotFound

F = TypeVar("F", bound=Callable[..., Any])


def acting_user() -> User:
    """The logged-in user, as the domain's User (views pass it to operations explicitly)."""
    return current_user._get_current_object()  # type: ignore[attr-defined]


def domain_view(view: F) -> F:
    """Map AccessDenied to 403 and NotFound to 404, and roll back whatever the view left."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except AccessDenied as exc:
            db.session.rollback()
            abort(403, description=exc.message)
        except NotFound:
            db.session.rollback()
            abort(404)

    return wrapper  # type: ignore[return-value]
