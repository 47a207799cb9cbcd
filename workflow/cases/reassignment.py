"""The county office moves an open case to another department, with a reason."""

from __future__ import annotations

import sqlalchemy as sa

from workflow.models import (
    CaseStatus,
    Department,
    HelpCase,
    HumanTask,
    ProcessInstance,
    Role,
    TaskState,
    User,
)
from workflow.people.access import require_role
from workflow.platform import audit
from workflow.platform.db import db
from workflow.platform.errors import Refused, ValidationFailed
from workflow.platform.i18n import _


def may_reassign_case(actor: User, case: HelpCase) -> bool:
    """Whether the actor may move the case to another department now (the page's form)."""
    return (
        actor.role == Role.COUNTY_OFFICE
        and case.status not in _NOT_REASSIGNED
        and not case.lead_township
    )


_NOT_REASSIGNED = (CaseStatus.CLOSED, CaseStatus.CARRIED_OVER)


def reassign_case(case: HelpCase, department: Department, reason: str, actor: User) -> HelpCase:
    """The county office moves an open case to another department, with a reason."""
    require_role(actor, Role.COUNTY_OFFICE)
    if not reason.strip():
        raise ValidationFailed({"reason": _("Give the reason for reassigning.")})
    if case.status in _NOT_REASSIGNED:
        raise Refused(_("A closed or carried-over case cannot be reassigned."))
    if case.lead_township:
        raise Refused(_("A case its township leads stays with the township."))
    if department.id == case.department_id:
        raise ValidationFailed({"department": _("Choose another department.")})
    for unit in [u for u in case.co_units if u.department_id == department.id]:
        case.co_units.remove(unit)  # the new lead no longer shares it
    before = case.department.code
    case.department = department
    instance = db.session.get(ProcessInstance, case.instance_id)
    instance.department_id = department.id
    db.session.execute(
        sa.update(HumanTask)
        .where(
            HumanTask.instance_id == instance.id,
            HumanTask.state == TaskState.READY,
            HumanTask.role == Role.DEPARTMENT_CLERK,
        )
        .values(department_id=department.id)
        .execution_options(synchronize_session=False)
    )
    audit.record(
        actor,
        "case.reassign",
        "help_case",
        case.id,
        before={"department": before},
        after={"department": department.code},
        reason=reason.strip(),
    )
    return case
