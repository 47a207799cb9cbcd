"""The 补课清单 (§二.3): one row per gap, laid out like the county's other forms."""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from datetime import date

from workflow.forms.layout import TEXT, Column, FormLayout
from workflow.forms.sheet import note_row
from workflow.forms.writer import draw_sheet, new_workbook

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
    signed: str = "",
) -> bytes:
    """The 补课清单 workbook for a round (or one township of it) of the county named; `signed`:
    the record of its signature, printed under the signature row of the copy that is filed."""
    title = list_title(county, township, year)
    values = [{**asdict(r), "seq": n} for n, r in enumerate(rows, start=1)]
    wb = new_workbook()
    ws = wb.create_sheet()
    draw_sheet(ws, LAYOUT, title, f"{county}{township}", "", when, values)
    if signed:
        note_row(ws, ws.max_row + 1, len(LAYOUT.columns), signed)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def list_title(county: str, township: str, year: int) -> str:
    """The list's title, which its file is named after."""
    return f"{county}{township}{year}年“回头看”补课清单"


def filed_note(signer: str, day: date, digest: str) -> str:
    """The line the filed copy prints about its signature."""
    return (
        f"本清单由{signer}于{day.year}年{day.month}月{day.day}日在系统中签字，"
        f"报州扶贫开发领导小组办公室备案。内容校验码：{digest[:16]}"
    )
