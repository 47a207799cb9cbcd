"""The 核定 steps (§六.4, §六.5): after a township's survey is in, 县农经局 certifies the
households' 人均纯收入 against the year's line and 县统计局 their income growth against the
region's average. Which department certifies which indicator is data (`certified_by` in the
year's catalogue). Each marks the rows that fail (核定不通过) with a reason; a marked row is a
gap, routed as usual. The township's gaps are final for triage (they open) once every
certifying department has certified, or when their deadline has passed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from blinker import signal

from workflow.inbox.steps import CERTIFY
from workflow.inbox.tasks import complete_task
from workflow.models import (
    CatalogueRecord,
    Department,
    Gap,
    GapStatus,
    Household,
    HumanTask,
    Round,
    SubjectKind,
    SurveyAnswer,
    SurveySubmission,
    TaskState,
    User,
    Village,
)
from workflow.people.access import require_task
from workflow.platform import audit, clock
from workflow.platform.acting import current_actor
from workflow.platform.db import db
from workflow.platform.errors import ValidationFailed
from workflow.platform.i18n import _
from workflow.programme.catalogue import standard_of
from workflow.programme.routing import UNOWNED, route
from workflow.programme.standards import Indicator, Standard, format_number
from workflow.survey.townships import open_pending_gaps, township_survey

CERTIFY_DAYS = 5  # days after the survey reaches the county within which both certify
LIVE = (GapStatus.PENDING, GapStatus.OPEN, GapStatus.CONFIRMED)

# Sent inside the transaction when a township's 核定 is late; notifications/ decides whom to tell.
certification_late = signal("certification-late")


@dataclass(frozen=True)
class CertifyRow:
    """A household of the township's 附件1, as the certifying department sees it."""

    household_id: int
    village: str
    name: str
    id_number: str
    family_size: int | None
    income: str  # 人均纯收入 as the village wrote it


def _standard(round_: Round) -> Standard:
    return standard_of(db.session.get(CatalogueRecord, round_.catalogue_id))


def certified_indicators(standard: Standard, department_code: str | None = None) -> list[Indicator]:
    """The household indicators some department (or this one) certifies."""
    return [
        i
        for i in standard.for_kind("household")
        if i.certified_by and (department_code is None or i.certified_by == department_code)
    ]


def plan_certification(round_id: int, township_id: int) -> tuple[list[int], str]:
    """The departments that certify the township's rows, and by when (called by
    township_survey once the survey is in). With none to wait for, the gaps are final now."""
    round_ = db.session.get(Round, round_id)
    codes = sorted({i.certified_by for i in certified_indicators(_standard(round_))})
    departments = list(
        db.session.scalars(
            sa.select(Department.id).where(Department.code.in_(codes)).order_by(Department.code)
        )
    )
    if not departments:
        make_final(round_id, township_id)
    due = clock.end_of_day(clock.today() + timedelta(days=CERTIFY_DAYS))
    return departments, clock.iso(due)


def _on_forms(task: HumanTask) -> sa.Select:
    """The township's 附件1 answers in force (the task's round and township)."""
    instance = task.instance
    return (
        sa.select(SurveyAnswer.household_id)
        .join(SurveySubmission, SurveyAnswer.submission_id == SurveySubmission.id)
        .where(
            SurveySubmission.round_id == instance.round_id,
            SurveySubmission.township_id == instance.township_id,
            SurveySubmission.form_no == 1,
            SurveySubmission.is_current,
        )
    )


def certify_rows(task: HumanTask) -> list[CertifyRow]:
    """The township's households on the 附件1 forms in force, by village and form row."""
    answers = db.session.execute(
        _on_forms(task)
        .add_columns(Village.name, Household.head_name, Household.id_number, SurveyAnswer.values)
        .join(Household, SurveyAnswer.household_id == Household.id)
        .join(Village, Household.village_id == Village.id)
        .order_by(Village.code, SurveyAnswer.row_number, SurveyAnswer.id)
    ).all()
    rows = []
    for household_id, village, head_name, id_number, stored in answers:
        values = json.loads(stored)
        income = values.get("H-INCOME")
        rows.append(
            CertifyRow(
                household_id,
                village,
                head_name,
                id_number,
                values.get("family_size"),
                format_number(income) if isinstance(income, int | float) else "",
            )
        )
    return rows


