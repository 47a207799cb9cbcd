"""The audit log: a chain per stream, writers that do not queue behind each other, and
`huitou audit verify` finding any event changed, removed, reordered or moved."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from web import cli, cli_support
from workflow.models import AuditEvent, AuditHead
from workflow.platform import audit
from workflow.platform.db import db


def write(n: int, action: str = "test.write") -> None:
    """n events, one committed transaction each (what n requests in a row write)."""
    for i in range(n):
        audit.record(None, action, "thing", i, after={"i": i})
        db.session.commit()


def run_verify(app, monkeypatch) -> tuple[int, str]:
    monkeypatch.setattr(cli_support, "make_app", lambda: app)
    result = CliRunner().invoke(cli.main, ["audit", "verify"])
    return result.exit_code, result.output


def tamper(sql: str, **params: object) -> None:
    """What someone with the database's password could do behind huitou's back."""
    db.session.execute(sa.text(sql), params)
    db.session.commit()


def test_an_untouched_log_verifies_and_the_command_says_so(app, monkeypatch):
    write(5)
    code, output = run_verify(app, monkeypatch)
    assert code == 0 and "5" in output and "完整" in output


@pytest.mark.parametrize(
    ("sql", "seq", "words"),
    [
        ("UPDATE audit_event SET reason = '改过' WHERE seq = 3", 3, "内容"),
        ("UPDATE audit_event SET at = at + interval '1 day' WHERE seq = 2", 2, "内容"),
        ("DELETE FROM audit_event WHERE seq = 2", 3, "3"),
        ("DELETE FROM audit_event WHERE seq = 5", 5, "链尾"),
        ("UPDATE audit_event SET stream = 2 WHERE seq = 4", 5, "4"),
    ],
    ids=["content", "time", "middle-removed", "tail-removed", "moved-to-another-stream"],
)
def test_a_changed_removed_or_moved_event_is_found(app, monkeypatch, sql, seq, words):
    write(5)
    if db.engine.dialect.name == "sqlite":
        sql = sql.replace("at + interval '1 day'", "datetime(at, '+1 day')")
    tamper(sql)
    report = audit.verify_chain()
    assert not report.ok and report.stream == 1 and report.broken_seq == seq
    code, output = run_verify(app, monkeypatch)
    assert code == 1 and "审计链断裂" in output and words in output


def test_two_events_swapped_are_found(app):
    write(4)
    third, fourth = (
        db.session.scalar(sa.select(AuditEvent).where(AuditEvent.seq == n)) for n in (3, 4)
    )
    moved = {"third": third.id, "fourth": fourth.id}
    tamper("UPDATE audit_event SET seq = -1 WHERE id = :third", **moved)
    tamper("UPDATE audit_event SET seq = 3 WHERE id = :fourth", **moved)
    tamper("UPDATE audit_event SET seq = 4 WHERE id = :third", **moved)
    report = audit.verify_chain()
    assert not report.ok and report.broken_seq == 3


def test_a_whole_stream_removed_is_found(app):
    write(2)
    tamper("DELETE FROM audit_head WHERE id = :last", last=audit.STREAMS)
    report = audit.verify_chain()
    assert not report.ok and report.stream == audit.STREAMS and "删除" in report.problem


def test_writers_in_different_transactions_do_not_wait_for_each_other(app):
    """While one transaction holds a stream (a long tick batch, say), another request writes
    its event into another stream and commits at once; both chains verify."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time by design")
    write(1)
    audit.record(None, "tick.batch", "batch", 1)  # this transaction now holds a stream
    db.session.flush()
    outcome: dict[str, object] = {}

    def other_request() -> None:
        with app.app_context():
            try:
                db.session.execute(sa.text("SET LOCAL lock_timeout = '3s'"))
                event = audit.record(None, "case.progress", "help_case", 7)
                db.session.commit()
                outcome["stream"] = event.stream
            except Exception as exc:  # the test reports what went wrong below
                outcome["error"] = exc
                db.session.rollback()
            finally:
                db.session.remove()

    writer = threading.Thread(target=other_request)
    writer.start()
    writer.join(20)
    assert "error" not in outcome, f"the second writer waited for the first: {outcome}"
    first_stream = db.session.scalar(
        sa.select(AuditEvent.stream).where(AuditEvent.action == "tick.batch")
    )
    db.session.commit()
    assert outcome["stream"] != first_stream
    report = audit.verify_chain()
    assert report.ok and report.checked == 3
    heads = db.session.scalars(sa.select(AuditHead).where(AuditHead.seq > 0)).all()
    assert len(heads) == 2
