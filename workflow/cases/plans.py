"""A department's 《“回头帮”年度实施方案》 (§五.4): its task list drawn from its cases, and
the signature of its leader, which holds for exactly the content signed (§七.1)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from workflow.archive.documents import keep_original
from workflow.cases.lifecycle import county_order
from workflow.county.setup import county_name
from workflow.forms.department_plan import (
    PlanContext,
    PlanRow,
    plan_summary,
    plan_title,
    write_department_plan,
)
from workflow.models import Department, HelpCase, Role, Round, Signature, SubjectKind, User
from workflow.people.access import COUNTY_WIDE_READERS
from workflow.people.signing import content_hash, sign
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, Refused
from workflow.platform.i18n import _

OBJECT_TYPE = "department_plan"
_KIND = {
    SubjectKind.HOUSEHOLD: "脱贫户",
    SubjectKind.VILLAGE: "退出贫困村",
    SubjectKind.TOWNSHIP: "乡镇",
}


def plan_object_id(round_: Round, department: Department) -> str:
    """Return the id a plan's signatures are filed under: round id and department id."""
    return f"{round_.id}:{department.id}"


def plan_row(case: HelpCase) -> PlanRow:
    """Return one case as its line in the plan: what is wrong, the target, measure, who, when."""
    if case.household is not None:
        subject = f"{case.household.head_name}（{case.household.id_number}）"
    else:
        subject = "村级" if case.village is not None else "乡镇本级"
    notes = ("上年度结转" if case.carried_from_id else "", "" if case.measure else "尚未制定措施")
    return PlanRow(
        township=case.township.name,
        village=case.village.name if case.village else "",
        subject=subject,
        kind=_KIND[case.subject_kind],
        problem=case.evidence.strip() or case.indicator_label,
        target=case.target_standard,
        measure=case.measure,
        deadline=clock.in_beijing(case.planned_completion or case.due_at).date(),
        responsible=case.responsible_person,
        remark="；".join(n for n in notes if n),
    )


def plan_rows(round_: Round, department: Department) -> list[PlanRow]:
    """Return the plan's rows: every case of the department in the round, by place."""
    return [plan_row(c) for c in _cases(round_, department)]


def plan_hash(round_: Round, department: Department, rows: Sequence[PlanRow]) -> str:
    """Return the SHA-256 of a plan's content: its year, department and rows."""
    content = {
        "year": round_.year,
        "department": department.code,
        "rows": [asdict(r) for r in rows],
    }
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, default=str)
    return content_hash(text)


def latest_plan_signature(round_: Round, department: Department) -> Signature | None:
    """Return the most recent signature of a department's plan, if it was ever signed."""
    return db.session.scalar(
        sa.select(Signature)
        .where(
            Signature.object_type == OBJECT_TYPE,
            Signature.object_id == plan_object_id(round_, department),
        )
        .order_by(Signature.signed_at.desc(), Signature.id.desc())
        .limit(1)
    )


def department_plan_xlsx(round_: Round, department: Department) -> bytes:
    """Return the department's plan as .xlsx bytes, noting whether its signature still holds."""
    rows = plan_rows(round_, department)
    signed = latest_plan_signature(round_, department)
    note = _signature_note(signed, plan_hash(round_, department, rows))
    return _plan_workbook(round_, department, rows, note)


def _plan_workbook(
    round_: Round, department: Department, rows: Sequence[PlanRow], note: str
) -> bytes:
    context = PlanContext(
        department.name, round_.year, clock.today(), list(rows), note, county=county_name()
    )
    return write_department_plan(context)


def plan_to_read(actor: User, department_code: str = "") -> Department:
    """The department whose plan the actor may read: a department's people their own, the
    county-wide readers the one they name; everyone else is refused (pages and API alike)."""
    if actor.is_active and actor.role.scope_kind == "department":
        if not department_code or department_code == actor.department.code:
            return actor.department
    elif actor.is_active and actor.role in COUNTY_WIDE_READERS and department_code:
        department = db.session.scalar(
            sa.select(Department).where(Department.code == department_code)
        )
        if department is not None:
            return department
    raise AccessDenied(_("Only departments and the county read department plans."))