def certify_households(task: HumanTask, actor: User, marks: dict[int, str]) -> int:
    """The department certifies the township's rows; each row marked 核定不通过 (with its
    reason) becomes a gap on the indicators it certifies. Returns how many gaps it made."""
    require_task(actor, task)
    instance = task.instance
    round_ = db.session.get(Round, instance.round_id)
    department = db.session.get(Department, task.department_id)
    indicators = certified_indicators(_standard(round_), department.code)
    # Only marked rows need checking against the forms (most certifications mark none).
    listed = set(db.session.scalars(_on_forms(task))) if marks else set()
    problems = {}
    for household_id, reason in marks.items():
        if household_id not in listed:
            problems[f"reason-{household_id}"] = _("This household is not on the township's forms.")
        elif not reason.strip():
            problems[f"reason-{household_id}"] = _("Give the reason why it does not pass.")
    if problems:
        raise ValidationFailed(problems)
    made = _mark_gaps(round_, instance.township_id, indicators, marks)
    complete_task(task, actor, {})
    audit.record(
        actor,
        "survey.certify",
        "township_survey",
        township_survey(round_.id, instance.township_id).id,
        after={
            "department": department.code,
            "indicators": [i.code for i in indicators],
            "failed": sorted(marks),
            "gaps": made,
        },
    )
    return made


def _mark_gaps(
    round_: Round, township_id: int, indicators: list[Indicator], marks: dict[int, str]
) -> int:
    """One gap per marked household and certified indicator, unless one is already live."""
    if not marks or not indicators:
        return 0
    survey = township_survey(round_.id, township_id)
    status = GapStatus.OPEN if survey.final_at or survey.released_early else GapStatus.PENDING
    live = set(
        db.session.execute(
            sa.select(Gap.household_id, Gap.indicator_code).where(
                Gap.round_id == round_.id,
                Gap.household_id.in_(list(marks)),
                Gap.status.in_(LIVE),
            )
        ).all()
    )
    households = {
        h.id: h
        for h in db.session.scalars(sa.select(Household).where(Household.id.in_(list(marks))))
    }
    made = 0
    for indicator in indicators:
        routed = route(SubjectKind.HOUSEHOLD.value, indicator.code)
        department = (
            None
            if routed in UNOWNED
            else db.session.scalar(sa.select(Department).where(Department.code == routed))
        )
        for household_id, reason in sorted(marks.items()):
            if (household_id, indicator.code) in live:
                continue
            db.session.add(
                Gap(
                    round_id=round_.id,
                    submission_id=None,
                    subject_kind=SubjectKind.HOUSEHOLD,
                    household_id=household_id,
                    village_id=households[household_id].village_id,
                    township_id=township_id,
                    indicator_code=indicator.code,
                    indicator_label=indicator.label[:80],
                    evidence=_("Not certified: %(reason)s", reason=reason.strip()),
                    routed_to=routed,
                    department_id=department.id if department else None,
                    status=status,
                    reason="",
                    found_by="certification",
                    found_at=clock.now(),
                )
            )
            made += 1
    db.session.flush()
    return made


def make_final(round_id: int, township_id: int) -> None:
    """The township's gaps are final for triage: the pending ones open."""
    survey = township_survey(round_id, township_id)
    if survey.final_at is not None:
        return
    survey.final_at = clock.now()
    open_pending_gaps(round_id, township_id)
    audit.record(current_actor.get(), "survey.final", "township_survey", survey.id)


def certification_done(round_id: int, township_id: int) -> None:
    """Every certifying department has certified (called by township_survey)."""
    make_final(round_id, township_id)


def certification_overdue(round_id: int, township_id: int) -> None:
    """The 核定 deadline passed (called by its timer): the gaps are final without the late
    certification, the lateness is recorded and told; the late task stays open, and what it
    marks later opens at once."""
    survey = township_survey(round_id, township_id)
    late = list(
        db.session.scalars(
            sa.select(HumanTask.department_id)
            .where(
                HumanTask.instance_id == survey.instance_id,
                HumanTask.spec_name == CERTIFY,
                HumanTask.state == TaskState.READY,
            )
            .order_by(HumanTask.department_id)
        )
    )
    audit.record(None, "certify.overdue", "township_survey", survey.id, after={"departments": late})
    certification_late.send(survey, department_ids=late)
    make_final(round_id, township_id)
