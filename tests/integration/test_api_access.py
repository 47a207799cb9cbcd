"""Who gets what from /api/v1: every endpoint, for anonymous and one user of every role.

The world, on 2018-07-01: the 2018 round is launched; a 水利局 case for a household of 布古纳村
(奥依亚依拉克镇) waits for 水利局 to plan it, and a 交通局 road case for the same village waits
for 交通局. Insiders of the water case are its department, its township, its village and the
county; outsiders are another department, another township and another village. Everyone holds
an API token issued by the administrator.

An api.* route without a row in API_MATRIX fails this file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa

from tests.access_matrix import (
    ANONYMOUS,
    EVERYONE,
    INSIDERS,
    OUTSIDERS,
    PLAN,
    USERS,
    Snapshot,
    ready_task,
    sweep,
    water_and_road,
    who,
)
from tests.conftest import DEMO_PASSWORD, Browser, IsolatedClient
from tests.factories import at
from workflow.models import AuditEvent, HelpCase
from workflow.people.api_tokens import issue_token
from workflow.platform import clock
from workflow.platform.db import db
from workflow.programme import rounds

COUNTY_READERS = ("admin", "fpb", "ldxz")

# A token's last use and the audit head are written by merely calling.
API = Snapshot(frozenset({"audit_head", "api_token"}))


def verdicts(anonymous: int, default: int, **named: int) -> dict[str | None, int]:
    """Anonymous gets one status, the named users theirs, every other user the default."""
    return {ANONYMOUS: anonymous, **{name: named.get(name, default) for name in USERS}}


def insiders_only() -> dict[str | None, int]:
    return verdicts(401, 200, **dict.fromkeys(OUTSIDERS, 403))


@dataclass(frozen=True)
class Probe:
    """A request (with {placeholders} for the world's ids) and who gets which status."""

    method: str
    path: str
    verdicts: dict[str | None, int]
    body: dict[str, str] = field(default_factory=dict)

    def url(self, world: World) -> str:
        return self.path.format(**vars(world))

    def changes_for(self, name: str | None) -> bool:
        return self.method == "POST" and self.verdicts[name] == 200


API_MATRIX: dict[str, Probe] = {
    "api.openapi_document": Probe("GET", "/api/v1/openapi.json", verdicts(200, 200)),
    "api.task_list": Probe("GET", "/api/v1/tasks", verdicts(401, 200)),
    "api.task_show": Probe("GET", "/api/v1/tasks/{plan_task}", verdicts(401, 403, dept_slj=200)),
    "api.task_complete": Probe(
        "POST", "/api/v1/tasks/{plan_task}/complete", verdicts(401, 403, dept_slj=200), PLAN
    ),
    "api.case_list": Probe("GET", "/api/v1/cases", verdicts(401, 200)),
    "api.case_show": Probe("GET", "/api/v1/cases/{case}", insiders_only()),
    "api.round_list": Probe("GET", "/api/v1/rounds", verdicts(401, 200)),
    "api.round_show": Probe("GET", "/api/v1/rounds/2018", verdicts(401, 200)),
    "api.accountability_report": Probe(
        "GET",
        "/api/v1/rounds/2018/reports/accountability",
        verdicts(401, 403, **dict.fromkeys(COUNTY_READERS, 200)),
    ),
    "api.gap_report": Probe("GET", "/api/v1/rounds/2018/reports/gaps", verdicts(401, 200)),
    # deleting through every path is tried on a filed original in test_archive
    "api.archive_document_delete": Probe(
        "DELETE", "/api/v1/archive/documents/999999", verdicts(401, 404)
    ),
}

# Records that do not exist: 404 for someone the route would otherwise let in.
MISSING = {
    "api.task_show": ("GET", "/api/v1/tasks/999999", "dept_slj"),
    "api.task_complete": ("POST", "/api/v1/tasks/999999/complete", "dept_slj"),
    "api.case_show": ("GET", "/api/v1/cases/999999", "fpb"),
    "api.round_show": ("GET", "/api/v1/rounds/2031", "buguna_cun"),
    "api.accountability_report": ("GET", "/api/v1/rounds/2031/reports/accountability", "ldxz"),
    "api.gap_report": ("GET", "/api/v1/rounds/2031/reports/gaps", "dept_slj"),
}


@dataclass
class World:
    case: int
    plan_task: int
    road_case: int
    village_task: int
    tokens: dict[str, str]


@pytest.fixture
def world(county, user) -> World:
    clock.set_now(at("2018-07-01T10:00"))
    round_ = rounds.launch_round(2018, user("fpb"))
    water, road, village = water_and_road(round_)
    tokens = {name: issue_token(user("admin"), name, "access test")[1] for name in USERS}
    db.session.commit()
    return World(
        case=water.id,
        plan_task=ready_task("plan_measure", instance_id=water.instance_id),
        road_case=road.id,
        village_task=ready_task("village_forms", village_id=village.id),
        tokens=tokens,
    )


@pytest.fixture
def call(app, world):
    """Send a request as a user (by her token) or anonymously."""
    client = IsolatedClient(app, app.response_class, use_cookies=False)

    def send(name: str | None, method: str, url: str, body: dict | None = None):
        headers = {"Authorization": f"Bearer {world.tokens[name]}"} if name else {}
        if method == "GET":
            return client.get(url, headers=headers)
        return client.open(url, method=method, json=body or {}, headers=headers)

    return send


def test_every_api_route_is_in_the_matrix(app):
    routes = {
        rule.endpoint: frozenset(rule.methods - {"HEAD", "OPTIONS"})
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
    }
    declared = {endpoint: frozenset({probe.method}) for endpoint, probe in API_MATRIX.items()}
    assert routes == declared, (
        "every api.* route needs a row in API_MATRIX (tests/integration/test_api_access.py): "
        f"missing {sorted(set(routes) - set(declared))}, "
        f"no longer in the app {sorted(set(declared) - set(routes))}"
    )
    for endpoint, probe in API_MATRIX.items():
        assert set(probe.verdicts) == set(EVERYONE), f"{endpoint}: a verdict for everyone"


@pytest.mark.parametrize("endpoint", sorted(API_MATRIX))
def test_api_answers_everyone_as_the_matrix_says(endpoint, world, call):
    """Every user by token and anonymous: the matrix's status, errors in JSON with a Chinese
    message, and nothing changed by a refused POST."""
    probe = API_MATRIX[endpoint]

    def answer_of(name: str | None) -> tuple[int, int]:
        response = call(name, probe.method, probe.url(world), probe.body)
        assert response.mimetype == "application/json", who(name)
        if response.status_code >= 400:
            message = response.get_json()["message"]
            assert any("\u4e00" <= ch <= "\u9fff" for ch in message), (who(name), message)
        return response.status_code, probe.verdicts[name]

    wrong = sweep(probe, API, answer_of)
    assert not wrong, f"{probe.method} {probe.path}:\n" + "\n".join(wrong)


def test_the_worker_completes_the_step_and_it_is_audited_as_her(world, call, user):
    response = call("dept_slj", "POST", f"/api/v1/tasks/{world.plan_task}/complete", PLAN)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["case"]["status"] == "in_progress"
    db.session.expire_all()
    assert db.session.get(HelpCase, world.case).measure == PLAN["measure"]
    plan_event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "case.plan"))
    assert plan_event.actor_id == user("dept_slj").id


