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
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

from notifications import wiring
from workflow import scheduler

log = logging.getLogger(__name__)


def start_scheduler(app: Flask) -> BackgroundScheduler:
    """Run the tick every HUITOU_TICK_SECONDS in a background thread of this process."""
    settings = app.config["HUITOU_SETTINGS"]

    def job() -> None:
        with app.app_context():
            report = wiring.tick_and_deliver()
            if report.failed:
                log.warning("tick: %d instances failed", len(report.failed))

    background = BackgroundScheduler(timezone="UTC")
    background.add_job(
        job, "interval", seconds=settings.tick_seconds, id="tick", max_instances=1, coalesce=True
    )
    background.start()
    return background


def run_worker(app: Flask, tell: Callable[[scheduler.TickReport], None]) -> None:
    """Tick every HUITOU_TICK_SECONDS in this process until SIGTERM or Ctrl-C; `tell` hears each
    tick's report. On PostgreSQL any number of these share the work (SKIP LOCKED)."""
    settings = app.config["HUITOU_SETTINGS"]
    blocking = BlockingScheduler(timezone="UTC")

    def job() -> None:
        with app.app_context():
            tell(wiring.tick_and_deliver())

    def stop(*_: Any) -> None:
        blocking.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    blocking.add_job(
        job,
        "interval",
        seconds=settings.tick_seconds,
        id="tick",
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(UTC),  # at once; the interval is real time, not the clock's
    )
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        blocking.start()
