"""The column layouts, titles and sheet names of the six official forms (附件1–6).

Forms 1–3 take their answer columns from the year's Standard, so a catalogue change changes
the form; forms 4–6 (results) are fixed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workflow.programme.standards import ELIGIBLE_SUFFIX, Indicator, Standard

SURVEY_FORMS = (1, 2, 3)
RESULTS_FORMS = (4, 5, 6)
STATUSES = ("已完成", "推进中", "未完成")
FIRST_EXIT_YEAR, LAST_EXIT_YEAR = 2013, 2020

# Column kinds: how a cell is written and read.
SEQ, TEXT, ID, COUNT, YEAR, YES_NO, AMOUNT, PERCENT, STATUS, DATE, MONEY = (
    "seq",
    "text",
    "id",
    "count",
    "year",
    "yes_no",
    "amount",
    "percent",
    "status",
    "date",
    "money",
)
_KIND_OF_JUDGE = {
    "yes_no": YES_NO,
    "eligible_covered": YES_NO,
    "amount_at_least": AMOUNT,
    "amount_above": AMOUNT,
    "percent_above": PERCENT,
}
_SUBJECT_OF_FORM = {1: "household", 2: "village", 3: "township"}


@dataclass(frozen=True)
class Column:
    """One column of a form: the field it holds, its header text and how it is read."""

    key: str
    header: str
    kind: str = TEXT
    width: float = 10
    group: str = ""
    aliases: tuple[str, ...] = ()
    essential: bool = False  # the header must be present for the sheet to be this form
    required: bool = False  # every data row must fill it
    may_not_apply: bool = False  # 不涉及 is an answer (the catalogue says to whom it applies)

    @property
    def name(self) -> str:
        """Return the header without its unit, as quoted in messages (人均纯收入)."""
        return re.sub(r"[（(][^）)]*[）)]$", "", self.header).strip()


@dataclass(frozen=True)
class FormLayout:
    """The layout of one form: sheet name, columns, and whether the header has a group row."""

    form_no: int
    sheet_name: str
    columns: tuple[Column, ...]

    @property
    def grouped(self) -> bool:
        """Tell whether the header needs two rows (some columns sit under a group)."""
        return any(c.group for c in self.columns)

    @property
    def header_rows(self) -> int:
        """Return how many rows the header takes."""
        return 2 if self.grouped else 1

    def column(self, key: str) -> Column:
        """Return the column holding a field."""
        return next(c for c in self.columns if c.key == key)


SHEET_PREFIX = "附件"  # every form's sheet is named 附件N


def sheet_name(form_no: int) -> str:
    """Return the sheet name of a form (附件1 … 附件6)."""
    return f"{SHEET_PREFIX}{form_no}"


def form_title(form_no: int, township: str = "", village: str = "", county: str = "") -> str:
    """Return the official title of a form: the county's name, then the township and village
    where the form names them."""
    town, vill = township or "XX乡镇", village or "XX村"
    return {
        1: f"{county}{town}{vill}脱贫人口“回头看”基础信息摸底表",
        2: f"{county}退出贫困村“回头看”基础信息摸底表",
        3: f"{county}{town}“回头看”基础信息摸底表",
        4: f"{county}{town}{vill}脱贫人口“回头帮”成果统计表",
        5: f"{county}退出贫困村“回头帮”成果统计表",
        6: f"{county}{town}“回头帮”成果统计表",
    }[form_no]


def unit_fields(form_no: int) -> tuple[str, ...]:
    """Return which of 乡镇/村 the unit-and-date row names for a form (none for county lists)."""
    if form_no == 0:
        return ()
    return ("乡镇",) if form_no in (3, 6) else ("乡镇", "村")


def subject_kind_of(form_no: int) -> str:
    """Return the subject kind a survey form records (household, village, township)."""
    return _SUBJECT_OF_FORM[form_no]


_SEQ = Column("seq", "序号", SEQ, 6)
_TOWNSHIP = Column(
    "township", "乡镇", TEXT, 12, aliases=("乡镇名称", "乡(镇)"), essential=True, required=True
)
_VILLAGE = Column(
    "village",
    "村名",
    TEXT,
    12,
    aliases=("村名称", "村(社区)", "行政村"),
    essential=True,
    required=True,
)
_PROBLEMS = Column("problems", "存在问题", TEXT, 18, aliases=("存在的问题", "主要问题"))
_REMARK = Column("remark", "备注", TEXT, 10)


def survey_layout(form_no: int, standard: Standard) -> FormLayout:
    """Return the layout of survey form 1, 2 or 3 for a year's Standard."""
    if form_no not in SURVEY_FORMS:
        raise ValueError(f"not a survey form: {form_no}")
    answers = tuple(
        column
        for ind in standard.for_kind(subject_kind_of(form_no))
        if ind.on_form
        for column in _answer_columns(ind)
    )
    if form_no == 1:
        head = (
            _SEQ,
            Column("name", "户主姓名", TEXT, 10, aliases=("户主",), essential=True, required=True),
            Column(
                "id_number",
                "身份证号",
                ID,
                21,
                aliases=("身份证号码", "户主身份证号", "公民身份号码"),
                essential=True,
                required=True,
            ),
            Column("family_size", "家庭人口", COUNT, 6, aliases=("家庭人口数", "人口数")),
            Column("exit_year", "脱贫年度", YEAR, 7, aliases=("脱贫年份", "脱贫时间")),
        )
        tail = (
            _PROBLEMS,
            Column("helper", "帮扶责任人", TEXT, 10, aliases=("帮扶人",)),
            Column("phone", "联系电话", TEXT, 13, aliases=("电话", "联系方式")),
            _REMARK,
        )
    elif form_no == 2:
        head = (
            _SEQ,
            _TOWNSHIP,
            _VILLAGE,
            Column("exit_year", "退出年度", YEAR, 7, aliases=("退出年份", "退出时间")),
        )
        tail = (_PROBLEMS, _REMARK)
    else:
        head, tail = (_SEQ, _TOWNSHIP), (_PROBLEMS, _REMARK)
    return FormLayout(form_no, sheet_name(form_no), head + answers + tail)


