"""The 四统一 report: per township (then its villages) the households checked and consistent,
the open differences of each kind, those the township resolved and those closed — laid out like
the county's other forms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workflow.forms.layout import COUNT, TEXT, Column, FormLayout
from workflow.forms.writer import render_sheet

SHEET = "四统一情况"


@dataclass(frozen=True)
class ReportRow:
    township: str
    village: str
    checked: int
    consistent: int
    head: int
    absent: int
    gone: int
    name: int
    relation: int
    family_size: int
    exit_year: int
    resolved: int
    closed: int


_KINDS = ("head", "absent", "gone", "name", "relation", "family_size", "exit_year")


def write_report(
    rows: list[ReportRow], kind_headers: list[str], *, year: int, when: date, county: str
) -> bytes:
    """The report workbook; `kind_headers` names the kinds in the order of ReportRow."""
    layout = FormLayout(
        0,
        SHEET,
        (
            Column("seq", "序号", "seq", 5),
            Column("township", "乡镇", TEXT, 12),
            Column("village", "村", TEXT, 12),
            Column("checked", "比对户数", COUNT, 8),
            Column("consistent", "四统一户数", COUNT, 9),
            *(
                Column(kind, header, COUNT, 9, group="未解决差异（条）")
                for kind, header in zip(_KINDS, kind_headers, strict=True)
            ),
            Column("resolved", "乡镇已核实待复核", COUNT, 9),
            Column("closed", "已一致关闭", COUNT, 9),
        ),
    )
    values = [
        {**r.__dict__, "village": r.village or "乡镇合计", "seq": n}
        for n, r in enumerate(rows, start=1)
    ]
    title = f"{county}{year}年档案“四统一”比对情况统计表"
    return render_sheet(layout, title, county, "", when, values)
