"""Shared responsibility (§六.1, §六.2): an income gap is triaged by its cause; 产业 goes to 农业局
with 人社局 co-responsible — both see the case, both record progress and evidence, only the lead
reports it done. A township can lead a case (帮扶手册、扶持证): its clerk works it."""

from __future__ import annotations

import json
from io import BytesIO

import pytest
import sqlalchemy as sa

from notifications.rules import recipients_for_level
from tests.evidence_files import png_bytes
from tests.scenario import ALL_YES_HOUSEHOLD
from tests.survey_filling import fill, rows_of
from workflow.models import (
    AuditEvent,
    CaseNote,
    CaseStatus,
    Gap,
    GapStatus,
    HelpCase,
    HumanTask,
    Role,
    TaskState,
)
from workflow.oversight.board import remind_owner
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied
from workflow.survey import flow as survey_flow
from workflow.survey.gaps import confirm_gaps
from workflow.survey.intake import import_survey
from workflow.survey.templates import find_township, survey_template

LOW_INCOME = {"人均纯收入（元）": "1200"}
BOOKLET_MISSING = {"帮扶手册、扶持证填写规范": "否"}


def _gap_in_triage(round_, user, answers: dict[str, str], indicator: str) -> Gap:
    """布古纳村 files 附件1 with one household answering `answers`; the county office releases
    the township; returns that household's open gap on the indicator."""
    clerk = user("buguna_cun")
    form = survey_template(1, round_, village=clerk.village)
    first = next(iter(rows_of(form, "身份证号")))
    import_survey(fill(form, "身份证号", {first: answers}, ALL_YES_HOUSEHOLD), clerk, round_)
    survey_flow.release_early(round_.id, find_township("奥依亚依拉克镇").id, user("fpb"))
    db.session.commit()
    return db.session.scalar(
        sa.select(Gap).where(Gap.indicator_code == indicator, Gap.status == GapStatus.OPEN)
    )


def _case_of(gap_id: int) -> HelpCase:
    db.session.expire_all()
    return db.session.get(HelpCase, db.session.get(Gap, gap_id).case_id)


def test_an_income_gap_asks_its_cause_and_industry_reaches_both_departments(
    round2018, user, browser
):
    gap = _gap_in_triage(round2018, user, LOW_INCOME, "H-INCOME")
    fpb = browser("fpb")
    assert f'name="cause-{gap.id}"' in fpb.get("/rounds/2018/triage").get_data(as_text=True)
    no_cause = fpb.post("/rounds/2018/triage", {"gap": str(gap.id), "action": "confirm"})
    assert no_cause.status_code == 422 and "收入不足的原因" in no_cause.get_data(as_text=True)

    fpb.post(
        "/rounds/2018/triage",
        {"gap": str(gap.id), "action": "confirm", f"cause-{gap.id}": "industry"},
    )
    case = _case_of(gap.id)
    assert case.department.code == "NYJ" and case.co_names == ["县人社局"]
    assert db.session.get(Gap, gap.id).cause == "industry"

    nyj, rsj, slj = browser("dept_nyj"), browser("dept_rsj"), browser("dept_slj")
    listed = rsj.get("/api/v1/cases").get_json()["items"]
    shown = next(c for c in listed if c["id"] == case.id)
    assert shown["department"]["code"] == "NYJ" and not shown["township_leads"]
    assert [d["code"] for d in shown["co_departments"]] == ["RSJ"]
    assert rsj.get(f"/api/v1/cases/{case.id}").get_json()["co_departments"][0]["name"] == "县人社局"
    assert case.subject_label.split(" ")[0] in nyj.get("/inbox").get_data(as_text=True)
    task = db.session.scalar(
        sa.select(HumanTask).where(
            HumanTask.instance_id == case.instance_id, HumanTask.state == TaskState.READY
        )
    )
    assert (task.role, task.department_id) == (Role.DEPARTMENT_CLERK, case.department_id)
    shared = rsj.get("/inbox").get_data(as_text=True)
    assert "本单位协办事项" in shared and f"/cases/{case.id}" in shared
    assert f"/cases/{case.id}" in rsj.get("/cases").get_data(as_text=True)
    page = rsj.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "县农业局" in page and "协办单位" in page and "县农业局（协办：县人社局）" in page
    assert slj.get(f"/cases/{case.id}").status_code == 403  # not its case
    assert f"/cases/{case.id}" not in slj.get("/cases").get_data(as_text=True)

    nyj.get(f"/cases/{case.id}")
    nyj.post(
        f"/cases/{case.id}/plan",
        {
            "measure": "发展庭院经济，协调转移就业",
            "target_standard": "人均纯收入超过当年标准",
            "responsible_person": "李明",
            "planned_completion": "2018-11-30",
        },
    )
    assert _case_of(gap.id).status == CaseStatus.IN_PROGRESS
    rsj.get(f"/cases/{case.id}")
    progress = rsj.post(
        f"/cases/{case.id}/progress", {"text": "已推荐两人到县城务工", "funds": "500"}
    )
    assert progress.status_code == 303
    evidence = rsj.post(
        f"/cases/{case.id}/evidence",
        {"file": (BytesIO(png_bytes()), "务工合同.png"), "description": "务工合同"},
        content_type="multipart/form-data",
    )
    assert evidence.status_code == 303
    refused = rsj.post(f"/cases/{case.id}/submit", {"summary": "已完成"})
    assert refused.status_code == 403  # only the lead reports done
    assert _case_of(gap.id).status == CaseStatus.IN_PROGRESS
    assert slj.post(f"/cases/{case.id}/progress", {"text": "x"}).status_code == 403
    with pytest.raises(AccessDenied):  # sharing a case is not supervising its lead
        remind_owner(case.id, user("dept_rsj_fzr"))
    db.session.rollback()

    nyj.get(f"/cases/{case.id}")
    done = nyj.post(f"/cases/{case.id}/submit", {"summary": "庭院经济已见效"})
    assert done.status_code == 303
    case = _case_of(gap.id)
    assert case.status == CaseStatus.VERIFYING and str(case.funds_spent) == "500.00"
    note = db.session.scalar(sa.select(CaseNote).where(CaseNote.kind == "progress"))
    assert note.author_id == user("dept_rsj").id


