"""The pages' markup obeys the Content-Security-Policy huitou sends (script-src 'self'):
no inline scripts and no inline event handlers, which the browser would silently ignore."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)


def test_no_template_relies_on_inline_javascript():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), 1):
            if INLINE_HANDLER.search(line) or INLINE_SCRIPT.search(line):
                offenders.append(f"{path.relative_to(TEMPLATES)}:{number}")
    assert not offenders, f"inline JavaScript is blocked by the CSP: {offenders}"


def test_the_check_would_catch_both_kinds():
    assert INLINE_HANDLER.search('<select onchange="this.form.submit()">')
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/huitou.js" defer></script>')
