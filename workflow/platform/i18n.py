"""The message catalogue: code says English message ids, users read simplified Chinese."""

from __future__ import annotations

import functools
import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

CATALOGUE_DIR = Path(__file__).resolve().parents[1] / "translations"


@functools.cache
def _messages() -> dict[str, str]:
    """Every catalogue in translations/ (one per area: web, forms, …), merged."""
    messages: dict[str, str] = {}
    for path in sorted(CATALOGUE_DIR.glob("*.po")):
        with path.open("rb") as fh:
            catalog = read_po(fh, locale="zh_Hans_CN")
        for m in catalog:
            if m.id and isinstance(m.id, str) and m.string:
                messages[m.id] = m.string
    return messages


def gettext(message: str, **variables: object) -> str:
    """The Chinese text for a message id, with %(name)s variables filled in."""
    text = _messages().get(message, message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    """Chinese has no plural forms: the singular's translation, with n available."""
    variables.setdefault("num", n)
    return gettext(singular if n == 1 else plural, **variables)


_ = gettext


@functools.cache
def translations() -> Translations:
    """The merged catalogue as a gettext Translations object (what Flask-Babel serves pages)."""
    catalog = Catalog(locale="zh_Hans_CN", domain="messages")
    for message_id, text in _messages().items():
        catalog.add(message_id, text)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain="messages")
