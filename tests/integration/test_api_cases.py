"""Working cases over the API: the same operations as the case page, the same result; paging,
filters, reports, and an OpenAPI document that describes exactly the routes there are."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import sqlalchemy as sa
from openapi_spec_validator import validate

from tests.conftest import IsolatedClient
from tests.factories import at, household_of, open_household_case
from workflow.inbox import tasks
from workflow.models import AuditEvent, CaseNote, HelpCase, HumanTask
from workflow.oversight import accountability
from workflow.people.api_tokens import issue_token
from workflow.platform import clock
from workflow.platform.db import db

PLAN = {
    "measure": "铺设入户自来水管道",
    "target_standard": "全天候安全饮水",
    "responsible_person": "张水利",
    "planned_completion": "2018-09-30",
}
# The same decisions, as the case page's forms and as the API's bodies.
STEPS = [
    ("dept_slj", "plan", PLAN, PLAN),
    (
        "dept_slj",
        "progress",
        {"text": "管道已采购", "funds": "12000"},
        {"action": "progress", "text": "管道已采购", "funds": "12000"},
    ),
    ("dept_slj", "submit", {"summary": "已铺设入户"}, {"action": "done", "summary": "已铺设入户"}),
    (
        "aoyi_zg",
        "verify",
        {"decision": "no", "reason": "水压不足"},
        {"decision": "send_back", "reason": "水压不足"},
    ),
    ("dept_slj", "submit", {"summary": "已加压"}, {"action": "done", "summary": "已加压"}),
    ("aoyi_zg", "verify", {"decision": "ok"}, {"decision": "verify"}),
    ("fpb", "accept", {"decision": "ok"}, {"decision": "accept"}),
]


@pytest.fixture
def api(app, user):
    """Requests by token, as any demo user."""
    client = IsolatedClient(app, app.response_class, use_cookies=False)
    tokens: dict[str, str] = {}

    def call(name: str, method: str, url: str, body: object = None):
        if name not in tokens:
            tokens[name] = issue_token(user("admin"), name, "test")[1]
            db.session.commit()
        headers = {"Authorization": f"Bearer {tokens[name]}"}
        if method == "GET":
            return client.get(url, headers=headers)
        return client.post(url, json=body, headers=headers)

    return call


def _case_state(case_id: int) -> dict[str, object]:
    """Everything a step changes about a case, with what tells two cases apart left out."""
    db.session.expire_all()
    case = db.session.get(HelpCase, case_id)
    fields = (
        "status",
        "measure",
        "target_standard",
        "responsible_person",
        "planned_completion",
        "funds_spent",
        "work_done_at",
        "verified_at",
        "closed_at",
        "escalation_level",
    )
    notes = db.session.execute(
        sa.select(CaseNote.kind, CaseNote.text, CaseNote.funds, CaseNote.author_id)
        .where(CaseNote.case_id == case_id)
        .order_by(CaseNote.id)
    ).all()
    events = [
        (e.action, e.actor_id, _without_indicator(e.before), _without_indicator(e.after), e.reason)
        for e in db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.object_type == "help_case", AuditEvent.object_id == str(case_id))
            .order_by(AuditEvent.seq)
        )
    ]
    steps = db.session.execute(
        sa.select(HumanTask.spec_name, HumanTask.state, HumanTask.completed_by_id)
        .where(HumanTask.instance_id == case.instance_id)
        .order_by(HumanTask.id)
    ).all()
    return {
        **{f: getattr(case, f) for f in fields},
        "notes": notes,
        "events": events,
        "steps": steps,
    }


def _without_indicator(snapshot: object) -> object:
    snapshot = json.loads(snapshot) if isinstance(snapshot, str) else snapshot
    if isinstance(snapshot, dict):
        return {k: v for k, v in snapshot.items() if k != "indicator"}
    return snapshot


def test_the_api_moves_a_case_exactly_as_the_case_page_does(round2018, browser, api):
    by_page = open_household_case(round2018).id
    by_api = open_household_case(round2018, indicator="H-POWER", label="通生活用电").id
    db.session.commit()
    clients = {name: browser(name) for name in ("dept_slj", "aoyi_zg", "fpb")}
    for name, action, form, body in STEPS:
        page = clients[name]
        page.get(f"/cases/{by_page}")
        assert page.post(f"/cases/{by_page}/{action}", form).status_code == 303, action
        current = api(name, "GET", f"/api/v1/cases/{by_api}").get_json()["current_task"]
        assert current["can_work"] or action == "progress", (action, current)
        response = api(name, "POST", f"/api/v1/tasks/{current['id']}/complete", body)
        assert response.status_code == 200, (action, response.get_json())
        assert _case_state(by_api) == _case_state(by_page), f"after {action}"
    assert response.get_json()["case"]["status"] == "closed"
    assert response.get_json()["case"]["current_task"] is None


def test_completing_twice_is_a_conflict_and_applied_once(round2018, api):
    case = open_household_case(round2018)
    db.session.commit()
    task = tasks.ready_task_of(case.instance_id, "plan_measure")
    url = f"/api/v1/tasks/{task.id}/complete"
    assert api("dept_slj", "POST", url, PLAN).status_code == 200
    again = api("dept_slj", "POST", url, {**PLAN, "measure": "另一个措施"})
    assert again.status_code == 409
    assert again.get_json()["message"] == "该任务已经办结，请刷新待办列表。"
    db.session.expire_all()
    assert db.session.get(HelpCase, case.id).measure == PLAN["measure"]
    plans = db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "case.plan"))
    assert plans == 1


def test_refused_fields_are_listed_in_chinese_and_nothing_changes(round2018, api):
    case = open_household_case(round2018)
    db.session.commit()
    task = tasks.ready_task_of(case.instance_id, "plan_measure")
    url = f"/api/v1/tasks/{task.id}/complete"
    response = api("dept_slj", "POST", url, {})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert set(errors) == {"measure", "target_standard", "responsible_person", "planned_completion"}
    assert all(re.search(r"[\u4e00-\u9fff]", message) for message in errors.values())
    late = api("dept_slj", "POST", url, {**PLAN, "planned_completion": "2019-01-05"})
    assert "2018-12-31" in late.get_json()["errors"]["planned_completion"]
    garbled = api("dept_slj", "POST", url, {**PLAN, "planned_completion": "九月底"})
    assert garbled.get_json()["errors"] == {
        "planned_completion": "日期格式应为 年-月-日（如 2018-07-13）。"
    }
    not_json = api("dept_slj", "POST", url, None)
    assert not_json.status_code == 422
    assert api("aoyi_zg", "POST", url, None).status_code == 403, "access before input"
    db.session.expire_all()
    assert db.session.get(HelpCase, case.id).status.value == "planning"


def test_a_step_needs_a_known_decision(round2018, api):
    case = open_household_case(round2018)
    db.session.commit()
    task = tasks.ready_task_of(case.instance_id, "plan_measure")
    api("dept_slj", "POST", f"/api/v1/tasks/{task.id}/complete", PLAN)
    carry = tasks.ready_task_of(case.instance_id, "carry_out")
    response = api("dept_slj", "POST", f"/api/v1/tasks/{carry.id}/complete", {"text": "x"})
    assert response.status_code == 422 and "action" in response.get_json()["errors"]
    outsider = api("aoyi_zg", "POST", f"/api/v1/tasks/{carry.id}/complete", {"action": "x"})
    assert outsider.status_code == 403


@pytest.fixture
def five_cases(round2018):
    """Five 水利局 cases with different deadlines, opened in an order unlike their deadlines."""
    indicators = ["H-WATER", "H-POWER", "H-TV", "H-HOUSING", "H-EDU"]
    dues = [date(2018, 11, 30), date(2018, 9, 30), date(2018, 12, 31), None, date(2018, 10, 15)]
    ids = [
        open_household_case(round2018, indicator=code, label=code, due=due).id
        for code, due in zip(indicators, dues, strict=True)
    ]
    db.session.commit()
    return ids


def test_paging_through_the_inbox_skips_nothing_while_working(five_cases, api, user):
    expected = [t.id for t in tasks.inbox(user("dept_slj"))]
    assert len(expected) == 5
    first = api("dept_slj", "GET", "/api/v1/tasks?limit=2").get_json()
    assert [t["id"] for t in first["items"]] == expected[:2]
    assert first["items"][0]["due"] == "2018-09-30"
    assert first["items"][0]["due_at"] == "2018-09-30T23:59:59+08:00"
    done = first["items"][1]
    assert api("dept_slj", "POST", f"/api/v1/tasks/{done['id']}/complete", PLAN).status_code == 200
    seen, cursor = [t["id"] for t in first["items"]], first["next_after"]
    while cursor is not None:
        page = api("dept_slj", "GET", f"/api/v1/tasks?limit=2&after={cursor}").get_json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_after"]
    assert [i for i in seen if i in expected] == expected, "every task of the first look, once"
    assert len(seen) == len(set(seen)) == 6, "and the planned case's next step, in its place"
    assert api("dept_slj", "GET", "/api/v1/tasks?after=abc").status_code == 422


def test_case_filters(five_cases, api):
    def ids(query: str) -> list[int]:
        response = api("fpb", "GET", f"/api/v1/cases{query}")
        assert response.status_code == 200, response.get_json()
        return [c["id"] for c in response.get_json()["items"]]

    township = household_of("布古纳村").village.township.code
    assert sorted(ids("")) == sorted(five_cases)
    assert ids("?department=JTJ") == []
    assert sorted(ids(f"?department=SLJ&township={township}")) == sorted(five_cases)
    assert ids("?status=closed") == []
    clock.set_now(at("2018-10-16T00:00"))
    overdue = api("fpb", "GET", "/api/v1/cases?overdue=true").get_json()["items"]
    assert {c["indicator"]["code"] for c in overdue} == {"H-POWER", "H-EDU"}
    assert sorted(ids("?overdue=true")) == sorted([five_cases[1], five_cases[4]])
    paged = api("fpb", "GET", "/api/v1/cases?limit=3").get_json()
    rest = api("fpb", "GET", f"/api/v1/cases?limit=3&after={paged['next_after']}").get_json()
    assert len(paged["items"]) == 3 and len(rest["items"]) == 2 and rest["next_after"] is None
    bad = api("fpb", "GET", "/api/v1/cases?status=lost")
    assert bad.status_code == 422 and "status" in bad.get_json()["errors"]


def test_the_accountability_figures_are_the_reports(five_cases, api, round2018):
    clock.set_now(at("2018-10-16T00:00"))
    body = api("ldxz", "GET", "/api/v1/rounds/2018/reports/accountability").get_json()
    report = accountability.build_report(round2018)
    by_township = {u["name"]: u for u in body["by_township"]}
    assert len(by_township) == 13  # every township of the county, zeros included
    with_cases = [u for u in report.by_township if u.count("received")]
    assert with_cases
    for unit in with_cases:
        assert by_township[unit.name]["counts"]["overdue"] == unit.count("overdue") == 2
    for unit in report.by_township:
        assert by_township[unit.name]["case_ids"]["received"] == unit.cases["received"]
    assert body["as_of"] == "2018-10-16T00:00:00+08:00"
    asked = api("ldxz", "GET", "/api/v1/rounds/2018/reports/accountability?as_of=2019-01-31")
    assert asked.get_json()["as_of"] == "2019-01-31T23:59:59+08:00"
    bad = api("ldxz", "GET", "/api/v1/rounds/2018/reports/accountability?as_of=31.1.2019")
    assert bad.status_code == 422 and "as_of" in bad.get_json()["errors"]


def test_rounds_and_the_make_up_list(round2018, api):
    rounds_ = api("katelesh_cun", "GET", "/api/v1/rounds").get_json()["items"]
    assert [r["year"] for r in rounds_] == [2018]
    assert rounds_[0]["done_by"] == {"due": "2018-12-31", "due_at": "2018-12-31T23:59:59+08:00"}
    detail = api("katelesh_cun", "GET", "/api/v1/rounds/2018").get_json()
    assert [t["township"]["name"] for t in detail["townships"]] == ["且末镇"]
    gaps = api("katelesh_cun", "GET", "/api/v1/rounds/2018/reports/gaps?township=nope")
    assert gaps.status_code == 422


def _documented(document: dict) -> dict[str, set[str]]:
    return {path: {m.upper() for m in ops} for path, ops in document["paths"].items()}


def test_the_openapi_document_is_valid_and_describes_every_route(app, county):
    client = IsolatedClient(app, app.response_class)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            routes.setdefault(path, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    assert _documented(document) == routes
    assert set(document["components"]["securitySchemes"]) == {"bearerToken", "browserSession"}
    for path, operations in document["paths"].items():
        for operation in operations.values():
            if path != "/api/v1/openapi.json":
                assert "security" not in operation, "the document-wide security applies"
                assert "401" in operation["responses"], path


def test_users_are_named_with_their_work(round2018, api, user):
    """A history entry names who wrote it (by username), not an internal id."""
    case = open_household_case(round2018)
    db.session.commit()
    task = tasks.ready_task_of(case.instance_id, "plan_measure")
    api("dept_slj", "POST", f"/api/v1/tasks/{task.id}/complete", PLAN)
    carry = tasks.ready_task_of(case.instance_id, "carry_out")
    body = {"action": "progress", "text": "管道已采购", "funds": 1500.5}
    response = api("dept_slj_fzr", "POST", f"/api/v1/tasks/{carry.id}/complete", body)
    assert response.status_code == 200, response.get_json()
    history = response.get_json()["case"]["history"]
    assert history[-1]["by"]["username"] == "dept_slj_fzr"
    assert history[-1]["funds"] == "1500.50"
