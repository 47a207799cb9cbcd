"""The standards catalogue (五有四保障 · 三通七有 · 五有), versioned by year, and judging answers.

The catalogue is data (workflow/standards/<year>.json, poverty_lines.json) that the county office
can correct and re-upload; `workflow.programme.standards_document` reads, checks and writes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow.platform.i18n import _

DATA_DIR = Path(__file__).resolve().parents[1] / "standards"

SUBJECT_KINDS = ("household", "village", "township")
# yes_no: a 是/否 column; amount_at_least / amount_above / percent_above: a number against a
# threshold (≥, >, >); eligible_covered: two 是/否 columns, "meets the conditions" and "is
# covered" (低保: 应纳尽纳、应退尽退); certified: no column on the form, judged only by the
# department named in `certified_by` on its 核定 page.
JUDGES = (
    "yes_no",
    "amount_at_least",
    "amount_above",
    "percent_above",
    "eligible_covered",
    "certified",
)
NUMBER_JUDGES = ("amount_at_least", "amount_above", "percent_above")
# What a clerk writes where an indicator does not apply to the household (the form writes the
# first); only an indicator with an `applies_to` rule takes it.
NOT_APPLICABLE = "不涉及"
NOT_APPLICABLE_SPELLINGS = ("不涉及", "/", "／", "—", "——", "-", "无此情况", "不适用")
# The key of the "meets the conditions" column of an eligible_covered indicator.
ELIGIBLE_SUFFIX = "/eligible"
# Thresholds that name a per-year figure of the standard instead of a fixed number.
REFERENCES = ("poverty_line", "regional_growth")


@dataclass(frozen=True)
class Figure:
    """A yearly figure (poverty line, regional growth) with where it comes from."""

    amount: float | None
    source: str = ""
    confirmed: bool = False


@dataclass(frozen=True)
class Applicability:
    """To whom an indicator applies: households with a member (on the register, not deceased or
    moved out) whose age in whole years at the round's reference date is within the bounds."""

    member_age_from: int | None = None
    member_age_to: int | None = None
    source: str = ""

    def admits(self, age: int) -> bool:
        """Tell whether a member of this age makes the indicator apply."""
        low, high = self.member_age_from, self.member_age_to
        return (low is None or age >= low) and (high is None or age <= high)


@dataclass(frozen=True)
class Indicator:
    """One checked item of the catalogue, e.g. H-WATER 有安全饮水."""

    code: str
    label: str
    subject_kind: str
    judge: str
    column: str
    clause: str
    threshold: float | str | None = None
    unit: str | None = None
    group: str = ""
    applies_to: Applicability | None = None  # None: every subject of its kind
    condition_column: str | None = None  # eligible_covered: the "meets the conditions" header
    certified_by: str | None = None  # department code that certifies it after the survey (核定)

    @property
    def on_form(self) -> bool:
        """Tell whether the survey form has a column for it (a certified one has none)."""
        return self.judge != "certified"

    @property
    def short_name(self) -> str:
        """Return the column text without its unit, as quoted in messages (人均纯收入)."""
        return re.sub(r"[（(][^）)]*[）)]$", "", self.column).strip()


@dataclass(frozen=True)
class Standard:
    """One year's catalogue: the poverty line, the regional growth and the indicators."""

    year: int
    version: int
    poverty_line: Figure
    regional_growth: Figure
    indicators: tuple[Indicator, ...]
    source: str = ""

    def for_kind(self, kind: str) -> list[Indicator]:
        """Return the indicators checked for one subject kind, in form order."""
        return [i for i in self.indicators if i.subject_kind == kind]

    def indicator(self, code: str) -> Indicator:
        """Return the indicator with this code."""
        for ind in self.indicators:
            if ind.code == code:
                return ind
        raise KeyError(code)


# A catalogue document's fields are the dataclasses' fields; anything else is a typo.


@dataclass(frozen=True)
class Finding:
    """An unmet indicator (a gap) with the form value that shows it."""

    code: str
    evidence: str
    label: str = ""  # the gap's name when it is not the indicator's (低保: 应纳未纳, 应退未退)


# -- judging ---------------------------------------------------------------------------------


