"""Fixtures for driving huitou in a real Chromium: a waitress server over the test database,
a browser, and pages at a phone's or a desk's size."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import sync_playwright
from waitress.server import create_server

from tests.factories import at, make_round, open_household_case
from workflow.platform import clock
from workflow.platform.db import db

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=zh-CN",  # the browser's own words (file pickers, dialogs) in Chinese too
]
VIEWPORTS = {"phone": {"width": 375, "height": 812}, "desk": {"width": 1280, "height": 900}}


class LiveServer:
    """The app served by waitress on a free loopback port, in a thread of this process.

    Flask pushes its own app context for every request, so the server's threads do not share
    the test's context or session; they share only the database and the clock."""

    def __init__(self, app: Flask):
        self._server = create_server(app, host="127.0.0.1", port=0, threads=4)
        self.url = f"http://127.0.0.1:{self._server.effective_port}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="huitou-live", daemon=True)

    def _serve(self) -> None:
        server = self._server
        while not self._stop.is_set():
            server.asyncore.loop(timeout=0.05, map=server._map, count=1)
        # Close every socket on the thread that owns them, so nothing is left for the GC.
        for channel in list(server._map.values()):
            channel.close()
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


@pytest.fixture
def live_server(app: Flask, county) -> Iterator[LiveServer]:
    """The app over the test database (demo county loaded), reachable at live_server.url."""
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    """The system's Chromium, headless; the tests skip where it is not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium, live_server) -> Iterator[Callable[..., object]]:
    """A factory of pages on the live server, each in a fresh context (no shared cookies)."""
    contexts = []

    def make(size: str = "phone"):
        is_phone = size == "phone"
        context = chromium.new_context(
            viewport=VIEWPORTS[size],
            base_url=live_server.url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            is_mobile=is_phone,
            has_touch=is_phone,
            device_scale_factor=2 if is_phone else 1,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def log_in() -> Callable[..., None]:
    """Log a page in through the real login form."""

    def do(page, username: str, password: str = "huitou-demo") -> None:
        page.goto("/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")

    return do


@pytest.fixture
def water_case(county) -> int:
    """1 August 2018: a 水利局 case for a household of 布古纳村, due at year-end."""
    clock.set_now(at("2018-08-01T10:00"))
    case = open_household_case(make_round())
    db.session.commit()
    return case.id
