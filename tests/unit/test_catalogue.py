"""Every message a page or a notice shows has a Chinese translation that keeps its placeholders.

Templates are read with Jinja's own extractor, Python files with `ast`, so that `_("…")`,
`gettext("…")` and `ngettext("…", "…", n)` are found however they are quoted or split over lines.
A message id built at run time (`_("status:" ~ case.status.value)`, `gettext(_SUBJECTS[level])`)
cannot be read from the source: it must be declared below, with every value it can take.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from jinja2 import Environment

from workflow.i18n import CATALOGUE_DIR, _messages
from workflow.models import CaseStatus, GapStatus, RoundStatus, TownshipSurveyStatus

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "web" / "templates"
PYTHON_PACKAGES = ("web", "notifications", "workflow")
GETTEXT_NAMES = {"_", "gettext", "ngettext", "lazy_gettext"}

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]")
HAN = re.compile(r"[\u3400-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
DYNAMIC_TEMPLATE_ID = re.compile(r"""\b_\(\s*(["'])([^"']*)\1\s*~""")


def _dynamic_prefixes() -> dict[str, list[str]]:
    """Template ids written as "prefix" ~ value, with every value the prefix is joined to."""
    from workflow.accountability import METRICS
    from workflow.standards import JUDGES, SUBJECT_KINDS

    enums = {
        "status:": CaseStatus,
        "gap:": GapStatus,
        "round:": RoundStatus,
        "survey:": TownshipSurveyStatus,
    }
    prefixes = {prefix: [member.value for member in enum] for prefix, enum in enums.items()}
    prefixes["metric:"] = list(METRICS)
    prefixes["kind:"] = list(SUBJECT_KINDS)
    prefixes["judge:"] = list(JUDGES)
    return prefixes


def _indirect_python_ids() -> dict[str, list[str]]:
    """Python files that pass a computed id to gettext, with every id they can pass."""
    from notifications.rules import _LATE_SUBJECTS, _SUBJECTS

    return {"notifications/rules.py": [*_SUBJECTS.values(), *_LATE_SUBJECTS.values()]}


class Found:
    """The message ids found in the sources, each with where it was first seen."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.unreadable: list[str] = []

    def add(self, msgid: str, where: str) -> None:
        self.ids.setdefault(msgid, where)


def _template_files() -> Iterator[Path]:
    return iter(sorted(TEMPLATES.rglob("*.html")))


def _python_files() -> Iterator[Path]:
    for package in PYTHON_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path.name != "i18n.py":
                yield path


def _scan_templates(found: Found) -> None:
    env = Environment(extensions=["jinja2.ext.i18n"])
    prefixes = _dynamic_prefixes()
    for path in _template_files():
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        rel = path.relative_to(ROOT).as_posix()
        for lineno, _func, message in env.extract_translations(source):
            where = f"{rel}:{lineno}"
            strings = message if isinstance(message, tuple) else (message,)
            for text in strings:
                if text:
                    found.add(text, where)
            if any(text is None for text in strings[:1]):
                for _q, prefix in DYNAMIC_TEMPLATE_ID.findall(lines[lineno - 1]):
                    if prefix not in prefixes:
                        found.unreadable.append(f"{where}: computed id {prefix!r} ~ …")
                        continue
                    for value in prefixes[prefix]:
                        found.add(prefix + value, where)
                if not DYNAMIC_TEMPLATE_ID.search(lines[lineno - 1]):
                    found.unreadable.append(f"{where}: computed message id")


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _scan_python(found: Found) -> None:
    indirect = _indirect_python_ids()
    for path in _python_files():
        rel = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _call_name(node) not in GETTEXT_NAMES:
                continue
            where = f"{rel}:{node.lineno}"
            count = 2 if _call_name(node) == "ngettext" else 1
            args = node.args[:count]
            texts = [_literal(arg) for arg in args]
            for text in texts:
                if text is not None:
                    found.add(text, where)
            if not args or any(text is None for text in texts):
                if rel in indirect:
                    for text in indirect[rel]:
                        found.add(text, where)
                else:
                    found.unreadable.append(f"{where}: computed message id")


@pytest.fixture(scope="module")
def found() -> Found:
    result = Found()
    _scan_templates(result)
    _scan_python(result)
    return result


def _needs_words(msgid: str) -> bool:
    """An id with English words in it must be translated; '%(a)s · %(b)s' need not be."""
    return bool(LATIN_WORD.search(PLACEHOLDER.sub("", msgid)))


def test_the_scan_finds_the_pages_messages(found):
    for expected in ("Log in", "Inbox", "status:closed", "Saved.", "Overdue by %(days)s days"):
        assert expected in found.ids, f"the scanner missed {expected!r}"


def test_every_computed_message_id_is_declared(found):
    assert not found.unreadable, (
        "message ids built at run time must be declared in tests/unit/test_catalogue.py "
        "with every value they can take:\n" + "\n".join(found.unreadable)
    )


def test_every_message_has_a_chinese_translation(found):
    messages = _messages()
    missing = [
        f"{where}: {msgid!r}"
        for msgid, where in sorted(found.ids.items(), key=lambda item: item[1])
        if _needs_words(msgid) and not HAN.search(messages.get(msgid, ""))
    ]
    assert not missing, "no Chinese translation in workflow/translations/*.po for:\n" + "\n".join(
        missing
    )


def test_translations_keep_their_placeholders(found):
    messages = _messages()
    wrong = []
    for msgid, where in sorted(found.ids.items()):
        if msgid not in messages:
            continue
        want, got = sorted(PLACEHOLDER.findall(msgid)), sorted(PLACEHOLDER.findall(messages[msgid]))
        if want != got:
            wrong.append(f"{where}: {msgid!r} has {want}, its translation {got}")
    assert not wrong, "translations that drop or add a placeholder:\n" + "\n".join(wrong)


def test_catalogues_do_not_contradict_each_other():
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for path in sorted(CATALOGUE_DIR.glob("*.po")):
        with path.open("rb") as fh:
            catalog = read_po(fh, locale="zh_Hans_CN")
        for message in catalog:
            if not message.id or not isinstance(message.id, str) or not message.string:
                continue
            earlier = seen.setdefault(message.id, (path.name, message.string))
            if earlier[1] != message.string:
                clashes.append(f"{message.id!r}: {earlier[0]} and {path.name} differ")
    assert not clashes, "the same id translated differently:\n" + "\n".join(clashes)
