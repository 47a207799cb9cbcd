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
            Column("inspected", "定期督查（次）", COUNT, 8),
            Column("unrectified", "督查未整改", COUNT, 8),
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


INSPECTIONS = FormLayout(
    0,
    "定期督查",
    (
        Column("seq", "序号", "seq", 5),
        Column("unit", "督查对象", TEXT, 14),
        Column("day", "督查日期", TEXT, 11),
        Column("inspectors", "督查组", TEXT, 16),
        Column("lines", "督查事项", COUNT, 7),
        Column("rectified", "已整改", COUNT, 7),
        Column("not_rectified", "未整改", COUNT, 7),
        Column("explained", "情况说明", COUNT, 7),
        Column("pending", "未检查", COUNT, 7),
        Column("conclusion", "督查结论", TEXT, 36),
        Column("recorded", "记录人及日期", TEXT, 16),
    ),
)

INSPECTION_LINES = FormLayout(
    0,
    "督查记录",
    (
        Column("seq", "序号", "seq", 5),
        Column("unit", "督查对象", TEXT, 12),
        Column("day", "督查日期", TEXT, 11),
        Column("subject", "督查事项", TEXT, 40),
        Column("responsible", "责任单位及责任人", TEXT, 18),
        Column("overdue", "督查安排时逾期（天）", COUNT, 9),
        Column("result", "督查结果", TEXT, 9),
        Column("note", "情况说明", TEXT, 30),
    ),
)


@dataclass(frozen=True)
class InspectionRow:
    """One inspection (定期督查) and what it found, in numbers and its conclusion."""

    unit: str
    day: str
    inspectors: str
    lines: int
    rectified: int
    not_rectified: int
    explained: int
    pending: int
    conclusion: str
    recorded: str


@dataclass(frozen=True)
class InspectionLineRow:
    """One line of an inspection's checklist and its result."""

    unit: str
    day: str
    subject: str
    responsible: str
    overdue: int
    result: str
    note: str


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
    inspected: int = 0
    unrectified: int = 0


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
    inspections: list[InspectionRow] | None = None,
    inspection_lines: list[InspectionLineRow] | None = None,
) -> bytes:
    """The report: 按乡镇 and 按部门 figures, then the items and the inspections (定期督查) with
    their lines, each in the county's frame."""
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
    for layout, heading, rows in (
        (INSPECTIONS, f"{county}{year}年定期督查情况", inspections or []),
        (INSPECTION_LINES, f"{county}{year}年定期督查记录", inspection_lines or []),
    ):
        values = [{**r.__dict__, "seq": n} for n, r in enumerate(rows, start=1)]
        draw_sheet(wb.create_sheet(), layout, heading, county, "", as_of, values)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
