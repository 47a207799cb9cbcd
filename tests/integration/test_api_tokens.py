"""API tokens: issued by the administrator and shown once, kept only as a hash, refused once
revoked or expired or when their user is deactivated; the browser session needs its CSRF header."""

from __future__ import annotations

import hashlib
import re

import pytest
import sqlalchemy as sa

from tests.conftest import IsolatedClient
from tests.factories import at, open_household_case
from workflow.models import ApiToken, AuditEvent, CaseStatus, HelpCase, HumanTask, TaskState
from workflow.people.api_tokens import issue_token
from workflow.platform import clock
from workflow.platform.db import db

PLAN = {
    "measure": "铺设入户自来水管道",
    "target_standard": "全天候安全饮水",
    "responsible_person": "张水利",
    "planned_completion": "2018-09-30",
}


@pytest.fixture
def plan_task(round2018):
    """A 水利局 case waiting to be planned; returns (case id, task id)."""
    case = open_household_case(round2018)
    db.session.commit()
    task_id = db.session.scalar(
        sa.select(HumanTask.id).where(
            HumanTask.instance_id == case.instance_id, HumanTask.state == TaskState.READY
        )
    )
    return case.id, task_id


@pytest.fixture
def api(app):
    client = IsolatedClient(app, app.response_class, use_cookies=False)

    def get(url: str, token: str | None = None, **headers: str):
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return client.get(url, headers=headers)

    return get


def _issue(user, name: str = "dept_slj", expires=None) -> str:
    _token, raw = issue_token(user("admin"), name, "水利局数据对接", expires)
    db.session.commit()
    return raw


def test_a_token_acts_as_its_user_and_its_use_is_noted(round2018, user, api):
    raw = _issue(user)
    response = api("/api/v1/tasks", raw)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers, "a token request starts no session"
    db.session.expire_all()
    token = db.session.scalar(sa.select(ApiToken))
    assert token.last_used_at == clock.now()
    assert token.user.username == "dept_slj"


def test_the_database_keeps_only_the_hash_and_a_prefix(round2018, user):
    raw = _issue(user)
    token = db.session.scalar(sa.select(ApiToken))
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(token.prefix) and len(token.prefix) < len(raw) // 3
    for row in db.session.execute(sa.select(ApiToken.__table__)).all():
        assert raw not in [str(v) for v in row]
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "api_token"))
    assert all(raw not in str(e.after) for e in events)


@pytest.mark.parametrize(
    "header, message",
    [
        ("Bearer ht_not-a-real-token", "API 令牌无效。"),
        ("Basic ZnBiOmh1aXRvdS1kZW1v", "请按以下格式发送令牌：Authorization: Bearer <令牌>。"),
        ("Bearer ", "请按以下格式发送令牌：Authorization: Bearer <令牌>。"),
    ],
)
def test_a_bad_token_is_refused(round2018, api, header, message):
    response = api("/api/v1/tasks", Authorization=header)
    assert response.status_code == 401
    assert response.get_json() == {"message": message}


def test_a_revoked_token_is_refused(round2018, user, browser, api):
    raw = _issue(user)
    token_id = db.session.scalar(sa.select(ApiToken.id))
    admin = browser("admin")
    admin.get("/admin/tokens")
    response = admin.post(f"/admin/tokens/{token_id}/revoke")
    assert response.status_code == 303
    answer = api("/api/v1/tasks", raw)
    assert answer.status_code == 401
    assert answer.get_json()["message"] == "API 令牌已被作废。"
    page = admin.get("/admin/tokens").get_data(as_text=True)
    assert "已作废" in page
    again = admin.post(f"/admin/tokens/{token_id}/revoke")  # a second revoke changes nothing
    assert again.status_code == 303
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.object_type == "api_token")
    ).all()
    assert actions == ["api_token.issue", "api_token.revoke"]


def test_a_token_expires_at_the_end_of_its_day_beijing_time(round2018, user, api):
    raw = _issue(user, expires=at("2018-07-31").date())
    clock.set_now(at("2018-07-31T23:59:58"))
    assert api("/api/v1/tasks", raw).status_code == 200
    clock.set_now(at("2018-08-01T00:00:00"))
    answer = api("/api/v1/tasks", raw)
    assert answer.status_code == 401
    assert answer.get_json()["message"] == "API 令牌已过期。"


def test_a_deactivated_users_token_is_refused(round2018, user, api):
    raw = _issue(user)
    user("dept_slj").is_active = False
    db.session.commit()
    answer = api("/api/v1/tasks", raw)
    assert answer.status_code == 401
    assert answer.get_json()["message"] == "该令牌所属用户已停用。"


def test_the_administrator_sees_a_new_token_once(round2018, browser, api):
    admin = browser("admin")
    admin.get("/admin/tokens")
    response = admin.post(
        "/admin/tokens", {"username": "aoyi_zg", "name": "移动端", "expires_on": "2018-12-31"}
    )
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    raw = re.search(r'id="issued-token" readonly value="([^"]+)"', page).group(1)
    assert "只显示这一次" in page
    assert api("/api/v1/tasks", raw).status_code == 200
    listing = admin.get("/admin/tokens").get_data(as_text=True)
    assert raw not in listing
    assert raw[:10] + "…" in listing and "移动端" in listing and "aoyi_zg" in listing


@pytest.mark.parametrize(
    "form, field_message",
    [
        ({"username": "nobody", "name": "x"}, "没有该用户名的用户。"),
        ({"username": "fpb", "name": " "}, "请填写令牌的用途。"),
        ({"username": "fpb", "name": "x", "expires_on": "2018-06-30"}, "到期日不能早于今天。"),
        (
            {"username": "fpb", "name": "x", "expires_on": "明天"},
            "日期格式应为 年-月-日（如 2018-07-13）。",
        ),
    ],
)
def test_issuing_refuses_bad_input_and_stores_nothing(round2018, browser, form, field_message):
    admin = browser("admin")
    admin.get("/admin/tokens")
    response = admin.post("/admin/tokens", form)
    assert response.status_code == 422
    assert field_message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_session_posts_need_the_csrf_header(round2018, plan_task, browser):
    case_id, task_id = plan_task
    clerk = browser("dept_slj")
    assert clerk.client.get("/api/v1/tasks").status_code == 200
    url = f"/api/v1/tasks/{task_id}/complete"
    refused = clerk.client.post(url, json=PLAN)
    assert refused.status_code == 400
    assert "X-CSRFToken" in refused.get_json()["message"]
    wrong = clerk.client.post(url, json=PLAN, headers={"X-CSRFToken": "forged"})
    assert wrong.status_code == 400
    db.session.expire_all()
    assert db.session.get(HelpCase, case_id).status == CaseStatus.PLANNING
    clerk.get("/inbox")  # any page carries the session's CSRF token
    done = clerk.client.post(url, json=PLAN, headers={"X-CSRFToken": clerk.token})
    assert done.status_code == 200, done.get_json()
    db.session.expire_all()
    assert db.session.get(HelpCase, case_id).status == CaseStatus.IN_PROGRESS


def test_token_posts_need_no_csrf_header(round2018, plan_task, user, app):
    case_id, task_id = plan_task
    raw = _issue(user)
    client = IsolatedClient(app, app.response_class, use_cookies=False)
    response = client.post(
        f"/api/v1/tasks/{task_id}/complete",
        json=PLAN,
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(HelpCase, case_id).status == CaseStatus.IN_PROGRESS
