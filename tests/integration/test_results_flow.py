"""Results tables (§五.2) as a process: the township reviews and signs them by 15 October; a
township that does not is escalated to its leader, then to the county office."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from notifications.models import Notice
from tests.factories import at, open_household_case
from workflow.inbox import tasks
from workflow.models import Signature, SurveyEscalation, Township, TownshipSurvey
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied
from workflow.programme import rounds
from workflow.survey import results_flow

AOYI = "奥依亚依拉克镇"


def test_results_signed_in_time_are_not_escalated_and_late_ones_are(county, user, run_tick):
    clock.set_now(at("2018-06-20T10:00"))
    round_ = rounds.launch_round(2018, user("fpb"))
    open_household_case(round_)  # something for the tables to show
    db.session.commit()
    clock.set_now(at("2018-10-12T10:00"))
    (review,) = [t for t in tasks.inbox(user("aoyi_zg")) if t.spec_name == "results_review"]
    with pytest.raises(AccessDenied):
        results_flow.review_results(review, user("qmz_zg"))
    db.session.rollback()
    results_flow.review_results(review, user("aoyi_zg"))
    (sign,) = [t for t in tasks.inbox(user("aoyi_fzr")) if t.spec_name == "results_sign"]
    results_flow.sign_results(sign, user("aoyi_fzr"))
    db.session.commit()
    aoyi = db.session.scalar(sa.select(Township).where(Township.name == AOYI))
    survey = db.session.scalar(
        sa.select(TownshipSurvey).where(TownshipSurvey.township_id == aoyi.id)
    )
    assert survey.results_submitted_at is not None
    signed = db.session.scalars(
        sa.select(Signature).where(Signature.object_type == "township_results")
    ).all()
    assert [s.signer_name for s in signed] == [
        user("aoyi_zg").display_name,
        user("aoyi_fzr").display_name,
    ]
    assert signed[0].content_hash == results_flow.results_digest(round_, aoyi)

    run_tick("2018-10-15T23:59:00+08:00")
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(SurveyEscalation)
            .where(SurveyEscalation.stage == "results")
        )
        == 0
    )
    run_tick("2018-10-16T00:30+08:00")
    run_tick("2018-10-16T00:31+08:00")
    late = db.session.execute(
        sa.select(SurveyEscalation.township_id, SurveyEscalation.level).where(
            SurveyEscalation.stage == "results"
        )
    ).all()
    assert len(late) == 12 and aoyi.id not in {t for t, _ in late}
    notices = db.session.scalars(
        sa.select(Notice.subject).where(
            Notice.user_id == user("qmz_fzr").id, Notice.event_key.like("results:%")
        )
    ).all()
    assert notices == ["且末镇“回头帮”成果统计表上报已逾期"]
    run_tick("2018-10-19T00:30+08:00")
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(SurveyEscalation)
            .where(SurveyEscalation.stage == "results", SurveyEscalation.level == 2)
        )
        == 12
    )
