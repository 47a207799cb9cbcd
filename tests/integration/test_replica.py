"""A read replica (HUITOU_DATABASE_REPLICA_URL) serves the board, progress and accountability
pages and report exports; forms, inboxes and every write stay on the primary."""

from __future__ import annotations

import sqlite3
import subprocess
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask import Flask
from openpyxl import load_workbook

from tests.conftest import PG_ADMIN_URL, Browser, IsolatedClient
from tests.factories import at, make_round, open_household_case
from web import cli, cli_support
from web.app import create_app
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.settings import Settings, SettingsError, use_settings


def snapshot(primary_url: str, tmp_path: Path) -> tuple[str, Callable[[], None]]:
    """A copy of the primary as it stands now: what a replica holds, lagging behind it."""
    url = sa.engine.make_url(primary_url)
    if url.get_backend_name() == "sqlite":
        target = tmp_path / "replica.db"
        with sqlite3.connect(url.database) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return f"sqlite:///{target}", lambda: None
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"huitou_replica_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    libpq = url.set(drivername="postgresql")
    dump = subprocess.run(
        ["pg_dump", "--no-owner", libpq.render_as_string(hide_password=False)],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["psql", "-q", "-v", "ON_ERROR_STOP=1", libpq.set(database=name).render_as_string(False)],
        input=dump.stdout,
        check=True,
        capture_output=True,
    )

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture
def lagging(app: Flask, county, tmp_path: Path) -> Iterator[tuple[Flask, Flask]]:
    """The primary holds two late cases; the replica was copied when it held one. Yields an
    app reading reports from the replica, and one with no replica."""
    clock.set_now(at("2018-08-01T10:00"))
    round_ = make_round()
    open_household_case(round_, due=date(2018, 9, 30))
    db.session.commit()
    primary = app.config["SQLALCHEMY_DATABASE_URI"]
    replica, drop = snapshot(primary, tmp_path)
    open_household_case(
        round_, indicator="H-HOUSE", label="住房安全有保障", dept_code="ZJJ", due=date(2018, 9, 30)
    )
    db.session.commit()
    clock.set_now(at("2018-10-20T10:00"))
    settings = app.config["HUITOU_SETTINGS"]
    evidence = settings.evidence_dir
    with_replica = create_app(
        Settings(primary, "k", database_replica_url=replica, evidence_dir=evidence)
    )
    without = create_app(Settings(primary, "k", evidence_dir=evidence))
    yield with_replica, without
    for other in (with_replica, without):
        with other.app_context():
            for engine in db.engines.values():
                engine.dispose()
    use_settings(settings)
    drop()


def page(app: Flask, username: str, url: str) -> str:
    browser = Browser(IsolatedClient(app, app.response_class, use_cookies=True))
    assert browser.login(username).status_code == 302
    response = browser.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_the_board_reads_the_replica_and_the_inbox_the_primary(lagging):
    with_replica, without = lagging
    assert "住房安全有保障" in page(without, "fpb", "/board"), "the primary has the second case"
    board = page(with_replica, "fpb", "/board")
    assert "有安全饮水" in board and "住房安全有保障" not in board, "the board is the replica's"
    inbox = page(with_replica, "dept_zjj", "/inbox")
    assert "住房安全有保障" in inbox, "a department's inbox is always the primary's"


def test_the_report_command_reads_the_replica(lagging, monkeypatch, tmp_path):
    with_replica, without = lagging

    def cases_in_report(app: Flask) -> int:
        monkeypatch.setattr(cli_support, "make_app", lambda: app)
        out = tmp_path / "plan.xlsx"
        command = ["report", "plan", "--round", "2018", "--department", "ZJJ", "-o", str(out)]
        result = CliRunner().invoke(cli.main, command)
        assert result.exit_code == 0, result.output
        sheet = load_workbook(out).active
        rows = sheet.iter_rows(values_only=True)
        return sum(1 for row in rows if any("住房安全有保障" in str(cell) for cell in row))

    assert cases_in_report(without) >= 1
    assert cases_in_report(with_replica) == 0


def test_a_replica_url_that_is_no_url_is_refused_at_start():
    with pytest.raises(SettingsError, match="HUITOU_DATABASE_REPLICA_URL"):
        Settings.from_env({"HUITOU_DATABASE_REPLICA_URL": "not a url", "HUITOU_SECRET_KEY": "k"})
