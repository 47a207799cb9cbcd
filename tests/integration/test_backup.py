"""`huitou backup -o FILE` while the app writes: the copy opens as a database of its own, its
audit chain is whole, and every event committed before the backup began is in it."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tests.conftest import TEST_DB
from web import cli, cli_support
from web.app import create_app
from workflow.models import AuditEvent, User
from workflow.platform import audit
from workflow.platform.db import db
from workflow.platform.settings import Settings

pytestmark = pytest.mark.skipif(
    TEST_DB != "sqlite", reason="PostgreSQL is backed up with pg_dump (README)"
)


def _writer(app, user_id: int, stop: threading.Event, written: list[int]) -> None:
    """A clerk at work: one audited change after another, each committed."""
    with app.app_context():
        actor = db.session.get(User, user_id)
        n = 0
        while not stop.is_set():
            n += 1
            event = audit.record(actor, "case.progress", "help_case", n, after={"n": n})
            db.session.commit()
            written.append(event.seq)
        db.session.remove()


def _chain(url: str) -> list[tuple[int, str]]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq))
        chain = [tuple(r) for r in rows]
    engine.dispose()
    return chain


def test_a_backup_taken_while_writing_restores_whole(app, county, user, tmp_path, monkeypatch):
    monkeypatch.setattr(cli_support, "make_app", lambda: app)
    stop, written = threading.Event(), []
    writer = threading.Thread(target=_writer, args=(app, user("fpb").id, stop, written))
    writer.start()
    try:
        while len(written) < 20:
            time.sleep(0.01)
        committed_before = max(written)
        target = tmp_path / "backups" / "huitou-backup.db"
        result = CliRunner().invoke(cli.main, ["backup", "-o", str(target)])
        assert result.exit_code == 0, result.output
        assert "已备份到" in result.output
        time.sleep(0.2)  # the clerk goes on writing after the backup
    finally:
        stop.set()
        writer.join(30)
    db.session.expire_all()
    source = _chain(app.config["SQLALCHEMY_DATABASE_URI"])
    copy = _chain(f"sqlite:///{target}")
    assert len(source) > len(copy) >= committed_before, "nothing committed before it is lost"
    assert copy == source[: len(copy)], "the copy is the database as it stood at one moment"

    restored = create_app(
        Settings(database_url=f"sqlite:///{target}", secret_key="x", evidence_dir=str(tmp_path))
    )
    with restored.app_context():
        report = audit.verify_chain()
        assert report.ok and report.checked == len(copy)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) > 10
        db.session.remove()
        db.engine.dispose()


def test_the_backup_never_overwrites_the_database_itself(app, county, monkeypatch):
    monkeypatch.setattr(cli_support, "make_app", lambda: app)
    database = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    result = CliRunner().invoke(cli.main, ["backup", "-o", database])
    assert result.exit_code == 1 and "不能覆盖数据库本身" in result.output
