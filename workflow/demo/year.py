"""The demo county's 2018 so far: a round launched, two townships surveyed and signed, their
incomes certified (核定), gaps triaged into cases, departments planning — played through the
same operations clerks use."""

from __future__ import annotations

import random
from datetime import date, datetime
from io import BytesIO

import sqlalchemy as sa
from openpyxl import load_workbook

from workflow import scheduler
from workflow.cases.lifecycle import plan_case
from workflow.forms.layout import AMOUNT, PERCENT, YES_NO, survey_layout
from workflow.inbox import tasks
from workflow.inbox.steps import CERTIFY
from workflow.models import (
    CaseStatus,
    CatalogueRecord,
    Department,
    HelpCase,
    HumanTask,
    Role,
    Round,
    TaskState,
    Township,
    User,
    Village,
)
from workflow.platform import clock
from workflow.platform.db import db
from workflow.programme import rounds
from workflow.programme.catalogue import standard_of
from workflow.programme.lookback import has_households_in_scope, village_exited_in
from workflow.programme.routing import CAUSES
from workflow.programme.standards import ELIGIBLE_SUFFIX, NOT_APPLICABLE
from workflow.survey import certification, gaps
from workflow.survey import flow as survey_flow
from workflow.survey.intake import import_survey
from workflow.survey.templates import survey_template

SURVEYED = ("奥依亚依拉克镇", "且末镇")
REHEARSAL_START = "2018-08-01T09:00:00+08:00"


def _user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def _answer(kind: str, rng: random.Random, poverty_line: float) -> object:
    if kind == YES_NO:
        return "否" if rng.random() < 0.025 else "是"
    if kind == PERCENT:  # most households' income grew faster than the region's 8.4%
        return round(rng.uniform(3, 8) if rng.random() < 0.03 else rng.uniform(8.6, 18), 1)
    # amounts: per-capita income in yuan, or collective income in 万元
    if poverty_line:
        return round(rng.uniform(poverty_line * 0.9, poverty_line * 3))
    return round(rng.uniform(3, 12), 1)


# Qiemo is a desert county: in the demo, the first household on each township's first form still
# lacks safe drinking water, so 县水利局 has cases whatever the random draws give.
STORY_GAP = "H-WATER"


def filled_form(
    form_no: int, round_: Round, rng: random.Random, lacking: str = "", **unit: object
) -> bytes:
    """A downloaded form filled in the way a careful clerk would (a few honest 否; `lacking`: an
    indicator the first row answers 否)."""
    standard = standard_of(db.session.get(CatalogueRecord, round_.catalogue_id))
    layout = survey_layout(form_no, standard)
    wb = load_workbook(BytesIO(survey_template(form_no, round_, **unit)))
    ws = wb.active
    first = next(r for r in range(1, 15) if ws.cell(r, 1).value == 1)
    for row in range(first, ws.max_row + 1):
        if ws.cell(row, 1).value in (None, ""):
            break
        # about one household in five meets the 低保 conditions (drawn per household, apart)
        eligible = random.Random(str(ws.cell(row, 3).value)).random() < 0.2
        for col, column in enumerate(layout.columns, start=1):
            cell = ws.cell(row, col)
            if cell.value == NOT_APPLICABLE:
                continue  # the register says it does not apply; the clerk leaves it so
            if row == first and column.key == lacking:
                cell.value = "否"
            elif column.key.endswith(ELIGIBLE_SUFFIX):
                cell.value = "是" if eligible else "否"
            elif column.key == "H-DIBAO":  # covered as the conditions say, now and then not
                cell.value = "是" if eligible != (rng.random() < 0.025) else "否"
            elif column.kind in (YES_NO, AMOUNT, PERCENT):
                line = standard.poverty_line.amount if column.key == "H-INCOME" else 0
                cell.value = _answer(column.kind, rng, line or 0)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def submit_survey(round_: Round, township: Township, rng: random.Random) -> None:
    """Every village clerk files and signs, then the township clerk and leader."""
    lacking = STORY_GAP
    for task in db.session.scalars(
        sa.select(HumanTask)
        .where(
            HumanTask.spec_name == "village_forms",
            HumanTask.state == TaskState.READY,
            HumanTask.township_id == township.id,
        )
        .order_by(HumanTask.id)
    ).all():
        village = db.session.get(Village, task.village_id)
        clerk = db.session.scalar(
            sa.select(User).where(User.village_id == village.id, User.role == Role.VILLAGE_CLERK)
        )
        if has_households_in_scope(round_, village):
            form = filled_form(1, round_, rng, lacking, village=village)
            import_survey(form, clerk, round_)
            lacking = ""
        if village_exited_in(round_, village):
            import_survey(filled_form(2, round_, rng, village=village), clerk, round_)
        survey_flow.submit_village_forms(task, clerk)
    township_clerk = db.session.scalar(
        sa.select(User).where(User.township_id == township.id, User.role == Role.TOWNSHIP_CLERK)
    )
    leader = db.session.scalar(
        sa.select(User).where(User.township_id == township.id, User.role == Role.TOWNSHIP_LEADER)
    )
    import_survey(filled_form(3, round_, rng, township=township), township_clerk, round_)
    instance_id = db.session.scalar(
        sa.select(HumanTask.instance_id).where(
            HumanTask.spec_name == "township_review",
            HumanTask.township_id == township.id,
            HumanTask.state == TaskState.READY,
        )
    )
    survey_flow.submit_township_review(
        tasks.ready_task_of(instance_id, "township_review"), township_clerk
    )
    survey_flow.sign_township_survey(tasks.ready_task_of(instance_id, "leader_sign"), leader)


