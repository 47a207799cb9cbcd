"""What every `huitou` command shares: the app, an up-to-date database, and clear refusals."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask

from web.app import create_app
from workflow.models import User
from workflow.platform.db import db
from workflow.platform.errors import DomainError, RecordedRefusal
from workflow.platform.i18n import gettext
from workflow.platform.schema import upgrade_database


def make_app() -> Flask:
    return create_app()


def with_app(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command inside an app context on an up-to-date database; explain domain refusals."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        app = make_app()
        with app.app_context():
            upgrade_database()
            try:
                return fn(*args, **kwargs)
            except DomainError as exc:
                if isinstance(exc, RecordedRefusal):
                    db.session.commit()  # the try's audit event, nothing else
                else:
                    db.session.rollback()
                click.echo(gettext("Error: %(error)s", error=exc.message), err=True)
                sys.exit(1)

    return wrapper


def commit() -> None:
    """End a command's one transaction: the only place the CLI commits (domain operations flush
    and never commit; a refusal is rolled back by `with_app`)."""
    db.session.commit()


def parse_date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            gettext("Not a date (write YYYY-MM-DD): %(text)s", text=text)
        ) from None


def find_user(username: str) -> Any:
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        message = gettext("There is no user %(username)s.", username=username)
        click.echo(gettext("Error: %(error)s", error=message), err=True)
        sys.exit(1)
    return user


def read_new_password(label: str) -> str:
    """Ask for a new password twice: hidden at a terminal; from a pipe, two lines of input
    (`printf 'pw\\npw\\n' | huitou init ...`), since a pipe has no terminal to hide it on."""
    if sys.stdin is not None and sys.stdin.isatty():
        return click.prompt(label, hide_input=True, confirmation_prompt=True)
    first, second = sys.stdin.readline(), sys.stdin.readline()
    if not first:
        raise click.UsageError(gettext("The password was not given on the input."))
    if first.rstrip("\r\n") != second.rstrip("\r\n"):
        raise click.UsageError(gettext("The two passwords differ."))
    return first.rstrip("\r\n")
