"""The accountability report (§七.3) as a workbook: by township, by department, and the items."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from workflow.forms.layout import TEXT, Column, FormLayout
from workflow.forms.writer import draw_sheet, new_workbook

COUNT = "count"
FIGURES = (
    Column("received", "交办事项", COUNT, 8),
    Column("on_time", "按时完成", COUNT, 8),
    Column("late", "逾期完成", COUNT, 8),
    Column("open", "未完成", COUNT, 7),
    Column("overdue", "已逾期", COUNT, 7),
    Column("max_days", "最长逾期（天）", COUNT, 9),
    Column("level1", "一级督办", COUNT, 7),
    Column("level2", "二级督办", COUNT, 7),
    Column("level3", "三级督办", COUNT, 7),
)


def _layout(sheet: str, unit_header: str, with_missed: bool) -> FormLayout:
    missed = (
        (
            Column("survey_late", "摸底表未按时报送", COUNT, 9),
            Column("results_late", "成果表未按时报送", COUNT, 9),
            Column("missed", "核查不准确（验收发现摸底遗漏）", COUNT, 12),
        )
        if with_missed
        else ()
    )
    return FormLayout(
        0,
        sheet,
        (
            Column("seq", "序号", "seq", 5),
            Column("unit", unit_header, TEXT, 16),
            *FIGURES,
            *missed,
            Column("substandard", "回头帮不达标", COUNT, 8),
            Column("items", "追责问责事项", COUNT, 8),
            Column("items_decided", "已作决定", COUNT, 8),
        ),
    )


ITEMS = FormLayout(
    0,
    "追责问责事项",
    (
        Column("seq", "序号", "seq", 5),
        Column("kind", "类别", TEXT, 14),
        Column("township", "乡镇", TEXT, 12),
        Column("department", "责任单位", TEXT, 14),
        Column("person", "责任人", TEXT, 14),
        Column("grounds", "事由", TEXT, 40),
        Column("opened", "提出日期", TEXT, 11),
        Column("status", "状态", TEXT, 8),
        Column("decision", "领导小组决定", TEXT, 30),
        Column("reason", "决定理由", TEXT, 24),
        Column("decided", "决定日期", TEXT, 11),
    ),
)


@dataclass(frozen=True)
class UnitRow:
    """One township's or department's figures, as numbers."""

    unit: str
    received: int
    on_time: int
    late: int
    open: int
    overdue: int
    max_days: int
    level1: int
    level2: int
    level3: int
    missed: int
    survey_late: int
    results_late: int
    substandard: int
    items: int
    items_decided: int


@dataclass(frozen=True)
class ItemRow:
    """One accountability item and the leading group's decision."""

    kind: str
    township: str
    department: str
    person: str
    grounds: str
    opened: str
    status: str
    decision: str
    reason: str = ""
    decided: str = ""


def write_accountability_report(
    year: int,
    as_of: date,
    townships: list[UnitRow],
    departments: list[UnitRow],
    items: list[ItemRow],
    county: str = "",
) -> bytes:
    """The report: 按乡镇 and 按部门 figures, then the items, each in the county's frame."""
    wb = new_workbook()
    title = f"{county}{year}年“回头看”“回头帮”工作责任落实情况（截至{as_of:%Y年%m月%d日}）"
    for sheet, header, rows, missed in (
        ("按乡镇", "乡镇", townships, True),
        ("按部门", "责任单位", departments, False),
    ):
        values = [{**r.__dict__, "seq": n} for n, r in enumerate(rows, start=1)]
        draw_sheet(
            wb.create_sheet(), _layout(sheet, header, missed), title, county, "", as_of, values
        )
    draw_sheet(
        wb.create_sheet(),
        ITEMS,
        f"{county}{year}年追责问责事项清单",
        county,
        "",
        as_of,
        [{**r.__dict__, "seq": n} for n, r in enumerate(items, start=1)],
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
