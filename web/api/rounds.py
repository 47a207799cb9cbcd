"""Rounds, and a round's two reports: the accountability figures and the 补课清单."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask import Response, jsonify, request

from web.api import api_user, bp, serialize
from workflow.models import Gap, Township
from workflow.oversight import accountability
from workflow.people.access import COUNTY_WIDE_READERS
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, ValidationFailed
from workflow.platform.i18n import gettext
from workflow.programme import rounds
from workflow.survey import gaps


@bp.get("/rounds")
def round_list() -> Response:
    """Every round, newest first."""
    api_user()
    rows = rounds.in_calendar_order(newest_first=True)
    return jsonify({"items": [serialize.round_summary(r) for r in rows]})


@bp.get("/rounds/<round:year>")
def round_show(year: str) -> Response:
    """A round: its deadlines, its townships' surveys (as far as the caller's scope reaches) and
    how many gaps are in each state."""
    user = api_user()
    round_ = rounds.get_round(year)
    surveys = rounds.township_surveys(round_, user)
    counts = db.session.execute(
        sa.select(Gap.status, sa.func.count()).where(Gap.round_id == round_.id).group_by(Gap.status)
    ).all()
    return jsonify(
        {
            **serialize.round_summary(round_),
            "townships": [
                {
                    "township": serialize.unit(s.township),
                    "survey_status": s.status.value,
                    "released_early": s.released_early,
                    "submitted_at": serialize.moment(s.submitted_at),
                    "results_submitted_at": serialize.moment(s.results_submitted_at),
                }
                for s in surveys
            ],
            "gap_counts": {status.value: n for status, n in counts},
        }
    )


def _as_of() -> datetime | None:
    """?as_of=YYYY-MM-DD: overdue measured to the end of that day (default: the clock's now)."""
    text = request.args.get("as_of", "").strip()
    try:
        return clock.end_of_day(date.fromisoformat(text)) if text else None
    except ValueError:
        message = gettext("Not a date (write YYYY-MM-DD): %(text)s", text=text)
        raise ValidationFailed({"as_of": message}) from None


@bp.get("/rounds/<round:year>/reports/accountability")
def accountability_report(year: str) -> Response:
    """The leading group's report (§七.3) as figures, each with the case ids behind it."""
    if api_user().role not in COUNTY_WIDE_READERS:  # as the report's page
        raise AccessDenied(
            gettext("Only the county office and the leading group read this report.")
        )
    report = accountability.build_report(rounds.get_round(year), _as_of())

    def units(figures: list[accountability.UnitFigures]) -> list[dict[str, Any]]:
        return [
            {
                "name": u.name,
                "counts": {m: u.count(m) for m in accountability.METRICS},
                "case_ids": {m: list(u.cases[m]) for m in accountability.METRICS},
                "max_overdue_days": max(u.overdue_days.values(), default=0),
            }
            for u in figures
        ]

    return jsonify(
        {
            "year": report.round_year,
            "as_of": serialize.moment(report.as_of),
            "metrics": list(accountability.METRICS),
            "by_township": units(report.by_township),
            "by_department": units(report.by_department),
            "items": [
                {
                    "id": i.id,
                    "case_id": i.case_id,
                    "township": serialize.unit(i.township),
                    "department": serialize.unit(i.department),
                    "grounds": i.grounds,
                    "opened_at": serialize.moment(i.opened_at),
                    "status": i.status.value,
                    "decision": i.decision,
                    "decided_at": serialize.moment(i.decided_at),
                }
                for i in report.items
            ],
        }
    )


@bp.get("/rounds/<round:year>/reports/gaps")
def gap_report(year: str) -> Response:
    """The 补课清单 lines the caller may see (optionally one township's, by its code)."""
    user = api_user()
    round_ = rounds.get_round(year)
    township = None
    code = request.args.get("township", "")
    if code:
        township = db.session.scalar(sa.select(Township).where(Township.code == code))
        if township is None:
            raise ValidationFailed({"township": gettext("There is no township with that code.")})
    rows = gaps.gap_list(round_, township=township, viewer=user)
    return jsonify(
        {
            "year": year,
            "township": serialize.unit(township),
            "items": [serialize.gap(g) for g in rows],
        }
    )
