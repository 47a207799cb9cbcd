"""A case's history in sentences a clerk understands, read from the audit log.

The audit log keeps codes and JSON; this module turns the events of a case (and of its gap,
its accountability item and its predecessors in earlier years) into "when, who, what happened".
Task completions and the gap's confirmation are left out: every step of a case records its own
case event (the case's opening says what the confirmation would).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from workflow.cases.acceptance import case_story
from workflow.models import (
    AccountabilityItem,
    Department,
    Gap,
    HelpCase,
    Role,
    Round,
    User,
)
from workflow.models.audit import AuditEvent
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.i18n import _
from workflow.platform.settings import get_settings
from workflow.programme.routing import TOWNSHIP


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a case's history: when (Beijing time), who (unit and name), what happened."""

    at: datetime
    when: str
    who: str
    sentence: str
    case_id: int
    year: int


@dataclass
class _Context:
    """What the sentences need besides the event: the case it concerns, department names."""

    case: HelpCase
    departments_by_id: dict[int, str]
    departments_by_code: dict[str, str]

    def department(self, value: Any) -> str:
        """A department's name from its id or code (as the events store it); the township's
        when the township leads (no department, or the routing's TOWNSHIP)."""
        if value is None or value == TOWNSHIP:
            return self.case.township.name
        if isinstance(value, int):
            return self.departments_by_id.get(value, "")
        return self.departments_by_code.get(str(value), str(value or ""))


def _day(iso: Any) -> str:
    try:
        return f"{clock.in_beijing(datetime.fromisoformat(str(iso))):%Y-%m-%d}"
    except ValueError:
        return ""


def _opened(e: AuditEvent, data: dict, ctx: _Context) -> str:
    if ctx.case.carried_from_id is not None:
        return _(
            "carried the case over from last year's round, to be done by %(due)s",
            due=_day(data.get("due_at")),
        )
    department = ctx.department(data.get("department"))
    shared = [ctx.department(code) for code in data.get("co_departments") or []]
    if shared:
        department = _(
            "%(lead)s (co-responsible: %(co)s)", lead=department, co=_(", ").join(shared)
        )
    return _(
        "opened the case “%(indicator)s” for %(department)s, to be done by %(due)s",
        indicator=ctx.case.indicator_label,
        department=department,
        due=_day(data.get("due_at")),
    )


def _planned(e: AuditEvent, data: dict, ctx: _Context) -> str:
    return _(
        "submitted the help measure: %(measure)s (responsible: %(person)s)",
        measure=data.get("measure", ""),
        person=data.get("responsible_person", ""),
    )


def _progress(e: AuditEvent, data: dict, ctx: _Context) -> str:
    funds = str(data.get("funds", "0"))
    if funds.replace("0", "").strip(".") == "":
        return _("recorded progress: %(text)s", text=data.get("text", ""))
    return _(
        "recorded progress: %(text)s; %(funds)s yuan spent", text=data.get("text", ""), funds=funds
    )


def _reason(e: AuditEvent) -> str:
    return e.reason or _("no reason given")


SENTENCES: dict[str, Callable[[AuditEvent, dict, _Context], str]] = {
    "case.open": _opened,
    "case.plan": _planned,
    "case.progress": _progress,
    "case.work_done": lambda e, d, c: _(
        "reported the work done: %(summary)s; the township is to verify it",
        summary=d.get("summary", ""),
    ),
    "case.verify": lambda e, d, c: _("verified the work on the ground: passed"),
    "case.verify_reject": lambda e, d, c: _(
        "verified on the ground and sent it back to the department: %(reason)s",
        reason=_reason(e),
    ),
    "case.accept": lambda e, d, c: _("accepted the case for the county"),
    "case.accept_reject": lambda e, d, c: _(
        "did not accept the case and sent it back: %(reason)s", reason=_reason(e)
    ),
    "case.close": lambda e, d, c: _("closed the case"),
    "case.reassign": lambda e, d, c: _(
        "reassigned the case from %(before)s to %(after)s: %(reason)s",
        before=c.department((json.loads(e.before) or {}).get("department")),
        after=c.department(d.get("department")),
        reason=_reason(e),
    ),
    "case.moved_back": lambda e, d, c: _(
        "moved the case back to %(step)s: %(reason)s",
        step=d.get("step_name", ""),
        reason=_reason(e),
    ),
    "case.evidence": lambda e, d, c: _("attached evidence: %(file)s", file=d.get("file", "")),
    "case.reopen": lambda e, d, c: _(
        "the re-check found it not done; back to the department, now due %(due)s: %(reason)s",
        due=_day(d.get("due_at")),
        reason=_reason(e),
    ),
    "case.reminder": lambda e, d, c: _(
        "reminder before the deadline, sent to the clerks of %(department)s",
        department=c.case.lead_name,
    ),
    "case.overdue_level1": lambda e, d, c: _(
        "overdue, escalation level 1: the leaders of %(department)s and %(township)s were told",
        department=c.case.lead_name,
        township=c.case.township.name,
    ),
    "case.overdue_level2": lambda e, d, c: _(
        "still overdue %(days)s days later, escalation level 2: reported to the county poverty "
        "alleviation office and the leading group",
        days=get_settings().level2_after_days,
    ),
    "case.overdue_level3": lambda e, d, c: _(
        "seriously overdue, escalation level 3: an accountability item for the leading group"
    ),
    "gap.reroute": lambda e, d, c: _(
        "sent the gap to %(department)s instead: %(reason)s",
        department=c.department(d.get("department")),
        reason=_reason(e),
    ),
    "accountability.open": lambda e, d, c: _(
        "opened an accountability item (%(days)s days overdue)", days=d.get("days_overdue", "")
    ),
    "accountability.decide": lambda e, d, c: _(
        "decided on accountability: %(decision)s", decision=d.get("decision", "")
    ),
}


