"""Moving a case back to an earlier step (a wrong "done", a verification passed by mistake):
the county office names the step and the reason; the process is reset to that step, the case's
status follows, and the inbox shows the step's task again. Audited."""

from __future__ import annotations

import sqlalchemy as sa

from workflow.engine.modification import done_user_steps, move_back
from workflow.inbox.steps import STEP_OF_CASE_STATUS
from workflow.models import CaseStatus, HelpCase, ProcessInstance, Role, User
from workflow.people.access import require_role
from workflow.platform import audit
from workflow.platform.db import db
from workflow.platform.errors import Refused, ValidationFailed
from workflow.platform.i18n import _

STATUS_OF_STEP = {step: status for status, step in STEP_OF_CASE_STATUS.items()}
_BEFORE_WORK_DONE = (CaseStatus.PLANNING, CaseStatus.IN_PROGRESS)


def case_of_instance(instance_id: int) -> HelpCase | None:
    """The case a gap_case instance runs for, if any."""
    return db.session.scalar(sa.select(HelpCase).where(HelpCase.instance_id == instance_id))


def steps_back(case: HelpCase) -> list[tuple[str, str]]:
    """The steps the case may be moved back to: those of its process it has done."""
    if case.status not in STATUS_OF_STEP.values() or case.instance_id is None:
        return []
    instance = db.session.get(ProcessInstance, case.instance_id)
    return [(e, name) for e, name in done_user_steps(instance) if e in STATUS_OF_STEP]


def move_case_back(case: HelpCase, step: str, reason: str, actor: User) -> HelpCase:
    """The county office moves an open case back to a step it has done, with a reason."""
    require_role(actor, Role.COUNTY_OFFICE)
    if case.status not in STATUS_OF_STEP.values():
        raise Refused(_("Only an open case can be moved back to an earlier step."))
    allowed = dict(steps_back(case))
    problems = {}
    if step not in allowed:
        problems["step"] = _("Choose a step the case has done.")
    if not reason.strip():
        problems["reason"] = _("Give the reason for moving the case back.")
    if problems:
        raise ValidationFailed(problems)
    before = {"status": case.status.value}
    move_back(db.session.get(ProcessInstance, case.instance_id), step)
    case.status = STATUS_OF_STEP[step]
    if case.status in _BEFORE_WORK_DONE:
        case.work_done_at = None  # the work is not done after all: escalation applies again
    audit.record(
        actor,
        "case.moved_back",
        "help_case",
        case.id,
        before=before,
        after={"status": case.status.value, "step": step, "step_name": allowed[step]},
        reason=reason.strip(),
    )
    return case
