"""Running the tick: in a thread of `huitou serve`, or as a worker process of its own
(`huitou scheduler`); never at import."""

from __future__ import annotations

import contextlib
import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from notifications import wiring
from workflow import scheduler

log = logging.getLogger(__name__)


def _add_tick(
    runner: BaseScheduler,
    app: Flask,
    tell: Callable[[scheduler.TickReport], None],
    **when: Any,
) -> None:
    """Add the tick to `runner`: every HUITOU_TICK_SECONDS, never two at once, missed runs
    coalesced into one; `tell` hears each tick's report."""

    def job() -> None:
        with app.app_context():
            tell(wiring.tick_and_deliver())

    seconds = app.config["HUITOU_SETTINGS"].tick_seconds
    runner.add_job(
        job, "interval", seconds=seconds, id="tick", max_instances=1, coalesce=True, **when
    )


def _warn_failed(report: scheduler.TickReport) -> None:
    if report.failed:
        log.warning("tick: %d instances failed", len(report.failed))


def start_scheduler(app: Flask) -> BackgroundScheduler:
    """Run the tick every HUITOU_TICK_SECONDS in a background thread of this process."""
    background = BackgroundScheduler(timezone="UTC")
    _add_tick(background, app, _warn_failed)
    background.start()
    return background


def run_worker(app: Flask, tell: Callable[[scheduler.TickReport], None]) -> None:
    """Tick every HUITOU_TICK_SECONDS in this process until SIGTERM or Ctrl-C; `tell` hears each
    tick's report. On PostgreSQL any number of these share the work (SKIP LOCKED)."""
    blocking = BlockingScheduler(timezone="UTC")

    def stop(*_: Any) -> None:
        blocking.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    # At once; the interval is real time, not the clock's.
    _add_tick(blocking, app, tell, next_run_time=datetime.now(UTC))
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        blocking.start()
