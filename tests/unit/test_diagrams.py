"""Unit tests of the shipped BPMN/DMN diagrams (no database).

The diagrams are run on SpiffWorkflow 3.2.0 with a plain ``TaskDataEnvironment`` whose globals are
recording fakes of the project's script functions.  Every test serializes and deserializes the
workflow between every step and carries on with the reloaded copy, as the application does.
Timer tests use deadlines in the past/future relative to the real clock (nothing is patched).
"""

import itertools
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from lxml import etree
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

ROOT = Path(__file__).resolve().parents[2]
BPMN_DIR = ROOT / "bpmn"
CONTRACTS = ROOT / "docs" / "CONTRACTS.md"

SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))

DEPARTMENT = "行业部门"
TOWNSHIP_CLERK = "乡镇扶贫专干"
TOWNSHIP_LEADER = "乡镇负责人"
COUNTY = "县扶贫办"
VILLAGE_CLERK = "村级填报员"


# --------------------------------------------------------------------------- helpers


class Recorder:
    """Recording fakes for the functions the diagrams' scripts call."""

    def __init__(self):
        self.calls = []
        self.certifiers = [41, 42]  # 县农经局, 县统计局
        self.certify_due = iso(timedelta(days=5))

    def engine(self):
        def close_case(case_id):
            self.calls.append(("close_case", case_id))

        def escalate_case(case_id, level):
            self.calls.append(("escalate_case", case_id, level))

        def survey_submitted(round_id, township_id):
            self.calls.append(("survey_submitted", round_id, township_id))

        def escalate_survey(round_id, township_id, level):
            self.calls.append(("escalate_survey", round_id, township_id, level))

        def plan_certification(round_id, township_id):
            self.calls.append(("plan_certification", round_id, township_id))
            return list(self.certifiers), self.certify_due

        def certification_done(round_id, township_id):
            self.calls.append(("certification_done", round_id, township_id))

        def certification_overdue(round_id, township_id):
            self.calls.append(("certification_overdue", round_id, township_id))

        return PythonScriptEngine(
            environment=TaskDataEnvironment(
                {
                    "close_case": close_case,
                    "escalate_case": escalate_case,
                    "survey_submitted": survey_submitted,
                    "escalate_survey": escalate_survey,
                    "plan_certification": plan_certification,
                    "certification_done": certification_done,
                    "certification_overdue": certification_overdue,
                }
            )
        )

    def named(self, name):
        return [c for c in self.calls if c[0] == name]


def iso(delta):
    """A timezone-aware ISO string ``delta`` away from now (Beijing time, as the county uses)."""
    return (datetime.now(timezone(timedelta(hours=8))) + delta).isoformat()


PAST = timedelta(days=-1)
FUTURE = timedelta(days=30)


def new_parser():
    # Validate against the BPMN 2.0 / DMN 1.3 schemas as we parse.
    return SpiffBpmnParser(validator=VALIDATOR)


def start(process_id, data, recorder, dmn=False):
    parser = new_parser()
    parser.add_bpmn_files([str(BPMN_DIR / f"{process_id}.bpmn")])
    if dmn:
        parser.add_dmn_files([str(BPMN_DIR / "routing.dmn")])
    wf = BpmnWorkflow(
        parser.get_spec(process_id),
        parser.get_subprocess_specs(process_id),
        script_engine=recorder.engine(),
    )
    wf.get_tasks(state=TaskState.READY)[0].data.update(data)
    wf.do_engine_steps()
    return reload(wf, recorder)


def reload(wf, recorder):
    """Serialize, deserialize, and give the copy a script engine (engines are not serialized)."""
    js = SERIALIZER.serialize_json(wf)
    copy = SERIALIZER.deserialize_json(js)
    copy.script_engine = recorder.engine()
    return copy


def ready_user_tasks(wf):
    return wf.get_tasks(state=TaskState.READY, manual=True)


def ready_ids(wf):
    return sorted(t.task_spec.bpmn_id for t in ready_user_tasks(wf))


def complete(wf, recorder, bpmn_id, lane, **data):
    """Complete the one READY user task ``bpmn_id`` (checking its lane), run the engine, reload."""
    tasks = [t for t in ready_user_tasks(wf) if t.task_spec.bpmn_id == bpmn_id]
    assert len(tasks) == 1, f"expected one READY {bpmn_id}, got {ready_ids(wf)}"
    task = tasks[0]
    assert task.task_spec.lane == lane
    task.data.update(data)
    task.run()
    wf = reload(wf, recorder)
    wf.do_engine_steps()
    return reload(wf, recorder)


