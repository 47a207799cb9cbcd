"""Annual acceptance (§五.5): accept the verified cases, re-check a sample, close the round, and
carry what is unfinished into next year's round, linked to its history."""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa

from workflow.cases.accountability_items import open_inaccurate, open_substandard
from workflow.cases.lifecycle import (
    TOWNSHIP_LANES,
    Subject,
    accept_case,
    escalation_moments,
    open_case,
)
from workflow.engine import instances
from workflow.inbox.tasks import complete_task, ready_task_of
from workflow.models import (
    CaseStatus,
    CatalogueRecord,
    Department,
    Gap,
    GapStatus,
    HelpCase,
    Household,
    Role,
    Round,
    RoundStatus,
    SubjectKind,
    Township,
    User,
    Village,
)
from workflow.people.access import require_role
from workflow.platform import audit, clock
from workflow.platform.acting import current_actor
from workflow.platform.db import db
from workflow.platform.errors import Refused, ValidationFailed
from workflow.platform.i18n import _
from workflow.platform.idcard import InvalidIdNumber, validate_id
from workflow.programme.catalogue import standard_of
from workflow.programme.rounds import next_round
from workflow.programme.routing import UNOWNED
from workflow.programme.routing_changes import lead_unit

REOPEN_DAYS = 15


def bulk_accept(round_: Round, actor: User, case_ids: list[int] | None = None) -> int:
    """Accept every case the townships verified (or the given ones); returns how many."""
    require_role(actor, Role.COUNTY_OFFICE)
    query = sa.select(HelpCase).where(
        HelpCase.round_id == round_.id, HelpCase.status == CaseStatus.ACCEPTING
    )
    if case_ids is not None:
        query = query.where(HelpCase.id.in_(case_ids))
    cases = db.session.scalars(query.order_by(HelpCase.id)).all()
    for case in cases:
        accept_case(case, actor, ok=True)
    return len(cases)


def recheck_sample(
    round_: Round, actor: User, size: int, seed: int | None = None
) -> list[HelpCase]:
    """Draw closed cases at random for an on-site re-check; the draw is audited."""
    require_role(actor, Role.COUNTY_OFFICE)
    if size < 1:
        raise ValidationFailed({"size": _("Re-check at least 1 case.")})
    closed = db.session.scalars(
        sa.select(HelpCase)
        .where(HelpCase.round_id == round_.id, HelpCase.status == CaseStatus.CLOSED)
        .order_by(HelpCase.id)
    ).all()
    picked = random.Random(seed).sample(list(closed), min(size, len(closed)))
    picked.sort(key=lambda c: c.id)
    audit.record(
        actor,
        "acceptance.sample",
        "round",
        round_.id,
        after={"cases": [c.id for c in picked], "of": len(closed)},
    )
    return picked


def reopen_case(case: HelpCase, actor: User, reason: str) -> HelpCase:
    """A re-check found a closed case not really done: it goes back to the department."""
    require_role(actor, Role.COUNTY_OFFICE)
    if not reason.strip():
        raise ValidationFailed({"reason": _("Give the reason for sending it back to be redone.")})
    if case.status != CaseStatus.CLOSED:
        raise Refused(_("Only a closed case can be sent back after a re-check."))
    now = clock.now()
    case.due_at = max(case.due_at, clock.end_of_day(clock.today() + timedelta(days=REOPEN_DAYS)))
    case.status, case.closed_at, case.verified_at, case.work_done_at = (
        CaseStatus.IN_PROGRESS,
        None,
        None,
        None,
    )
    data = {"case_id": case.id, "planned": True, **escalation_moments(case.due_at, now)}
    if case.lead_township:
        data["lanes"] = TOWNSHIP_LANES
    scope = instances.Scope(case.round_id, case.township_id, case.village_id, case.department_id)
    instance = instances.start_instance(
        "gap_case",
        data,
        scope,
        subject=_("%(indicator)s (sent back after re-check)", indicator=case.indicator_label),
    )
    case.instance_id = instance.id
    audit.record(
        actor,
        "case.reopen",
        "help_case",
        case.id,
        reason=reason.strip(),
        after={"due_at": case.due_at.isoformat()},
    )
    open_substandard(case, reason)  # 回头帮不达标, found at the re-check
    return case


def record_missed_gap(
    round_: Round, subject: Subject, indicator_code: str, label: str, evidence: str, actor: User
) -> Gap:
    """A gap the acceptance found that the survey had missed (核查不准确): counted, then triaged."""
    require_role(actor, Role.COUNTY_OFFICE)
    routed = lead_unit(subject.kind.value, indicator_code)
    department = (
        None
        if routed in UNOWNED
        else db.session.scalar(sa.select(Department).where(Department.code == routed))
    )
    gap = Gap(
        round_id=round_.id,
        **subject.columns(),
        indicator_code=indicator_code,
        indicator_label=label,
        evidence=evidence,
        routed_to=routed,
        department=department,
        status=GapStatus.OPEN,
        found_by="acceptance",
        found_at=clock.now(),
    )
    db.session.add(gap)
    db.session.flush()
    audit.record(
        actor,
        "acceptance.missed_gap",
        "gap",
        gap.id,
        after={"indicator": indicator_code, "township": subject.township.name},
    )
    open_inaccurate(gap)  # 核查不准确: the village form's signer and the township leader
    return gap


