"""Shared scenario steps: clerks filling and submitting a township's survey the real way."""

from __future__ import annotations

import sqlalchemy as sa

from tests.survey_filling import fill, rows_of
from workflow.inbox import tasks
from workflow.inbox.steps import CERTIFY
from workflow.models import Department, HumanTask, Role, TaskState, User, Village
from workflow.platform.db import db
from workflow.programme.lookback import village_exited_in
from workflow.survey import certification
from workflow.survey import flow as survey_flow
from workflow.survey.intake import import_survey
from workflow.survey.templates import find_township, survey_template

AOYI = "奥依亚依拉克镇"
ALL_YES_HOUSEHOLD = {
    "人均纯收入（元）": "３２００",
    **{
        h: y
        for h, y in zip(
            [
                "有安全饮水",
                "有生活用电",
                "有广播电视",
                "符合低保条件",  # not eligible and not covered: correctly not on 低保
                "已纳入低保",
                "义务教育有保障",
                "基本医疗有保障",
                "基本养老有保障",
                "住房安全有保障",
                "档案“四统一”",
                "帮扶手册、扶持证填写规范",
            ],
            ["是", "√", "有", "否", "0", "是", "✓", "Y", "有", "是", "是"],
            strict=True,
        )
    },
}
ALL_YES_VILLAGE = {
    h: "是"
    for h in [
        "通硬化路",
        "通通讯网络",
        "通动力电",
        "有基层党组织阵地",
        "有幼儿园",
        "有文化活动室",
        "有便民服务中心",
        "有卫生室",
        "有惠民超市",
    ]
} | {"集体经济年收入（万元）": "6.5"}
ALL_YES_TOWNSHIP = {
    h: "有"
    for h in [
        "有中心小学",
        "有标准卫生院（含体检中心）",
        "有计生服务站",
        "有便民服务中心",
        "有综治工作中心",
    ]
}


def village_clerk_for(village: Village, user):
    """The demo has one clerk for 布古纳村; other villages get one made on the spot."""

    existing = db.session.scalar(sa.select(User).where(User.village_id == village.id))
    if existing:
        return existing
    clerk = User(
        username=f"clerk_{village.code}",
        display_name=f"{village.name}填报员",
        role=Role.VILLAGE_CLERK,
        village_id=village.id,
        township_id=village.township_id,
        password_hash="!",
    )
    db.session.add(clerk)
    db.session.flush()
    return clerk


def submit_township(
    round_, township_name: str, user, *, with_water_gap: bool = True, certify: bool = True
) -> None:
    """Every village of the township files and signs; the clerk files 附件3; the leader signs;
    then (unless told not to) 县农经局 and 县统计局 certify every row (核定), so the township's
    gaps are final for triage."""
    sign = survey_waiting_for_leader(round_, township_name, user, with_water_gap=with_water_gap)
    leader = user("aoyi_fzr") if township_name == AOYI else user("qmz_fzr")
    survey_flow.sign_township_survey(sign, leader)
    if certify:
        certify_township(township_name, user)
    db.session.commit()


def certify_tasks(township_name: str) -> dict[str, HumanTask]:
    """The township's READY 核定 tasks by the certifying department's code."""
    township = find_township(township_name)
    found = db.session.execute(
        sa.select(Department.code, HumanTask)
        .join(Department, HumanTask.department_id == Department.id)
        .where(
            HumanTask.spec_name == CERTIFY,
            HumanTask.state == TaskState.READY,
            HumanTask.township_id == township.id,
        )
        .order_by(Department.code)
    ).all()
    return dict(found)


def certify_township(township_name: str, user, marks: dict[str, dict[int, str]] | None = None):
    """Each certifying department's clerk certifies the township's rows (marks: department code
    → household id → reason 核定不通过)."""
    for code, task in certify_tasks(township_name).items():
        clerk = user(f"dept_{code.lower()}")
        certification.certify_households(task, clerk, (marks or {}).get(code, {}))


def survey_waiting_for_leader(
    round_, township_name: str, user, *, with_water_gap: bool = True
) -> HumanTask:
    """Every village of the township files and signs; the clerk files 附件3 and reviews. Returns
    the leader's signing task, still to do (nothing committed)."""
    township = find_township(township_name)
    village_tasks = db.session.scalars(
        sa.select(HumanTask).where(
            HumanTask.spec_name == "village_forms",
            HumanTask.state == TaskState.READY,
            HumanTask.township_id == township.id,
        )
    ).all()
    for task in village_tasks:
        village = db.session.get(Village, task.village_id)
        clerk = village_clerk_for(village, user)
        answers = {}
        form1 = survey_template(1, round_, village=village)
        if with_water_gap and has_rows(form1):
            first_id = next(iter(rows_of(form1, "身份证号")))
            answers = {first_id: {"有安全饮水": "否"}}
        if has_rows(form1):
            import_survey(fill(form1, "身份证号", answers, ALL_YES_HOUSEHOLD), clerk, round_)
        if village_exited_in(round_, village):
            form2 = survey_template(2, round_, village=village)
            import_survey(fill(form2, "村名", {}, ALL_YES_VILLAGE), clerk, round_)
        survey_flow.submit_village_forms(task, clerk)
    review = tasks.ready_task_of(village_tasks[0].instance_id, "township_review")
    clerk = user("aoyi_zg") if township_name == AOYI else user("qmz_zg")
    form3 = survey_template(3, round_, township=township)
    import_survey(fill(form3, "乡镇", {}, ALL_YES_TOWNSHIP), clerk, round_)
    survey_flow.submit_township_review(review, clerk)
    return tasks.ready_task_of(village_tasks[0].instance_id, "leader_sign")


def has_rows(data: bytes) -> bool:
    """Whether a pre-filled form has any household rows (a village may have none in scope)."""
    try:
        return bool(rows_of(data, "身份证号"))
    except AssertionError:
        return False
