"""Write the six official forms as .xlsx bytes: pure functions, data in, workbook bytes out."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font, NamedStyle
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from workflow.forms.layout import (
    AMOUNT,
    COUNT,
    DATE,
    ID,
    MONEY,
    PERCENT,
    SEQ,
    STATUS,
    STATUSES,
    TEXT,
    YEAR,
    YES_NO,
    Column,
    FormLayout,
    form_title,
    results_layout,
    survey_layout,
)
from workflow.forms.sheet import (
    BODY_FONT,
    BOX,
    CENTER,
    CJK,
    LEFT,
    display_len,
    draw_frame_top,
    draw_signature_row,
    header_text,
    line_count,
    put,
    setup_page,
)
from workflow.programme.standards import NOT_APPLICABLE, Standard

_CENTERED_KINDS = {SEQ, ID, COUNT, YEAR, YES_NO, AMOUNT, PERCENT, STATUS, DATE, MONEY}
_DATA_FONT = Font(name=BODY_FONT, size=11)
_TOTAL_FONT = Font(name=BODY_FONT, size=11, bold=True)


@dataclass(frozen=True)
class HouseholdRow:
    """A household pre-filled on 附件1."""

    name: str
    id_number: str
    family_size: int | None = None
    exit_year: int | None = None
    helper: str = ""
    phone: str = ""
    not_applicable: tuple[str, ...] = ()  # indicator codes the register says do not apply
    prefilled: tuple[tuple[str, object], ...] = ()  # answers the register gives (低保 covered)


@dataclass(frozen=True)
class VillageRow:
    """An exited village pre-filled on 附件2."""

    township: str
    village: str
    exit_year: int | None = None


@dataclass(frozen=True)
class SurveyContext:
    """What a survey form (附件1–3) is pre-filled with."""

    township: str = ""
    village: str = ""
    date: date | None = None
    households: Sequence[HouseholdRow] = ()
    villages: Sequence[VillageRow] = ()
    blank_rows: int = 10  # empty rows to fill by hand when there is nothing to pre-fill
    county: str = ""  # the county's name, first in the title


@dataclass(frozen=True)
class ResultRow:
    """One gap and its help on a results form; the subject fields used depend on the form."""

    problem: str
    measure: str = ""
    department: str = ""
    responsible: str = ""
    deadline: date | None = None
    status: str = ""  # 已完成 · 推进中 · 未完成, or "" when not yet reported
    funds: float | None = None  # 万元
    remark: str = ""
    name: str = ""
    id_number: str = ""
    township: str = ""
    village: str = ""


@dataclass(frozen=True)
class ResultsContext:
    """What a results form (附件4–6) shows."""

    township: str = ""
    village: str = ""
    date: date | None = None
    rows: Sequence[ResultRow] = ()
    county: str = ""  # the county's name, first in the title


@dataclass(frozen=True)
class ResultsTotals:
    """The totals at the foot of 附件6."""

    problems: int
    done: int
    in_progress: int
    not_done: int
    funds: float


def results_totals(rows: Sequence[ResultRow]) -> ResultsTotals:
    """Return the counts by completion state and the total funds of some results rows."""
    count = {s: sum(1 for r in rows if r.status == s) for s in STATUSES}
    funds = round(math.fsum(r.funds or 0.0 for r in rows), 4)
    return ResultsTotals(len(rows), count["已完成"], count["推进中"], count["未完成"], funds)


def write_survey_form(form_no: int, standard: Standard, context: SurveyContext) -> bytes:
    """Return survey form 1, 2 or 3 as .xlsx bytes, pre-filled with the subjects of the context."""
    layout = survey_layout(form_no, standard)
    if form_no == 1:
        rows = [
            {
                "name": h.name,
                "id_number": h.id_number,
                "family_size": h.family_size,
                "exit_year": h.exit_year,
                "helper": h.helper,
                "phone": h.phone,
                **dict(h.prefilled),
                **dict.fromkeys(h.not_applicable, NOT_APPLICABLE),
            }
            for h in context.households
        ]
    elif form_no == 2:
        rows = [
            {"township": v.township, "village": v.village, "exit_year": v.exit_year}
            for v in context.villages
        ]
    else:
        rows = [{"township": context.township}]
    for n, row in enumerate(rows, start=1):
        row["seq"] = n
    if not rows:
        rows = [{} for _ in range(context.blank_rows)]
    title = form_title(form_no, context.township, context.village, context.county)
    return render_sheet(layout, title, context.township, context.village, context.date, rows)


def write_results_form(form_no: int, context: ResultsContext) -> bytes:
    """Return results form 4, 5 or 6 as .xlsx bytes, one row per gap; 附件6 ends with totals."""
    layout = results_layout(form_no)
    for r in context.rows:
        if r.status and r.status not in STATUSES:
            raise ValueError(f"unknown completion state {r.status!r}")
    rows = [
        {**{c.key: getattr(r, c.key) for c in layout.columns if c.key != "seq"}, "seq": n}
        for n, r in enumerate(context.rows, start=1)
    ]
    totals = results_totals(context.rows) if form_no == 6 else None
    title = form_title(form_no, context.township, context.village, context.county)
    return render_sheet(
        layout, title, context.township, context.village, context.date, rows, totals
    )


def render_sheet(
    layout: FormLayout,
    title: str,
    township: str,
    village: str,
    when: date | None,
    rows: list[dict],
    totals: ResultsTotals | None = None,
) -> bytes:
    """Return the workbook bytes of one form sheet."""
    wb = Workbook()
    _add_data_styles(wb)
    draw_sheet(wb.active, layout, title, township, village, when, rows, totals)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def new_workbook() -> Workbook:
    """An empty workbook carrying the forms' named styles, for reports of several sheets."""
    wb = Workbook()
    wb.remove(wb.active)
    _add_data_styles(wb)
    return wb


