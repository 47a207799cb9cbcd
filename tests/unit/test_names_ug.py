"""The Uyghur names of what huitou keeps as data in Chinese: every indicator label of every
packaged catalogue, the 低保 gaps' labels and every step drawn in the diagrams has one, written
in the Arabic script and as the form headers write the same term."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lxml import etree

from workflow.forms.uyghur import HEADERS
from workflow.platform.i18n import CATALOGUE_DIR, data_name, use_language
from workflow.programme.standards import ELIGIBLE_SUFFIX, evaluate
from workflow.programme.standards_document import load_standard

ROOT = Path(__file__).resolve().parents[2]
NAMES = json.loads((CATALOGUE_DIR / "ug" / "names.json").read_text(encoding="utf-8"))
ARABIC = re.compile(r"[\u0600-\u06ff]")
HAN = re.compile(r"[\u4e00-\u9fff]")
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _catalogues() -> list[dict]:
    return [
        json.loads(p.read_text(encoding="utf-8"))
        for p in (ROOT / "workflow/standards").glob("20*.json")
    ]


def _step_names() -> set[str]:
    names = set()
    for path in (ROOT / "bpmn").glob("*.bpmn"):
        for task in etree.parse(str(path)).iter(f"{BPMN}userTask"):
            names.add(task.get("name"))
    return names


def test_every_indicator_label_and_step_has_a_uyghur_name():
    labels = {i["label"] for doc in _catalogues() for i in doc["indicators"]}
    missing = sorted((labels | _step_names()) - NAMES["indicators"].keys() - NAMES["steps"].keys())
    assert not missing, "add to workflow/translations/ug/names.json: " + ", ".join(missing)


@pytest.mark.parametrize("name", [*NAMES["indicators"].values(), *NAMES["steps"].values()])
def test_names_are_uyghur_not_chinese(name):
    assert ARABIC.search(name) and not HAN.search(name)


def test_the_dibao_gaps_are_named_in_uyghur():
    standard = load_standard(2018)
    findings = [
        evaluate(
            standard, "household", {"H-DIBAO" + ELIGIBLE_SUFFIX: eligible, "H-DIBAO": not eligible}
        )
        for eligible in (True, False)
    ]
    labels = [f.label for found in findings for f in found if f.code == "H-DIBAO"]
    assert len(labels) == 2
    with use_language("ug"):
        assert all(ARABIC.search(data_name(label)) for label in labels)


def test_a_household_indicator_is_named_as_its_form_header():
    for doc in _catalogues():
        for indicator in doc["indicators"]:
            if indicator["label"] == indicator["column"] and indicator["code"] in HEADERS:
                assert NAMES["indicators"][indicator["label"]] == HEADERS[indicator["code"]]


def test_chinese_readers_and_unknown_names_keep_the_text_as_kept():
    assert data_name("有安全饮水") == "有安全饮水"
    with use_language("ug"):
        assert data_name("有安全饮水") == "بىخەتەر ئىچىملىك سۇ بار"
        assert data_name("复核帮扶措施") == "复核帮扶措施"  # a step nobody named yet: as drawn
        assert data_name(None) == ""
