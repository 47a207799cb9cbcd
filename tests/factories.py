"""Factories for tests: rounds and cases on the demo county, built through the domain."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from notifications.models import EmailMessage, EmailStatus
from workflow.cases import lifecycle as cases
from workflow.cases.lifecycle import Subject, open_case
from workflow.models import Department, HelpCase, Household, Round, SubjectKind, Village
from workflow.platform import clock
from workflow.platform.db import db

BEIJING = clock.BEIJING


def make_round(
    year: int = 2018,
    survey_due: date | None = None,
    results_due: date | None = None,
    done_by: date | None = None,
) -> Round:
    """A round row with the plan's default deadlines."""
    r = Round(
        year=year,
        standard_version=f"{year}",
        exit_year_from=2014,
        exit_year_to=year - 1,
        survey_due=survey_due or date(year, 7, 13),
        results_due=results_due or date(year, 10, 15),
        done_by=done_by or date(year, 12, 31),
        launched_at=clock.now(),
    )
    db.session.add(r)
    db.session.flush()
    return r


def household_of(village_name: str) -> Household:
    """The first household of a village that has left poverty (not a planned exit)."""
    return db.session.scalars(
        sa.select(Household)
        .join(Village)
        .where(Village.name == village_name, Household.exit_year.is_not(None))
        .order_by(Household.id)
    ).first()


def department(code: str) -> Department:
    return db.session.scalar(sa.select(Department).where(Department.code == code))


def open_household_case(
    round_: Round,
    village_name: str = "布古纳村",
    dept_code: str = "SLJ",
    indicator: str = "H-WATER",
    label: str = "有安全饮水",
    due: date | None = None,
) -> HelpCase:
    """A case for the first household of a village, routed to a department."""
    household = household_of(village_name)
    subject = Subject(
        SubjectKind.HOUSEHOLD, household.village.township, household.village, household
    )
    return open_case(
        round_,
        subject,
        indicator,
        label,
        department(dept_code),
        None,
        evidence=f"{label}：否",
        due=due,
    )


def work_done(case: HelpCase, clerk, summary: str = "done", completion: date = date(2018, 9, 1)):
    """The department plans the case and reports the work done (it then waits for the township)."""
    cases.plan_case(
        case,
        clerk,
        measure="m",
        target_standard="s",
        responsible_person="p",
        planned_completion=completion,
    )
    cases.submit_work(case, clerk, summary)
    return case


def at(text: str) -> datetime:
    """A Beijing-time moment from an ISO string."""
    return clock.parse_moment(text)


def failed_message(user, subject: str = "帮扶个案逾期提醒") -> EmailMessage:
    """A message in the outbox that gave up after its retries."""
    message = EmailMessage(
        user_id=user.id,
        to_address=user.email or f"{user.username}@example.org",
        subject=subject,
        body=subject,
        event_key=f"test:{subject}",
        created_at=clock.now(),
        status=EmailStatus.FAILED,
        attempts=5,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )
    db.session.add(message)
    db.session.flush()
    return message
