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

DATA_DIR = Path(__file__).with_name("standards")

SUBJECT_KINDS = ("household", "village", "township")
JUDGES = ("yes_no", "amount_at_least", "percent_above")
# Thresholds that name a per-year figure of the standard instead of a fixed number.
REFERENCES = {"poverty_line": "年标准", "regional_growth": "年自治区平均水平"}

_CODE = re.compile(r"^[A-Z]+(-[A-Z]+)*$")


class CatalogueError(ValueError):
    """A catalogue document that cannot be used; `problems` lists every problem in Chinese."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("标准目录有误：\n" + "\n".join(problems))
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
        raise CatalogueError([f"没有{year}年的标准目录"])
    doc = json.loads(path.read_text(encoding="utf-8"))
    if "poverty_line" not in doc:
        line = load_poverty_lines().get(int(year))
        if line is not None:
            doc["poverty_line"] = _figure_to_dict(line)
    return parse_standard(doc)


def parse_standard(doc: dict[str, Any]) -> Standard:
    """Return the Standard a document describes; raise CatalogueError listing every problem."""
    if not isinstance(doc, dict):
        raise CatalogueError(["标准目录应为一个JSON对象"])
    problems: list[str] = [f"未知字段“{k}”" for k in doc if k not in _STANDARD_FIELDS]
    year = doc.get("year")
    if not _is_int(year) or not 2010 <= year <= 2035:
        problems.append(f"年度（year）应为2010至2035之间的整数，现为“{year}”")
    version = doc.get("version")
    if not _is_int(version) or version < 1:
        problems.append(f"版本号（version）应为正整数，现为“{version}”")
    poverty_line = _parse_figure(
        doc.get("poverty_line"), "当年扶贫标准（poverty_line）", problems, required=True
    )
    regional_growth = _parse_figure(
        doc.get("regional_growth"), "自治区平均增幅（regional_growth）", problems, required=False
    )
    raw = doc.get("indicators")
    indicators: list[Indicator] = []
    if not isinstance(raw, list) or not raw:
        problems.append("指标列表（indicators）不能为空")
        raw = []
    seen_codes: set[Any] = set()
    seen_columns: set[tuple[Any, Any]] = set()
    for n, item in enumerate(raw, start=1):
        ind = _parse_indicator(n, item, problems)
        if not isinstance(item, dict):
            continue
        code, column = item.get("code"), (item.get("subject_kind"), item.get("column"))
        where = f"第{n}项指标（{code}）"
        # Duplicates count even among items rejected for other reasons.
        if isinstance(code, str) and code in seen_codes:
            problems.append(f"{where}：指标代码重复")
        if isinstance(column[1], str) and column in seen_columns:
            problems.append(f"{where}：表头“{column[1]}”与同一张表的另一指标重复")
        seen_codes.add(code)
        seen_columns.add(column)
        if ind is None:
            continue
        if ind.threshold == "regional_growth" and regional_growth.amount is None:
            problems.append(f"{where}：引用了自治区平均增幅，但标准未给出（regional_growth）")
        indicators.append(ind)
    source = doc.get("source", "")
    if not isinstance(source, str):
        problems.append("出处（source）应为文字")
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
            problems.append(f"缺少{name}")
        return Figure(None)
    if _is_number(raw):
        return Figure(float(raw))
    if not isinstance(raw, dict):
        problems.append(f"{name}应为数字或含amount的对象")
        return Figure(None)
    amount = raw.get("amount")
    if amount is None and not required:
        return Figure(None, str(raw.get("source", "")), False)
    if not _is_number(amount) or amount <= 0:
        problems.append(f"{name}的金额（amount）应为正数，现为“{amount}”")
        amount = None
    if not isinstance(raw.get("confirmed", False), bool):
        problems.append(f"{name}的是否核实（confirmed）应为 true 或 false")
    return Figure(
        None if amount is None else float(amount),
        str(raw.get("source", "")),
        raw.get("confirmed") is True,
    )


def _parse_indicator(n: int, item: Any, problems: list[str]) -> Indicator | None:
    """Return one Indicator of a catalogue document, or None noting why it is unusable."""
    if not isinstance(item, dict):
        problems.append(f"第{n}项指标应为一个对象")
        return None
    code = item.get("code")
    where = f"第{n}项指标（{code}）" if isinstance(code, str) and code else f"第{n}项指标"
    before = len(problems)
    problems.extend(f"{where}：未知字段“{k}”" for k in item if k not in _INDICATOR_FIELDS)
    if not isinstance(code, str) or not _CODE.match(code):
        problems.append(f"{where}：指标代码（code）应为大写字母和连字符，如 H-WATER")
    for key, name in {"label": "名称", "column": "表头", "clause": "方案条款"}.items():
        if not isinstance(item.get(key), str) or not item[key].strip():
            problems.append(f"{where}：缺少{name}（{key}）")
    kind = item.get("subject_kind")
    if kind not in SUBJECT_KINDS:
        problems.append(f"{where}：未知对象类别“{kind}”，应为 household、village 或 township")
    judge_kind = item.get("judge")
    threshold, unit = item.get("threshold"), item.get("unit")
    if judge_kind not in JUDGES:
        problems.append(
            f"{where}：未知判定方式“{judge_kind}”，应为 yes_no、amount_at_least 或 percent_above"
        )
    elif judge_kind == "yes_no":
        if threshold is not None:
            problems.append(f"{where}：是/否指标不应设置门槛（threshold）")
    else:
        if threshold is None:
            problems.append(f"{where}：缺少门槛（threshold）")
        elif isinstance(threshold, str):
            if threshold not in REFERENCES:
                problems.append(
                    f"{where}：门槛“{threshold}”既不是数字，也不是 poverty_line 或 regional_growth"
                )
        elif not _is_number(threshold):
            problems.append(f"{where}：门槛（threshold）应为数字，现为“{threshold}”")
        if not isinstance(unit, str) or not unit.strip():
            problems.append(f"{where}：缺少单位（unit）")
    group = item.get("group", "")
    if not isinstance(group, str):
        problems.append(f"{where}：分组（group）应为文字")
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
        return f"{ind.short_name}：否"
    limit = threshold_of(standard, ind)
    if isinstance(ind.threshold, str):
        against = f" {standard.year} {REFERENCES[ind.threshold]}"
    else:
        against = "标准"
    if ind.judge == "percent_above":
        return f"{ind.short_name} {format_number(value)}%，未高于{against} {format_number(limit)}%"
    unit = ind.unit or ""
    return (
        f"{ind.short_name} {format_number(value)} {unit}，低于{against} "
        f"{format_number(limit)} {unit}"
    )


def format_number(value: float | None) -> str:
    """Return a number as clerks write it: thousands commas, no trailing zeros (2,650 · 3.5)."""
    if value is None:
        return ""
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
