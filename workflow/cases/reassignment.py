"""The county office moves an open case to another department, with a reason; a case its
township leads (帮扶手册、扶持证 and the like) can be handed to a department the same way."""

from __future__ import annotations

import sqlalchemy as sa

from workflow.engine import instances
from workflow.engine.lanes import TOWNSHIP_LEADS, role_for_lane
from workflow.engine.spiff import SpiffTaskState
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
    return actor.role == Role.COUNTY_OFFICE and case.status not in _NOT_REASSIGNED


_NOT_REASSIGNED = (CaseStatus.CLOSED, CaseStatus.CARRIED_OVER)


def reassign_case(case: HelpCase, department: Department, reason: str, actor: User) -> HelpCase:
    """The county office moves an open case to another department, with a reason. A case its
    township led is handed over: from then on the department plans and works it, the township
    clerk's open task becomes the department's, and reminders go to the department."""
    require_role(actor, Role.COUNTY_OFFICE)
    if not reason.strip():
        raise ValidationFailed({"reason": _("Give the reason for reassigning.")})
    if case.status in _NOT_REASSIGNED:
        raise Refused(_("A closed or carried-over case cannot be reassigned."))
    if department.id == case.department_id:
        raise ValidationFailed({"department": _("Choose another department.")})
    for unit in [u for u in case.co_units if u.department_id == department.id]:
        case.co_units.remove(unit)  # the new lead no longer shares it
    before = {"department": case.department.code} if case.department else {"township_leads": True}
    instance = db.session.get(ProcessInstance, case.instance_id)
    case.department = department
    instance.department_id = department.id
    if case.lead_township:
        case.lead_township = False
        _hand_lanes_back(instance, department)
    else:
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
        before=before,
        after={"department": department.code},
        reason=reason.strip(),
    )
    return case


_UNFINISHED = SpiffTaskState.NOT_FINISHED_MASK


def _hand_lanes_back(instance: ProcessInstance, department: Department) -> None:
    """Drop the township's hold on the department lane from the instance's data (the steps to
    come go to the department as drawn) and give the department the township clerk's open task
    of that lane."""
    wf = instances.load(instance)
    wf.data.pop("lanes", None)
    for task in wf.get_tasks(state=_UNFINISHED):
        task.data.pop("lanes", None)
    instances.save(instance, wf)
    handed = {township: lane for lane, township in TOWNSHIP_LEADS.items()}
    role = {lane: role_for_lane(lane) for lane in handed.values()}
    for task in db.session.scalars(
        sa.select(HumanTask).where(
            HumanTask.instance_id == instance.id,
            HumanTask.state == TaskState.READY,
            HumanTask.lane.in_(list(handed)),
        )
    ):
        task.lane = handed[task.lane]
        task.role, task.department_id, task.assignee_id = role[task.lane], department.id, None
    db.session.flush()