def may_sign_plan(actor: User) -> bool:
    """Whether the actor signs plans at all: a department's leader, for her own department."""
    return actor.is_active and actor.role == Role.DEPARTMENT_LEADER


def require_plan_signer(actor: User) -> None:
    """Refuse anyone but a department's leader before she is asked to confirm anything."""
    if not may_sign_plan(actor):
        raise AccessDenied(_("Only the department's leader signs its plan."))


def sign_department_plan(round_: Round, department: Department, actor: User) -> Signature:
    """The department's leader signs its plan as it stands; every case must have its measure."""
    if not (
        actor.is_active
        and actor.role == Role.DEPARTMENT_LEADER
        and actor.department_id == department.id
    ):
        raise AccessDenied(_("Only the department's leader may sign its annual help-back plan."))
    cases = _cases(round_, department)
    if not cases:
        raise Refused(
            _(
                "%(department)s has no cases in %(year)s; there is no plan to sign.",
                department=department.name,
                year=round_.year,
            )
        )
    unplanned = sum(1 for c in cases if not c.measure.strip())
    if unplanned:
        raise Refused(
            _(
                "%(num)s cases have no measure yet; plan them all before signing the annual plan.",
                num=unplanned,
            )
        )
    rows = [plan_row(c) for c in cases]
    digest = plan_hash(round_, department, rows)
    latest = latest_plan_signature(round_, department)
    if latest is not None and latest.content_hash == digest:
        day = clock.in_beijing(latest.signed_at)
        raise Refused(
            _(
                "%(name)s signed this plan on %(day)s and it has not changed since; there is "
                "nothing to sign again.",
                name=latest.signer_name,
                day=f"{day:%Y-%m-%d}",
            )
        )
    statement = f"{plan_title(department.name, round_.year, county_name())}：{plan_summary(rows)}"
    object_id = plan_object_id(round_, department)
    # the exact file signed: the plan with the note of this very signature printed on it
    signed_file = _plan_workbook(
        round_, department, rows, _held_note(actor.display_name, clock.now(), digest)
    )
    signature = sign(
        actor, OBJECT_TYPE, object_id, digest, statement, replaces=latest, file=signed_file
    )
    keep_original(
        signed_file,
        kind="plan",
        object_type="signature",
        object_id=signature.id,
        round_id=round_.id,
        file_name=f"{plan_title(department.name, round_.year, county_name())}.xlsx",
        actor=actor,
        department_id=department.id,
        signature=signature,
        filed=True,
    )
    return signature


def _signature_note(signature: Signature | None, digest: str) -> str:
    """Return the line the workbook prints about the plan's signature (empty if never signed)."""
    if signature is None:
        return ""
    day = clock.in_beijing(signature.signed_at)
    if signature.content_hash != digest:
        return (
            f"注意：本方案于{day.year}年{day.month}月{day.day}日由{signature.signer_name}签署后"
            "内容已有变更，须由部门负责人重新签署。"
        )
    return _held_note(signature.signer_name, signature.signed_at, digest)


def _held_note(signer_name: str, signed_at: datetime, digest: str) -> str:
    """The line a plan whose signature still holds prints about it."""
    day = clock.in_beijing(signed_at)
    return (
        f"本方案已由部门负责人{signer_name}于{day.year}年{day.month}月{day.day}日"
        f"在系统内签署（内容校验码 {digest[:12]}）。"
    )


def _cases(round_: Round, department: Department) -> Sequence[HelpCase]:
    """Return the department's cases in a round, ordered by township, village and subject."""
    cases = db.session.scalars(
        sa.select(HelpCase)
        .where(HelpCase.round_id == round_.id, HelpCase.department_id == department.id)
        .options(
            selectinload(HelpCase.household),
            selectinload(HelpCase.village),
            selectinload(HelpCase.township),
        )
    ).all()
    return sorted(cases, key=county_order)
