"""A department's 《“回头帮”年度实施方案》 task list (§五.4) as .xlsx bytes: data in, bytes out."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date

from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from workflow.forms.layout import DATE, SEQ, TEXT, Column, FormLayout
from workflow.forms.sheet import BODY_FONT, BOX, CENTER, FIRST_HEADER_ROW, LEFT, note_row, put
from workflow.forms.writer import draw_sheet, new_workbook

SHEET = "任务清单"
KINDS = ("脱贫户", "退出贫困村", "乡镇")
LAYOUT = FormLayout(
    0,
    SHEET,
    (
        Column("seq", "序号", SEQ, 6),
        Column("township", "乡镇", TEXT, 12),
        Column("village", "村", TEXT, 11),
        Column("subject", "帮扶对象", TEXT, 16),
        Column("problem", "存在问题", TEXT, 20),
        Column("target", "帮扶目标（达到标准）", TEXT, 20),
        Column("measure", "帮扶措施", TEXT, 24),
        Column("deadline", "完成时限", DATE, 15),
        Column("responsible", "责任人", TEXT, 9),
        Column("remark", "备注", TEXT, 10),
    ),
)
_BOLD = Font(name=BODY_FONT, size=11, bold=True)


@dataclass(frozen=True)
class PlanRow:
    """One case of the department as its plan states it (nothing that changes as work goes on)."""

    township: str
    village: str
    subject: str  # 户主姓名（身份证号）, or 村级 / 乡镇本级
    kind: str  # one of KINDS
    problem: str
    target: str = ""
    measure: str = ""
    deadline: date | None = None
    responsible: str = ""
    remark: str = ""


@dataclass(frozen=True)
class PlanContext:
    """What a department's plan shows: who, which year, the rows, and its signature if valid."""

    department: str
    year: int
    date: date | None = None
    rows: Sequence[PlanRow] = ()
    signed: str = ""  # a line naming who signed this very content in the system, if anyone
    county: str = ""  # the county's name, first in the title


def plan_title(department: str, year: int, county: str = "") -> str:
    """Return the plan's title: 且末县水利局2018年“回头帮”年度实施方案（任务清单）; a unit
    that names the county already (国网且末供电分公司) is not prefixed again."""
    name = department.removeprefix("县")
    short = county[:-1] if len(county) > 2 and county[-1] in "县市区旗" else county
    prefix = "" if short and short in name else county
    return f"{prefix}{name}{year}年“回头帮”年度实施方案（任务清单）"


def plan_summary(rows: Sequence[PlanRow]) -> str:
    """Return the summary line: 任务总数 n 项 and how many of each kind of subject."""
    parts = "，".join(f"{k} {sum(r.kind == k for r in rows)} 项" for k in KINDS)
    return f"任务总数 {len(rows)} 项（{parts}）"


def write_department_plan(context: PlanContext) -> bytes:
    """Return the department's plan: frame, one row per case, the 合计 row, the signature row."""
    values = [{**asdict(r), "seq": n} for n, r in enumerate(context.rows, start=1)]
    wb = new_workbook()
    ws = wb.create_sheet()
    title = plan_title(context.department, context.year, context.county)
    # The trailing empty row is drawn bordered like the data and becomes the 合计 row.
    draw_sheet(ws, LAYOUT, title, "", "", context.date, [*values, {}])
    put(ws.cell(3, 1), f"编制单位：{context.department}（盖章）")
    for cell in ws[3]:
        if isinstance(cell.value, str) and cell.value.startswith("填报日期"):
            cell.value = cell.value.replace("填报日期", "编制日期", 1)
    summary = FIRST_HEADER_ROW + LAYOUT.header_rows + len(values)
    _summary_row(ws, summary, plan_summary(context.rows))
    _leader_signs(ws, summary + 2)
    if context.signed:
        note_row(ws, summary + 3, len(LAYOUT.columns), context.signed)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _summary_row(ws: Worksheet, row: int, text: str) -> None:
    """Write 合计 under the subject columns and the task count across the rest of the row."""
    keys = [c.key for c in LAYOUT.columns]
    split = keys.index("problem") + 1
    for col in range(1, len(keys) + 1):
        cell = ws.cell(row, col)
        cell.border, cell.font, cell.alignment = BOX, _BOLD, CENTER
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=split - 1)
    ws.merge_cells(start_row=row, start_column=split, end_row=row, end_column=len(keys))
    ws.cell(row, 1).value = "合计"
    ws.cell(row, split).value = text
    ws.cell(row, split).alignment = LEFT
    ws.row_dimensions[row].height = 24


def _leader_signs(ws: Worksheet, row: int) -> None:
    """Make the shared signature row ask for the department's leader (部门负责人) to sign."""
    for cell in ws[row]:
        if isinstance(cell.value, str) and cell.value.startswith("负责人"):
            cell.value = "部门" + cell.value