def tick(wf, recorder):
    """What the scheduler does periodically: refresh timers and run, twice (SPIFFWORKFLOW-NOTES)."""
    for _ in range(2):
        wf.refresh_timers()
        wf.do_engine_steps()
        wf = reload(wf, recorder)
    return wf


# --------------------------------------------------------------------------- gap_case


def gap_case_data(when):
    return {
        "case_id": 7,
        "reminder_at": iso(when),
        "due_at": iso(when + timedelta(hours=1)),
        "level2_at": iso(when + timedelta(hours=2)),
        "level3_at": iso(when + timedelta(hours=3)),
    }


def test_gap_case_happy_path_and_rework():
    rec = Recorder()
    wf = start("gap_case", gap_case_data(FUTURE), rec)

    assert ready_ids(wf) == ["plan_measure"]
    wf = complete(wf, rec, "plan_measure", DEPARTMENT, planned=True)
    assert ready_ids(wf) == ["carry_out"]
    wf = complete(wf, rec, "carry_out", DEPARTMENT)
    assert ready_ids(wf) == ["verify_on_site"]
    wf = complete(wf, rec, "verify_on_site", TOWNSHIP_CLERK, verified=False)  # township: not yet
    assert ready_ids(wf) == ["carry_out"]
    wf = complete(wf, rec, "carry_out", DEPARTMENT)
    wf = complete(wf, rec, "verify_on_site", TOWNSHIP_CLERK, verified=True)
    assert ready_ids(wf) == ["county_accept"]
    wf = complete(wf, rec, "county_accept", COUNTY, accepted=False)  # county: rework
    # A plan exists: the department goes straight back to carrying it out.
    assert ready_ids(wf) == ["carry_out"]
    wf = complete(wf, rec, "carry_out", DEPARTMENT)
    wf = complete(wf, rec, "verify_on_site", TOWNSHIP_CLERK, verified=True)
    wf = complete(wf, rec, "county_accept", COUNTY, accepted=True)

    assert ready_ids(wf) == []
    assert wf.is_completed()
    assert rec.calls == [("close_case", 7)]  # closed once, no escalation (deadlines ahead)
    closed = [
        t for t in wf.get_tasks(state=TaskState.COMPLETED) if t.task_spec.bpmn_id == "case_closed"
    ]
    assert len(closed) == 1


def test_gap_case_timers_escalate_once_each_while_department_works():
    rec = Recorder()
    wf = start("gap_case", gap_case_data(PAST), rec)
    wf = tick(wf, rec)

    assert sorted(rec.named("escalate_case")) == [("escalate_case", 7, level) for level in range(4)]
    # Non-interrupting: the department's task is still there.
    assert ready_ids(wf) == ["plan_measure"]
    assert ready_user_tasks(wf)[0].task_spec.lane == DEPARTMENT

    wf = tick(wf, rec)  # nothing fires twice
    assert len(rec.named("escalate_case")) == 4

    # The case can still be finished normally afterwards.
    wf = complete(wf, rec, "plan_measure", DEPARTMENT, planned=True)
    wf = complete(wf, rec, "carry_out", DEPARTMENT)
    wf = complete(wf, rec, "verify_on_site", TOWNSHIP_CLERK, verified=True)
    wf = complete(wf, rec, "county_accept", COUNTY, accepted=True)
    assert wf.is_completed()
    assert rec.named("close_case") == [("close_case", 7)]
    assert len(rec.named("escalate_case")) == 4


def test_gap_case_timers_in_the_future_do_not_fire():
    rec = Recorder()
    wf = start("gap_case", gap_case_data(FUTURE), rec)
    wf = tick(wf, rec)
    assert rec.calls == []
    assert ready_ids(wf) == ["plan_measure"]
    # waiting_events() gives PendingBpmnEvent objects named by the events' *names*, not their ids.
    data = gap_case_data(FUTURE)
    waiting = {(e.name, e.event_type, e.value) for e in wf.waiting_events()}
    assert {(n, v[:16]) for n, _, v in waiting} == {
        ("临期提醒", data["reminder_at"][:16]),
        ("逾期一级", data["due_at"][:16]),
        ("逾期二级", data["level2_at"][:16]),
        ("逾期三级·追责", data["level3_at"][:16]),
    }
    assert {t for _, t, _ in waiting} == {"TimeDateEventDefinition"}


