"""The 四统一 difference list: one row per difference of one household between two sources,
laid out like the county's other forms (title, 填报单位, 填报日期, signature row)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from workflow.forms.layout import TEXT, Column, FormLayout
from workflow.forms.writer import render_sheet

SHEET = "四统一差异"
LAYOUT = FormLayout(
    0,
    SHEET,
    (
        Column("seq", "序号", "seq", 5),
        Column("township", "乡镇", TEXT, 11),
        Column("village", "村", TEXT, 10),
        Column("head", "户主姓名", TEXT, 11),
        Column("head_id", "户主身份证号", "id", 20),
        Column("kind", "差异类别", TEXT, 14),
        Column("person", "成员", TEXT, 11),
        Column("person_id", "成员身份证号", "id", 20),
        Column("source_a", "来源一", TEXT, 12),
        Column("value_a", "来源一所记", TEXT, 14),
        Column("source_b", "来源二", TEXT, 12),
        Column("value_b", "来源二所记", TEXT, 14),
        Column("resolution", "乡镇核实（以何为准、在何处更正）", TEXT, 24),
        Column("status", "状态", TEXT, 8),
    ),
)


@dataclass(frozen=True)
class DifferenceRow:
    """One line of the list, already in the words the county uses."""

    township: str
    village: str
    head: str
    head_id: str
    kind: str
    person: str
    person_id: str
    source_a: str
    value_a: str
    source_b: str
    value_b: str
    resolution: str
    status: str


def write_difference_list(
    rows: list[DifferenceRow], *, year: int, township: str = "", when: date, county: str
) -> bytes:
    """The difference list of a round (or one township of it) of the county named."""
    title = f"{county}{township}{year}年档案“四统一”比对差异清单"
    values = [{**asdict(r), "seq": n} for n, r in enumerate(rows, start=1)]
    return render_sheet(LAYOUT, title, f"{county}{township}", "", when, values)
