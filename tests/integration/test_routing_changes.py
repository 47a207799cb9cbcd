"""The county office changes the routing table on its page: the change is the table's next
version, audited, applies to the gaps triaged from then on, and leaves earlier cases alone."""

from __future__ import annotations

import json

import sqlalchemy as sa

from tests.scenario import ALL_YES_HOUSEHOLD
from tests.survey_filling import fill, rows_of
from workflow.models import AuditEvent, Gap, GapStatus, HelpCase, RoutingChange
from workflow.platform import audit
from workflow.platform.db import db
from workflow.programme.routing_changes import change_routing, units_for
from workflow.survey import flow as survey_flow
from workflow.survey import gaps
from workflow.survey.intake import import_survey
from workflow.survey.templates import find_township, survey_template

NO_WATER = {"有安全饮水": "否"}


def _two_water_gaps(round_, user) -> list[Gap]:
    """Two households of 布古纳村 have no safe water; the township is released for triage."""
    clerk = user("buguna_cun")
    form = survey_template(1, round_, village=clerk.village)
    first, second = list(rows_of(form, "身份证号"))[:2]
    answers = {first: NO_WATER, second: NO_WATER}
    import_survey(fill(form, "身份证号", answers, ALL_YES_HOUSEHOLD), clerk, round_)
    survey_flow.release_early(round_.id, find_township("奥依亚依拉克镇").id, user("fpb"))
    db.session.commit()
    return list(
        db.session.scalars(
            sa.select(Gap)
            .where(Gap.indicator_code == "H-WATER", Gap.status == GapStatus.OPEN)
            .order_by(Gap.id)
        )
    )


def _case(gap_id: int) -> HelpCase:
    db.session.expire_all()
    return db.session.get(HelpCase, db.session.get(Gap, gap_id).case_id)


def test_a_routing_change_applies_to_the_next_triage_and_not_to_earlier_cases(
    round2018, user, browser
):
    earlier, later = _two_water_gaps(round2018, user)
    fpb = browser("fpb")
    fpb.get("/rounds/2018/triage")
    fpb.post("/rounds/2018/triage", {"gap": str(earlier.id), "action": "confirm"})
    assert _case(earlier.id).department.code == "SLJ"

    fpb.get("/admin/routing")
    changed = fpb.post(
        "/admin/routing",
        {
            "key": "household|H-WATER|",
            "lead": "ZJJ",
            "co": ["SLJ"],
            "reason": "安全饮水改由住建局结合危房改造统一实施",
        },
    )
    assert changed.status_code == 303
    page = fpb.get("/admin/routing").get_data(as_text=True)
    water = page[page.index("<code>H-WATER</code>") :][:900]
    assert "县住建局" in water and "协办：县水利局" in water and "第 1 版" in water
    history = page[page.index('id="history"') :]
    assert "安全饮水改由住建局结合危房改造统一实施" in history

    board = fpb.get("/rounds/2018/triage").get_data(as_text=True)
    assert board.index("县住建局") < board.index(f'value="{later.id}"')  # waits under 住建局
    fpb.post("/rounds/2018/triage", {"gap": str(later.id), "action": "confirm"})
    case = _case(later.id)
    assert case.department.code == "ZJJ" and case.co_names == ["县水利局"]
    first = _case(earlier.id)
    assert first.department.code == "SLJ" and first.co_units == []  # kept its units

    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "routing.change"))
    assert event.actor_id == user("fpb").id and event.reason.startswith("安全饮水改由住建局")
    assert json.loads(event.before)["lead"] == "SLJ"
    assert json.loads(event.after) == {
        "indicator": "H-WATER",
        "cause": "",
        "lead": "ZJJ",
        "co": ["SLJ"],
        "gaps": 1,
    }
    assert audit.verify_chain().ok


def test_each_change_is_a_new_version_and_the_dmn_stays_the_default(round2018, user, browser):
    fpb = browser("fpb")
    fpb.get("/admin/routing")
    assert units_for("household", "H-INCOME", "industry").co == ("RSJ",)  # routing_by_cause.dmn
    for lead in ("RSJ", "NYJ"):
        answer = fpb.post(
            "/admin/routing",
            {"key": "household|H-INCOME|industry", "lead": lead, "reason": "调整"},
        )
        assert answer.status_code == 303
    versions = db.session.scalars(sa.select(RoutingChange).order_by(RoutingChange.version)).all()
    assert [(v.version, v.lead_code) for v in versions] == [(1, "RSJ"), (2, "NYJ")]
    assert units_for("household", "H-INCOME", "industry").co == ()
    assert units_for("household", "H-WATER").lead == "SLJ"  # untouched keys: the DMN's

    same = fpb.post(
        "/admin/routing", {"key": "household|H-INCOME|industry", "lead": "NYJ", "reason": "x"}
    )
    assert same.status_code == 422 and "未作修改" in same.get_data(as_text=True)
    both = fpb.post(
        "/admin/routing",
        {"key": "household|H-WATER|", "lead": "SLJ", "co": ["SLJ"], "reason": "x"},
    )
    assert both.status_code == 422 and "不能同时作为协办单位" in both.get_data(as_text=True)
    assert (
        browser("ldxz")
        .post("/admin/routing", {"key": "household|H-WATER|", "lead": "ZJJ", "reason": "x"})
        .status_code
        == 403
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RoutingChange)) == 2


def test_the_county_office_can_give_an_indicator_to_the_township(round2018, user):
    clerk = user("buguna_cun")
    form = survey_template(1, round2018, village=clerk.village)
    first = next(iter(rows_of(form, "身份证号")))
    answers = {first: {"档案“四统一”": "否"}}
    import_survey(fill(form, "身份证号", answers, ALL_YES_HOUSEHOLD), clerk, round2018)
    survey_flow.release_early(round2018.id, find_township("奥依亚依拉克镇").id, user("fpb"))
    gap = db.session.scalar(sa.select(Gap).where(Gap.indicator_code == "A-FOUR"))
    # a county whose table names nobody for 四统一 (the shipped table gives it to the township)
    change_routing(user("fpb"), ("household", "A-FOUR", ""), "FPB", (), "由县扶贫办分诊")
    assert "" in gaps.triage_board(round2018)  # nobody named: the office must choose

    change_routing(user("fpb"), ("household", "A-FOUR", ""), "TOWNSHIP", (), "四统一由乡镇逐户核对")
    assert "" not in gaps.triage_board(round2018)  # now waits under the township's heading
    (case_id,) = gaps.confirm_gaps(round2018, [gap.id], user("fpb"))
    case = db.session.get(HelpCase, case_id)
    assert case.lead_township and case.lead_name == "奥依亚依拉克镇"
