"""The frame every official form shares: attachment label, title, unit-and-date row, header,
signature row, page setup; and the text measuring that sizes columns and rows."""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from datetime import date

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from workflow.forms.layout import FormLayout, unit_fields

# Cells starting with these would be read by Excel as a formula (or DDE) when edited or exported.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BODY_FONT = "宋体"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
GREY = PatternFill("solid", fgColor="D9D9D9")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True, indent=1)
CJK = 1.1  # column-width units per half-width character of 宋体 11pt
FIRST_HEADER_ROW = 4  # 1: 附件N · 2: title · 3: unit and date
_BLANK = "__________"
_SUBJECT_KEYS = ("name", "id_number", "township", "village")  # stay in view when scrolling right


def draw_frame_top(
    ws: Worksheet,
    layout: FormLayout,
    title: str,
    township: str,
    village: str,
    when: date | None,
    widths: list[float],
) -> int:
    """Write widths, 附件N, the title, the unit row and the header; return the first data row."""
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws["A1"] = layout.sheet_name
    ws["A1"].font = Font(name="黑体", size=12)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(layout.columns))
    put(ws["A2"], title)
    ws["A2"].font = Font(name=BODY_FONT, size=16, bold=True)
    ws["A2"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[2].height = 36
    _unit_row(ws, layout, township, village, when, len(layout.columns))
    return _header(ws, layout, widths)


def setup_page(ws: Worksheet, layout: FormLayout, first_data: int) -> None:
    """Print landscape on A4, fit to width, header rows repeated; freeze header and subject."""
    subject = [i for i, c in enumerate(layout.columns, 1) if c.key in _SUBJECT_KEYS]
    ws.freeze_panes = f"{get_column_letter(max(subject, default=0) + 1)}{first_data}"
    ws.print_title_rows = f"{FIRST_HEADER_ROW}:{first_data - 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.75, footer=0.35)
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _unit_row(
    ws: Worksheet, layout: FormLayout, township: str, village: str, when: date | None, ncols: int
) -> None:
    """Write 乡镇：___ 村：___ at the left and 填报日期：___ at the right of row 3."""
    known = {"乡镇": township, "村": village}
    fields = unit_fields(layout.form_no)
    left = "　　".join(f"{f}：{known[f] or _BLANK}" for f in fields)
    if not fields:  # a county list (补课清单, reports): the unit its caller names (the county…)
        left = f"单位：{township}"
    day = f"{when.year}年{when.month}月{when.day}日" if when else _BLANK
    split = max(1, ncols * 2 // 3)
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=split)
    ws.merge_cells(start_row=3, start_column=split + 1, end_row=3, end_column=ncols)
    put(ws.cell(3, 1), left)
    put(ws.cell(3, split + 1), f"填报日期：{day}")
    for col, align in ((1, "left"), (split + 1, "right")):
        ws.cell(3, col).font = Font(name=BODY_FONT, size=11)
        ws.cell(3, col).alignment = Alignment(horizontal=align, vertical="center")
    ws.row_dimensions[3].height = 22


def _header(ws: Worksheet, layout: FormLayout, widths: list[float]) -> int:
    """Write the header row(s), grouping columns under a merged group cell; return the next row."""
    top = FIRST_HEADER_ROW
    bottom = top + layout.header_rows - 1
    font = Font(name=BODY_FONT, size=11, bold=True)
    for row in range(top, bottom + 1):
        for col in range(1, len(layout.columns) + 1):
            cell = ws.cell(row, col)
            cell.border, cell.fill, cell.alignment, cell.font = BOX, GREY, CENTER, font
    alone, grouped = 1, 1  # wrapped lines needed by ungrouped / grouped header texts
    col = 1
    while col <= len(layout.columns):
        column = layout.columns[col - 1]
        if not column.group:
            put(ws.cell(top, col), header_text(column.header, widths[col - 1]))
            if bottom > top:
                ws.merge_cells(start_row=top, start_column=col, end_row=bottom, end_column=col)
            alone = max(alone, ws.cell(top, col).value.count("\n") + 1)
            col += 1
            continue
        span = 1
        while (
            col + span <= len(layout.columns)
            and layout.columns[col + span - 1].group == column.group
        ):
            span += 1
        put(ws.cell(top, col), column.group)
        if span > 1:
            ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + span - 1)
        for k in range(col, col + span):
            header = header_text(layout.columns[k - 1].header, widths[k - 1])
            put(ws.cell(bottom, k), header)
            grouped = max(grouped, header.count("\n") + 1)
        col += span
    if bottom == top:
        ws.row_dimensions[top].height = 15 * alone + 10
    else:
        ws.row_dimensions[top].height = 22
        ws.row_dimensions[bottom].height = max(15 * grouped + 8, 15 * alone + 10 - 22)
    return bottom + 1


