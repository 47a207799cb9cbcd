"""What the journey tests share: screenshots where a person would look, and small page helpers."""

from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"


def shoot(page, journey: str, step: str, size: str) -> Path:
    """Save a full-page screenshot as tests/artifacts/<journey>/<step>-<size>.png."""
    folder = ARTIFACTS / journey
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{step}-{size}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def no_sideways_scroll(page) -> bool:
    """The page fits the screen's width (nothing to scroll sideways on a phone)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def confirm_and_press(page, form_selector: str) -> None:
    """Tick every confirmation box a signing form asks for, then press its submit button."""
    form = page.locator(form_selector)
    boxes = form.locator("input[type=checkbox][required]")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    form.locator("button[type=submit]").first.click()
