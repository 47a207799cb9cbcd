"""四统一 on the pages: the county office loads the police extract and reconciles; a wrong
extract is refused whole, by cell; the township sees its households and records, for a
difference, which source is right and what it corrected (audited)."""

from __future__ import annotations

import io

import sqlalchemy as sa

from tests.reconcile_data import police_people, police_workbook
from workflow.models import (
    AuditEvent,
    Household,
    PoliceExtract,
    PoliceMember,
    ReconcileDifference,
)
from workflow.platform.db import db
from workflow.programme.lookback import household_in_round


def test_a_wrong_extract_is_refused_whole_with_each_problem_by_cell(round2018, browser):
    people = police_people()
    first = next(iter(people.values()))
    first[0]["status"] = "失踪"  # not a status
    first[1]["id"] = first[1]["id"][:-1] + ("0" if first[1]["id"][-1] != "0" else "1")
    office = browser("fpb")
    office.get("/reconcile")
    upload = {"file": (io.BytesIO(police_workbook(people)), "police.xlsx")}
    page = office.post("/reconcile/police", upload, content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    # Title rows above the header: the first person is on row 4, the second on row 5.
    assert "户籍人口!F4" in text and "不是户籍状态" in text
    assert "户籍人口!A5" in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PoliceExtract)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PoliceMember)) == 0


def test_the_township_resolves_a_difference_on_the_page(round2018, browser, user):
    people = police_people()
    household_id, group = next(
        (h, g) for h, g in people.items() if len(g) >= 2 and _aoyi_in_round(round2018, h)
    )
    group[1]["name"] = group[1]["name"] + "汗"
    office = browser("fpb")
    office.get("/reconcile")
    upload = {"file": (io.BytesIO(police_workbook(people)), "公安户籍.xlsx")}
    loaded = office.post("/reconcile/police", upload, content_type="multipart/form-data")
    assert loaded.status_code == 303
    page = office.get("/reconcile").get_data(as_text=True)
    assert "公安户籍.xlsx" in page and "第 1 版" in page
    ran = office.post("/reconcile/run", {"round": "2018"})
    assert ran.status_code == 303 and ran.headers["Location"].endswith("/reconcile/2018-mid")
    listed = office.get("/reconcile/2018").get_data(as_text=True)
    assert "姓名不一致" in listed and group[1]["name"] in listed

    # The other township sees nothing of it; its own township sees the line and resolves it.
    assert group[1]["name"] not in browser("qmz_zg").get("/reconcile/2018").get_data(as_text=True)
    assert browser("qmz_zg").get(f"/reconcile/2018/households/{household_id}").status_code == 403
    clerk = browser("aoyi_zg")
    shown = clerk.get(f"/reconcile/2018/households/{household_id}").get_data(as_text=True)
    assert "以哪一来源为准" in shown
    assert "“档案四统一”填报：" in shown and "未填报" in shown  # no 附件1 filed yet
    line = db.session.scalar(sa.select(ReconcileDifference))
    url = f"/reconcile/2018/differences/{line.id}/resolve"
    missing = clerk.post(url, {"right_source": "police"})
    assert missing.status_code == 303
    assert db.session.get(ReconcileDifference, line.id).resolved_at is None
    done = clerk.post(url, {"right_source": "police", "correction": "系统内姓名已更正"})
    assert done.status_code == 303
    db.session.expire_all()
    resolved = db.session.get(ReconcileDifference, line.id)
    assert resolved.right_source == "police" and resolved.resolved_by_id == user("aoyi_zg").id
    assert db.session.scalar(
        sa.select(AuditEvent.id).where(
            AuditEvent.action == "reconcile.resolve", AuditEvent.object_id == str(line.id)
        )
    )
    after = clerk.get(f"/reconcile/2018/households/{household_id}").get_data(as_text=True)
    assert "以公安户籍为准；系统内姓名已更正" in after
    xlsx = office.get("/reconcile/2018/differences.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def _aoyi_in_round(round_, household_id: int) -> bool:
    household = db.session.get(Household, household_id)
    return household.village.township.name == "奥依亚依拉克镇" and household_in_round(
        round_, household
    )
