"""Changed copies of the diagram folder, for tests of process versions and migration: the
project's own bpmn/ is never edited; a test points the engine at a copy."""

from __future__ import annotations

import shutil
from pathlib import Path

from lxml import etree

from tests.conftest import ROOT

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN}


def _el(tag: str, **attributes: str) -> etree._Element:
    element = etree.Element(f"{{{BPMN}}}{tag}")
    for name, value in attributes.items():
        element.set(name, value)
    return element


def with_step_after(
    folder: Path, after: str = "plan_measure", step: str = "check_plan", name: str = "复核帮扶措施"
) -> Path:
    """A copy of bpmn/ in `folder` whose gap_case has a new user task right after `after`, in
    the same lane: the flow that left `after` now leaves the new step."""
    for path in (ROOT / "bpmn").iterdir():
        if path.suffix in (".bpmn", ".dmn"):
            shutil.copy(path, folder / path.name)
    path = folder / "gap_case.bpmn"
    tree = etree.parse(str(path))
    flow = tree.xpath(f"//bpmn:sequenceFlow[@sourceRef='{after}']", namespaces=NS)[0]
    old_target = flow.get("targetRef")
    flow.set("targetRef", step)
    container = flow.getparent()
    task = _el("userTask", id=step, name=name)
    incoming = etree.SubElement(task, f"{{{BPMN}}}incoming")
    incoming.text = flow.get("id")
    outgoing = etree.SubElement(task, f"{{{BPMN}}}outgoing")
    outgoing.text = f"flow_{step}_to_{old_target}"
    container.append(task)
    container.append(_el("sequenceFlow", id=outgoing.text, sourceRef=step, targetRef=old_target))
    for ref in tree.xpath(f"//bpmn:lane/bpmn:flowNodeRef[text()='{after}']", namespaces=NS):
        new_ref = etree.Element(f"{{{BPMN}}}flowNodeRef")
        new_ref.text = step
        ref.addnext(new_ref)
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    return folder