def test_an_income_gap_from_employment_goes_to_the_labour_bureau_alone(round2018, user):
    gap = _gap_in_triage(round2018, user, LOW_INCOME, "H-INCOME")
    confirm_gaps(round2018, [gap.id], user("fpb"), causes={gap.id: "employment"})
    db.session.commit()
    case = _case_of(gap.id)
    assert case.department.code == "RSJ" and case.co_units == []


def test_a_booklet_gap_is_led_by_the_township_whose_clerk_works_it(round2018, user, browser):
    gap = _gap_in_triage(round2018, user, BOOKLET_MISSING, "A-BOOKLET")
    fpb = browser("fpb")
    board = fpb.get("/rounds/2018/triage").get_data(as_text=True)
    assert "由对象所在乡镇牵头" in board
    fpb.post("/rounds/2018/triage", {"gap": str(gap.id), "action": "confirm"})
    case = _case_of(gap.id)
    assert case.lead_township and case.department_id is None
    task = db.session.scalar(
        sa.select(HumanTask).where(
            HumanTask.instance_id == case.instance_id, HumanTask.state == TaskState.READY
        )
    )
    assert (task.role, task.township_id) == (Role.TOWNSHIP_CLERK, case.township_id)

    clerk = browser("aoyi_zg")
    assert f"/tasks/{task.id}" in clerk.get("/inbox").get_data(as_text=True)
    page = clerk.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "奥依亚依拉克镇" in page and "乡镇牵头" in page
    clerk.post(
        f"/cases/{case.id}/plan",
        {
            "measure": "逐户补填帮扶手册",
            "target_standard": "手册、扶持证填写规范",
            "responsible_person": "阿依古丽",
            "planned_completion": "2018-09-30",
        },
    )
    assert clerk.post(f"/cases/{case.id}/progress", {"text": "已补填一半"}).status_code == 303
    assert browser("qmz_zg").get(f"/cases/{case.id}").status_code == 403  # another township
    assert browser("dept_slj").get(f"/cases/{case.id}").status_code == 403
    assert clerk.post(f"/cases/{case.id}/submit", {"summary": "已补填"}).status_code == 303
    assert _case_of(gap.id).status == CaseStatus.VERIFYING


def _ready_task(case: HelpCase) -> HumanTask:
    return db.session.scalar(
        sa.select(HumanTask).where(
            HumanTask.instance_id == case.instance_id, HumanTask.state == TaskState.READY
        )
    )


def test_the_county_office_hands_a_township_led_case_to_a_department(round2018, user, browser):
    gap = _gap_in_triage(round2018, user, BOOKLET_MISSING, "A-BOOKLET")
    confirm_gaps(round2018, [gap.id], user("fpb"))
    db.session.commit()
    case = _case_of(gap.id)
    assert case.lead_township
    township_task = _ready_task(case)

    fpb = browser("fpb")
    page = fpb.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "移交行业部门牵头" in page and ">移交</button>" in page
    no_reason = fpb.post(f"/cases/{case.id}/reassign", {"department": "SLJ", "reason": " "})
    assert no_reason.status_code == 422 and "改派" in no_reason.get_data(as_text=True)
    handed = fpb.post(
        f"/cases/{case.id}/reassign", {"department": "SLJ", "reason": "手册由水利局驻村工作队补填"}
    )
    assert handed.status_code == 303

    case = _case_of(gap.id)
    assert not case.lead_township and case.department.code == "SLJ"
    task = _ready_task(case)
    assert task.id == township_task.id  # the same open step, now the department's
    assert (task.role, task.department_id, task.lane) == (
        Role.DEPARTMENT_CLERK,
        case.department_id,
        "行业部门",
    )
    assert f"/tasks/{task.id}" in browser("dept_slj").get("/inbox").get_data(as_text=True)
    clerk = browser("aoyi_zg")
    assert f"/tasks/{task.id}" not in clerk.get("/inbox").get_data(as_text=True)
    plan = {
        "measure": "逐户补填帮扶手册",
        "target_standard": "手册、扶持证填写规范",
        "responsible_person": "买买提",
        "planned_completion": "2018-09-30",
    }
    assert clerk.post(f"/cases/{case.id}/plan", plan).status_code == 403
    assert browser("dept_slj").post(f"/cases/{case.id}/plan", plan).status_code == 303
    case = _case_of(gap.id)
    assert case.status == CaseStatus.IN_PROGRESS
    # The step after planning is drawn in the department lane and goes to the department too.
    assert (_ready_task(case).role, _ready_task(case).department_id) == (
        Role.DEPARTMENT_CLERK,
        case.department_id,
    )
    assert {u.username for u in recipients_for_level(case, 0)} >= {"dept_slj"}
    assert "aoyi_zg" not in {u.username for u in recipients_for_level(case, 0)}
    event = db.session.scalar(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "case.reassign", AuditEvent.object_id == str(case.id))
        .order_by(AuditEvent.id.desc())
    )
    assert json.loads(event.before) == {"township_leads": True}
    assert json.loads(event.after) == {"department": "SLJ"}
