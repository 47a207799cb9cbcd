"""Amounts where they enter: the funds of a case's progress are finite, within the column's range
and scale, or refused with a message next to the field, on the page and over the API alike; a bad
figure already stored never breaks the results tables."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from tests.conftest import IsolatedClient
from tests.factories import at, make_round, open_household_case
from workflow.cases import lifecycle as cases
from workflow.inbox import tasks
from workflow.models import AuditEvent, CaseNote, HelpCase
from workflow.people.api_tokens import issue_token
from workflow.platform import clock
from workflow.platform.db import db

BAD_AMOUNTS = {
    "Infinity": "金额应为数字",
    "-Infinity": "金额应为数字",
    "NaN": "金额应为数字",
    "sNaN": "金额应为数字",
    "1e999999": "金额须小于",
    "1e29": "金额须小于",
    "1000000000000": "金额须小于",
    "12.345": "最多保留 2 位小数",
    "-5": "金额不能为负数",
    "9" * 500: "金额过大",
    "一千": "金额应为数字",
}


@pytest.fixture
def case_in_progress(county, user) -> HelpCase:
    clock.set_now(at("2018-08-01T10:00"))
    case = open_household_case(make_round())
    cases.plan_case(
        case,
        user("dept_slj"),
        measure="铺设入户自来水管道",
        target_standard="全天候安全饮水",
        responsible_person="张水利",
        planned_completion=date(2018, 9, 30),
    )
    db.session.commit()
    return case


def _nothing_recorded(case_id: int) -> None:
    db.session.expire_all()
    assert db.session.get(HelpCase, case_id).funds_spent == Decimal("0")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseNote)) == 0
    progress = sa.select(sa.func.count()).where(AuditEvent.action == "case.progress")
    assert db.session.scalar(progress) == 0


@pytest.mark.parametrize(("funds", "message"), list(BAD_AMOUNTS.items()))
def test_the_page_refuses_a_bad_amount_next_to_its_field(case_in_progress, browser, funds, message):
    client = browser("dept_slj")
    response = client.post(
        f"/cases/{case_in_progress.id}/progress", {"text": "管道已采购", "funds": funds}
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    _nothing_recorded(case_in_progress.id)


@pytest.mark.parametrize("funds", [*BAD_AMOUNTS, float("inf"), float("nan"), 1e29, 0.001, True])
def test_the_api_refuses_a_bad_amount_with_a_field_error(case_in_progress, app, user, funds):
    token = issue_token(user("admin"), "dept_slj", "test")[1]
    db.session.commit()
    carry = tasks.ready_task_of(case_in_progress.instance_id, "carry_out")
    client = IsolatedClient(app, app.response_class, use_cookies=False)
    body = {"action": "progress", "text": "管道已采购", "funds": funds}
    response = client.post(
        f"/api/v1/tasks/{carry.id}/complete",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422, response.get_data(as_text=True)
    assert set(response.get_json()["errors"]) == {"funds"}
    _nothing_recorded(case_in_progress.id)


def test_the_api_reads_infinity_written_as_a_json_literal(case_in_progress, app, user):
    token = issue_token(user("admin"), "dept_slj", "test")[1]
    db.session.commit()
    carry = tasks.ready_task_of(case_in_progress.instance_id, "carry_out")
    client = IsolatedClient(app, app.response_class, use_cookies=False)
    for literal in ("Infinity", "NaN", "1e999999"):
        response = client.post(
            f"/api/v1/tasks/{carry.id}/complete",
            data='{"action": "progress", "text": "t", "funds": ' + literal + "}",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        assert response.status_code == 422, (literal, response.get_data(as_text=True))
        assert "funds" in response.get_json()["errors"]
    _nothing_recorded(case_in_progress.id)


def test_good_amounts_add_up_to_the_column_s_limit_and_no_further(case_in_progress, user):
    clerk = user("dept_slj")
    assert cases.add_progress(case_in_progress, clerk, "一期", "1,234.5").funds == Decimal("1234.5")
    cases.add_progress(case_in_progress, clerk, "二期", "999999998765.49")
    db.session.commit()
    db.session.expire_all()
    assert case_in_progress.funds_spent == Decimal("999999999999.99")
    with pytest.raises(Exception, match="累计投入资金"):
        cases.add_progress(case_in_progress, clerk, "三期", "0.01")
    db.session.rollback()


def _store_bad_funds(case: HelpCase) -> None:
    """A figure that no check would let in today, as an older version or a hand edit left it."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            sa.text("UPDATE help_case SET funds_spent = 'NaN' WHERE id = :id"), {"id": case.id}
        )
    else:
        db.session.execute(
            sa.text("UPDATE help_case SET funds_spent = :v WHERE id = :id"),
            {"v": float("inf"), "id": case.id},
        )
    db.session.commit()
    db.session.expire_all()


def test_results_tables_are_served_even_with_a_bad_stored_amount(case_in_progress, browser):
    _store_bad_funds(case_in_progress)
    village, township = case_in_progress.village_id, case_in_progress.township_id
    client = browser("fpb")
    for url in (
        f"/rounds/2018/results/4.xlsx?village={village}",
        f"/rounds/2018/results/6.xlsx?township={township}",
        f"/rounds/2018/results/5.xlsx?township={township}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        book = openpyxl.load_workbook(io.BytesIO(response.data))
        assert book.active.max_row > 1
    assert browser("dept_slj").get(f"/cases/{case_in_progress.id}").status_code == 200