def test_gap_case_rework_rearms_the_boundary_timers():
    """Pins engine behaviour the application must know about: a county rejection re-enters
    help_back, which re-creates its boundary timers from the (unchanged) deadline variables, so
    deadlines already past fire again.  escalate_case must be idempotent per (case, level), or
    the code must move the deadlines before a rework."""
    rec = Recorder()
    wf = start("gap_case", gap_case_data(PAST), rec)
    wf = tick(wf, rec)
    assert len(rec.named("escalate_case")) == 4
    wf = complete(wf, rec, "plan_measure", DEPARTMENT, planned=True)
    wf = complete(wf, rec, "carry_out", DEPARTMENT)
    wf = complete(wf, rec, "verify_on_site", TOWNSHIP_CLERK, verified=True)
    wf = complete(wf, rec, "county_accept", COUNTY, accepted=False)
    assert ready_ids(wf) == ["carry_out"]
    wf = tick(wf, rec)
    twice = [("escalate_case", 7, lv) for lv in range(4)] * 2
    assert sorted(rec.named("escalate_case")) == sorted(twice)


# --------------------------------------------------------------------------- routing.dmn

ROUTE_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="route_test_definitions" targetNamespace="http://huitou/test">
  <bpmn:process id="route_test" isExecutable="true">
    <bpmn:startEvent id="route_start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="route">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>routing</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:endEvent id="route_end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="route_start" targetRef="route" />
    <bpmn:sequenceFlow id="f2" sourceRef="route" targetRef="route_end" />
  </bpmn:process>
