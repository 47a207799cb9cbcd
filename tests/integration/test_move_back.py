"""Safe modification: the county office moves a case back to a step it has done, with a
reason; the process, the case's status, the inbox and the timers follow, and it is audited."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tests.factories import at, make_round, open_household_case, work_done
from tests.integration.test_migration import _consistent, _waiting_timers
from workflow.cases import lifecycle as cases
from workflow.models import AuditEvent, CaseStatus, HelpCase, HumanTask, TaskState
from workflow.platform import clock
from workflow.platform.db import db


def _ready(instance_id: int) -> list[str]:
    db.session.expire_all()
    return sorted(
        db.session.scalars(
            sa.select(HumanTask.spec_name).where(
                HumanTask.instance_id == instance_id, HumanTask.state == TaskState.READY
            )
        )
    )


def test_a_wrong_done_is_moved_back_to_the_work(county, user, browser):
    clock.set_now(at("2018-08-01T10:00"))
    round_ = make_round()
    verifying = work_done(open_household_case(round_, due=date(2018, 9, 30)), user("dept_slj"))
    accepting = work_done(
        open_household_case(round_, "喀特勒什村", due=date(2018, 9, 30)), user("dept_slj")
    )
    cases.verify_case(accepting, user("qmz_zg"), True)
    db.session.commit()
    timers = {c.id: _waiting_timers(c.instance_id) for c in (verifying, accepting)}
    office = browser("fpb")
    url = f"/operations/instances/{verifying.instance_id}"
    page = office.get(url).get_data(as_text=True)
    assert 'value="carry_out"' in page and 'value="plan_measure"' in page

    refused = office.post(f"{url}/move-back", {"step": "carry_out", "reason": ""})
    assert refused.status_code == 422 and "请填写退回的原因" in refused.get_data(as_text=True)
    assert _ready(verifying.instance_id) == ["verify_on_site"]

    reason = "误报已完成，管道尚未通水"
    assert (
        office.post(f"{url}/move-back", {"step": "carry_out", "reason": reason}).status_code == 303
    )
    case = db.session.get(HelpCase, verifying.id)
    assert case.status == CaseStatus.IN_PROGRESS and case.work_done_at is None
    assert _ready(verifying.instance_id) == ["carry_out"]
    _consistent(verifying.instance_id)
    assert _waiting_timers(verifying.instance_id) == timers[verifying.id]
    history = office.get(f"/cases/{verifying.id}").get_data(as_text=True)
    assert f"将个案退回到“落实帮扶措施”：{reason}" in history
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "case.moved_back"))
    assert event.reason == reason and event.actor_name == user("fpb").display_name

    # The department works the step again; the case goes on as before.
    cases.submit_work(case, user("dept_slj"), "已通水")
    db.session.commit()
    assert _ready(verifying.instance_id) == ["verify_on_site"]

    # A case waiting for the county's acceptance, back to planning: its subprocess is re-entered.
    url = f"/operations/instances/{accepting.instance_id}/move-back"
    assert office.post(url, {"step": "plan_measure", "reason": "措施不符合标准"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(HelpCase, accepting.id).status == CaseStatus.PLANNING
    assert _ready(accepting.instance_id) == ["plan_measure"]
    _consistent(accepting.instance_id)
    assert timers[accepting.id] == {}, "past the work, its deadline timers were done with"
    assert _waiting_timers(accepting.instance_id) == timers[verifying.id], "they wait again"


def test_only_the_county_office_moves_cases_back(county, user, browser):
    clock.set_now(at("2018-08-01T10:00"))
    case = work_done(open_household_case(make_round(), due=date(2018, 9, 30)), user("dept_slj"))
    db.session.commit()
    url = f"/operations/instances/{case.instance_id}"
    assert 'name="step"' not in browser("admin").get(url).get_data(as_text=True)
    data = {"step": "carry_out", "reason": "x"}
    assert browser("admin").post(f"{url}/move-back", data).status_code == 403
    assert browser("dept_slj_fzr").post(f"{url}/move-back", data).status_code == 403
    assert _ready(case.instance_id) == ["verify_on_site"]
