"""The results tables 附件4–6 (§五.2), generated from the cases, never typed in again.

完成情况 is read from a case at a moment (`as_of`, default now): done once the township has
verified it on the ground (accepting or closed); otherwise 推进中 until its deadline (the
county's due date) and 未完成 after it. A case whose work was reported by its deadline but is not
yet verified stays 推进中 ("待核验"), so a slow check does not count against the department;
a case carried over into the next year is 未完成. `as_of` decides lateness and whether the check
had happened by then; measures and 投入资金 (funds spent, in 万元) are as they stand now.

附件6 is the township's own table and its report upward: its rows are the township's own
(乡镇本级, 五有) gaps, and its foot carries one 小计 per level — 乡镇本级 (these rows), 退出贫困村
(附件5) and 脱贫户 (every village's 附件4) — and a 合计 covering every case of the township. The
county office adds up 13 such 合计 rows instead of re-counting village forms, and each 小计 can be
checked against the village forms it summarises without 附件6 repeating their rows.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from workflow.cases.lifecycle import county_order
from workflow.county.setup import county_name
from workflow.forms.layout import RESULTS_FORMS, form_title, results_layout
from workflow.forms.sheet import FIRST_HEADER_ROW
from workflow.forms.writer import (
    ResultRow,
    ResultsContext,
    ResultsTotals,
    _totals_row,
    draw_sheet,
    new_workbook,
    results_totals,
    write_results_form,
)
from workflow.models import CaseStatus, HelpCase, Role, Round, SubjectKind, Township, User, Village
from workflow.people.access import COUNTY_WIDE_READERS
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, ValidationFailed
from workflow.platform.i18n import _
from workflow.platform.numbers import amount_problem, stored_amount

DONE, IN_PROGRESS, NOT_DONE = "已完成", "推进中", "未完成"
_VERIFIED = (CaseStatus.ACCEPTING, CaseStatus.CLOSED)
_KIND_OF_FORM = {4: SubjectKind.HOUSEHOLD, 5: SubjectKind.VILLAGE, 6: SubjectKind.TOWNSHIP}
_WAN = Decimal(10000)


@dataclass(frozen=True)
class TownshipSummary:
    """The foot of 附件6: one 小计 per level of the township, and the 合计 over all of them."""

    township: ResultsTotals  # 乡镇本级: the rows of 附件6
    villages: ResultsTotals  # 退出贫困村: 附件5
    households: ResultsTotals  # 脱贫户: the 附件4 of every village
    total: ResultsTotals

    def subtotals(self) -> list[tuple[str, ResultsTotals, str]]:
        """Return (label, figures, remark) of each 小计 line, in the order printed."""
        return [
            ("乡镇本级小计", self.township, "见本表"),
            ("退出贫困村小计", self.villages, "见附件5"),
            ("脱贫户小计", self.households, "见附件4"),
        ]


def completion(case: HelpCase, as_of: datetime) -> tuple[str, str]:
    """Return a case's 完成情况 at a moment and the 备注 that explains it."""
    verified = case.verified_at or case.closed_at
    reported = case.work_done_at is not None and case.work_done_at <= as_of
    if case.status in _VERIFIED and (verified is None or verified <= as_of):
        notes = ["逾期完成" if reported and case.work_done_at > case.due_at else ""]
        notes.append("待县级验收" if case.status == CaseStatus.ACCEPTING else "")
        return DONE, "；".join(n for n in notes if n)
    if case.status == CaseStatus.CARRIED_OVER:
        return NOT_DONE, "转入下一年度"
    waiting = "已完工，待核验" if reported else ""
    if reported and case.work_done_at <= case.due_at:
        return IN_PROGRESS, waiting
    if as_of > case.due_at:
        days = (clock.in_beijing(as_of).date() - clock.in_beijing(case.due_at).date()).days
        return NOT_DONE, "；".join(n for n in (f"逾期 {days} 天", waiting) if n)
    return IN_PROGRESS, "" if case.measure.strip() else "尚未制定帮扶措施"