def draw_sheet(
    ws: Worksheet,
    layout: FormLayout,
    title: str,
    township: str,
    village: str,
    when: date | None,
    rows: list[dict],
    totals: ResultsTotals | None = None,
) -> None:
    """Draw one form sheet (frame, rows, totals, signature row, page setup) into a worksheet."""
    ws.title = layout.sheet_name
    widths = _column_widths(layout, rows)
    first_data = draw_frame_top(ws, layout, title, township, village, when, widths)
    end = first_data + len(rows) - 1
    free_height = totals is None and layout.form_no in (1, 2, 3)  # clerks type into these
    for offset, values in enumerate(rows):
        _data_row(ws, layout, first_data + offset, values, widths, free_height)
    _validations(ws, layout, first_data, max(end, first_data))
    foot = end + 1
    if totals is not None:
        _totals_row(ws, layout, foot, totals)
        foot += 1
    draw_signature_row(ws, foot + 1, widths)
    setup_page(ws, layout, first_data)


def _data_row(
    ws: Worksheet,
    layout: FormLayout,
    row: int,
    values: dict,
    widths: list[float],
    free_height: bool,
) -> None:
    """Write one bordered data row; ID and phone cells are text so Excel keeps every digit."""
    lines = 1
    for col, column in enumerate(layout.columns, start=1):
        cell = ws.cell(row, col)
        value = values.get(column.key)
        cell.style = _style_name(column)  # one named style per kind: fast, and tidy in Excel
        put(cell, value)
        if isinstance(value, str) and column.kind == TEXT:
            lines = max(lines, line_count(value, widths[col - 1]))
    # A row left without a height is fitted by Excel to what the clerk types into it.
    if lines > 1 or not free_height:
        ws.row_dimensions[row].height = max(22, 15 * lines + 6)


def _style_name(column: Column) -> str:
    """Return the named cell style of a column's data cells."""
    if column.kind == ID or column.key == "phone":
        return "正文文本"
    if column.kind in (DATE, MONEY):
        return {DATE: "正文日期", MONEY: "正文金额"}[column.kind]
    return "正文居中" if column.kind in _CENTERED_KINDS else "正文居左"


def _add_data_styles(wb: Workbook) -> None:
    """Register the named styles of data cells (bordered 宋体; text, date, money formats)."""
    formats = {
        "正文居中": "General",
        "正文居左": "General",
        "正文文本": "@",
        "正文日期": 'yyyy"年"m"月"d"日"',
        "正文金额": "0.00",
    }
    for name, number_format in formats.items():
        wb.add_named_style(
            NamedStyle(
                name,
                font=_DATA_FONT,
                border=BOX,
                alignment=LEFT if name == "正文居左" else CENTER,
                number_format=number_format,
            )
        )


def _validations(ws: Worksheet, layout: FormLayout, first: int, last: int) -> None:
    """Offer 是/否 (不涉及 where the catalogue allows it, and 完成情况) drop-down lists; other
    spellings only get a warning."""
    lists = {
        (YES_NO, False): ("是,否", "请填写“是”或“否”"),
        (YES_NO, True): (f"是,否,{NOT_APPLICABLE}", f"请填写“是”“否”或“{NOT_APPLICABLE}”"),
        (STATUS, False): (",".join(STATUSES), "请填写“已完成”“推进中”或“未完成”"),
    }
    for (kind, optional), (choices, message) in lists.items():
        letters = [
            get_column_letter(i)
            for i, c in enumerate(layout.columns, 1)
            if c.kind == kind and c.may_not_apply == optional
        ]
        if not letters:
            continue
        dv = DataValidation(
            type="list",
            formula1=f'"{choices}"',
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle="填写提示",
            error=message,
        )
        ws.add_data_validation(dv)
        for letter in letters:
            dv.add(f"{letter}{first}:{letter}{last}")


def _totals_row(ws: Worksheet, layout: FormLayout, row: int, totals: ResultsTotals) -> None:
    """Write the 合计 row of 附件6 from totals computed over its rows."""
    keys = [c.key for c in layout.columns]
    problem, status, funds = (keys.index(k) + 1 for k in ("problem", "status", "funds"))
    for col in range(1, len(keys) + 1):
        cell = ws.cell(row, col)
        cell.border, cell.font, cell.alignment = BOX, _TOTAL_FONT, CENTER
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=problem - 1)
    ws.cell(row, 1).value = "合计"
    ws.cell(row, problem).value = f"发现问题 {totals.problems} 项"
    ws.merge_cells(start_row=row, start_column=problem + 1, end_row=row, end_column=status)
    ws.cell(
        row, problem + 1
    ).value = (
        f"已完成 {totals.done} 项，推进中 {totals.in_progress} 项，未完成 {totals.not_done} 项"
    )
    ws.cell(row, funds).value = totals.funds
    ws.cell(row, funds).number_format = "0.00"
    ws.row_dimensions[row].height = 24


def _column_widths(layout: FormLayout, rows: list[dict]) -> list[float]:
    """Return column widths that fit the data (text wraps beyond a cap) and the header words."""
    widths = []
    for column in layout.columns:
        lines = header_text(column.header, column.width).split("\n")
        width = max(column.width, max(display_len(line) for line in lines) * CJK + 1.5)
        cap = 24 if column.kind == TEXT else 22
        for values in rows:
            value = values.get(column.key)
            if value is not None and not isinstance(value, date):
                width = max(width, min(display_len(str(value)) * CJK + 2.5, cap))
        widths.append(width)
    return widths
