"""The catalogue as a document: the packaged years, and checking what an administrator loads
(every problem at once, in Chinese), and writing a Standard back out."""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import asdict, fields
from typing import Any

from workflow.platform.i18n import _
from workflow.programme.standards import (
    DATA_DIR,
    JUDGES,
    NUMBER_JUDGES,
    REFERENCES,
    SUBJECT_KINDS,
    Applicability,
    Figure,
    Indicator,
    Standard,
)

_CODE = re.compile(r"^[A-Z]+(-[A-Z]+)*$")
_INDICATOR_FIELDS = {f.name for f in fields(Indicator)}
_STANDARD_FIELDS = {f.name for f in fields(Standard)}
_APPLICABILITY_FIELDS = {f.name for f in fields(Applicability)}


class CatalogueError(ValueError):
    """A catalogue document that cannot be used; `problems` lists every problem in Chinese."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(
            _("The standards catalogue is wrong:\n%(problems)s", problems="\n".join(problems))
        )
        self.problems = problems


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
        if ind.judge not in NUMBER_JUDGES:
            del item["threshold"], item["unit"]
        for optional in ("applies_to", "condition_column", "certified_by"):
            if item[optional] is None:
                del item[optional]
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
                    "Unknown way of judging “%(judge)s”; it must be one of %(judges)s.",
                    judge=judge_kind,
                    judges=", ".join(JUDGES),
                ),
            )
        )
    elif judge_kind not in NUMBER_JUDGES:
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
    condition = item.get("condition_column")
    if judge_kind == "eligible_covered" and (not isinstance(condition, str) or not condition):
        problems.append(
            _at(where, _("The header of the conditions column (condition_column) is missing."))
        )
    elif judge_kind != "eligible_covered" and condition is not None:
        problems.append(
            _at(where, _("Only an eligible_covered indicator has a conditions column."))
        )
    certified_by = item.get("certified_by")
    if certified_by is not None and (not isinstance(certified_by, str) or not certified_by):
        problems.append(_at(where, _("The certifying department (certified_by) must be a code.")))
    if judge_kind == "certified" and certified_by is None:
        problems.append(_at(where, _("A certified indicator needs its department (certified_by).")))
    applies_to = _parse_applicability(item.get("applies_to"), where, problems)
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
        applies_to=applies_to,
        condition_column=condition,
        certified_by=certified_by,
    )


def _parse_applicability(raw: Any, where: str, problems: list[str]) -> Applicability | None:
    """Return an indicator's rule of whom it applies to, noting problems."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append(_at(where, _("To whom it applies (applies_to) must be an object.")))
        return None
    problems.extend(_at(where, _unknown_field(k)) for k in raw if k not in _APPLICABILITY_FIELDS)
    low, high = raw.get("member_age_from"), raw.get("member_age_to")
    for bound in (low, high):
        if bound is not None and (not _is_int(bound) or not 0 <= bound <= 120):
            problems.append(
                _at(where, _("A member's age bound must be a whole number from 0 to 120."))
            )
            return None
    if low is None and high is None:
        problems.append(_at(where, _("To whom it applies (applies_to) gives no age bound.")))
        return None
    if low is not None and high is not None and low > high:
        problems.append(_at(where, _("The lower age bound is above the upper one.")))
        return None
    return Applicability(low, high, str(raw.get("source", "")))


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
