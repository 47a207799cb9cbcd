"""The Uyghur catalogues (workflow/translations/ug/) are complete: every message the Chinese
catalogues translate has a Uyghur translation too, keeping its placeholders and markup.

A message added in Chinese only fails here, named with the catalogue it is in: translate it in
workflow/translations/ug/<same file>.po, using the terms of docs/GLOSSARY-ug.md.
"""

from __future__ import annotations

import re

from workflow.platform.i18n import CATALOGUE_DIR, catalogue_paths, read_catalogue

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]")
MARKUP = re.compile(r"<[^>]+>")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _needs_words(msgid: str) -> bool:
    """An id with English words in it must be translated; '%(a)s · %(b)s' need not be."""
    return bool(LATIN_WORD.search(PLACEHOLDER.sub("", msgid)))


def _by_file(language: str) -> dict[str, dict[str, str]]:
    return {path.name: read_catalogue(path, language) for path in catalogue_paths(language)}


def ug_problems(zh: dict[str, dict[str, str]], ug: dict[str, dict[str, str]]) -> list[str]:
    """What is wrong with Uyghur catalogues (file -> msgid -> text) against the Chinese ones:
    a message without a Uyghur translation, a translation that loses or adds a placeholder or a
    piece of markup, an id the Chinese catalogues do not have, two Uyghur texts for one id."""
    problems: list[str] = []
    merged: dict[str, tuple[str, str]] = {}
    for name, messages in sorted(ug.items()):
        for msgid, text in messages.items():
            earlier = merged.setdefault(msgid, (name, text))
            if earlier[1] != text:
                problems.append(f"ug/{name}: {msgid!r} differs from ug/{earlier[0]}")
    chinese = {msgid for messages in zh.values() for msgid in messages}
    for name, messages in sorted(zh.items()):
        for msgid in messages:
            if msgid not in merged:
                if _needs_words(msgid):
                    problems.append(f"{name}: no ug translation for {msgid!r}")
                continue
            text = merged[msgid][1]
            if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(text)):
                problems.append(f"ug/{name}: {msgid!r} and its translation differ in placeholders")
            if sorted(MARKUP.findall(msgid)) != sorted(MARKUP.findall(text)):
                problems.append(f"ug/{name}: {msgid!r} and its translation differ in markup")
    for msgid, (name, _text) in sorted(merged.items()):
        if msgid not in chinese:
            problems.append(f"ug/{name}: {msgid!r} is not in the Chinese catalogues")
    return problems


def test_every_chinese_catalogue_has_a_uyghur_one():
    zh = {path.name for path in catalogue_paths("zh")}
    ug = {path.name for path in catalogue_paths("ug")}
    assert zh - ug == set(), f"no workflow/translations/ug/ catalogue for: {sorted(zh - ug)}"
    assert ug - zh == set(), f"ug catalogues without a Chinese one: {sorted(ug - zh)}"
    assert (CATALOGUE_DIR / "ug").is_dir()


def test_every_message_has_a_uyghur_translation_with_its_placeholders():
    problems = ug_problems(_by_file("zh"), _by_file("ug"))
    assert not problems, (
        f"{len(problems)} problems in the Uyghur catalogues (workflow/translations/ug/, terms in "
        "docs/GLOSSARY-ug.md):\n" + "\n".join(problems)
    )


def test_the_check_fails_on_a_missing_or_broken_translation():
    zh = {
        "web.po": {
            "Save": "保存",
            "Overdue by %(days)s days": "逾期 %(days)s 天",
            "Read <b>this</b>": "请阅读<b>此项</b>",
            "%(a)s · %(b)s": "%(a)s · %(b)s",
        },
        "survey.po": {"Sign and submit": "签字提交"},
    }
    ug = {
        "web.po": {
            "Save": "ساقلاش",
            "Overdue by %(days)s days": "مۆھلىتى ئۆتتى",
            "Read <b>this</b>": "بۇنى ئوقۇڭ",
        },
        "survey.po": {"Save": "ساقلا"},
    }
    problems = ug_problems(zh, ug)
    assert "survey.po: no ug translation for 'Sign and submit'" in problems
    assert any("'Overdue by %(days)s days'" in p and "placeholders" in p for p in problems)
    assert any("'Read <b>this</b>'" in p and "markup" in p for p in problems)
    assert any("ug/web.po: 'Save' differs from ug/survey.po" in p for p in problems)
    assert not any("%(a)s · %(b)s" in p for p in problems)  # nothing to translate there
    complete = {name: dict(messages) for name, messages in zh.items()}
    complete["web.po"]["Save"] = "ساقلاش"
    assert ug_problems(zh, complete) == []
