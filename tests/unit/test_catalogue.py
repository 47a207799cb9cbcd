"""Every message a page or a notice shows has a Chinese translation that keeps its placeholders.

Templates are read with Jinja's own extractor, Python files with `ast`, so that `_("…")`,
`gettext("…")` and `ngettext("…", "…", n)` are found however they are quoted or split over lines.
A message id built at run time (`_("status:" ~ case.status.value)`, `gettext(_SUBJECTS[level])`)
cannot be read from the source: it must be declared below, with every value it can take.

Python code says English: a Chinese string literal outside a docstring is allowed only where it is
the content of an official document or data (DOCUMENT_MODULES, DOCUMENT_TEXTS below).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from jinja2 import Environment

from notifications.rules import _LATE_SUBJECTS, _SUBJECTS
from workflow.cases.lists import CASE_VIEWS
from workflow.county.base_data import RECORD_KINDS
from workflow.county.register_changes import KINDS as REGISTER_CHANGES
from workflow.models import (
    CaseStatus,
    GapStatus,
    IncidentKind,
    InstanceStatus,
    Role,
    RoundKind,
    RoundStatus,
    SubjectKind,
    TownshipSurveyStatus,
)
from workflow.models.register import MEMBER_STATUSES
from workflow.oversight.accountability import METRICS
from workflow.platform.i18n import CATALOGUE_DIR, _messages
from workflow.programme.routing import CAUSES
from workflow.programme.standards import JUDGES, SUBJECT_KINDS

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "web" / "templates"
PYTHON_PACKAGES = ("web", "notifications", "workflow")
GETTEXT_NAMES = {"_", "gettext", "ngettext", "lazy_gettext"}

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]")
HAN = re.compile(r"[\u3400-\u9fff]")
# Han characters, CJK punctuation (、。「」) and full-width forms (，：；（）).
CJK = re.compile(
    r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f]"
)
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
DYNAMIC_TEMPLATE_ID = re.compile(r"""\b_\(\s*(["'])([^"']*)\1\s*~""")


def _dynamic_prefixes() -> dict[str, list[str]]:
    """Template ids written as "prefix" ~ value, with every value the prefix is joined to."""
    enums = {
        "status:": CaseStatus,
        "gap:": GapStatus,
        "round:": RoundStatus,
        "round-kind:": RoundKind,
        "survey:": TownshipSurveyStatus,
    }
    prefixes = {prefix: [member.value for member in enum] for prefix, enum in enums.items()}
    prefixes["metric:"] = list(METRICS)
    prefixes["cases:"] = list(CASE_VIEWS)
    prefixes["role:"] = [role.value for role in Role]
    prefixes["kind:"] = list(SUBJECT_KINDS)
    prefixes["judge:"] = list(JUDGES)
    prefixes["records:"] = list(RECORD_KINDS)
    prefixes["register:"] = list(REGISTER_CHANGES)
    prefixes["member:"] = list(MEMBER_STATUSES)
    prefixes["incident:"] = [kind.value for kind in IncidentKind]
    prefixes["instance:"] = [status.value for status in InstanceStatus]
    prefixes["change:"] = ["added", "removed", "changed"]
    prefixes["cause:"] = list(CAUSES)
    return prefixes


# Modules whose Chinese is the content of official documents or data, kept in the code: the
# forms' headers, titles, unit/date and signature rows and status words; the demo county; the
# lane names of the diagrams.
DOCUMENT_MODULES = {
    "workflow/county/sheets.py",
    "workflow/demo/data.py",
    "workflow/demo/members.py",
    "workflow/demo/names.py",
    "workflow/demo/year.py",
    "workflow/engine/lanes.py",
    "workflow/forms/accountability.py",
    "workflow/forms/department_plan.py",
    "workflow/forms/gap_list.py",
    "workflow/forms/layout.py",
    "workflow/forms/police_layout.py",
    "workflow/forms/reconcile_book.py",
    "workflow/forms/reconcile_report.py",
    "workflow/forms/register_layout.py",
    "workflow/forms/sheet.py",
    "workflow/forms/uyghur.py",
    "workflow/forms/writer.py",
}

# The document words and input patterns of modules that otherwise speak through the catalogue.
DOCUMENT_TEXTS = {
    # 附件4–6: the 完成情况 words, the 备注 texts and the 小计 lines written into the tables.
    "workflow/cases/results.py": {
        "已完成",
        "推进中",
        "未完成",
        "逾期完成",
        "待县级验收",
        "转入下一年度",
        "已完工，待核验",
        "逾期 ",
        " 天",
        "尚未制定帮扶措施",
        "；",
        "乡镇本级小计",
        "见本表",
        "退出贫困村小计",
        "见附件5",
        "脱贫户小计",
        "见附件4",
    },
    # The department plan: its subject kinds and remarks, its statement, its signature line.
    "workflow/cases/plans.py": {
        "脱贫户",
        "退出贫困村",
        "乡镇",
        "（",
        "）",
        "村级",
        "乡镇本级",
        "上年度结转",
        "尚未制定措施",
        "；",
        "：",
        "注意：本方案于",
        "本方案已由部门负责人",
        "于",
        "年",
        "月",
        "日由",
        "签署后内容已有变更，须由部门负责人重新签署。",
        "日在系统内签署（内容校验码 ",
        "）。",
    },
    # The decision column of the accountability report workbook.
    "workflow/oversight/accountability.py": {"已决定", "待决定"},
    # How clerks write 是/否, units, family sizes and years: what a cell may hold.
    "workflow/forms/cells.py": {
        *("是", "有", "对", "是的", "否", "无", "没有", "错", "不是"),
        *("元", "万元", "万", "人", "口", "年度", "年"),
    },
    # The forms' signature rows, recognised so that data below them is refused.
    "workflow/forms/reader.py": {r"\s*(填表人|审核人|负责人)[^:：]{0,6}[:：]"},
    # The full-width x a Chinese input method types into an ID number.
    "workflow/platform/idcard.py": {"ｘ", "Ｘ"},
    # The full-width brackets of a column header's unit.
    # ... and what a clerk writes where an indicator does not apply (不涉及, /, 无此情况).
    "workflow/programme/standards.py": {
        r"[（(][^）)]*[）)]$",
        *("不涉及", "／", "无此情况", "不适用"),
    },
}


def _indirect_python_ids() -> dict[str, list[str]]:
    """Python files that pass a computed id to gettext, with every id they can pass."""
    roles = [f"role:{role.value}" for role in Role]
    units = [f"unit:{kind}" for kind in ("village", "township", "department")]
    return {
        "notifications/rules.py": [*_SUBJECTS.values(), *_LATE_SUBJECTS.values()],
        "workflow/county/base_data.py": list(RECORD_KINDS.values()),
        "workflow/county/book_checks.py": roles + units,
        "workflow/county/book_writer.py": roles,
        "web/cli_register.py": [f"register:{kind}" for kind in REGISTER_CHANGES],
        "workflow/survey/gaps.py": [
            *(f"kind:{kind.value}" for kind in SubjectKind),
            *(f"gap:{status.value}" for status in GapStatus),
        ],
    }


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


def test_the_scan_finds_the_domain_forms_and_command_messages(found):
    expected = {
        "The case does not exist.": "workflow/cases/lifecycle.py",
        "Choose at least one gap.": "workflow/survey/gaps.py",
        "%(column)s cannot be negative.": "workflow/forms/cells.py",
        "Error: %(error)s": "web/cli",
    }
    for msgid, where in expected.items():
        assert found.ids.get(msgid, "").startswith(where), f"the scanner missed {msgid!r}"


def _documentation(tree: ast.AST) -> set[int]:
    """The ids of the string nodes that document: docstrings and bare string statements."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    }


def _chinese_literals(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of every string literal with Chinese in it that is not documentation."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    documentation = _documentation(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in documentation
            and CJK.search(node.value)
        ):
            yield node.lineno, node.value


def test_python_code_says_english_and_leaves_chinese_to_the_catalogue():
    stray, unused = [], []
    for package in PYTHON_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in DOCUMENT_MODULES:
                continue
            allowed = DOCUMENT_TEXTS.get(rel, set())
            texts = set()
            for lineno, text in _chinese_literals(path):
                texts.add(text)
                if text not in allowed:
                    stray.append(f"{rel}:{lineno}: {text!r}")
            unused += [f"{rel}: {text!r}" for text in sorted(allowed - texts)]
    assert not stray, (
        "Chinese in Python code: say it in English with _(), and translate it in "
        "workflow/translations/*.po (or, if it is the content of an official form, list it in "
        "DOCUMENT_TEXTS):\n" + "\n".join(stray)
    )
    assert not unused, "DOCUMENT_TEXTS lists texts no longer in the code:\n" + "\n".join(unused)
    missing = [rel for rel in sorted(DOCUMENT_MODULES) if not (ROOT / rel).exists()]
    assert not missing, "DOCUMENT_MODULES lists modules that no longer exist: " + ", ".join(missing)


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