def threshold_of(standard: Standard, indicator: Indicator) -> float | None:
    """Return the number an amount indicator is judged against, resolving yearly references."""
    if isinstance(indicator.threshold, str):
        figure = getattr(standard, indicator.threshold)
        return figure.amount
    return indicator.threshold


def judge(standard: Standard, indicator: Indicator, value: bool | float | None) -> bool | None:
    """Return True when the answer meets the indicator, False when not, None when unknowable."""
    if value is None or value == NOT_APPLICABLE or indicator.judge == "certified":
        return None
    if indicator.judge in ("yes_no", "eligible_covered"):
        if not isinstance(value, bool):
            raise TypeError(f"{indicator.code} expects a bool answer, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{indicator.code} expects a number, got {value!r}")
    limit = threshold_of(standard, indicator)
    if limit is None:
        return None
    return value >= limit if indicator.judge == "amount_at_least" else value > limit


def _dibao_finding(ind: Indicator, answers: dict[str, Any]) -> Finding | None:
    """应纳尽纳、应退尽退: a gap only where the conditions and the coverage disagree."""
    eligible = answers.get(ind.code + ELIGIBLE_SUFFIX)
    covered = answers.get(ind.code)
    if not isinstance(eligible, bool) or not isinstance(covered, bool) or eligible == covered:
        return None
    if eligible:
        label = _("Meets the conditions but not covered")
        evidence = _(
            "%(condition)s: yes; %(covered)s: no",
            condition=ind.condition_column or "",
            covered=ind.short_name,
        )
    else:
        label = _("Covered but no longer meets the conditions")
        evidence = _(
            "%(condition)s: no; %(covered)s: yes",
            condition=ind.condition_column or "",
            covered=ind.short_name,
        )
    return Finding(ind.code, evidence, label)


def evaluate(
    standard: Standard, subject_kind: str, answers: dict[str, bool | float | None]
) -> list[Finding]:
    """Return one Finding per unmet indicator of a subject; missing answers are not gaps."""
    if subject_kind not in SUBJECT_KINDS:
        raise ValueError(f"unknown subject kind {subject_kind!r}")
    findings = []
    for ind in standard.for_kind(subject_kind):
        if ind.judge == "eligible_covered":
            if (finding := _dibao_finding(ind, answers)) is not None:
                findings.append(finding)
            continue
        value = answers.get(ind.code)
        if judge(standard, ind, value) is False:
            findings.append(Finding(ind.code, _evidence(standard, ind, value)))
    return findings


def _evidence(standard: Standard, ind: Indicator, value: Any) -> str:
    """Return the short Chinese sentence that quotes the unmet form value."""
    if ind.judge == "yes_no":
        return _("%(name)s: no", name=ind.short_name)
    figures = {
        "name": ind.short_name,
        "value": format_number(value),
        "limit": format_number(threshold_of(standard, ind)),
        "unit": ind.unit or "",
        "year": standard.year,
    }
    if ind.judge == "percent_above":
        if ind.threshold == "poverty_line":
            return _("%(name)s %(value)s%%, not above the %(year)s standard %(limit)s%%", **figures)
        if ind.threshold == "regional_growth":
            return _(
                "%(name)s %(value)s%%, not above the %(year)s regional average %(limit)s%%",
                **figures,
            )
        return _("%(name)s %(value)s%%, not above the standard %(limit)s%%", **figures)
    if ind.judge == "amount_above" and ind.threshold == "poverty_line":
        return _(
            "%(name)s %(value)s %(unit)s, not above the %(year)s standard %(limit)s %(unit)s",
            **figures,
        )
    if ind.judge == "amount_above":
        return _(
            "%(name)s %(value)s %(unit)s, not above the standard %(limit)s %(unit)s", **figures
        )
    if ind.threshold == "poverty_line":
        return _(
            "%(name)s %(value)s %(unit)s, below the %(year)s standard %(limit)s %(unit)s",
            **figures,
        )
    if ind.threshold == "regional_growth":
        return _(
            "%(name)s %(value)s %(unit)s, below the %(year)s regional average %(limit)s %(unit)s",
            **figures,
        )
    return _("%(name)s %(value)s %(unit)s, below the standard %(limit)s %(unit)s", **figures)


def format_number(value: float | None) -> str:
    """Return a number as clerks write it: thousands commas, no trailing zeros (2,650 · 3.5)."""
    if value is None:
        return ""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
