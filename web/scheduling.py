"""Starting APScheduler: only `huitou serve` calls this (never at import, never in tests)."""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from notifications import wiring

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
