"""Timing a page through the app, and the database time inside it, with their floors.

A page's database time is what its SQL statements cost while the page ran (SQLAlchemy's cursor
events around every statement). Its floor is the same statements replayed bare: on PostgreSQL the
server's own `EXPLAIN ANALYZE` execution time, on SQLite the raw DBAPI cursor with `fetchall()`.
A page's floor is that database floor plus a trivial route (`GET /login`) through the same client.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import Flask

from workflow.platform.db import db

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "huitou-demo"


@dataclass
class Statements:
    """The SQL a block of code ran: each statement with its parameters and seconds."""

    run: list[tuple[str, Any, float]] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(s for _, _, s in self.run)


@contextmanager
def captured(engine: sa.Engine) -> Iterator[Statements]:
    """Record every statement the engine executes inside the block."""
    log = Statements()
    started: list[float] = []

    def before(conn, cursor, statement, parameters, context, executemany) -> None:
        started.append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany) -> None:
        log.run.append((statement, parameters, time.perf_counter() - started.pop()))

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    try:
        yield log
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)


def log_in(client, username: str) -> None:
    """Log a test client in through the login form, CSRF token and all."""
    page = client.get("/login").get_data(as_text=True)
    token = CSRF_RE.search(page).group(1)
    response = client.post(
        "/login", data={"csrf_token": token, "username": username, "password": PASSWORD}
    )
    if response.status_code != 302:
        raise RuntimeError(f"bench login failed for {username}: {response.status_code}")


class PageFailed(RuntimeError):
    """A page measured did not answer 200: it is reported as not measured."""


@dataclass
class PageTimes:
    """Seconds per request: the whole page, and the database time inside it."""

    page: list[float] = field(default_factory=list)
    db: list[float] = field(default_factory=list)
    statements: Statements = field(default_factory=Statements)


def time_page(app: Flask, client, path: str, reps: int, budget: float = 20) -> PageTimes:
    """GET a page `reps` times (after one warm-up; at least 3 but no more once `budget` seconds
    have gone), timing it and its database statements."""
    with app.app_context():
        engine = db.engine
    response = client.get(path)
    if response.status_code != 200:
        raise PageFailed(f"{path} answered {response.status_code}: not measured")
    times = PageTimes()
    stop = time.perf_counter() + budget
    for n in range(reps):
        if n >= 3 and time.perf_counter() > stop:
            break  # a page of seconds gets fewer repetitions, so the run stays bounded
        with captured(engine) as log:
            start = time.perf_counter()
            response = client.get(path)
            times.page.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise PageFailed(f"{path} answered {response.status_code}: not measured")
        times.db.append(log.seconds)
        times.statements = log
    return times


def time_trivial(client, reps: int) -> list[float]:
    """The floor of a page: a trivial route through the same client."""
    client.get("/login")
    out = []
    for _ in range(reps):
        start = time.perf_counter()
        client.get("/login")
        out.append(time.perf_counter() - start)
    return out


def bare_db_times(app: Flask, statements: Statements, reps: int) -> list[float]:
    """The same SELECTs replayed bare, `reps` times: server execution time or raw cursor time."""
    selects = [(s, p) for s, p, _ in statements.run if s.lstrip().upper().startswith("SELECT")]
    with app.app_context():
        raw = db.engine.raw_connection()
        postgresql = db.engine.dialect.name == "postgresql"
    try:
        cursor = raw.cursor()
        out = []
        for _ in range(reps):
            total = 0.0
            for statement, params in selects:
                if postgresql:
                    cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params)
                    plan = cursor.fetchone()[0]
                    plan = json.loads(plan) if isinstance(plan, str) else plan
                    total += plan[0]["Execution Time"] / 1000
                else:
                    start = time.perf_counter()
                    cursor.execute(statement, params)
                    cursor.fetchall()
                    total += time.perf_counter() - start
            out.append(total)
        raw.rollback()
        return out
    finally:
        raw.close()


def p(values: list[float], q: int) -> float:
    """The q-th percentile (50, 95) of some seconds, in milliseconds."""
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def explain(app: Flask, statements: Statements) -> str:
    """PostgreSQL's plan of the slowest SELECT (for the report when a target is missed)."""
    selects = [r for r in statements.run if r[0].lstrip().upper().startswith("SELECT")]
    if not selects:
        return ""
    statement, params, _ = max(selects, key=lambda r: r[2])
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return ""
        raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("EXPLAIN ANALYZE " + statement, params)
        return "\n".join(r[0] for r in cursor.fetchall())
    finally:
        raw.rollback()
        raw.close()