</bpmn:definitions>
"""

KINDS = {"household": "household", "village": "village", "township": "township"}


def contract_routes():
    """(subject_kind, indicator) -> department, read from docs/CONTRACTS.md."""
    text = CONTRACTS.read_text(encoding="utf-8")
    section = text.split("## Indicator codes", 1)[1].split("\n## ", 1)[0]
    routes, kind = {}, None
    for line in section.splitlines():  # a kind's list may wrap onto following lines
        m = re.match(r"(household|village|township)\b", line.strip())
        if m:
            kind = KINDS[m.group(1)]
        for code, dep in re.findall(r"([A-Z]-[A-Z-]+)\(([A-Z]+)\)", line):
            assert kind is not None and (kind, code) not in routes
            routes[(kind, code)] = dep
    return routes


def test_contract_lists_all_27_indicators():
    routes = contract_routes()
    assert len(routes) == 27
    assert routes[("household", "H-WATER")] == "SLJ"
    assert routes[("household", "A-BOOKLET")] == "TOWNSHIP"


@pytest.fixture(scope="module")
def routing_parser():
    parser = new_parser()
    parser.add_dmn_files([str(BPMN_DIR / "routing.dmn")])
    parser.add_bpmn_str(ROUTE_BPMN)
    return parser


def route(parser, subject_kind, indicator):
    rec = Recorder()
    wf = BpmnWorkflow(parser.get_spec("route_test"), script_engine=rec.engine())
    start_task = wf.get_tasks(state=TaskState.READY)[0]
    start_task.data.update(subject_kind=subject_kind, indicator=indicator)
    wf = reload(wf, rec)
    wf.do_engine_steps()
    wf = reload(wf, rec)
    assert wf.is_completed()
    [task] = [t for t in wf.get_tasks(state=TaskState.COMPLETED) if t.task_spec.bpmn_id == "route"]
    return task.data["department"]


def test_routing_every_contract_indicator(routing_parser):
    for (kind, code), dep in contract_routes().items():
        assert route(routing_parser, kind, code) == dep, (kind, code)


def test_routing_unknown_or_mismatched_goes_to_fpb(routing_parser):
    assert route(routing_parser, "household", "H-NOT-A-CODE") == "FPB"
    assert route(routing_parser, "village", "") == "FPB"
    assert route(routing_parser, "village", "H-WATER") == "FPB"  # wrong subject kind: triage


def test_routing_rules_do_not_overlap(routing_parser):
    """UNIQUE is not enforced by SpiffWorkflow (first match wins): check every rule against
    every input, and that the catch-all is the last rule."""
    table = routing_parser.get_engine("routing", None).decision_table
    assert table.hit_policy == "UNIQUE"
    *rules, fallback = table.rules
    assert [e.lhs for e in fallback.inputEntries] == [[None], [None]]
    assert [e.text for e in fallback.outputEntries] == ['"FPB"']
    for rule in rules:
        # each rule cites its clause of the plan (六.10, §三.4 ...) or says §六 names no one
        assert rule.description and (
            re.search(r"[一二三四五六七]\.\d+", rule.description) or "§六未列明" in rule.description
        ), rule.id

    # A real task gives the DMN engine the script engine it evaluates cells with.
    rec = Recorder()
    wf = BpmnWorkflow(routing_parser.get_spec("route_test"), script_engine=rec.engine())
    task = wf.get_tasks(state=TaskState.READY)[0]

    def matches(rule, kind, code):
        task.data = {"subject_kind": kind, "indicator": code}
        one = DMNEngine(SimpleNamespace(rules=[rule], hit_policy="UNIQUE"))
        return bool(one.decide(task))

    routes = contract_routes()
    codes = sorted({code for _, code in routes} | {"X-UNKNOWN"})
    for kind, code in itertools.product(KINDS.values(), codes):
        hits = [r for r in rules if matches(r, kind, code)]
        expected = 1 if (kind, code) in routes else 0
        assert len(hits) == expected, (kind, code, [r.id for r in hits])
        assert matches(fallback, kind, code)


# --------------------------------------------------------------------------- township_survey


def survey_data(due, county):
    return {
        "township_id": 3,
        "round_id": 2018,
        "village_ids": [11, 12, 13],
        "survey_due_at": iso(due),
        "survey_county_at": iso(county),
    }


def test_township_survey_flow():
    rec = Recorder()
    wf = start("township_survey", survey_data(FUTURE, FUTURE + timedelta(days=3)), rec)

    villages = ready_user_tasks(wf)
    assert [t.task_spec.bpmn_id for t in villages] == ["village_forms"] * 3
    assert all(t.task_spec.lane == VILLAGE_CLERK for t in villages)
    assert sorted(t.data["village_id"] for t in villages) == [11, 12, 13]

    for village_id in (12, 11, 13):
        [task] = [t for t in ready_user_tasks(wf) if t.data.get("village_id") == village_id]
        assert task.task_spec.lane == VILLAGE_CLERK
        task.data.update(form_filled=True)
        task.run()
        wf = reload(wf, rec)
        wf.do_engine_steps()
        wf = reload(wf, rec)
        if village_id != 13:
            assert ready_ids(wf) == ["village_forms"] * (2 if village_id == 12 else 1)

    assert ready_ids(wf) == ["township_review"]
    # Without a loopDataOutputRef SpiffWorkflow deep-merges every instance's data into the
    # multi-instance task as instances complete: the last one's village_id (and any per-village
    # variable) leaks downstream.  Per-village results belong in the domain tables, not task data.
    assert ready_user_tasks(wf)[0].data["village_id"] == 13
    wf = complete(wf, rec, "township_review", TOWNSHIP_CLERK)
    assert ready_ids(wf) == ["leader_sign"]
    assert rec.calls == []
    wf = complete(wf, rec, "leader_sign", TOWNSHIP_LEADER)

    assert rec.calls == [("survey_submitted", 2018, 3), ("plan_certification", 2018, 3)]
    certify = ready_user_tasks(wf)
    assert [t.task_spec.bpmn_id for t in certify] == ["certify_households"] * 2
    assert all(t.task_spec.lane == "行业部门" for t in certify)
    assert sorted(t.data["department_id"] for t in certify) == [41, 42]
    for department_id in (42, 41):
        [task] = [t for t in ready_user_tasks(wf) if t.data["department_id"] == department_id]
        task.run()
        wf = reload(wf, rec)
        wf.do_engine_steps()
        wf = reload(wf, rec)
        assert rec.named("certification_done") == (
            [] if department_id == 42 else [("certification_done", 2018, 3)]
        )
    assert wf.is_completed()


def _signed(rec):
    """A township_survey whose leader has signed: the 核定 tasks wait."""
    wf = start("township_survey", survey_data(FUTURE, FUTURE + timedelta(days=3)), rec)
    for task in ready_user_tasks(wf):
        task.run()
    wf.do_engine_steps()
    wf = complete(wf, rec, "township_review", TOWNSHIP_CLERK)
    return complete(wf, rec, "leader_sign", TOWNSHIP_LEADER)


def test_certification_deadline_makes_gaps_final_and_leaves_the_tasks_open():
    rec = Recorder()
    rec.certify_due = iso(timedelta(days=-1))
    wf = tick(_signed(rec), rec)
    assert rec.named("certification_overdue") == [("certification_overdue", 2018, 3)]
    assert ready_ids(wf) == ["certify_households"] * 2
    assert rec.named("certification_done") == []


def test_without_certifying_departments_the_gaps_are_final_at_once():
    rec = Recorder()
    rec.certifiers = []
    wf = _signed(rec)
    assert rec.named("certification_done") == [("certification_done", 2018, 3)]
    assert wf.is_completed()


def test_township_survey_due_timer_escalates_to_leader():
    rec = Recorder()
    wf = start("township_survey", survey_data(PAST, FUTURE), rec)
    wf = tick(wf, rec)
    assert rec.calls == [("escalate_survey", 2018, 3, 1)]
    assert ready_ids(wf) == ["village_forms"] * 3  # villages keep working
    wf = tick(wf, rec)
    assert rec.calls == [("escalate_survey", 2018, 3, 1)]  # once


def test_township_survey_county_timer():
    rec = Recorder()
    wf = start("township_survey", survey_data(PAST, PAST), rec)
    wf = tick(wf, rec)
    assert sorted(rec.calls) == [("escalate_survey", 2018, 3, 1), ("escalate_survey", 2018, 3, 2)]
    assert ready_ids(wf) == ["village_forms"] * 3


# --------------------------------------------------------------------------- layout

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
}
FLOW_NODE_TAGS = {
    "startEvent",
    "endEvent",
    "boundaryEvent",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "task",
    "userTask",
    "scriptTask",
    "serviceTask",
    "manualTask",
    "businessRuleTask",
    "sendTask",
    "receiveTask",
    "callActivity",
    "subProcess",
    "transaction",
    "adHocSubProcess",
    "exclusiveGateway",
    "parallelGateway",
    "inclusiveGateway",
    "eventBasedGateway",
    "complexGateway",
}
TOL = 2


def local(el):
    return etree.QName(el).localname


def bounds(shape):
    b = shape.find("dc:Bounds", NS)
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))


def on_border(point, box, tol=TOL):
    px, py = point
    x, y, w, h = box
    inside = x - tol <= px <= x + w + tol and y - tol <= py <= y + h + tol
    near = min(abs(px - x), abs(px - x - w), abs(py - y), abs(py - y - h)) <= tol
    return inside and near


def overlap(a, b):
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def contains(outer, inner):
    ox, oy, ow, oh = outer
    ix, iy, iw, ih = inner
    return ox <= ix and oy <= iy and ix + iw <= ox + ow and iy + ih <= oy + oh


@pytest.mark.parametrize("path", sorted(BPMN_DIR.glob("*.bpmn")), ids=lambda p: p.name)
def test_layout(path):
    doc = etree.parse(str(path))
    VALIDATOR.validate(doc)
    collaborations = doc.findall("bpmn:collaboration", NS)
    assert len(collaborations) == 1
    [participant] = collaborations[0].findall("bpmn:participant", NS)
    [process] = doc.findall("bpmn:process", NS)
    assert participant.get("processRef") == process.get("id")
    [plane] = doc.findall("bpmndi:BPMNDiagram/bpmndi:BPMNPlane", NS)
    assert plane.get("bpmnElement") == collaborations[0].get("id")

    shapes = {s.get("bpmnElement"): s for s in plane.findall("bpmndi:BPMNShape", NS)}
    edges = {e.get("bpmnElement"): e for e in plane.findall("bpmndi:BPMNEdge", NS)}
    ids = [el.get("id") for el in doc.iter() if isinstance(el.tag, str) and el.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids"
    for el_id in ids:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", el_id), f"id {el_id!r} is not snake_case"

    nodes = {
        el.get("id"): el
        for el in process.iter()
        if isinstance(el.tag, str) and local(el) in FLOW_NODE_TAGS
    }
    lanes = process.findall("bpmn:laneSet/bpmn:lane", NS)
    assert lanes and all(lane.get("name") for lane in lanes)

    pool = bounds(shapes[participant.get("id")])
    assert shapes[participant.get("id")].get("isHorizontal") == "true"
    for lane in lanes:
        assert lane.get("id") in shapes, f"lane {lane.get('name')} has no shape"
        assert contains(pool, bounds(shapes[lane.get("id")]))

    for node_id, node in nodes.items():
        assert node_id in shapes, f"{node_id} has no BPMNShape"
        assert (
            node.get("name")
            or local(node) in {"startEvent", "endEvent", "exclusiveGateway"}
            or node.getparent().tag.endswith("subProcess")
        ), f"{node_id} has no name"
        assert contains(pool, bounds(shapes[node_id])), f"{node_id} is outside the pool"
        if local(node) == "subProcess":
            assert shapes[node_id].get("isExpanded") == "true"

    # Every lane member is drawn in its lane (its centre, give or take TOL); a subprocess is in no
    # lane, since SpiffWorkflow would give all its children that lane.
    for lane in lanes:
        lx, ly, lw, lh = bounds(shapes[lane.get("id")])
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            assert ref.text in nodes, f"lane {lane.get('name')} lists unknown {ref.text}"
            assert local(nodes[ref.text]) != "subProcess", f"subprocess {ref.text} listed in a lane"
            x, y, w, h = bounds(shapes[ref.text])
            cx, cy = x + w / 2, y + h / 2
            assert lx - TOL <= cx <= lx + lw + TOL and ly - TOL <= cy <= ly + lh + TOL, (
                f"{ref.text} is listed in lane {lane.get('name')} but drawn outside it"
            )
    user_tasks = [n for n, el in nodes.items() if local(el) == "userTask"]
    listed = {ref.text for ref in process.iterfind(".//bpmn:flowNodeRef", NS)}
    assert set(user_tasks) <= listed, "every user task needs a lane"

    # Children of an expanded subprocess are drawn inside it.
    for node_id, node in nodes.items():
        parent = node.getparent()
        if local(parent) == "subProcess":
            assert contains(bounds(shapes[parent.get("id")]), bounds(shapes[node_id])), node_id

    # Boundary events sit on their host's border.
    for node_id, node in nodes.items():
        if local(node) == "boundaryEvent":
            x, y, w, h = bounds(shapes[node_id])
            host = bounds(shapes[node.get("attachedToRef")])
            assert on_border((x + w / 2, y + h / 2), host), f"{node_id} is not on its host's border"

    # Sequence flows: an edge with >= 2 waypoints, starting on the source, ending on the target.
    for flow in process.iterfind(".//bpmn:sequenceFlow", NS):
        fid = flow.get("id")
        assert fid in edges, f"{fid} has no BPMNEdge"
        points = [
            (float(p.get("x")), float(p.get("y"))) for p in edges[fid].findall("di:waypoint", NS)
        ]
        assert len(points) >= 2, fid
        source, target = shapes[flow.get("sourceRef")], shapes[flow.get("targetRef")]
        assert on_border(points[0], bounds(source)), f"{fid} does not start on its source"
        assert on_border(points[-1], bounds(target)), f"{fid} does not end on its target"
        for (x1, y1), (x2, y2) in itertools.pairwise(points):
            assert x1 == x2 or y1 == y2, f"{fid} has a diagonal segment"

    # No two flow-node shapes overlap, unless one contains the other (subprocess and child) or
    # one is a boundary event on the other.
    def related(a, b):
        ea, eb = nodes[a], nodes[b]
        if ea in eb.iterancestors() or eb in ea.iterancestors():
            return True
        return ea.get("attachedToRef") == b or eb.get("attachedToRef") == a

    for a, b in itertools.combinations(nodes, 2):
        if not related(a, b):
            assert not overlap(bounds(shapes[a]), bounds(shapes[b])), f"{a} overlaps {b}"


def test_routing_dmn_has_a_diagram():
    doc = etree.parse(str(BPMN_DIR / "routing.dmn"))
    ns = {
        "dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/",
        "dmndi": "https://www.omg.org/spec/DMN/20191111/DMNDI/",
        "dc": "http://www.omg.org/spec/DMN/20180521/DC/",
    }
    [decision] = doc.findall("dmn:decision", ns)
    assert decision.get("id") == "routing"
    shapes = doc.findall("dmndi:DMNDI/dmndi:DMNDiagram/dmndi:DMNShape", ns)
    assert [s.get("dmnElementRef") for s in shapes] == ["routing"]
    assert shapes[0].find("dc:Bounds", ns) is not None
