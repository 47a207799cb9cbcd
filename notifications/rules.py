"""Whom to tell about a case's reminder or escalation (DOMAIN.md; the plan §六, §七)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from typing import Any

import sqlalchemy as sa

from notifications.email import mail_body, queue_emails
from notifications.models import EmailMessage, Notice
from workflow.models import HelpCase, Role, User
from workflow.platform import clock, transaction_memo
from workflow.platform.db import db
from workflow.platform.i18n import data_name, gettext, use_language
from workflow.platform.settings import get_settings


def _users(*conditions: sa.ColumnElement[bool]) -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.is_active, *conditions)))


def _holders(role: Role, unit: str) -> dict[int | None, list[User]]:
    """The active users with a role by their unit (`department_id`, `township_id`), asked once
    per transaction: a tick tells the same few people about a hundred cases in one."""
    memo = transaction_memo.for_transaction("recipients")
    if (role, unit) not in memo:
        by_unit: dict[int | None, list[User]] = {}
        for person in _users(User.role == role):
            by_unit.setdefault(getattr(person, unit), []).append(person)
        memo[role, unit] = by_unit
    return memo[role, unit]


def recipients_for_level(case: HelpCase, level: int) -> list[User]:
    """Level 0 the clerks who work the case (the lead department's, or its township's when the
    township leads); 1 the lead department's leader and the township leader; 2 the county office
    and the leading group; 3 the leading group, which decides accountability. Co-responsible
    departments (协办) hear levels 0 and 1 too: their clerks and their leaders."""
    if level == 0:
        lead = (
            _holders(Role.TOWNSHIP_CLERK, "township_id").get(case.township_id, [])
            if case.lead_township  # the township leads: its clerks do the work
            else _holders(Role.DEPARTMENT_CLERK, "department_id").get(case.department_id, [])
        )
        return lead + _co_responsible(case, Role.DEPARTMENT_CLERK)
    if level == 1:
        leaders = _holders(Role.DEPARTMENT_LEADER, "department_id").get(case.department_id, [])
        township = _holders(Role.TOWNSHIP_LEADER, "township_id").get(case.township_id, [])
        return leaders + township + _co_responsible(case, Role.DEPARTMENT_LEADER)
    county = _holders(Role.COUNTY_OFFICE, "role").get(Role.COUNTY_OFFICE, [])
    return county + _holders(Role.LEADING_GROUP, "role").get(Role.LEADING_GROUP, [])


def _co_responsible(case: HelpCase, role: Role) -> list[User]:
    """The people with a role in the case's co-responsible departments."""
    holders = _holders(role, "department_id")
    return [person for unit in case.co_department_ids for person in holders.get(unit, [])]


_SUBJECTS = {
    0: "Reminder: case %(case)s is due on %(due)s",
    1: "Overdue: case %(case)s passed its deadline %(due)s",
    2: "Overdue %(days)s days: case %(case)s, escalated to the county",
    3: "Accountability: case %(case)s is seriously overdue",
}


def notify_case_level(case: HelpCase, level: int) -> int:
    """Write one in-app notice per person to tell (never twice for the same case and level)."""
    due = clock.in_beijing(case.due_at).strftime("%Y-%m-%d")

    def compose() -> tuple[str, str]:
        subject = gettext(
            _SUBJECTS[level],
            case=f"#{case.id} {data_name(case.indicator_label)}",
            due=due,
            days=get_settings().level2_after_days,
        )
        return subject, _case_line(case)

    key = f"case:{case.id}:level:{level}"
    return _tell(recipients_for_level(case, level), key, compose, f"/cases/{case.id}")


def _case_line(case: HelpCase) -> str:
    """A case in one line of a notice: what is missing, who works it, for whom."""
    return gettext(
        "%(subject)s · %(department)s · %(who)s",
        subject=data_name(case.indicator_label),
        department=case.lead_name,
        who=case.subject_label,
    )


_LATE_SUBJECTS = {
    ("survey", 1): "The survey of %(township)s is overdue",
    ("survey", 2): "The survey of %(township)s is still not submitted",
    ("results", 1): "The results tables of %(township)s are overdue",
    ("results", 2): "The results tables of %(township)s are still not submitted",
}


def notify_survey_level(survey: Any, level: int, stage: str = "survey") -> int:
    """A township's survey (or results tables) is late: level 1 its leader and clerk, level 2
    the county office."""
    if level == 1:
        people = _users(
            User.role.in_([Role.TOWNSHIP_LEADER, Role.TOWNSHIP_CLERK]),
            User.township_id == survey.township_id,
        )
    else:
        people = _users(User.role == Role.COUNTY_OFFICE)
    township = survey.township.name
    key = f"{stage}:{survey.round_id}:{survey.township_id}:level:{level}"
    subject = _LATE_SUBJECTS[(stage, level)]
    return _tell(people, key, lambda: (gettext(subject, township=township), ""), "/inbox")