def _unit(user: User) -> str:
    """The unit a person acts for, as the county names it (the office, not just 'the county')."""
    if user.role == Role.COUNTY_OFFICE:
        return _("role:county_office")
    if user.role == Role.LEADING_GROUP:
        return _("role:leading_group")
    if user.role == Role.ADMIN:
        return _("role:admin")
    return user.scope_label


def _who(event: AuditEvent, users: dict[int, User]) -> str:
    user = users.get(event.actor_id) if event.actor_id is not None else None
    if user is None:
        return event.actor_name  # the scheduler: "System"
    return _("%(unit)s %(name)s", unit=_unit(user), name=event.actor_name)


def _owners(story: list[HelpCase]) -> dict[tuple[str, str], HelpCase]:
    """What the story's events can be about (object type and id), each with the case it concerns:
    the cases, the gaps they were opened for, their accountability items."""
    by_id = {c.id: c for c in story}
    owners = {("help_case", str(c.id)): c for c in story}
    for kind, model in (("gap", Gap), ("accountability_item", AccountabilityItem)):
        rows = db.session.execute(
            sa.select(model.id, model.case_id).where(model.case_id.in_(by_id))
        ).all()
        owners.update({(kind, str(row_id)): by_id[case_id] for row_id, case_id in rows})
    return owners


def _events(owners: dict[tuple[str, str], HelpCase]) -> list[AuditEvent]:
    """The audit events about any of the owners, in the order they happened."""
    ids_by_kind: dict[str, list[str]] = {}
    for kind, object_id in owners:
        ids_by_kind.setdefault(kind, []).append(object_id)
    about = [
        sa.and_(AuditEvent.object_type == kind, AuditEvent.object_id.in_(ids))
        for kind, ids in ids_by_kind.items()
    ]
    query = sa.select(AuditEvent).where(sa.or_(*about), AuditEvent.action.in_(list(SENTENCES)))
    return list(db.session.scalars(query.order_by(AuditEvent.id)))


def case_history(case: HelpCase, story: list[HelpCase] | None = None) -> list[HistoryEntry]:
    """The case's history, across the years it was carried over, oldest first, in words
    (pass the case's story when the caller has it already)."""
    story = story or case_story(case)
    owners = _owners(story)
    events = _events(owners)
    years = dict(
        db.session.execute(
            sa.select(Round.id, Round.year).where(Round.id.in_({c.round_id for c in story}))
        ).all()
    )
    departments = db.session.scalars(sa.select(Department)).all()
    by_id = {d.id: d.name for d in departments}
    by_code = {d.code: d.name for d in departments}
    actor_ids = {e.actor_id for e in events if e.actor_id is not None}
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(actor_ids)))}
    entries = []
    for event in events:
        owner = owners[(event.object_type, event.object_id)]
        data = json.loads(event.after or "null")
        sentence = SENTENCES[event.action](
            event, data if isinstance(data, dict) else {}, _Context(owner, by_id, by_code)
        )
        entries.append(
            HistoryEntry(
                at=event.at,
                when=f"{clock.in_beijing(event.at):%Y-%m-%d %H:%M}",
                who=_who(event, users),
                sentence=sentence,
                case_id=owner.id,
                year=years.get(owner.round_id, 0),
            )
        )
    return entries
