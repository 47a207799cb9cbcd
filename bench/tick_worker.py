"""One tick worker process (the tick scenario's shared tick, the web load's tick under load):
waits for the start moment, ticks once at the given clock moment, prints what it advanced and
when (JSON). `start` launches one from a scenario, `outcome` waits for its line.

    python -m bench.tick_worker DATABASE_URL MOMENT START_AT
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from web.app import create_app
from workflow.engine import instances
from workflow.models import ProcessInstance
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.settings import Settings
from workflow.scheduler import tick


def start(url: str, moment: str, start_at: float) -> subprocess.Popen:
    """A worker process of its own, ticking at `moment` once the wall clock reaches `start_at`."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), *sys.path])}
    return subprocess.Popen(
        [sys.executable, "-m", "bench.tick_worker", url, moment, str(start_at)],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )


def outcome(worker: subprocess.Popen) -> dict[str, Any]:
    """What the worker printed: advanced, failed, started and ended (wall-clock seconds)."""
    return json.loads(worker.communicate(timeout=3600)[0].strip().splitlines()[-1])


def main(url: str, moment: str, start_at: float) -> None:
    app = create_app(Settings(database_url=url, secret_key="bench"))
    with app.app_context():
        # connected, and the diagrams parsed, before the start: measure the ticking only
        instances.load(db.session.scalar(sa.select(ProcessInstance).limit(1)))
        db.session.rollback()
        time.sleep(max(0.0, start_at - time.time()))
        started = time.time()
        report = tick(clock.parse_moment(moment))
        ended = time.time()
        print(
            json.dumps(
                {
                    "advanced": len(report.advanced),
                    "failed": len(report.failed),
                    "started": started,
                    "ended": ended,
                }
            )
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
