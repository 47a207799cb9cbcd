"""After logging in (and after an inbox action) huitou only ever sends the browser to one of its
own pages, decided on the address as a browser reads it; an odd address is never a server error."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from tests.conftest import DEMO_PASSWORD
from web.redirects import local_target

OFF_SITE = [
    "//evil.example/x",
    "///evil.example/x",
    "/\\evil.example/x",
    "\\\\evil.example/x",
    "/\t/evil.example/x",
    "/\n/evil.example/x",
    "\x01//evil.example/x",
    " //evil.example/x",
    "/%2F/evil.example/x",
    "/%2f%2fevil.example",
    "/%5Cevil.example",
    "/%5c%5cevil.example",
    "/%09/evil.example",
    "/%00/evil.example",
    "https://evil.example/",
    "HTTPS:evil.example",
    "javascript:alert(1)",
    "evil.example",
    "/\u3000/evil.example",
    "/\x00",
    "/" + "a" * 5000,
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_an_address_a_browser_could_read_as_another_site_is_refused(target):
    assert local_target(target) is None


@pytest.mark.parametrize(
    "target", ["/cases", "/cases?show=overdue&ids=1,2", "/rounds/2018/gaps", "/inbox?kind=plan"]
)
def test_pages_of_huitou_are_kept(target):
    assert local_target(target) == target


def test_the_inbox_only_returns_within_the_inbox():
    assert local_target("/inbox?township=x", prefix="/inbox") == "/inbox?township=x"
    assert local_target("/inboxes", prefix="/inbox") is None
    assert local_target("/cases", prefix="/inbox") is None


@pytest.mark.parametrize("target", OFF_SITE)
def test_login_lands_on_a_huitou_page_whatever_next_says(app, county, browser, target):
    client = browser()
    form = client.get("/login?next=" + quote(target, safe=""))
    assert form.status_code == 200
    response = client.post(
        "/login?next=" + quote(target, safe=""), {"username": "fpb", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost") and location.scheme in ("", "http")
    assert location.path == "/inbox", response.headers["Location"]
