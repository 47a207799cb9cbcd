"""The case page's diagram in a real Chromium: the viewer from web/static/vendor renders the
gap_case process, the step the case waits on is marked, and a phone can scroll to it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import at, make_round, open_household_case, work_done
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.settings import PROJECT_ROOT

pytestmark = pytest.mark.browser

ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
VIEWER = PROJECT_ROOT / "web" / "static" / "vendor" / "bpmn-js" / "bpmn-viewer.production.min.js"


@pytest.fixture
def verifying_case(county, user) -> int:
    """A water case the department has reported done: it waits for the township to verify."""
    if not VIEWER.exists():
        pytest.fail(f"{VIEWER} is missing: run `make assets` (the viewer comes from npm)")
    clock.set_now(at("2018-08-01T10:00"))
    case = open_household_case(make_round(), due=date(2018, 9, 30))
    work_done(case, user("dept_slj"), summary="管道已铺设入户")
    db.session.commit()
    return case.id


def _shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_case_diagram_marks_the_step_the_case_waits_on(new_page, log_in, verifying_case, size):
    page = new_page(size)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, "aoyi_zg")
    page.goto(f"/cases/{verifying_case}")
    holder = page.locator("[data-case-diagram][data-rendered=true]")
    expect(holder).to_be_visible()
    current = page.locator('.djs-element.huitou-current[data-element-id="verify_on_site"]')
    expect(current).to_have_count(1)
    expect(page.locator('.djs-element.huitou-done[data-element-id="plan_measure"]')).to_have_count(
        1
    )
    expect(page.locator('.djs-element.huitou-done[data-element-id="carry_out"]')).to_have_count(1)
    assert page.locator(".djs-element.huitou-current").count() == 1
    # The marked step is drawn in the highlight's colours, not the diagram's default ones.
    stroke = current.locator(".djs-visual > :first-child").evaluate(
        "el => getComputedStyle(el).stroke"
    )
    assert stroke == "rgb(180, 35, 24)", stroke
    box = page.locator(".diagram-box")
    assert box.evaluate("el => el.scrollWidth <= el.clientWidth + 1") == (size == "desk")
    # Whatever the width, the page does not scroll sideways: the diagram scrolls in its box.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    current.scroll_into_view_if_needed()
    expect(current).to_be_in_viewport()
    _shot(page, f"case-diagram-{size}.png")
    page.locator(".diagram-card").screenshot(path=str(ARTIFACTS / f"case-diagram-box-{size}.png"))
    page.click("[data-zoom=fit]")
    _shot(page, f"case-diagram-fit-{size}.png")
    assert not errors, errors


def test_without_javascript_the_page_names_the_current_step(chromium, live_server, verifying_case):
    context = chromium.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 375, "height": 812}
    )
    try:
        page = context.new_page()
        page.goto("/login")
        page.fill("input[name=username]", "aoyi_zg")
        page.fill("input[name=password]", "huitou-demo")
        page.click("button[type=submit]")
        page.goto(f"/cases/{verifying_case}")
        expect(page.locator(".current-step")).to_contain_text("乡镇实地核验")
        expect(page.locator(".diagram-card")).to_be_hidden()
        _shot(page, "case-nojs-phone.png")
    finally:
        context.close()
