"""The message catalogues: code says English message ids, users read simplified Chinese (the
default) or Uyghur, whichever language is current.

The current language is a context variable: a web request sets it from the user's choice, a
notice or e-mail is written in its recipient's (`use_language`), and a command takes it from
`HUITOU_LANG`. Chinese catalogues are `translations/*.po`; the Uyghur ones, with the same names,
`translations/ug/*.po` (docs/GLOSSARY-ug.md fixes the programme's terms).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

CATALOGUE_DIR = Path(__file__).resolve().parents[1] / "translations"
DEFAULT_LANGUAGE = "zh"
# Language code -> (Babel locale, HTML lang, text direction).
LANGUAGES: dict[str, tuple[str, str, str]] = {
    "zh": ("zh_Hans_CN", "zh-Hans", "ltr"),
    "ug": ("ug_Arab_CN", "ug", "rtl"),
}

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "huitou_language", default=None
)


def known_language(code: str | None) -> str:
    """A language code huitou speaks: the code itself ("ug", "ug-CN", "zh_Hans") or Chinese."""
    base = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


def current_language() -> str:
    """The language being written now: the context's, else HUITOU_LANG's, else Chinese."""
    chosen = _current.get()
    if chosen is None:
        chosen = known_language(os.environ.get("HUITOU_LANG"))
    return chosen


def set_language(code: str | None) -> contextvars.Token[str | None]:
    """Make a language current for this context (a request); reset with `reset_language`."""
    return _current.set(known_language(code))


def reset_language(token: contextvars.Token[str | None]) -> None:
    _current.reset(token)


@contextlib.contextmanager
def use_language(code: str | None) -> Iterator[str]:
    """Write in a language for a while (a notice for its recipient), then go back."""
    token = set_language(code)
    try:
        yield _current.get() or DEFAULT_LANGUAGE
    finally:
        _current.reset(token)


def catalogue_paths(language: str = DEFAULT_LANGUAGE) -> list[Path]:
    """The .po files of a language, one per area (web, forms, …)."""
    folder = CATALOGUE_DIR if language == DEFAULT_LANGUAGE else CATALOGUE_DIR / language
    return sorted(folder.glob("*.po"))


def read_catalogue(path: Path, language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """The translated messages of one .po file."""
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=LANGUAGES[language][0])
    return {m.id: m.string for m in catalog if m.id and isinstance(m.id, str) and m.string}


@functools.cache
def _messages(language: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """Every catalogue of a language, merged."""
    messages: dict[str, str] = {}
    for path in catalogue_paths(language):
        messages.update(read_catalogue(path, language))
    return messages


def language_names() -> dict[str, str]:
    """Each language named in itself (its own catalogue's "language:<code>"), for the switch."""
    return {code: _messages(code).get(f"language:{code}", code) for code in LANGUAGES}


def gettext(message: str, **variables: object) -> str:
    """The current language's text for a message id, with %(name)s variables filled in (a
    message the Uyghur catalogue lacks is shown in Chinese)."""
    language = current_language()
    text = _messages(language).get(message) if language != DEFAULT_LANGUAGE else None
    if text is None:
        text = _messages().get(message, message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    """Chinese and Uyghur nouns take no plural after a number: the singular's translation."""
    variables.setdefault("num", n)
    return gettext(singular if n == 1 else plural, **variables)


_ = gettext


_SUBJECT = "%(indicator)s: %(subject)s"  # a case's process subject (cases.lifecycle)


@functools.cache
def _data_names(language: str) -> dict[str, str]:
    """A language's names of what huitou keeps as data in Chinese (`<language>/names.json`)."""
    path = CATALOGUE_DIR / language / "names.json"
    if language == DEFAULT_LANGUAGE or not path.exists():
        return {}
    document = json.loads(path.read_text(encoding="utf-8"))
    return {**document["indicators"], **document["steps"]}


def data_name(text: str | None) -> str:
    """A name kept as data in Chinese (an indicator's label, a step drawn in a diagram) in the
    current language, where its catalogue names it; otherwise as kept. A process's subject, as
    a case's start wrote it ("有安全饮水：<household>"), has its indicator named the same way."""
    text = text or ""
    names = _data_names(current_language())
    if text in names or not names:
        return names.get(text, text)
    kept = _messages().get(_SUBJECT, _SUBJECT)  # as the start wrote it: in Chinese
    separator = kept.removeprefix("%(indicator)s").removesuffix("%(subject)s")
    head, found, subject = text.partition(separator)
    if found and head in names:
        return gettext(_SUBJECT, indicator=names[head], subject=subject)
    return text


@functools.cache
def translations(language: str = DEFAULT_LANGUAGE) -> Translations:
    """A language's merged catalogue (Chinese where it lacks a message) as a gettext
    Translations object (what Flask-Babel serves pages)."""
    catalog = Catalog(locale=LANGUAGES[language][0], domain="messages")
    merged = dict(_messages())
    if language != DEFAULT_LANGUAGE:
        merged.update(_messages(language))
    for message_id, text in merged.items():
        catalog.add(message_id, text)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain="messages")
