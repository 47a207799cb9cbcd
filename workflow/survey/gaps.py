"""Gaps (the 补课清单): found by evaluating survey rows, then triaged by the county office."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from workflow.cases.lifecycle import CaseOpening, Subject, open_cases
from workflow.forms.gap_list import GapRow
from workflow.models import (
    Department,
    Gap,
    GapStatus,
    Household,
    Role,
    Round,
    SubjectKind,
    SurveySubmission,
    Township,
    User,
    Village,
)
from workflow.people.access import gap_filter, require_role
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.errors import NotFound, Refused, ValidationFailed
from workflow.platform.i18n import _
from workflow.programme.routing import TOWNSHIP, UNOWNED
from workflow.programme.routing_changes import changes_in_force, units_for
from workflow.programme.standards import Standard, evaluate
from workflow.survey.gap_units import units_of_gaps
from workflow.survey.townships import township_survey

DECIDED = (GapStatus.CONFIRMED, GapStatus.DISMISSED)


def _departments_by_code() -> dict[str, Department]:
    return {d.code: d for d in db.session.scalars(sa.select(Department))}


def record_findings(
    round_: Round,
    submission: SurveySubmission,
    kind: SubjectKind,
    township: Township,
    rows: list[tuple[Any, dict[str, Any]]],
    standard: Standard,
) -> int:
    """Judge each stored row against the round's standard; each unmet indicator is a gap."""
    survey = township_survey(round_.id, township.id)
    status = GapStatus.PENDING
    if survey is not None and (survey.final_at is not None or survey.released_early):
        status = GapStatus.OPEN
    decided = {
        (g.household_id, g.village_id, g.indicator_code)
        for g in db.session.scalars(
            sa.select(Gap).where(
                Gap.round_id == round_.id, Gap.township_id == township.id, Gap.status.in_(DECIDED)
            )
        )
    }
    departments = _departments_by_code()
    routes: dict[str, str] = {}
    changes = None  # the county's routing changes, read once per upload when a gap needs them
    new_gaps = []
    for row, subject in rows:
        household_id, village_id = subject.get("household_id"), subject.get("village_id")
        for finding in evaluate(standard, kind.value, row.values):
            if (household_id, village_id, finding.code) in decided:
                continue  # already triaged from an earlier version of the form
            if finding.code not in routes:  # one decision-table run per indicator, not per gap
                changes = changes_in_force() if changes is None else changes
                routes[finding.code] = units_for(kind.value, finding.code, changes=changes).lead
            routed = routes[finding.code]
            department = None if routed in UNOWNED else departments.get(routed)
            new_gaps.append(
                {
                    "round_id": round_.id,
                    "submission_id": submission.id,
                    "subject_kind": kind.value,
                    "household_id": household_id,
                    "village_id": village_id,
                    "township_id": township.id,
                    "indicator_code": finding.code,
                    "indicator_label": finding.label or standard.indicator(finding.code).label,
                    "evidence": finding.evidence,
                    "routed_to": routed,
                    "department_id": department.id if department else None,
                    "status": status.value,
                    "reason": "",
                    "found_at": clock.now(),
                }
            )
    if new_gaps:
        db.session.execute(sa.insert(Gap), new_gaps)
    return len(new_gaps)


def gap_list(
    round_: Round,
    *,
    township: Township | None = None,
    viewer: User | None = None,
    statuses: tuple[GapStatus, ...] = (GapStatus.PENDING, GapStatus.OPEN, GapStatus.CONFIRMED),
) -> list[Gap]:
    """The 补课清单: gaps of a round (or one township), ordered by township, village, subject."""
    query = (
        sa.select(Gap)
        .outerjoin(Village, Gap.village_id == Village.id)
        .outerjoin(Household, Gap.household_id == Household.id)
        .join(Township, Gap.township_id == Township.id)
        .where(Gap.round_id == round_.id, Gap.status.in_(statuses))
    )
    if township is not None:
        query = query.where(Gap.township_id == township.id)
    if viewer is not None:
        query = query.where(gap_filter(viewer))
    return list(
        db.session.scalars(query.order_by(Township.code, Village.code, Household.id, Gap.id))
    )


def _lead_group(gap: Gap) -> str:
    if gap.department is not None:
        return gap.department.name
    if gap.rerouted or gap.routed_to == TOWNSHIP:
        return _("The subject's township leads")
    return ""


def triage_board(round_: Round) -> dict[str, list[Gap]]:
    """OPEN gaps grouped by their lead unit's name (a township-led group under one heading);
    gaps no unit owns come first, under ''."""
    groups: dict[str, list[Gap]] = defaultdict(list)
    for gap in gap_list(round_, statuses=(GapStatus.OPEN,)):
        groups[_lead_group(gap)].append(gap)
    return dict(sorted(groups.items(), key=lambda kv: (kv[0] != "", kv[0])))


