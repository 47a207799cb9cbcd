"""Help-back cases (回头帮): opening one per gap and moving it through plan, work and checks."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from workflow.cases.accountability_items import open_substandard
from workflow.engine import instances
from workflow.engine.lanes import TOWNSHIP_LEADS
from workflow.inbox.tasks import complete_task, ready_task_of
from workflow.models import (
    CaseCoUnit,
    CaseNote,
    CaseStatus,
    Department,
    Gap,
    HelpCase,
    Household,
    HumanTask,
    Round,
    SubjectKind,
    Township,
    User,
    Village,
)
from workflow.people.access import require_case, require_task, works_on_case
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.errors import (
    AccessDenied,
    ConflictError,
    NotFound,
    Refused,
    ValidationFailed,
)
from workflow.platform.i18n import _
from workflow.platform.numbers import amount_problem, money_limit, parse_amount
from workflow.platform.settings import get_settings
from workflow.programme.rounds import plan_round

PROCESS_ID = "gap_case"
REMINDER_TIME = time(9, 0)
TOWNSHIP_LANES = TOWNSHIP_LEADS  # a case its township leads: its lanes, handed over


@dataclass(frozen=True)
class Subject:
    """What a case is about: exactly one household, village or township."""

    kind: SubjectKind
    township: Township
    village: Village | None = None
    household: Household | None = None

    @classmethod
    def of(cls, row: HelpCase | Gap) -> Subject:
        """The subject a case or gap is about."""
        return cls(SubjectKind(row.subject_kind), row.township, row.village, row.household)

    def columns(self) -> dict[str, object]:
        """The subject columns shared by cases and gaps (a household's case names its village)."""
        village = self.village or (self.household.village if self.household else None)
        return {
            "subject_kind": self.kind,
            "household_id": self.household.id if self.household else None,
            "village_id": village.id if village else None,
            "township_id": self.township.id,
        }


def county_order(row: HelpCase) -> tuple[object, ...]:
    """The order the county lists cases in: township, village, household (by exit year, a
    planned exit's after the exits), then case."""
    household = row.household
    return (
        row.township.code,
        row.village.code if row.village else "",
        (household.exit_year or household.planned_exit_year or 0, household.id)
        if household
        else (0, 0),
        row.id,
    )


def escalation_moments(due_at: datetime, opened_at: datetime) -> dict[str, str]:
    """The timer moments of a case, from its deadline and the escalation settings."""
    s = get_settings()
    # Reminders go out at the start of office hours, N days before the deadline day.
    reminder_day = clock.in_beijing(due_at).date() - timedelta(days=s.reminder_days)
    reminder = max(datetime.combine(reminder_day, REMINDER_TIME, clock.BEIJING), opened_at)
    level2 = due_at + timedelta(days=s.level2_after_days)
    level3 = level2 + timedelta(days=s.level3_after_days)
    return {
        "reminder_at": clock.iso(reminder),
        "due_at": clock.iso(due_at),
        "level2_at": clock.iso(level2),
        "level3_at": clock.iso(level3),
    }


@dataclass(frozen=True)
class CaseOpening:
    """One case to open: the gap's subject and indicator, its lead department (None: the
    subject's township leads), evidence, deadline and co-responsible departments."""

    subject: Subject
    indicator_code: str
    indicator_label: str
    department: Department | None
    evidence: str = ""
    due: date | None = None
    carried_from: HelpCase | None = None
    co_departments: tuple[Department, ...] = ()


def open_case(
    round_: Round,
    subject: Subject,
    indicator_code: str,
    indicator_label: str,
    department: Department | None,
    actor: User | None,
    *,
    evidence: str = "",
    due: date | None = None,
    carried_from: HelpCase | None = None,
    co_departments: tuple[Department, ...] = (),
) -> HelpCase:
    """Open a case for one gap, led by one department (or its township), and start its
    gap_case process."""
    opening = CaseOpening(
        subject,
        indicator_code,
        indicator_label,
        department,
        evidence,
        due,
        carried_from,
        co_departments,
    )
    return open_cases(round_, [opening], actor)[0]


def open_cases(round_: Round, openings: list[CaseOpening], actor: User | None) -> list[HelpCase]:
    """Open many cases at once, each with its gap_case process; the rows of the whole batch are
    written together (a county confirms hundreds of gaps in one go). The gaps of a year-end
    round become cases of next year's plan, due within next year, linked to the round that
    found them."""
    found_in = round_
    round_ = plan_round(round_)
    if round_ is not found_in:  # due within next year: a date of the year found in is dropped
        openings = [
            o if o.due and o.due.year == round_.year else replace(o, due=None) for o in openings
        ]
    if any((o.due or round_.done_by) > round_.done_by for o in openings):
        raise ValidationFailed(
            {
                "due": _(
                    "The deadline cannot be later than the round's done-by date %(date)s.",
                    date=f"{round_.done_by:%Y-%m-%d}",
                )
            }
        )
    now = clock.now()
    cases = [
        HelpCase(
            round_id=round_.id,
            **o.subject.columns(),
            indicator_code=o.indicator_code,
            indicator_label=o.indicator_label,
            evidence=o.evidence,
            department_id=o.department.id if o.department else None,
            lead_township=o.department is None,
            due_at=clock.end_of_day(o.due or round_.done_by),
            status=CaseStatus.PLANNING,
            opened_at=now,
            carried_from_id=o.carried_from.id if o.carried_from else None,
            found_in_round_id=found_in.id if found_in is not round_ else None,
        )
        for o in openings
    ]
    db.session.add_all(cases)
    db.session.flush()
    db.session.add_all(
        CaseCoUnit(case_id=case.id, department_id=d.id)
        for case, o in zip(cases, openings, strict=True)
        for d in dict.fromkeys(o.co_departments)
        if o.department is None or d.id != o.department.id
    )
    starts = []
    for case, o in zip(cases, openings, strict=True):
        data = {"case_id": case.id, **escalation_moments(case.due_at, now)}
        if o.department is None:
            data["lanes"] = TOWNSHIP_LANES
        scope = instances.Scope(
            round_.id, o.subject.township.id, case.village_id, case.department_id
        )
        label = (
            _("%(indicator)s: %(subject)s", indicator=o.indicator_label, subject=case.subject_label)
            if case.village_id
            else o.indicator_label
        )
        starts.append((data, scope, label))
    for case, instance in zip(cases, instances.start_instances(PROCESS_ID, starts), strict=True):
        case.instance_id = instance.id
    for case, o in zip(cases, openings, strict=True):
        after = _snapshot(case)
        if o.co_departments:
            after["co_departments"] = [d.code for d in o.co_departments]
        audit.record(actor, "case.open", "help_case", case.id, after=after)
    return cases


def _snapshot(case: HelpCase) -> dict[str, object]:
    return {
        "status": case.status.value,
        "department": case.department_id,
        "township_leads": case.lead_township,
        "indicator": case.indicator_code,
        "due_at": case.due_at.isoformat(),
        "measure": case.measure,
        "responsible_person": case.responsible_person,
        "funds_spent": str(case.funds_spent),
    }


def get_case(case_id: int, user: User) -> HelpCase:
    """A case the user may see."""
    case = db.session.get(HelpCase, case_id)
    if case is None:
        raise NotFound(_("The case does not exist."))
    require_case(user, case)
    return case


def _step(case: HelpCase, spec_name: str, status: CaseStatus, actor: User) -> HumanTask:
    """The READY task of the case's current step, if the actor may work it."""
    if case.status != status:
        raise ConflictError(_("The case has moved on to its next step. Reload the page."))
    task = ready_task_of(case.instance_id, spec_name)
    if task is None:
        raise ConflictError(_("The case has no open task for this step. Reload the page."))
    require_task(actor, task)
    return task


def plan_case(
    case: HelpCase,
    actor: User,
    *,
    measure: str,
    target_standard: str,
    responsible_person: str,
    planned_completion: date | None,
) -> HelpCase:
    """The department states its measure, the standard to reach, who answers for it, and when."""
    task = _step(case, "plan_measure", CaseStatus.PLANNING, actor)
    problems: dict[str, str] = {}
    if not measure.strip():
        problems["measure"] = _("Enter the measure.")
    if not target_standard.strip():
        problems["target_standard"] = _("Enter the standard to reach.")
    if not responsible_person.strip():
        problems["responsible_person"] = _("Enter the responsible person.")
    done_by = db.session.get(Round, case.round_id).done_by
    if planned_completion is None:
        problems["planned_completion"] = _("Enter the deadline.")
    elif planned_completion > done_by:
        problems["planned_completion"] = _(
            "The deadline cannot be later than %(date)s.", date=f"{done_by:%Y-%m-%d}"
        )
    if problems:
        raise ValidationFailed(problems)
    before = _snapshot(case)
    case.measure, case.target_standard = measure.strip(), target_standard.strip()
    case.responsible_person = responsible_person.strip()
    case.planned_completion = clock.end_of_day(planned_completion)
    case.status = CaseStatus.IN_PROGRESS
    complete_task(task, actor, {"planned": True})
    audit.record(actor, "case.plan", "help_case", case.id, before=before, after=_snapshot(case))
    return case


def add_progress(case: HelpCase, actor: User, text: str, funds: object = 0) -> CaseNote:
    """Record progress on a case being carried out (notes and funds spent): by its lead unit or
    a co-responsible department."""
    require_case(actor, case)
    if not works_on_case(actor, case):
        raise AccessDenied(
            _("Only the lead unit and the co-responsible departments record progress.")
        )
    problems: dict[str, str] = {}
    amount = parse_amount(funds, "funds", problems)
    total = (case.funds_spent or Decimal("0")) + amount
    if "funds" not in problems and amount_problem(total):
        problems["funds"] = _(
            "The case's total funds would reach %(limit)s yuan or more.",
            limit=f"{money_limit():,.0f}",
        )
    if not text.strip():
        problems["text"] = _("Enter the progress.")
    if problems:
        raise ValidationFailed(problems)
    if case.status != CaseStatus.IN_PROGRESS:
        raise Refused(_("Progress can be recorded only on a case in progress."))
    note = CaseNote(
        case_id=case.id,
        at=clock.now(),
        author_id=actor.id,
        kind="progress",
        text=text.strip(),
        funds=amount,
    )
    case.funds_spent = total
    db.session.add(note)
    audit.record(
        actor,
        "case.progress",
        "help_case",
        case.id,
        after={"text": note.text, "funds": str(amount)},
    )
    return note


def submit_work(case: HelpCase, actor: User, summary: str) -> HelpCase:
    """The department reports the work done; the township then verifies on the ground."""
    task = _step(case, "carry_out", CaseStatus.IN_PROGRESS, actor)
    if not summary.strip():
        raise ValidationFailed({"summary": _("Enter what was done.")})
    case.status = CaseStatus.VERIFYING
    case.work_done_at = clock.now()
    db.session.add(
        CaseNote(
            case_id=case.id, at=clock.now(), author_id=actor.id, kind="done", text=summary.strip()
        )
    )
    complete_task(task, actor, {})
    audit.record(actor, "case.work_done", "help_case", case.id, after={"summary": summary.strip()})
    return case


def verify_case(case: HelpCase, actor: User, ok: bool, reason: str = "") -> HelpCase:
    """The township checks on the ground: accept, or send back with a reason."""
    task = _step(case, "verify_on_site", CaseStatus.VERIFYING, actor)
    if not ok and not reason.strip():
        raise ValidationFailed({"reason": _("Give the reason for sending it back.")})
    case.status = CaseStatus.ACCEPTING if ok else CaseStatus.IN_PROGRESS
    case.verified_at = clock.now() if ok else None
    if not ok:
        case.work_done_at = None
    complete_task(task, actor, {"verified": ok})
    audit.record(
        actor,
        "case.verify" if ok else "case.verify_reject",
        "help_case",
        case.id,
        reason=reason.strip(),
    )
    return case


def accept_case(case: HelpCase, actor: User, ok: bool, reason: str = "") -> HelpCase:
    """The county office accepts the verified case, or sends it back with a reason."""
    task = _step(case, "county_accept", CaseStatus.ACCEPTING, actor)
    if not ok and not reason.strip():
        raise ValidationFailed({"reason": _("Give the reason for sending it back.")})
    if not ok:
        case.status = CaseStatus.IN_PROGRESS
        case.work_done_at = case.verified_at = None
    audit.record(
        actor,
        "case.accept" if ok else "case.accept_reject",
        "help_case",
        case.id,
        reason=reason.strip(),
    )
    if not ok:
        open_substandard(case, reason)  # 回头帮不达标, found at acceptance
    complete_task(task, actor, {"accepted": ok})  # acceptance runs close_case in the process
    return case


def cases_of_round(round_id: int) -> list[HelpCase]:
    """Every case of a round, in opening order."""
    return list(
        db.session.scalars(
            sa.select(HelpCase).where(HelpCase.round_id == round_id).order_by(HelpCase.id)
        )
    )