def notify_certification_late(survey: Any, department_ids: list[int]) -> int:
    """A township's 核定 is late: the late departments' leaders and clerks, and the county
    office, which now triages without it."""
    people = _users(
        sa.or_(
            sa.and_(
                User.role.in_([Role.DEPARTMENT_LEADER, Role.DEPARTMENT_CLERK]),
                User.department_id.in_(department_ids),
            ),
            User.role == Role.COUNTY_OFFICE,
        )
    )
    township = survey.township.name

    def compose() -> tuple[str, str]:
        return gettext("The income certification of %(township)s is overdue", township=township), ""

    key = f"certify:{survey.round_id}:{survey.township_id}"
    return _tell(people, key, compose, "/inbox")


def _tell(people: list[User], key: str, compose: Callable[[], tuple[str, str]], link: str) -> int:
    """One notice and one e-mail per person for an event, never twice for the same event, each
    in its recipient's language (`compose` writes the subject and body in the current one),
    written with the session's next flush, together with the rest of the batch; returns how
    many were told."""
    if not people:
        return 0
    # What is written here needs nothing still pending: the session flushes once, later.
    with db.session.no_autoflush:
        told, mailed = _told_and_mailed(key, [person.id for person in people])
        fresh = [person for person in people if person.id not in told]
        if not fresh:
            return 0
        now = clock.now()
        by_language = sorted(fresh, key=lambda person: person.language or "")
        for language, group in groupby(by_language, key=lambda person: person.language or ""):
            readers = list(group)
            with use_language(language):
                subject, body = compose()
                text = mail_body(subject, body, link)
            db.session.add_all(  # with the next flush: a tick's batch writes its notices at once
                Notice(
                    user_id=person.id,
                    event_key=key,
                    created_at=now,
                    subject=subject,
                    body=body,
                    link=link,
                    read_at=None,
                )
                for person in readers
            )
            queue_emails([p for p in readers if p.id not in mailed], subject, text, key)
    return len(fresh)


# transaction_memo name: event key -> (users asked about, told, mailed), for a batch's cases.
_TOLD = "told_and_mailed"


def _told_and_mailed(key: str, ids: list[int]) -> tuple[set[int], set[int]]:
    """Which of these users already have a notice, and which a message, for the event (one
    query for both, unless the batch's look-up already answered for them)."""
    known = transaction_memo.for_transaction(_TOLD).get(key)
    if known is not None and known[0].issuperset(ids):
        return known[1] & set(ids), known[2] & set(ids)
    return _look_up([key], ids).get(key, (set(), set()))


def _look_up(keys: list[str], ids: list[int]) -> dict[str, tuple[set[int], set[int]]]:
    """For each event key, which of these users have a notice and which a message."""
    told = sa.select(Notice.event_key, Notice.user_id, sa.literal(True)).where(
        Notice.event_key.in_(keys), Notice.user_id.in_(ids)
    )
    mailed = sa.select(EmailMessage.event_key, EmailMessage.user_id, sa.literal(False)).where(
        EmailMessage.event_key.in_(keys), EmailMessage.user_id.in_(ids)
    )
    found: dict[str, tuple[set[int], set[int]]] = {}
    for key, user_id, notice in db.session.execute(told.union_all(mailed)):
        found.setdefault(key, (set(), set()))[0 if notice else 1].add(user_id)
    return found


def preload_case_notices(cases: list[HelpCase]) -> None:
    """Whom a tick's batch of cases could tell at any level, and who of them was told or
    mailed already: one query for the batch instead of one per escalation. Kept for the
    transaction; a level is told once per case, so what the batch writes is not asked again."""
    keys, ids = [], set()
    for case in cases:
        for level in _SUBJECTS:
            keys.append(f"case:{case.id}:level:{level}")
            ids.update(person.id for person in recipients_for_level(case, level))
    if not keys or not ids:
        return
    found = _look_up(keys, sorted(ids))
    memo = transaction_memo.for_transaction(_TOLD)
    asked = frozenset(ids)
    for key in keys:
        told, mailed = found.get(key, (set(), set()))
        memo[key] = (asked, told, mailed)


# -- boards: a supervisor reminds whoever holds a late case (oversight.board.remind_owner) --


def notify_case_reminder(case: HelpCase, people: list[User], actor: User) -> int:
    """Tell the people who can work a late case's current step that a supervisor asks for it
    (one notice and e-mail each, once per case per day)."""
    due = clock.in_beijing(case.due_at).strftime("%Y-%m-%d")

    def compose() -> tuple[str, str]:
        subject = gettext(
            "%(who)s asks you to act on overdue case %(case)s (deadline %(due)s)",
            who=actor.display_name,
            case=f"#{case.id} {data_name(case.indicator_label)}",
            due=due,
        )
        return subject, _case_line(case)

    key = f"case:{case.id}:remind:{clock.today().isoformat()}"
    return _tell(people, key, compose, f"/cases/{case.id}")
