"""Connecting the domain's signals to the notification rules."""

from __future__ import annotations

from typing import Any

from flask import Flask

from notifications import rules
from workflow.escalation import case_escalated
from workflow.survey_flow import survey_escalated


def _on_case_escalated(case: Any, level: int, **_: Any) -> None:
    rules.notify_case_level(case, level)


def _on_survey_escalated(survey: Any, level: int, **_: Any) -> None:
    rules.notify_survey_level(survey, level)


def connect(app: Flask) -> None:
    """Subscribe the notification rules to the domain's events (idempotent)."""
    case_escalated.connect(_on_case_escalated, weak=False)
    survey_escalated.connect(_on_survey_escalated, weak=False)
