"""The 补课清单 (§二.3): one row per gap, laid out like the county's other forms."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from workflow.forms.layout import TEXT, Column, FormLayout
from workflow.forms.writer import render_sheet

SHEET = "补课清单"
LAYOUT = FormLayout(
    0,
    SHEET,
    (
        Column("seq", "序号", "seq", 5),
        Column("township", "乡镇", TEXT, 12),
        Column("village", "村", TEXT, 12),
        Column("subject", "户主姓名/单位", TEXT, 14),
        Column("id_number", "身份证号", "id", 21),
        Column("kind", "类别", TEXT, 6),
        Column("indicator", "未达标指标", TEXT, 14),
        Column("evidence", "存在问题（摸底表所填）", TEXT, 30),
        Column("department", "责任单位", TEXT, 14),
        Column("status", "状态", TEXT, 8),
        Column("remark", "备注", TEXT, 10),
    ),
)


@dataclass(frozen=True)
class GapRow:
    """One line of the list, already in the words the county uses."""

    township: str
    village: str
    subject: str
    id_number: str
    kind: str
    indicator: str
    evidence: str
    department: str
    status: str
    remark: str = ""


def write_gap_list(
    rows: list[GapRow],
    *,
    year: int,
    township: str = "",
    when: date | None = None,
    county: str = "",
) -> bytes:
    """The 补课清单 workbook for a round (or one township of it) of the county named."""
    title = f"{county}{township}{year}年“回头看”补课清单"
    values = [{**asdict(r), "seq": n} for n, r in enumerate(rows, start=1)]
    return render_sheet(LAYOUT, title, f"{county}{township}", "", when, values)