def funds_in_wan(yuan: Decimal | None) -> float | None:
    """Return yuan as 万元 rounded half-up to 2 decimals; None when nothing was spent, or when
    the stored figure is no usable number (a report is never refused for one bad value)."""
    amount = stored_amount(yuan)
    if not amount or amount_problem(amount) is not None:
        return None
    return float((amount / _WAN).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def result_row(case: HelpCase, as_of: datetime) -> ResultRow:
    """Return one case as a line of a results form."""
    status, remark = completion(case, as_of)
    deadline = case.planned_completion or case.due_at
    household = case.household
    return ResultRow(
        problem=case.evidence.strip() or case.indicator_label,
        measure=case.measure,
        department=case.lead_name,
        responsible=case.responsible_person,
        deadline=clock.in_beijing(deadline).date(),
        status=status,
        funds=funds_in_wan(case.funds_spent),
        remark=remark,
        name=household.head_name if household else "",
        id_number=household.id_number if household else "",
        township=case.township.name,
        village=case.village.name if case.village else "",
    )


def results_rows(
    round_: Round,
    *,
    form_no: int,
    village: Village | None = None,
    township: Township | None = None,
    as_of: datetime | None = None,
) -> list[ResultRow]:
    """Return the rows of 附件4 (a village), 附件5 (a township, or the county) or 附件6."""
    township = _township_of(form_no, village, township)
    if form_no == 4 and village is None:
        raise ValidationFailed({"village": _("Form 4 needs a village.")})
    if form_no == 6 and township is None:
        raise ValidationFailed({"township": _("Form 6 needs a township.")})
    moment = as_of or clock.now()
    cases = _cases(
        round_,
        _KIND_OF_FORM[form_no],
        township_id=township.id if township else None,
        village_id=village.id if village else None,
        as_of=moment,
    )
    return [result_row(c, moment) for c in cases]


def township_summary(
    round_: Round, township: Township, *, as_of: datetime | None = None
) -> TownshipSummary:
    """Return the 小计 of each level of a township and the 合计 over every case of it."""
    moment = as_of or clock.now()
    rows = {
        kind: [result_row(c, moment) for c in _cases(round_, kind, township.id, None, moment)]
        for kind in SubjectKind
    }
    return TownshipSummary(
        results_totals(rows[SubjectKind.TOWNSHIP]),
        results_totals(rows[SubjectKind.VILLAGE]),
        results_totals(rows[SubjectKind.HOUSEHOLD]),
        results_totals([r for kind_rows in rows.values() for r in kind_rows]),
    )


def results_form(
    round_: Round,
    form_no: int,
    *,
    village: Village | None = None,
    township: Township | None = None,
    as_of: datetime | None = None,
) -> bytes:
    """Return 附件4, 5 or 6 as .xlsx bytes, filled from the cases (dated as_of, default today)."""
    moment = as_of or clock.now()
    rows = results_rows(round_, form_no=form_no, village=village, township=township, as_of=moment)
    town = _township_of(form_no, village, township)
    context = ResultsContext(
        town.name if town else "",
        village.name if village else "",
        clock.in_beijing(moment).date(),
        rows,
        county=county_name(),
    )
    if form_no == 6:
        return write_township_results(context, township_summary(round_, town, as_of=moment))
    return write_results_form(form_no, context)


def write_township_results(context: ResultsContext, summary: TownshipSummary) -> bytes:
    """Return 附件6 as .xlsx bytes: the township's rows, a 小计 per level and the 合计 (pure)."""
    layout = results_layout(6)
    rows = [
        {**{c.key: getattr(r, c.key) for c in layout.columns if c.key != "seq"}, "seq": n}
        for n, r in enumerate(context.rows, start=1)
    ]
    subtotals = summary.subtotals()
    wb = new_workbook()
    ws = wb.create_sheet()
    title = form_title(6, context.township, county=context.county)
    # Placeholder rows, drawn bordered with the data, become the 小计 lines above the 合计.
    filled = [*rows, *({} for _ in subtotals)]
    draw_sheet(ws, layout, title, context.township, "", context.date, filled, summary.total)
    first = FIRST_HEADER_ROW + layout.header_rows + len(rows)
    remark = [c.key for c in layout.columns].index("remark") + 1
    for offset, (label, figures, note) in enumerate(subtotals):
        _totals_row(ws, layout, first + offset, figures)
        ws.cell(first + offset, 1).value = label
        ws.cell(first + offset, remark).value = note
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def require_results_scope(
    user: User, form_no: int, village: Village | None = None, township: Township | None = None
) -> None:
    """Refuse unless the user may produce this results form for this village or township."""
    if form_no not in RESULTS_FORMS:
        raise ValidationFailed({"form": _("The results tables are forms 4, 5 and 6 only.")})
    if not user.is_active:
        raise AccessDenied(_("Your account is disabled."))
    if user.role in COUNTY_WIDE_READERS:
        return
    if user.role == Role.VILLAGE_CLERK:
        if form_no == 4 and village is not None and village.id == user.village_id:
            return
        raise AccessDenied(
            _(
                "A village account may produce only its own village's form 4 "
                "(the households' results)."
            )
        )
    if user.role in (Role.TOWNSHIP_CLERK, Role.TOWNSHIP_LEADER):
        town = _township_of(form_no, village, township)
        if town is not None and town.id == user.township_id:
            return
        raise AccessDenied(
            _(
                "A township account may produce only its own township's results tables "
                "(forms 4, 5, 6)."
            )
        )
    raise AccessDenied(
        _("Your role may not produce results tables; a department uses its own annual plan.")
    )


def _township_of(
    form_no: int, village: Village | None, township: Township | None
) -> Township | None:
    """Return the township a form is about, refusing a village outside the given township."""
    if form_no not in RESULTS_FORMS:
        raise ValidationFailed({"form": _("The results tables are forms 4, 5 and 6 only.")})
    if village is None:
        return township
    if township is not None and village.township_id != township.id:
        raise ValidationFailed(
            {
                "village": _(
                    "%(village)s is not in %(township)s.",
                    village=village.name,
                    township=township.name,
                )
            }
        )
    return village.township


def _cases(
    round_: Round,
    kind: SubjectKind,
    township_id: int | None = None,
    village_id: int | None = None,
    as_of: datetime | None = None,
) -> Sequence[HelpCase]:
    """Return a round's cases of one kind in a township or village, in the order forms list them."""
    query = (
        sa.select(HelpCase)
        .where(HelpCase.round_id == round_.id, HelpCase.subject_kind == kind)
        .options(
            selectinload(HelpCase.household),
            selectinload(HelpCase.village),
            selectinload(HelpCase.township),
            selectinload(HelpCase.department),
        )
    )
    if township_id is not None:
        query = query.where(HelpCase.township_id == township_id)
    if village_id is not None:
        query = query.where(HelpCase.village_id == village_id)
    if as_of is not None:
        query = query.where(HelpCase.opened_at <= as_of)
    cases = db.session.scalars(query).all()
    return sorted(cases, key=county_order)