def _answer_columns(ind: Indicator) -> tuple[Column, ...]:
    """The column(s) an indicator is answered in: one, or for 低保 the conditions and the
    coverage (应纳尽纳、应退尽退)."""
    kind = _KIND_OF_JUDGE[ind.judge]
    width = 6.5 if kind == YES_NO else 13
    answer = Column(
        ind.code,
        ind.column,
        kind,
        width,
        ind.group,
        (ind.label,),
        essential=True,
        required=True,
        may_not_apply=ind.applies_to is not None,
    )
    if ind.judge != "eligible_covered":
        return (answer,)
    condition = Column(
        ind.code + ELIGIBLE_SUFFIX,
        ind.condition_column or "",
        YES_NO,
        width,
        ind.group,
        essential=True,
        required=True,
    )
    return (condition, answer)


def results_layout(form_no: int) -> FormLayout:
    """Return the layout of results form 4, 5 or 6."""
    if form_no not in RESULTS_FORMS:
        raise ValueError(f"not a results form: {form_no}")
    subject = {
        4: (Column("name", "户主姓名", TEXT, 10), Column("id_number", "身份证号", ID, 21)),
        5: (Column("township", "乡镇", TEXT, 12), Column("village", "村名", TEXT, 12)),
        6: (Column("township", "乡镇", TEXT, 12),),
    }[form_no]
    rest = (
        Column("problem", "存在问题", TEXT, 22),
        Column("measure", "帮扶措施", TEXT, 24),
        Column("department", "责任单位", TEXT, 14),
        Column("responsible", "责任人", TEXT, 9),
        Column("deadline", "完成时限", DATE, 15),
        Column("status", "完成情况", STATUS, 9),
        Column("funds", "投入资金（万元）", MONEY, 10),
        _REMARK,
    )
    return FormLayout(form_no, sheet_name(form_no), (_SEQ, *subject, *rest))
