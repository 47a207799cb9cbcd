"""Opening accountability items (追责问责 §七) for every failing the plan names, each naming the
unit and the person: a case at the last escalation level (its responsible person), a township's
late survey or results tables (its leader), a gap the acceptance found that the survey missed
(核查不准确: the village form's signer and the township leader), a case rejected at acceptance or
failed at the re-check (回头帮不达标). The leading group's decisions and the report are
oversight's (`workflow/oversight/accountability.py`)."""

from __future__ import annotations

import sqlalchemy as sa

from workflow.models import (
    AccountabilityItem,
    Gap,
    HelpCase,
    Role,
    Signature,
    Township,
    User,
)
from workflow.platform import audit, clock
from workflow.platform.db import db
from workflow.platform.i18n import _

KINDS = ("lateness", "survey_late", "results_late", "inaccurate", "substandard")


def kind_label(kind: str) -> str:
    """The kind of failing, as the report names it."""
    labels = {
        "lateness": _("Case overdue (level 3)"),
        "survey_late": _("Survey not reported on time"),
        "results_late": _("Results tables not reported on time"),
        "inaccurate": _("Look-back check inaccurate"),
        "substandard": _("Help-back not up to standard"),
    }
    return labels.get(kind, kind)


def township_leader(township_id: int) -> User | None:
    """The township's leader (乡镇负责人), the person answerable for its reports."""
    return db.session.scalar(
        sa.select(User)
        .where(
            User.role == Role.TOWNSHIP_LEADER,
            User.township_id == township_id,
            User.is_active.is_(True),
        )
        .order_by(User.id)
        .limit(1)
    )


def _names(*names: str) -> str:
    return _(", ").join(dict.fromkeys(n for n in names if n))


def _open(key: str, **columns: object) -> AccountabilityItem:
    existing = db.session.scalar(sa.select(AccountabilityItem).where(AccountabilityItem.key == key))
    if existing is not None:
        return existing
    item = AccountabilityItem(key=key, opened_at=clock.now(), **columns)
    db.session.add(item)
    db.session.flush()
    audit.record(
        None,
        "accountability.open",
        "accountability_item",
        item.id,
        after={"kind": item.kind, "key": key, "person": item.person_name},
    )
    return item


def _case_person(case: HelpCase) -> str:
    """The case's responsible person, or failing a name its lead unit's leader (the
    township's when the township leads)."""
    if case.responsible_person:
        return case.responsible_person
    leads = (
        sa.and_(User.role == Role.TOWNSHIP_LEADER, User.township_id == case.township_id)
        if case.lead_township
        else sa.and_(User.role == Role.DEPARTMENT_LEADER, User.department_id == case.department_id)
    )
    leader = db.session.scalar(sa.select(User.display_name).where(leads).order_by(User.id).limit(1))
    return leader or ""


def _open_for_case(kind: str, case: HelpCase, grounds: str) -> AccountabilityItem:
    """An item about one case (once per kind and case), naming its unit and person."""
    return _open(
        f"{kind}:{case.id}",
        kind=kind,
        round_id=case.round_id,
        case_id=case.id,
        department_id=case.department_id,
        township_id=case.township_id,
        person_name=_case_person(case),
        grounds=grounds,
    )


def open_item(case: HelpCase) -> AccountabilityItem:
    """Open the item for a case that reached level 3 (once per case)."""
    days = clock.days_between(case.due_at, clock.now())
    return _open_for_case(
        "lateness",
        case,
        _(
            "“%(indicator)s” (%(subject)s), handled by %(department)s, is still not done "
            "%(days)s days after its deadline.",
            department=case.lead_name,
            indicator=case.indicator_label,
            subject=case.subject_label,
            days=days,
        ),
    )


def open_substandard(case: HelpCase, reason: str) -> AccountabilityItem:
    """A case rejected at acceptance or failed at the re-check (回头帮不达标), once per case."""
    return _open_for_case(
        "substandard",
        case,
        _(
            "“%(indicator)s” (%(subject)s), handled by %(department)s, was not up to standard: "
            "%(reason)s",
            indicator=case.indicator_label,
            subject=case.subject_label,
            department=case.lead_name,
            reason=reason.strip(),
        ),
    )


def open_late_township(round_id: int, township_id: int, stage: str) -> AccountabilityItem:
    """A township's survey (stage "survey") or results tables ("results") reached the county
    office late (按时报送): the item names the township and its leader."""
    township = db.session.get(Township, township_id)
    leader = township_leader(township_id)
    grounds = (
        _("%(township)s did not submit its survey on time.", township=township.name)
        if stage == "survey"
        else _("%(township)s did not submit its results tables on time.", township=township.name)
    )
    return _open(
        f"{stage}_late:{round_id}:{township_id}",
        kind=f"{stage}_late",
        round_id=round_id,
        township_id=township_id,
        person_id=leader.id if leader else None,
        person_name=leader.display_name if leader else "",
        grounds=grounds,
    )


def village_form_signer(round_id: int, village_id: int) -> Signature | None:
    """The latest signature of a village's survey forms."""
    return db.session.scalar(
        sa.select(Signature)
        .where(
            Signature.object_type == "village_forms",
            Signature.object_id == f"{round_id}:{village_id}",
        )
        .order_by(Signature.id.desc())
        .limit(1)
    )


def open_inaccurate(gap: Gap) -> AccountabilityItem:
    """A gap the acceptance found that the survey missed (核查不准确): the item names the village
    form's signer and the township leader."""
    signature = village_form_signer(gap.round_id, gap.village_id) if gap.village_id else None
    leader = township_leader(gap.township_id)
    return _open(
        f"inaccurate:{gap.id}",
        kind="inaccurate",
        round_id=gap.round_id,
        gap_id=gap.id,
        township_id=gap.township_id,
        person_id=signature.signer_id if signature else (leader.id if leader else None),
        person_name=_names(
            signature.signer_name if signature else "", leader.display_name if leader else ""
        ),
        grounds=_(
            "The survey missed “%(indicator)s” (%(subject)s); the acceptance found it.",
            indicator=gap.indicator_label,
            subject=gap.subject_label,
        ),
    )
