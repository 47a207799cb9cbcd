"""Connecting the domain's signals to the notification rules."""

from __future__ import annotations

from typing import Any

from flask import Flask

from notifications import rules
from workflow.escalation import case_escalated


def _on_case_escalated(case: Any, level: int, **_: Any) -> None:
    rules.notify_case_level(case, level)


def connect(app: Flask) -> None:
    """Subscribe the notification rules to the domain's events (idempotent)."""
    case_escalated.connect(_on_case_escalated, weak=False)