def _open_gaps(round_: Round, gap_ids: list[int]) -> list[Gap]:
    if not gap_ids:
        raise ValidationFailed({"gaps": _("Choose at least one gap.")})
    gaps = list(
        db.session.scalars(
            sa.select(Gap)
            .where(Gap.id.in_(gap_ids), Gap.round_id == round_.id)
            .options(*(selectinload(r) for r in (Gap.township, Gap.village, Gap.household)))
            .options(selectinload(Gap.department))
        )
    )
    if len(gaps) != len(set(gap_ids)):
        raise NotFound(_("Some of the chosen gaps do not exist."))
    stale = [g.id for g in gaps if g.status != GapStatus.OPEN]
    if stale:
        raise Refused(
            _(
                "Gaps %(ids)s were already handled or are not reported yet. Reload the page.",
                ids=", ".join(map(str, stale)),
            )
        )
    position = {gap_id: n for n, gap_id in enumerate(gap_ids)}
    return sorted(gaps, key=lambda g: position[g.id])  # in the order the office chose them


def confirm_gaps(
    round_: Round,
    gap_ids: list[int],
    actor: User,
    due: date | None = None,
    causes: dict[int, str] | None = None,
) -> list[int]:
    """Confirm gaps and open one case per gap for the units the routing names now (an income
    gap by the cause given for it); returns the case ids."""
    require_role(actor, Role.COUNTY_OFFICE)
    gaps = _open_gaps(round_, gap_ids)
    units = units_of_gaps(gaps, causes or {})
    if due is not None and due > round_.done_by:
        raise ValidationFailed(
            {
                "due": _(
                    "The deadline cannot be later than %(date)s.",
                    date=f"{round_.done_by:%Y-%m-%d}",
                )
            }
        )
    openings = [
        CaseOpening(
            Subject.of(gap),
            gap.indicator_code,
            gap.indicator_label,
            unit.lead,
            gap.evidence,
            due,
            co_departments=unit.co,
        )
        for gap, unit in zip(gaps, units, strict=True)
    ]
    case_ids = []
    cases = open_cases(round_, openings, actor)
    for gap, unit, case in zip(gaps, units, cases, strict=True):
        gap.status, gap.case_id, gap.due = GapStatus.CONFIRMED, case.id, due or round_.done_by
        gap.department = unit.lead
        after: dict[str, Any] = {"department": unit.lead_code, "case": case.id}
        if unit.co:
            after["co_departments"] = [d.code for d in unit.co]
        if gap.cause:
            after["cause"] = gap.cause
        audit.record(actor, "gap.confirm", "gap", gap.id, after=after)
        case_ids.append(case.id)
    return case_ids


def reroute_gaps(
    round_: Round, gap_ids: list[int], department_code: str, reason: str, actor: User
) -> None:
    """Send gaps to another department than the routing table's (or to the subject's
    township, TOWNSHIP), with a reason; the routing no longer decides for them."""
    require_role(actor, Role.COUNTY_OFFICE)
    if not reason.strip():
        raise ValidationFailed(
            {"reason": _("Give the reason for sending it to another department.")}
        )
    department = db.session.scalar(sa.select(Department).where(Department.code == department_code))
    if department is None and department_code != TOWNSHIP:
        raise ValidationFailed(
            {"department": _("There is no department with code %(code)s.", code=department_code)}
        )
    for gap in _open_gaps(round_, gap_ids):
        before = gap.department.code if gap.department else gap.routed_to
        gap.department, gap.rerouted = department, True
        audit.record(
            actor,
            "gap.reroute",
            "gap",
            gap.id,
            before={"department": before},
            after={"department": department.code if department else TOWNSHIP},
            reason=reason.strip(),
        )


def dismiss_gaps(round_: Round, gap_ids: list[int], reason: str, actor: User) -> None:
    """Decide that gaps are not gaps after all, with a reason (kept, never deleted)."""
    require_role(actor, Role.COUNTY_OFFICE)
    if not reason.strip():
        raise ValidationFailed({"reason": _("Give the reason for dismissing.")})
    for gap in _open_gaps(round_, gap_ids):
        gap.status, gap.reason = GapStatus.DISMISSED, reason.strip()
        audit.record(actor, "gap.dismiss", "gap", gap.id, reason=reason.strip())


def gap_rows(gaps: list[Gap]) -> list[GapRow]:
    """The list's lines in the county's words: who, which indicator, what, who fixes it."""
    rows = []
    for gap in gaps:
        household = gap.household
        department = (
            gap.department.name if gap.department else _("To be assigned by the county office")
        )
        rows.append(
            GapRow(
                township=gap.township.name,
                village=gap.village.name if gap.village else "",
                subject=household.head_name
                if household
                else (gap.village.name if gap.village else gap.township.name),
                id_number=household.id_number if household else "",
                kind=_("kind:" + gap.subject_kind.value),
                indicator=gap.indicator_label,
                evidence=gap.evidence,
                department=department,
                status=_("gap:" + gap.status.value),
                remark=gap.reason,
            )
        )
    return rows
