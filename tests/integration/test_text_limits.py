"""Free text has limits: each field is bounded (by the column where it has one), bodies are
bounded, NUL and other control characters are refused, naming the field, and nothing is stored;
on pages and over the API alike."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import IsolatedClient
from tests.factories import at, make_round, open_household_case
from workflow.inbox import tasks
from workflow.models import AuditEvent, CaseNote, HelpCase
from workflow.people.api_tokens import issue_token
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.text import FREE_TEXT_LIMIT

PLAN = {
    "measure": "铺设入户自来水管道",
    "target_standard": "全天候安全饮水",
    "responsible_person": "张水利",
    "planned_completion": "2018-09-30",
}


@pytest.fixture
def case(county) -> HelpCase:
    clock.set_now(at("2018-08-01T10:00"))
    c = open_household_case(make_round())
    db.session.commit()
    return c


def _events() -> int:
    """Audit events about cases (logging in is audited too, on the user)."""
    return db.session.scalar(
        sa.select(sa.func.count()).where(AuditEvent.object_type == "help_case")
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("measure", "管" * (FREE_TEXT_LIMIT + 1), "最多可填写 5000 个字"),
        ("measure", "铺设\x00管道", "控制字符"),
        ("target_standard", "安全\x1b[31m饮水", "控制字符"),
        ("responsible_person", "张" * 61, "最多可填写 60 个字"),
    ],
)
def test_the_plan_page_refuses_overlong_or_control_text_naming_the_field(
    case, browser, field, value, message
):
    events = _events()
    response = browser("dept_slj").post(f"/cases/{case.id}/plan", {**PLAN, field: value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert field in page or "fielderror" in page
    db.session.expire_all()
    assert db.session.get(HelpCase, case.id).measure == ""
    assert _events() == events


def test_line_breaks_and_tabs_are_ordinary_text(case, browser):
    response = browser("dept_slj").post(
        f"/cases/{case.id}/plan", {**PLAN, "measure": "一、铺设管道\r\n二、\t入户"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(HelpCase, case.id).measure == "一、铺设管道\r\n二、\t入户"


@pytest.fixture
def carry_out(case, user, browser):
    assert browser("dept_slj").post(f"/cases/{case.id}/plan", PLAN).status_code == 303
    token = issue_token(user("admin"), "dept_slj", "test")[1]
    db.session.commit()
    return tasks.ready_task_of(case.instance_id, "carry_out"), token


@pytest.mark.parametrize(
    ("text", "status"),
    [("进展" * 3000, 422), ("a\x00b", 422), ("a\x07b", 422), ("a\u0085b", 422), ("正常", 200)],
)
def test_the_api_refuses_overlong_or_control_text_with_a_field_error(app, carry_out, text, status):
    task, token = carry_out
    client = IsolatedClient(app, app.response_class, use_cookies=False)
    response = client.post(
        f"/api/v1/tasks/{task.id}/complete",
        json={"action": "progress", "text": text, "funds": "1"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == status, response.get_json()
    notes = db.session.scalar(sa.select(sa.func.count()).select_from(CaseNote))
    if status == 422:
        assert set(response.get_json()["errors"]) == {"text"}
        assert notes == 0
    else:
        assert notes == 1


def test_a_body_past_its_bound_is_refused_before_it_is_read(app, carry_out):
    task, token = carry_out
    client = IsolatedClient(app, app.response_class, use_cookies=False)
    response = client.post(
        f"/api/v1/tasks/{task.id}/complete",
        data=b'{"action": "progress", "text": "' + b"a" * (2 * 1024 * 1024) + b'"}',
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413 and response.is_json
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseNote)) == 0
