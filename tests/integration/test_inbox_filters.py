"""Inbox filters as GET parameters, saved filters shared by URL, and the Excel export."""

from __future__ import annotations

import io
import re
from datetime import date

import openpyxl
import pytest

from tests.factories import at, open_household_case, work_done
from workflow.cases import lifecycle as cases
from workflow.inbox import tasks
from workflow.models import HumanTask, SavedFilter, Township, Village
from workflow.platform import clock
from workflow.platform.db import db


def _ids(page: str) -> set[int]:
    return {int(n) for n in re.findall(r'href="/tasks/(\d+)"', page)}


def _code(model, name: str) -> str:
    return db.session.query(model).filter_by(name=name).one().code


@pytest.fixture
def water(round2018, user):
    """水利局: one case of 布古纳村 being carried out (due 1 Sept), one of 喀特勒什村 (且末镇)
    still to plan (due 20 July); 交通局 has a road case of 布古纳村. It is 22 July."""
    clock.set_now(at("2018-07-02T09:00"))
    buguna = open_household_case(round2018, "布古纳村", due=date(2018, 9, 1))
    work_done(buguna, user("dept_slj"))  # planned and reported done: now with the township
    carrying = open_household_case(round2018, "布古纳村", due=date(2018, 9, 1), indicator="H-W2")
    cases.plan_case(
        carrying,
        user("dept_slj"),
        measure="m",
        target_standard="s",
        responsible_person="p",
        planned_completion=date(2018, 8, 30),
    )
    katelesh = open_household_case(round2018, "喀特勒什村", due=date(2018, 7, 20))
    road = open_household_case(round2018, "布古纳村", "JTJ", "H-ROAD", "通路", date(2018, 7, 10))
    db.session.commit()
    clock.set_now(at("2018-07-22T09:00"))
    step = {
        "carry": tasks.ready_task_of(carrying.instance_id, "carry_out").id,
        "plan": tasks.ready_task_of(katelesh.instance_id, "plan_measure").id,
        "road": tasks.ready_task_of(road.instance_id, "plan_measure").id,
    }
    return step


CASES = [
    ({}, {"carry", "plan"}),
    ({"kind": "plan_measure"}, {"plan"}),
    ({"kind": "carry_out"}, {"carry"}),
    ({"township": "且末镇"}, {"plan"}),
    ({"village": "布古纳村"}, {"carry"}),
    ({"department": "SLJ"}, {"carry", "plan"}),
    ({"department": "jtj"}, set()),
    ({"due_before": "2018-07-25"}, {"plan"}),
    ({"due_before": "2018-07-19"}, set()),
    ({"overdue": "1"}, {"plan"}),
    ({"village": "布古纳村", "overdue": "1"}, set()),
]


@pytest.mark.parametrize("query, expected", CASES)
def test_each_filter_narrows_the_inbox(water, browser, query, expected):
    params = dict(query)
    if "township" in params:
        params["township"] = _code(Township, params["township"])
    if "village" in params:
        params["village"] = _code(Village, params["village"])
    response = browser("dept_slj").get("/inbox", query_string=params)
    assert response.status_code == 200
    assert _ids(response.get_data(as_text=True)) == {water[k] for k in expected}


@pytest.mark.parametrize(
    "query, message",
    [
        ({"due_before": "2018-13-45"}, "“2018-13-45”不是日期"),
        ({"township": "999999"}, "没有代码为“999999”的乡镇"),
        ({"village": "x"}, "没有代码为“x”的村"),
        ({"department": "NOPE"}, "没有代码为“NOPE”的部门"),
        ({"kind": "drop table"}, "没有“drop table”这种任务类型"),
        ({"overdue": "yes"}, "“仅看已逾期”只能勾选或不勾选"),
    ],
)
def test_a_bad_filter_value_is_explained_not_a_crash(water, browser, query, message):
    response = browser("dept_slj").get("/inbox", query_string=query)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and "筛选条件有误" in page
    assert browser("dept_slj").get("/inbox.xlsx", query_string=query).status_code == 302


def test_a_saved_filter_shared_by_url_shows_the_opener_only_her_own_tasks(water, browser, user):
    slj = browser("dept_slj")
    slj.get("/inbox?overdue=1")
    saved = slj.post("/inbox/filters", {"name": "已逾期", "overdue": "1"})
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/inbox?overdue=1")
    page = slj.get("/inbox").get_data(as_text=True)
    (link,) = re.findall(r'<a href="(/inbox\?[^"]+)">已逾期</a>', page)
    assert _ids(slj.get(link).get_data(as_text=True)) == {water["plan"]}

    colleague = browser("dept_jtj").get(link)  # the link sent over to 交通局
    assert colleague.status_code == 200
    assert _ids(colleague.get_data(as_text=True)) == {water["road"]}
    assert "已逾期</a>" not in colleague.get_data(as_text=True)  # the name stays with its owner
    (row,) = db.session.query(SavedFilter).all()
    assert row.user_id == user("dept_slj").id
    assert browser("dept_jtj").post(f"/inbox/filters/{row.id}/delete").status_code == 404
    assert slj.post(f"/inbox/filters/{row.id}/delete").status_code == 303
    assert db.session.query(SavedFilter).count() == 0


def test_saving_a_filter_without_a_name_is_refused(water, browser):
    response = browser("dept_slj").post("/inbox/filters", {"overdue": "1"})
    assert response.status_code == 422 and "请为筛选命名" in response.get_data(as_text=True)


def test_the_export_holds_the_filtered_tasks_with_chinese_headers_and_no_formulas(water, browser):
    task = db.session.get(HumanTask, water["plan"])
    task.instance.subject = '=HYPERLINK("http://x","点我")'
    db.session.commit()
    slj = browser("dept_slj")
    response = slj.get("/inbox.xlsx?overdue=1")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = [str(v).replace("\n", "") for v in rows[3]]
    assert header[:9] == [
        "序号",
        "任务",
        "事项",
        "乡镇",
        "村",
        "部门",
        "完成时限",
        "剩余时间",
        "办理人",
    ]
    data = [r for r in rows[4:] if isinstance(r[0], int)]
    assert len(data) == 1
    (line,) = data
    assert line[3:6] == ["且末镇", "喀特勒什村", "县水利局"]
    assert line[6] == "2018-07-20" and line[7] == "逾期 1 天"
    cell = sheet.cell(5, 3)
    assert cell.value.startswith("=") and cell.data_type == "s" and cell.quotePrefix
    everything = openpyxl.load_workbook(io.BytesIO(slj.get("/inbox.xlsx").data)).active
    assert sum(isinstance(r[0].value, int) for r in everything.iter_rows(min_row=5)) == 2
