"""The standards catalogue (五有四保障 · 三通七有 · 五有), versioned by year; judging answers.

The catalogue is data (workflow/standards/<year>.json, poverty_lines.json) that the county office
can correct and re-upload; this module loads and validates it and judges survey answers with it.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from workflow.i18n import _

DATA_DIR = Path(__file__).with_name("standards")

SUBJECT_KINDS = ("household", "village", "township")
JUDGES = ("yes_no", "amount_at_least", "percent_above")
# Thresholds that name a per-year figure of the standard instead of a fixed number.
REFERENCES = ("poverty_line", "regional_growth")

_CODE = re.compile(r"^[A-Z]+(-[A-Z]+)*$")


class CatalogueError(ValueError):
    """A catalogue document that cannot be used; `problems` lists every problem in Chinese."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            _("The standards catalogue is wrong:\n%(problems)s", problems="\n".join(problems))
        )
        self.problems = problems


@dataclass(frozen=True)
class Figure:
    """A yearly figure (poverty line, regional growth) with where it comes from."""

    amount: float | None
    source: str = ""
    confirmed: bool = False


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
_INDICATOR_FIELDS = {f.name for f in fields(Indicator)}
_STANDARD_FIELDS = {f.name for f in fields(Standard)}


@dataclass(frozen=True)
class Finding:
    """An unmet indicator (a gap) with the form value that shows it."""

    code: str
    evidence: str


# -- loading ---------------------------------------------------------------------------------


def load_poverty_lines() -> dict[int, Figure]:
    """Return the packaged national poverty line of each year."""
    doc = json.loads((DATA_DIR / "poverty_lines.json").read_text(encoding="utf-8"))
    return {
        int(year): Figure(float(v["amount"]), v.get("source", ""), bool(v.get("confirmed")))
        for year, v in doc["lines"].items()
    }


def available_years() -> list[int]:
    """Return the years that have a packaged catalogue."""
    return sorted(int(p.stem) for p in DATA_DIR.glob("*.json") if p.stem.isdigit())


@functools.cache
def load_standard(year: int) -> Standard:
    """Return the packaged catalogue of a year, its poverty line taken from poverty_lines.json."""
    path = DATA_DIR / f"{int(year)}.json"
    if not path.exists():
        raise CatalogueError([_("There is no standards catalogue of %(year)s.", year=year)])
    doc = json.loads(path.read_text(encoding="utf-8"))
    if "poverty_line" not in doc:
        line = load_poverty_lines().get(int(year))
        if line is not None:
            doc["poverty_line"] = _figure_to_dict(line)
    return parse_standard(doc)


def parse_standard(doc: dict[str, Any]) -> Standard:
    """Return the Standard a document describes; raise CatalogueError listing every problem."""
    if not isinstance(doc, dict):
        raise CatalogueError([_("The catalogue must be a JSON object.")])
    problems: list[str] = [_unknown_field(k) for k in doc if k not in _STANDARD_FIELDS]
    year = doc.get("year")
    if not _is_int(year) or not 2010 <= year <= 2035:
        problems.append(
            _(
                "The year (year) must be a whole number from 2010 to 2035; it is “%(value)s”.",
                value=year,
            )
        )
    version = doc.get("version")
    if not _is_int(version) or version < 1:
        problems.append(
            _(
                "The version (version) must be a positive whole number; it is “%(value)s”.",
                value=version,
            )
        )
    poverty_line = _parse_figure(
        doc.get("poverty_line"),
        _("The year's poverty line (poverty_line)"),
        problems,
        required=True,
    )
    regional_growth = _parse_figure(
        doc.get("regional_growth"),
        _("The regional average growth (regional_growth)"),
        problems,
        required=False,
    )
    raw = doc.get("indicators")
    indicators: list[Indicator] = []
    if not isinstance(raw, list) or not raw:
        problems.append(_("The list of indicators (indicators) cannot be empty."))
        raw = []
    seen_codes: set[Any] = set()
    seen_columns: set[tuple[Any, Any]] = set()
    for n, item in enumerate(raw, start=1):
        ind = _parse_indicator(n, item, problems)
        if not isinstance(item, dict):
            continue
        code, column = item.get("code"), (item.get("subject_kind"), item.get("column"))
        where = _("Indicator %(n)s (%(code)s)", n=n, code=code)
        # Duplicates count even among items rejected for other reasons.
        if isinstance(code, str) and code in seen_codes:
            problems.append(_at(where, _("The indicator code is repeated.")))
        if isinstance(column[1], str) and column in seen_columns:
            problems.append(
                _at(
                    where,
                    _(
                        "The header “%(header)s” repeats another indicator's of the same form.",
                        header=column[1],
                    ),
                )
            )
        seen_codes.add(code)
        seen_columns.add(column)
        if ind is None:
            continue
        if ind.threshold == "regional_growth" and regional_growth.amount is None:
            problems.append(
                _at(
                    where,
                    _(
                        "It refers to the regional average growth, which the catalogue does not "
                        "give (regional_growth)."
                    ),
                )
            )
        indicators.append(ind)
    source = doc.get("source", "")
    if not isinstance(source, str):
        problems.append(_("The source (source) must be text."))
    if problems:
        raise CatalogueError(problems)
    return Standard(year, version, poverty_line, regional_growth, tuple(indicators), source)


