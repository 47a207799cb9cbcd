"""A clerk without a mouse: the login form, the menu and the inbox work from the keyboard alone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _focused(page) -> str:
    return page.evaluate("document.activeElement.outerHTML")


def test_log_in_and_open_a_task_with_the_keyboard(new_page, water_case):
    page = new_page("desk")
    page.goto("/login")
    expect(page.locator("input[name=username]")).to_be_focused()  # autofocus
    page.keyboard.type("dept_slj")
    page.keyboard.press("Tab")
    expect(page.locator("input[name=password]")).to_be_focused()
    page.keyboard.type("huitou-demo")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/inbox$"))

    # Tab from the top of the page: the menu first, then on to the first task.
    for _ in range(40):
        page.keyboard.press("Tab")
        if "/cases/" in _focused(page) or "/tasks/" in _focused(page):
            break
    else:
        raise AssertionError("no task link is reachable with Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused link shows where the keyboard is"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/cases/{water_case}$"))
    expect(page.locator("textarea[name=measure]")).to_be_visible()