def draw_signature_row(ws: Worksheet, row: int, widths: list[float]) -> None:
    """Write 填表人 · 审核人 · 负责人（签字） · 日期 spread evenly across the foot of the sheet."""
    parts = ("填表人：", "审核人：", "负责人（签字）：", "日期：")
    edges = list(itertools.accumulate(widths))
    # Each part starts at the column boundary nearest its share of the printed width.
    bounds = (
        [0]
        + [
            min(range(1, len(widths)), key=lambda c: abs(edges[c - 1] - edges[-1] * i / 4))
            for i in range(1, len(parts))
        ]
        + [len(widths)]
    )
    for part, start, end in zip(parts, bounds[:-1], bounds[1:], strict=True):
        if end <= start:
            continue
        if end > start + 1:
            ws.merge_cells(start_row=row, start_column=start + 1, end_row=row, end_column=end)
        cell = ws.cell(row, start + 1)
        cell.value = part + _BLANK
        cell.font = Font(name=BODY_FONT, size=11)
        cell.alignment = Alignment(horizontal="left", vertical="center")
    ws.row_dimensions[row].height = 28


def display_len(text: str) -> int:
    """Return the width of text in half-width characters (CJK characters and quotes count 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def header_text(header: str, width: float) -> str:
    """Return a header broken into balanced lines, its unit on a line of its own, if too wide."""
    if display_len(header) * CJK + 1.5 <= width:
        return header
    base, unit = header, ""
    match = re.search(r"[（(][^）)]*[）)]$", header)
    if match:
        base, unit = header[: match.start()], match.group()
    # Quoted or bracketed spans stay whole; punctuation sticks to the text before it.
    tokens: list[str] = []
    for token in re.findall(r"“[^”]*”|（[^）]*）|.", base):
        if tokens and token in "、，。：；":
            tokens[-1] += token
        else:
            tokens.append(token)
    if display_len(base) * CJK + 1.5 <= width or len(tokens) < 2:
        lines = [base]
    else:
        count = min(len(tokens), 2 if len(base) <= 10 else 3)
        splits = [
            _split(tokens, cuts)
            for cuts in itertools.combinations(range(1, len(tokens)), count - 1)
        ]
        # Narrowest first, then breaks after punctuation, then even lines, then longer lines first.
        lines = min(
            reversed(splits),
            key=lambda ls: (
                max(map(display_len, ls)),
                sum(not ln.endswith(tuple("、，：；")) for ln in ls[:-1]),
                sum(display_len(ln) ** 2 for ln in ls),
            ),
        )
    return "\n".join(lines + ([unit] if unit else []))


def _split(tokens: list[str], cuts: tuple[int, ...]) -> list[str]:
    """Return the lines made by cutting a token list at the given positions."""
    bounds = zip((0, *cuts), (*cuts, len(tokens)), strict=True)
    return ["".join(tokens[a:b]) for a, b in bounds]


def line_count(text: str, width: float) -> int:
    """Return how many wrapped lines text takes in a column of this width."""
    return max(1, math.ceil(display_len(text) * CJK / max(1.0, width - 1.5)))


def put(cell: Cell, value: object) -> None:
    """Set a cell's value; text that Excel would take for a formula is kept as plain text."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters make openpyxl raise
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True


def note_row(ws: Worksheet, row: int, columns: int, text: str) -> None:
    """Write a note across a form's columns under its signature row (the in-system record of
    a signature, printed on the file that was signed)."""
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    put(ws.cell(row, 1), text)
    ws.cell(row, 1).font = Font(name=BODY_FONT, size=10, italic=True)
    ws.cell(row, 1).alignment = Alignment(horizontal="left", vertical="center")
    ws.row_dimensions[row].height = 20
