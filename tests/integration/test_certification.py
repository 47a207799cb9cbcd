"""The 核定 steps (§六.4, §六.5) on the demo county: after 奥依亚依拉克镇's survey is in, 县农经局
certifies 人均纯收入 and 县统计局 income growth; a marked row becomes a gap, and nothing is final
for triage before both certify or their deadline passes."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from notifications.models import Notice
from tests.scenario import AOYI, certify_tasks, submit_township
from workflow.inbox import tasks
from workflow.models import AuditEvent, Gap, GapStatus, TaskState
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, ValidationFailed
from workflow.survey import certification


def _statuses() -> set[GapStatus]:
    return set(db.session.scalars(sa.select(Gap.status)))


def test_a_row_marked_by_the_agriculture_economics_bureau_becomes_a_gap(round2018, user):
    submit_township(round2018, AOYI, user, certify=False)
    pending = certify_tasks(AOYI)
    assert sorted(pending) == ["NJJ", "TJJ"]
    njj_task = pending["NJJ"]
    assert njj_task in tasks.inbox(user("dept_njj"))
    assert njj_task.due_at is not None and njj_task.due_at.date().isoformat() == "2018-07-06"
    rows = certification.certify_rows(njj_task)
    assert rows and all(r.income == "3,200" for r in rows)  # what the villages wrote
    marked = rows[1]
    with pytest.raises(AccessDenied):
        certification.certify_households(njj_task, user("dept_slj"), {})
    with pytest.raises(ValidationFailed):
        certification.certify_households(njj_task, user("dept_njj"), {marked.household_id: " "})

    certification.certify_households(
        njj_task, user("dept_njj"), {marked.household_id: "经营性收入重复计算，核减后未超过标准"}
    )
    gap = db.session.scalar(sa.select(Gap).where(Gap.found_by == "certification"))
    assert (gap.household_id, gap.indicator_code) == (marked.household_id, "H-INCOME")
    assert gap.evidence == "核定不通过：经营性收入重复计算，核减后未超过标准"
    assert gap.routed_to == "NYJ"  # routed as usual: 农业局 raises the income (§六.1)
    assert _statuses() == {GapStatus.PENDING}, "县统计局 has not certified yet"

    certification.certify_households(pending["TJJ"], user("dept_tjj"), {})
    assert _statuses() == {GapStatus.OPEN}
    assert certify_tasks(AOYI) == {}
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("survey.certify") == 2 and "survey.final" in actions


def test_nothing_is_final_before_both_certify_or_their_deadline_passes(round2018, user, run_tick):
    submit_township(round2018, AOYI, user, certify=False)
    # nobody certifies
    run_tick("2018-07-06T23:00+08:00")
    assert _statuses() == {GapStatus.PENDING}
    run_tick("2018-07-07T00:30+08:00")  # the 核定 deadline has passed
    assert _statuses() == {GapStatus.OPEN}
    overdue = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "certify.overdue"))
    assert overdue is not None
    told = set(
        db.session.scalars(sa.select(Notice.user_id).where(Notice.event_key.like("certify:%")))
    )
    assert {user("dept_njj_fzr").id, user("dept_tjj").id, user("fpb").id} <= told
    assert user("dept_slj").id not in told
    late = certify_tasks(AOYI)
    assert sorted(late) == ["NJJ", "TJJ"]  # still to do, now overdue in their inboxes
    assert all(t.state == TaskState.READY for t in late.values())
    # a late mark opens at once: triage has already begun
    row = certification.certify_rows(late["TJJ"])[0]
    certification.certify_households(late["TJJ"], user("dept_tjj"), {row.household_id: "增幅4.1%"})
    growth = db.session.scalar(sa.select(Gap).where(Gap.indicator_code == "H-INCOME-GROWTH"))
    assert growth.status == GapStatus.OPEN and growth.routed_to == "TJJ"