def test_a_browser_session_gets_the_same_answers_as_a_token(app, world):
    for name in EVERYONE:
        client = Browser(IsolatedClient(app, app.response_class, use_cookies=True))
        if name:
            assert client.login(name, DEMO_PASSWORD).status_code == 302, name
        for endpoint, probe in API_MATRIX.items():
            if probe.method != "GET":
                continue
            got = client.get(probe.url(world)).status_code
            assert got == probe.verdicts[name], f"{who(name)} on {endpoint} by session: {got}"


@pytest.mark.parametrize("endpoint", sorted(MISSING))
def test_missing_records_are_not_found(endpoint, world, call):
    method, url, name = MISSING[endpoint]
    response = call(name, method, url, PLAN)
    assert response.status_code == 404
    assert response.get_json()["message"]
    assert call(ANONYMOUS, method, url, PLAN).status_code == 401


def test_unauthenticated_is_told_in_json_not_redirected(world, call):
    response = call(ANONYMOUS, "GET", "/api/v1/tasks")
    assert response.status_code == 401
    assert "Location" not in response.headers
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["message"] == "请先登录，或发送 API 令牌。"


def test_an_unknown_api_address_answers_in_json(world, call):
    for url in ("/api/v1/nothing-here", "/api/v1/tasks/abc"):
        response = call("fpb", "GET", url)
        assert response.status_code == 404, url
        assert response.get_json()["message"] == "页面或记录不存在。"
    response = call("fpb", "POST", "/api/v1/cases")
    assert response.status_code == 405
    assert response.get_json()["message"]


def test_only_insiders_find_the_case_in_their_list(world, call):
    for name in USERS:
        ids = {c["id"] for c in call(name, "GET", "/api/v1/cases").get_json()["items"]}
        assert (world.case in ids) == (name in INSIDERS), f"{name} and the case list"
        assert (world.road_case in ids) == (
            name in ("admin", "fpb", "ldxz", "aoyi_zg", "aoyi_fzr", "buguna_cun", "dept_jtj")
        ), f"{name} and the road case"


def test_each_inbox_holds_only_its_own_tasks(world, call):
    def inbox(name: str) -> set[int]:
        return {t["id"] for t in call(name, "GET", "/api/v1/tasks").get_json()["items"]}

    assert world.plan_task in inbox("dept_slj")
    assert world.village_task in inbox("buguna_cun")
    for name in USERS:
        if name != "dept_slj":
            assert world.plan_task not in inbox(name), name
        if name != "buguna_cun":
            assert world.village_task not in inbox(name), name


def test_a_task_worked_on_its_page_is_refused_over_the_api(world, call):
    url = f"/api/v1/tasks/{world.village_task}/complete"
    response = call("buguna_cun", "POST", url, {})
    assert response.status_code == 422
    body = response.get_json()
    assert "网页" in body["message"] and body["page"] == f"/tasks/{world.village_task}"
    assert call("katelesh_cun", "POST", url, {}).status_code == 403
