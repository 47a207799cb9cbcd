"""Simulated users for the web load scenario: each logs in through the login form, reads its
inbox and case pages, and completes tasks through the case page's forms with their CSRF token.

Every user is a thread with its own cookie jar and a think time between requests (people read
a page before they act). A user records each request (what, status, seconds) and each completion
it attempted: which case and step, and whether the page it was sent back to said it was saved.
"""

from __future__ import annotations

import http.cookiejar
import random
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
TASK_RE = re.compile(r'href="/tasks/(\d+)"')
FORM_RE = re.compile(r'action="/cases/(\d+)/(plan|submit|verify)"')
PASSWORD = "huitou-demo"
# What each completion's form sends; every value passes the domain's checks.
FORMS = {
    "plan": {
        "measure": "打井入户",
        "target_standard": "自来水入户",
        "responsible_person": "张三",
        "planned_completion": "2018-09-30",
    },
    "submit": {"summary": "已完成"},
    "verify": {"decision": "ok", "reason": ""},
}
STEP_OF_ACTION = {"plan": "plan_measure", "submit": "carry_out", "verify": "verify_on_site"}


@dataclass
class Request:
    what: str
    status: int
    seconds: float


@dataclass
class Completion:
    case_id: int
    step: str
    saved: bool


@dataclass
class UserLog:
    requests: list[Request] = field(default_factory=list)
    completions: list[Completion] = field(default_factory=list)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # the user sees a redirect as a redirect
        return None


class SimulatedUser:
    """One person at a browser: a session of its own, and a log of what it saw."""

    def __init__(self, base: str, username: str, think: float, seed: int) -> None:
        self.base, self.username, self.think = base, username, think
        self.rng = random.Random(seed)
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )
        self.log = UserLog()

    def _call(self, what: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        start = time.perf_counter()
        try:
            with self.opener.open(self.base + path, body, timeout=30) as response:
                status, text, location = response.status, response.read().decode(), ""
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode(errors="replace")
            location = exc.headers.get("Location", "")
        except OSError:
            status, text, location = 599, "", ""  # refused or timed out: an error all the same
        self.log.requests.append(Request(what, status, time.perf_counter() - start))
        return status, text, location

    def _pause(self) -> None:
        time.sleep(self.rng.uniform(0.5, 1.5) * self.think)

    def log_in(self) -> bool:
        _, page, _ = self._call("login form", "/login")
        token = CSRF_RE.search(page)
        form = {"username": self.username, "password": PASSWORD}
        status, _, _ = self._call("log in", "/login", {"csrf_token": token.group(1), **form})
        return status == 302

    def trivial_loop(self, until: float) -> None:
        """The floor: the same user and pace, asking only for the login page."""
        while time.perf_counter() < until:
            self._call("trivial", "/login")
            self._pause()

    def work_loop(self, until: float) -> None:
        """Read the inbox, open a task's case page, complete it; read a case page if none."""
        while time.perf_counter() < until:
            _, inbox, _ = self._call("inbox", "/inbox")
            self._pause()
            tasks = TASK_RE.findall(inbox)
            if not tasks:
                continue
            status, _, location = self._call("open task", f"/tasks/{self.rng.choice(tasks)}")
            if status != 302 or "/cases/" not in location:
                continue
            path = urllib.parse.urlsplit(location).path
            _, page, _ = self._call("case page", path)
            self._pause()
            form, token = FORM_RE.search(page), CSRF_RE.search(page)
            if form is None or token is None or time.perf_counter() >= until:
                continue
            self._complete(int(form.group(1)), form.group(2), token.group(1))
            self._pause()

    def _complete(self, case_id: int, action: str, token: str) -> None:
        data = {"csrf_token": token, **FORMS[action]}
        status, _, location = self._call("complete", f"/cases/{case_id}/{action}", data)
        if status != 303:
            return
        _, page, _ = self._call("case page", urllib.parse.urlsplit(location).path)
        saved = 'class="flash success"' in page
        self.log.completions.append(Completion(case_id, STEP_OF_ACTION[action], saved))


def run_users(users: list[SimulatedUser], seconds: float, trivial: bool) -> None:
    """Run every user's loop in a thread of its own for `seconds`, and wait for them all."""
    until = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=u.trivial_loop if trivial else u.work_loop, args=(until,))
        for u in users
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
