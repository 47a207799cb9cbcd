"""Whom to tell about a case's reminder or escalation (DOMAIN.md; the plan §六, §七)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from notifications.email import mail_body, mailed_users, queue_email
from notifications.models import Notice
from workflow import clock
from workflow.db import db
from workflow.i18n import gettext
from workflow.models import HelpCase, Role, User
from workflow.settings import get_settings


def _users(*conditions: sa.ColumnElement[bool]) -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.is_active, *conditions)))


def recipients_for_level(case: HelpCase, level: int) -> list[User]:
    """Level 0 the department's clerks; 1 its leader and the township leader; 2 the county office
    and the leading group; 3 the leading group, which decides accountability."""
    dept = User.department_id == case.department_id
    if level == 0:
        return _users(User.role == Role.DEPARTMENT_CLERK, dept)
    if level == 1:
        return _users(User.role == Role.DEPARTMENT_LEADER, dept) + _users(
            User.role == Role.TOWNSHIP_LEADER, User.township_id == case.township_id
        )
    if level == 2:
        return _users(User.role.in_([Role.COUNTY_OFFICE, Role.LEADING_GROUP]))
    return _users(User.role.in_([Role.LEADING_GROUP, Role.COUNTY_OFFICE]))


_SUBJECTS = {
    0: "Reminder: case %(case)s is due on %(due)s",
    1: "Overdue: case %(case)s passed its deadline %(due)s",
    2: "Overdue %(days)s days: case %(case)s, escalated to the county",
    3: "Accountability: case %(case)s is seriously overdue",
}


def notify_case_level(case: HelpCase, level: int) -> list[Notice]:
    """Write one in-app notice per person to tell (never twice for the same case and level)."""
    due = clock.in_beijing(case.due_at).strftime("%Y-%m-%d")
    subject = gettext(
        _SUBJECTS[level],
        case=f"#{case.id} {case.indicator_label}",
        due=due,
        days=get_settings().level2_after_days,
    )
    body = gettext(
        "%(subject)s · %(department)s · %(who)s",
        subject=case.indicator_label,
        department=case.department.name,
        who=case.subject_label,
    )
    key = f"case:{case.id}:level:{level}"
    return _tell(recipients_for_level(case, level), key, subject, body, f"/cases/{case.id}")


_LATE_SUBJECTS = {
    ("survey", 1): "The survey of %(township)s is overdue",
    ("survey", 2): "The survey of %(township)s is still not submitted",
    ("results", 1): "The results tables of %(township)s are overdue",
    ("results", 2): "The results tables of %(township)s are still not submitted",
}


def notify_survey_level(survey: Any, level: int, stage: str = "survey") -> list[Notice]:
    """A township's survey (or results tables) is late: level 1 its leader and clerk, level 2
    the county office."""
    if level == 1:
        people = _users(
            User.role.in_([Role.TOWNSHIP_LEADER, Role.TOWNSHIP_CLERK]),
            User.township_id == survey.township_id,
        )
    else:
        people = _users(User.role == Role.COUNTY_OFFICE)
    subject = gettext(_LATE_SUBJECTS[(stage, level)], township=survey.township.name)
    key = f"{stage}:{survey.round_id}:{survey.township_id}:level:{level}"
    return _tell(people, key, subject, "", "/inbox")


def _tell(people: list[User], key: str, subject: str, body: str, link: str) -> list[Notice]:
    """One notice and one e-mail per person for an event, never twice for the same event."""
    notices = []
    ids = [person.id for person in people]
    with db.session.no_autoflush:  # one query each for who was told and who was mailed
        told = set(
            db.session.scalars(
                sa.select(Notice.user_id).where(Notice.event_key == key, Notice.user_id.in_(ids))
            )
        )
        mailed = mailed_users(key, ids)
    for person in people:
        if person.id in told:
            continue
        notice = Notice(
            user_id=person.id,
            event_key=key,
            created_at=clock.now(),
            subject=subject,
            body=body,
            link=link,
        )
        db.session.add(notice)
        notices.append(notice)
        if person.id not in mailed:
            queue_email(person, subject, mail_body(subject, body, link), key, checked=True)
    db.session.flush()
    return notices


# -- boards: a supervisor reminds whoever holds a late case (workflow.board.remind_owner) --


def notify_case_reminder(case: HelpCase, people: list[User], actor: User) -> list[Notice]:
    """Tell the people who can work a late case's current step that a supervisor asks for it
    (one notice and e-mail each, once per case per day)."""
    subject = gettext(
        "%(who)s asks you to act on overdue case %(case)s (deadline %(due)s)",
        who=actor.display_name,
        case=f"#{case.id} {case.indicator_label}",
        due=clock.in_beijing(case.due_at).strftime("%Y-%m-%d"),
    )
    body = gettext(
        "%(subject)s · %(department)s · %(who)s",
        subject=case.indicator_label,
        department=case.department.name,
        who=case.subject_label,
    )
    key = f"case:{case.id}:remind:{clock.today().isoformat()}"
    return _tell(people, key, subject, body, f"/cases/{case.id}")
