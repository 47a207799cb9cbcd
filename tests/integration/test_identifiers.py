"""Identifiers in addresses and query strings: a number no record can have is 'not found' (or
left unchosen), never a server error; and the API answers in JSON whatever happens, a server
error and a body it cannot read included."""

from __future__ import annotations

import re

import pytest

from tests.conftest import IsolatedClient
from tests.factories import at, make_round, open_household_case
from web.api import tasks as api_tasks
from workflow.cases import lifecycle as cases
from workflow.inbox import tasks
from workflow.people.api_tokens import issue_token
from workflow.platform import clock
from workflow.platform.db import db

HUGE = [str(2**31), str(2**63), "9" * 40, "9" * 5000]
PARAM = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _int_routes(app) -> list[tuple[str, str, str]]:
    """(method, rule, endpoint) of every route with an integer in its address."""
    found = []
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule:
            continue
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"OPTIONS"})[0]
        found.append((method, rule.rule, rule.endpoint))
    return found


def _fill(rule: str, number: str) -> str:
    def value(match: re.Match) -> str:
        return number if match.group(1) == "int" else "x"

    return PARAM.sub(value, rule)


@pytest.fixture
def admin_token(county, user) -> str:
    token = issue_token(user("admin"), "fpb", "test")[1]
    db.session.commit()
    return token


def test_every_integer_route_answers_not_found_for_a_number_past_the_database(
    app, county, browser, admin_token
):
    routes = _int_routes(app)
    assert len(routes) > 20
    page = browser("fpb")
    api = IsolatedClient(app, app.response_class, use_cookies=False)
    for number in HUGE:
        for method, rule, endpoint in routes:
            url = _fill(rule, number)
            if endpoint.startswith("api."):
                headers = {"Authorization": f"Bearer {admin_token}"}
                response = api.open(url, method=method, headers=headers, json={})
                assert response.status_code == 404, (url, response.status_code)
                assert response.is_json and response.get_json()["message"], url
            else:
                response = page.client.open(url, method=method, data={"csrf_token": page.token})
                # 405 where the same address has a route for another method (werkzeug checks
                # the method before the number): the address fits no route all the same.
                assert response.status_code in (404, 405), (url, response.status_code)
                assert "页面或记录不存在" in response.get_data(as_text=True) or (
                    response.status_code == 405
                ), url


QUERY_URLS = [
    "/cases?ids={n},{n}1&page={n}",
    "/cases?page={n}",
    "/cases?page=²",
    "/board?year={n}",
    "/admin/routing?year={n}",
    "/rounds/2018/results/4.xlsx?village={n}",
    "/rounds/2018/results/6.xlsx?township={n}",
    "/api/v1/tasks?after={n}",
    "/api/v1/tasks?limit=²",
    "/api/v1/tasks?limit={n}",
    "/api/v1/cases?after={n}",
    "/api/v1/cases?after=²",
]


@pytest.mark.parametrize("template", QUERY_URLS)
def test_a_huge_or_odd_number_in_a_query_string_is_never_a_server_error(
    app, county, user, browser, admin_token, template
):
    clock.set_now(at("2018-08-01T10:00"))
    make_round()
    db.session.commit()
    for number in HUGE:
        url = template.format(n=number)
        if url.startswith("/api/"):
            client = IsolatedClient(app, app.response_class, use_cookies=False)
            response = client.get(url, headers={"Authorization": f"Bearer {admin_token}"})
            assert response.is_json, url
        else:
            response = browser("fpb").client.get(url)
        assert response.status_code in (200, 404, 422), (url, response.status_code)


def test_reassigning_a_task_past_the_database_s_range_is_not_found(county, browser):
    client = browser("aoyi_fzr")
    response = client.get(f"/inbox/reassign?task={2**63}")
    assert response.status_code == 404


@pytest.fixture
def crashing_app(app, monkeypatch):
    """The app as a server runs it: an unexpected error becomes a 500 answer, not a traceback."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setitem(app.config, "TESTING", False)
    return app


def test_an_api_server_error_is_json(crashing_app, county, user, admin_token, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(api_tasks.tasks, "inbox", explode)
    client = IsolatedClient(crashing_app, crashing_app.response_class, use_cookies=False)
    response = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {admin_token}"})
    assert response.status_code == 500
    assert response.is_json
    assert "服务器" in response.get_json()["message"]


@pytest.mark.parametrize(
    "body",
    [
        b'{"action": "progress", "text": "\\ud800", "funds": "1"}',
        b'{"action": "progress", "text": "ok\\udfff", "funds": "1"}',
        b'{"action": "progress", "text": "\xff\xfe", "funds": "1"}',
        b'{"action": "progress", "text": ',
        b"[1, 2",
        b'{"action": "progress", "text": "a\\u0000b", "funds": "1"}',
    ],
)
def test_a_malformed_api_body_is_answered_in_json(crashing_app, county, user, admin_token, body):
    clock.set_now(at("2018-08-01T10:00"))
    case = open_household_case(make_round())
    cases.plan_case(
        case,
        user("dept_slj"),
        measure="m",
        target_standard="s",
        responsible_person="p",
        planned_completion=at("2018-09-30T10:00").date(),
    )
    token = issue_token(user("admin"), "dept_slj", "test")[1]
    db.session.commit()
    carry = tasks.ready_task_of(case.instance_id, "carry_out")
    client = IsolatedClient(crashing_app, crashing_app.response_class, use_cookies=False)
    response = client.post(
        f"/api/v1/tasks/{carry.id}/complete",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    assert response.is_json and response.get_json()["message"]
