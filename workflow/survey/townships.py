"""A township's survey record in a round, and its lateness: what the survey's and the results'
processes share (the results process starts beside the survey's, so neither imports the other
for these)."""

from __future__ import annotations

import sqlalchemy as sa
from blinker import signal

from workflow.cases.accountability_items import open_late_township
from workflow.models import Gap, GapStatus, SurveyEscalation, TownshipSurvey
from workflow.platform import audit, clock
from workflow.platform.db import db

# Sent inside the transaction that recorded the lateness; notifications/ decides whom to tell.
survey_escalated = signal("survey-escalated")


def township_survey(round_id: int, township_id: int) -> TownshipSurvey:
    """The survey record of a township in a round."""
    return db.session.scalar(
        sa.select(TownshipSurvey).where(
            TownshipSurvey.round_id == round_id, TownshipSurvey.township_id == township_id
        )
    )


def record_late(survey: TownshipSurvey, stage: str, level: int) -> bool:
    """Record that a township's survey or results are late at a level; once per level."""
    exists = db.session.scalar(
        sa.select(SurveyEscalation.id).where(
            SurveyEscalation.round_id == survey.round_id,
            SurveyEscalation.township_id == survey.township_id,
            SurveyEscalation.stage == stage,
            SurveyEscalation.level == level,
        )
    )
    if exists is not None:
        return False
    db.session.add(
        SurveyEscalation(
            round_id=survey.round_id,
            township_id=survey.township_id,
            stage=stage,
            level=level,
            fired_at=clock.now(),
        )
    )
    audit.record(None, f"{stage}.overdue_level{level}", "township_survey", survey.id)
    survey_escalated.send(survey, level=level, stage=stage)
    if level == 2:  # the county office hears of it: 按时报送 failed, an item for the leader
        open_late_township(survey.round_id, survey.township_id, stage)
    return True


def open_pending_gaps(round_id: int, township_id: int) -> None:
    """The township's gaps still waiting (待上报、核定) open for triage."""
    db.session.execute(
        sa.update(Gap)
        .where(
            Gap.round_id == round_id,
            Gap.township_id == township_id,
            Gap.status == GapStatus.PENDING,
        )
        .values(status=GapStatus.OPEN)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