def standard_to_dict(std: Standard) -> dict[str, Any]:
    """Return the catalogue document of a Standard (the inverse of parse_standard)."""
    items = []
    for ind in std.indicators:
        item = asdict(ind)
        if ind.judge == "yes_no":
            del item["threshold"], item["unit"]
        items.append(item)
    return {
        "year": std.year,
        "version": std.version,
        "source": std.source,
        "poverty_line": _figure_to_dict(std.poverty_line),
        "regional_growth": _figure_to_dict(std.regional_growth),
        "indicators": items,
    }


def _figure_to_dict(fig: Figure) -> dict[str, Any]:
    """Return a Figure as catalogue JSON."""
    return {"amount": fig.amount, "source": fig.source, "confirmed": fig.confirmed}


def _parse_figure(raw: Any, name: str, problems: list[str], *, required: bool) -> Figure:
    """Return a Figure from {"amount", "source", "confirmed"}, noting problems."""
    if raw is None:
        if required:
            problems.append(_("%(name)s is missing.", name=name))
        return Figure(None)
    if _is_number(raw):
        return Figure(float(raw))
    if not isinstance(raw, dict):
        problems.append(_("%(name)s must be a number or an object with an amount.", name=name))
        return Figure(None)
    amount = raw.get("amount")
    if amount is None and not required:
        return Figure(None, str(raw.get("source", "")), False)
    if not _is_number(amount) or amount <= 0:
        problems.append(
            _(
                "The amount (amount) of %(name)s must be positive; it is “%(value)s”.",
                name=name,
                value=amount,
            )
        )
        amount = None
    if not isinstance(raw.get("confirmed", False), bool):
        problems.append(
            _("Whether %(name)s is confirmed (confirmed) must be true or false.", name=name)
        )
    return Figure(
        None if amount is None else float(amount),
        str(raw.get("source", "")),
        raw.get("confirmed") is True,
    )


