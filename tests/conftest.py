"""Shared fixtures: a migrated database (SQLite, or PostgreSQL with HUITOU_TEST_DB=postgresql),
wiped between tests; the app; a small demo county; logged-in clients."""

from __future__ import annotations

import os
import re
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from web import cli, cli_support
from web.app import create_app
from workflow.demo.county import load_demo_county
from workflow.demo.data import build_demo_county
from workflow.models import User
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.schema import upgrade_database
from workflow.platform.settings import Settings, use_settings
from workflow.programme import rounds

pytest_plugins = ["tests.smtp_server"]

TEST_DB = os.environ.get("HUITOU_TEST_DB", "sqlite")
PG_ADMIN_URL = os.environ.get(
    "HUITOU_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DEMO_PASSWORD = "huitou-demo"
# HUITOU_TEST_READER=openpyxl reads every uploaded survey form with openpyxl only, so that the
# reader's tests can be run against either way into a workbook (forms/survey_sheets.py).
OPENPYXL_ONLY = os.environ.get("HUITOU_TEST_READER") == "openpyxl"


@pytest.fixture(autouse=True)
def _survey_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    if OPENPYXL_ONLY:
        monkeypatch.setattr("workflow.forms.survey_sheets.FAST", False)


@pytest.fixture(autouse=True)
def _no_strange_network(monkeypatch: pytest.MonkeyPatch) -> set[int]:
    """Fail any test that reaches for a server it did not start.

    Returns the set of loopback ports a fixture may open to the test: a fixture that starts a
    server adds its port. Only those and the test database's PostgreSQL port can be reached.
    """
    allowed: set[int] = set()
    database_port = sa.engine.make_url(PG_ADMIN_URL).port or 5432
    real_connect = socket.socket.connect

    def guarded(sock: socket.socket, address: object) -> object:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host, port = address[0], address[1]  # type: ignore[index]
            loopback = host in ("127.0.0.1", "::1", "localhost")
            if port != database_port and not (loopback and port in allowed):
                raise AssertionError(
                    f"test tried to reach {address!r}: start a loopback server in a fixture "
                    "and register its port"
                )
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return allowed


def _create_pg_database() -> tuple[str, Callable[[], None]]:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"huitou_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One migrated database for the whole run."""
    if TEST_DB == "postgresql":
        url, drop = _create_pg_database()
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'huitou.db'}"


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key",
        evidence_dir=str(tmp_path_factory.mktemp("evidence")),
    )


@pytest.fixture(scope="session")
def _migrated_app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings, {"TESTING": True})
    with app.app_context():
        upgrade_database()
    yield app
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()  # close pooled connections before the database is dropped


def _wipe(app: Flask) -> None:
    with app.app_context():
        tables = [t for t in reversed(db.metadata.sorted_tables)]
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                db.session.execute(table.delete())
            db.session.execute(sa.text("DELETE FROM sqlite_sequence")) if _has_sequence() else None
        db.session.commit()


def _has_sequence() -> bool:
    return (
        db.session.execute(
            sa.text("SELECT count(*) FROM sqlite_master WHERE name='sqlite_sequence'")
        ).scalar()
        > 0
    )


@pytest.fixture
def app(_migrated_app: Flask) -> Iterator[Flask]:
    """The app on an empty (migrated) database, inside an app context."""
    # A command run by an earlier test built an app of its own, with settings of its own.
    use_settings(_migrated_app.config["HUITOU_SETTINGS"])
    _wipe(_migrated_app)
    clock.set_now(None)
    with _migrated_app.app_context():
        yield _migrated_app
        db.session.rollback()
    clock.set_now(None)


@pytest.fixture(scope="session")
def demo_shape():
    return build_demo_county(households=600)


@pytest.fixture
def county(app: Flask, demo_shape):
    """The demo county with 600 households, committed."""
    load_demo_county(demo_shape, password=DEMO_PASSWORD)
    db.session.commit()
    return demo_shape


@pytest.fixture
def user(county) -> Callable[[str], object]:
    """Look up a demo user by username."""

    def get(username: str) -> User:
        return db.session.scalar(sa.select(User).where(User.username == username))

    return get


@pytest.fixture
def sqlite_lease(app: Flask) -> None:
    """The test is about the tick's lease, which only SQLite has."""
    if db.engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL workers share the tick (SKIP LOCKED): there is no lease")


@pytest.fixture
def run_tick(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], str]:
    """Run the real `huitou tick --now …` command against the test database."""
    monkeypatch.setattr(cli_support, "make_app", lambda: app)

    def run(moment: str) -> str:
        db.session.commit()
        result = CliRunner().invoke(cli.main, ["tick", "--now", moment], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        db.session.expire_all()
        return result.output

    return run


@pytest.fixture
def round2018(county, user):
    """The 2018 round, launched by the county office on 1 July 2018."""
    clock.set_now(clock.parse_moment("2018-07-01T10:00"))
    round_ = rounds.launch_round(2018, user("fpb"))
    db.session.commit()
    return round_


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in an app context of its own.

    The `app` fixture keeps an app context pushed, and a request made inside it would reuse that
    context's `g`, where Flask-Login caches the current user and Flask-WTF the CSRF token: with
    several clients in one test, the second would act as the first. A context per request keeps
    each client to its own session, as a real server does."""

    def open(self, *args: object, **kwargs: object):  # type: ignore[override]
        with self.application.app_context():
            return super().open(*args, **kwargs)


class Browser:
    """A test client that logs in through the real form and posts with the page's CSRF token."""

    def __init__(self, client: FlaskClient):
        self.client = client
        self.token = ""

    def get(self, url: str, **kw: object):
        response = self.client.get(url, **kw)
        if response.mimetype != "text/html":
            return response
        match = CSRF_RE.search(response.get_data(as_text=True))
        if match:
            self.token = match.group(1)
        return response

    def post(self, url: str, data: dict | None = None, **kw: object):
        if not self.token:
            self.get("/login")
        payload = {"csrf_token": self.token, **(data or {})}
        return self.client.post(url, data=payload, **kw)

    def login(self, username: str, password: str = DEMO_PASSWORD):
        self.get("/login")
        return self.post("/login", {"username": username, "password": password})


@pytest.fixture
def browser(app: Flask) -> Callable[[str | None], Browser]:
    """A factory of clients, each logged in as the given demo user (or anonymous)."""

    def make(username: str | None = None) -> Browser:
        b = Browser(IsolatedClient(app, app.response_class, use_cookies=True))
        if username:
            response = b.login(username)
            assert response.status_code == 302, f"login failed for {username}"
        return b

    return make


def pytest_report_header(config: pytest.Config) -> str:
    return f"huitou test database: {TEST_DB}"


ROOT = Path(__file__).resolve().parent.parent