def finish_acceptance(round_: Round, actor: User) -> None:
    """The county office closes the year's acceptance; the process then carries over."""
    require_role(actor, Role.COUNTY_OFFICE)
    task = ready_task_of(round_.instance_id, "annual_acceptance")
    if task is None:
        raise Refused(
            _(
                "The annual acceptance has not started (it opens after the year's done-by date) "
                "or is already finished."
            )
        )
    waiting = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(HelpCase)
        .where(HelpCase.round_id == round_.id, HelpCase.status == CaseStatus.ACCEPTING)
    )
    if waiting:
        raise Refused(
            _(
                "%(num)s verified cases are not accepted yet; accept them first.",
                num=waiting,
            )
        )
    complete_task(task, actor, {})


def carry_over_round(round_id: int) -> None:
    """Close the round; unfinished cases and open acceptance findings continue next year."""
    round_ = db.session.get(Round, round_id)
    if round_.status == RoundStatus.CLOSED:
        return
    target = next_round(round_)
    actor = current_actor.get()
    unfinished = db.session.scalars(
        sa.select(HelpCase)
        .where(
            HelpCase.round_id == round_id,
            HelpCase.status.not_in([CaseStatus.CLOSED, CaseStatus.CARRIED_OVER]),
        )
        .order_by(HelpCase.id)
    ).all()
    for case in unfinished:
        if case.instance_id is not None:
            instances.cancel_instance(db.session.get(instances.ProcessInstance, case.instance_id))
        case.status = CaseStatus.CARRIED_OVER
        open_case(
            target,
            Subject.of(case),
            case.indicator_code,
            case.indicator_label,
            case.department,
            actor,
            evidence=_(
                "Not finished in %(year)s, carried over: %(evidence)s",
                year=round_.year,
                evidence=case.evidence,
            ),
            carried_from=case,
            co_departments=tuple(u.department for u in case.co_units),
        )
    for gap in db.session.scalars(
        sa.select(Gap).where(Gap.round_id == round_id, Gap.status == GapStatus.OPEN)
    ).all():
        db.session.add(
            Gap(
                round_id=target.id,
                subject_kind=gap.subject_kind,
                household_id=gap.household_id,
                village_id=gap.village_id,
                township_id=gap.township_id,
                indicator_code=gap.indicator_code,
                indicator_label=gap.indicator_label,
                evidence=gap.evidence,
                routed_to=gap.routed_to,
                department_id=gap.department_id,
                status=GapStatus.OPEN,
                found_by=gap.found_by,
                found_at=clock.now(),
            )
        )
        gap.status = GapStatus.SUPERSEDED
        gap.reason = _("Carried over to %(year)s", year=target.year)
    round_.status, round_.closed_at = RoundStatus.CLOSED, clock.now()
    audit.record(
        actor,
        "round.close",
        "round",
        round_id,
        after={"carried_cases": len(unfinished), "into": target.year},
    )


def case_story(case: HelpCase) -> list[HelpCase]:
    """A case and its carried-over predecessors and successors, oldest first: one story."""
    first = case
    while first.carried_from_id is not None:
        first = db.session.get(HelpCase, first.carried_from_id)
    story = [first]
    while True:
        nxt = db.session.scalar(sa.select(HelpCase).where(HelpCase.carried_from_id == story[-1].id))
        if nxt is None:
            return story
        story.append(nxt)


def missed_gap_from_form(
    round_: Round, actor: User, subject_text: str, indicator_code: str, evidence: str
) -> Gap:
    """Record a 核查不准确 finding from what the county office typed: an ID number, a village
    or a township, one of the round's indicators, and what was found."""
    require_role(actor, Role.COUNTY_OFFICE)
    problems: dict[str, str] = {}
    text = subject_text.strip()
    subject: Subject | None = None
    try:
        household = db.session.scalar(
            sa.select(Household).where(Household.id_number == validate_id(text))
        )
        if household is not None:
            subject = Subject(
                SubjectKind.HOUSEHOLD, household.village.township, household.village, household
            )
    except InvalidIdNumber:
        village = db.session.scalar(sa.select(Village).where(Village.name == text))
        township = db.session.scalar(sa.select(Township).where(Township.name == text))
        if village is not None:
            subject = Subject(SubjectKind.VILLAGE, village.township, village)
        elif township is not None:
            subject = Subject(SubjectKind.TOWNSHIP, township)
    if subject is None:
        problems["subject"] = _("Enter a household's ID number, a village or a township.")
    standard = standard_of(db.session.get(CatalogueRecord, round_.catalogue_id))
    indicator = next((i for i in standard.indicators if i.code == indicator_code), None)
    if indicator is None:
        problems["indicator"] = _("Choose an indicator of this round's standard.")
    elif subject is not None and indicator.subject_kind != subject.kind.value:
        problems["indicator"] = _("This indicator is not checked for this kind of subject.")
    if not evidence.strip():
        problems["evidence"] = _("Describe what the acceptance found.")
    if problems:
        raise ValidationFailed(problems)
    return record_missed_gap(
        round_, subject, indicator.code, indicator.label, evidence.strip(), actor
    )