def _parse_indicator(n: int, item: Any, problems: list[str]) -> Indicator | None:
    """Return one Indicator of a catalogue document, or None noting why it is unusable."""
    if not isinstance(item, dict):
        problems.append(_("Indicator %(n)s must be an object.", n=n))
        return None
    code = item.get("code")
    where = (
        _("Indicator %(n)s (%(code)s)", n=n, code=code)
        if isinstance(code, str) and code
        else _("Indicator %(n)s", n=n)
    )
    before = len(problems)
    problems.extend(_at(where, _unknown_field(k)) for k in item if k not in _INDICATOR_FIELDS)
    if not isinstance(code, str) or not _CODE.match(code):
        problems.append(
            _at(
                where,
                _(
                    "The indicator code (code) must be capital letters and hyphens, such as "
                    "H-WATER."
                ),
            )
        )
    required_texts = {
        "label": _("The name (label) is missing."),
        "column": _("The header (column) is missing."),
        "clause": _("The clause of the plan (clause) is missing."),
    }
    for key, missing in required_texts.items():
        if not isinstance(item.get(key), str) or not item[key].strip():
            problems.append(_at(where, missing))
    kind = item.get("subject_kind")
    if kind not in SUBJECT_KINDS:
        problems.append(
            _at(
                where,
                _(
                    "Unknown subject kind “%(kind)s”; it must be household, village or township.",
                    kind=kind,
                ),
            )
        )
    judge_kind = item.get("judge")
    threshold, unit = item.get("threshold"), item.get("unit")
    if judge_kind not in JUDGES:
        problems.append(
            _at(
                where,
                _(
                    "Unknown way of judging “%(judge)s”; it must be yes_no, amount_at_least or "
                    "percent_above.",
                    judge=judge_kind,
                ),
            )
        )
    elif judge_kind == "yes_no":
        if threshold is not None:
            problems.append(_at(where, _("A yes/no indicator takes no threshold (threshold).")))
    else:
        if threshold is None:
            problems.append(_at(where, _("The threshold (threshold) is missing.")))
        elif isinstance(threshold, str):
            if threshold not in REFERENCES:
                problems.append(
                    _at(
                        where,
                        _(
                            "The threshold “%(value)s” is neither a number nor poverty_line or "
                            "regional_growth.",
                            value=threshold,
                        ),
                    )
                )
        elif not _is_number(threshold):
            problems.append(
                _at(
                    where,
                    _(
                        "The threshold (threshold) must be a number; it is “%(value)s”.",
                        value=threshold,
                    ),
                )
            )
        if not isinstance(unit, str) or not unit.strip():
            problems.append(_at(where, _("The unit (unit) is missing.")))
    group = item.get("group", "")
    if not isinstance(group, str):
        problems.append(_at(where, _("The group (group) must be text.")))
    if len(problems) > before:
        return None
    return Indicator(
        code=code,
        label=item["label"].strip(),
        subject_kind=kind,
        judge=judge_kind,
        column=item["column"].strip(),
        clause=item["clause"].strip(),
        threshold=threshold
        if threshold is None or isinstance(threshold, str)
        else float(threshold),
        unit=unit,
        group=group,
    )


def _at(where: str, problem: str) -> str:
    """Return a problem of one indicator, prefixed with which indicator it is."""
    return _("%(where)s: %(problem)s", where=where, problem=problem)


def _unknown_field(name: str) -> str:
    """Return the problem of a field the catalogue does not know."""
    return _("Unknown field “%(field)s”", field=name)


def _is_number(value: Any) -> bool:
    """Tell whether a JSON value is a finite number (booleans are not)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value: Any) -> bool:
    """Tell whether a JSON value is an integer (booleans are not)."""
    return isinstance(value, int) and not isinstance(value, bool)


# -- judging ---------------------------------------------------------------------------------


def threshold_of(standard: Standard, indicator: Indicator) -> float | None:
    """Return the number an amount indicator is judged against, resolving yearly references."""
    if isinstance(indicator.threshold, str):
        figure = getattr(standard, indicator.threshold)
        return figure.amount
    return indicator.threshold


def judge(standard: Standard, indicator: Indicator, value: bool | float | None) -> bool | None:
    """Return True when the answer meets the indicator, False when not, None when unknowable."""
    if value is None:
        return None
    if indicator.judge == "yes_no":
        if not isinstance(value, bool):
            raise TypeError(f"{indicator.code} expects a bool answer, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{indicator.code} expects a number, got {value!r}")
    limit = threshold_of(standard, indicator)
    if limit is None:
        return None
    return value >= limit if indicator.judge == "amount_at_least" else value > limit


def evaluate(
    standard: Standard, subject_kind: str, answers: dict[str, bool | float | None]
) -> list[Finding]:
    """Return one Finding per unmet indicator of a subject; missing answers are not gaps."""
    if subject_kind not in SUBJECT_KINDS:
        raise ValueError(f"unknown subject kind {subject_kind!r}")
    findings = []
    for ind in standard.for_kind(subject_kind):
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