def certify_incomes(township: Township, rng: random.Random) -> None:
    """县农经局 and 县统计局 certify the township's rows, each failing one now and then."""
    for code, task in db.session.execute(
        sa.select(Department.code, HumanTask)
        .join(Department, HumanTask.department_id == Department.id)
        .where(
            HumanTask.spec_name == CERTIFY,
            HumanTask.state == TaskState.READY,
            HumanTask.township_id == township.id,
        )
        .order_by(Department.code)
    ).all():
        clerk = _user(f"dept_{code.lower()}")
        reason = (
            "经营性收入核减后未超过标准" if code == "NJJ" else "可支配收入增幅低于自治区平均水平"
        )
        marks = {
            row.household_id: reason
            for row in certification.certify_rows(task)
            if rng.random() < 0.01
        }
        certification.certify_households(task, clerk, marks)


def play_demo_year(seed: int = 2018) -> Round:
    """Bring the demo county to 1 August 2018 (commits as it goes, like the people would)."""
    rng = random.Random(seed)
    fpb = _user("fpb")
    with clock.frozen_at(datetime.fromisoformat("2018-06-20T10:00+08:00")):
        round_ = rounds.launch_round(2018, fpb)
        db.session.commit()
    with clock.frozen_at(datetime.fromisoformat("2018-07-10T16:00+08:00")):
        for name in SURVEYED:
            submit_survey(
                round_, db.session.scalar(sa.select(Township).where(Township.name == name)), rng
            )
            db.session.commit()
    with clock.frozen_at(datetime.fromisoformat("2018-07-12T15:00+08:00")):
        for name in SURVEYED:
            certify_incomes(
                db.session.scalar(sa.select(Township).where(Township.name == name)), rng
            )
            db.session.commit()
    scheduler.tick(datetime.fromisoformat("2018-07-14T00:30+08:00"))
    with clock.frozen_at(datetime.fromisoformat("2018-07-20T10:00+08:00")):
        board = gaps.triage_board(round_)
        for department, open_gaps in board.items():
            if department:
                owned = [g.id for g in open_gaps]
                half = len(owned) // 2
                for batch, due in ((owned[:half], date(2018, 9, 30)), (owned[half:], None)):
                    if batch:
                        causes = {i: CAUSES[i % 2] for i in batch}  # 产业 or 就业 (income)
                        gaps.confirm_gaps(round_, batch, fpb, due=due, causes=causes)
        db.session.commit()
    with clock.frozen_at(datetime.fromisoformat("2018-07-28T11:00+08:00")):
        unplanned = db.session.scalars(
            sa.select(HelpCase)
            .join(HelpCase.department)
            .where(HelpCase.status == CaseStatus.PLANNING)
            .order_by(HelpCase.id)
        ).all()
        for case in unplanned[::2]:
            clerk = db.session.scalar(
                sa.select(User).where(
                    User.department_id == case.department_id, User.role == Role.DEPARTMENT_CLERK
                )
            )
            plan_case(
                case,
                clerk,
                measure=f"针对“{case.indicator_label}”制定专项帮扶",
                target_standard=case.indicator_label,
                responsible_person=clerk.display_name,
                planned_completion=date(2018, 9, 15),
            )
        db.session.commit()
    # the scheduler ran all along: whatever fell due by the demo's "now" has fired (the late
    # townships' second escalation, and the accountability items it opens)
    scheduler.tick(datetime.fromisoformat(REHEARSAL_START))
    return round_
