"""The results tables (附件4–6) and a department's annual plan, generated from real cases."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from tests.factories import at, department, make_round
from workflow.cases import lifecycle as cases
from workflow.cases import results
from workflow.cases.lifecycle import Subject
from workflow.cases.plans import (
    department_plan_xlsx,
    latest_plan_signature,
    plan_hash,
    plan_rows,
    sign_department_plan,
)
from workflow.models import (
    AuditEvent,
    CaseStatus,
    HelpCase,
    Household,
    Round,
    Signature,
    SubjectKind,
    Township,
    Village,
)
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, Refused, ValidationFailed

RESULTS_DAY = at("2018-10-15T18:00")  # the results tables are due that day (§五.2)
HEADER = ["序号", "存在问题", "帮扶措施", "责任单位", "责任人", "完成时限", "完成情况"]


@dataclass
class Year:
    """The 2018 round of the test, with the cases it opened, by name."""

    round_: Round
    case: dict[str, HelpCase]


def place(name: str) -> Village:
    return db.session.scalar(sa.select(Village).where(Village.name == name))


def town(name: str) -> Township:
    return db.session.scalar(sa.select(Township).where(Township.name == name))


def households(village: str, n: int) -> list[Household]:
    return list(
        db.session.scalars(
            sa.select(Household)
            .where(Household.village_id == place(village).id)
            .order_by(Household.id)
            .limit(n)
        )
    )


def open_for(round_, subject, code, label, dept, due=None) -> HelpCase:
    return cases.open_case(
        round_, subject, code, label, department(dept), None, evidence=f"{label}：否", due=due
    )


def of_household(household: Household) -> Subject:
    return Subject(SubjectKind.HOUSEHOLD, household.village.township, household.village, household)


def plan(case, clerk, measure, who, by=date(2018, 11, 30)) -> None:
    cases.plan_case(
        case,
        clerk,
        measure=measure,
        target_standard="达到当年脱贫标准",
        responsible_person=who,
        planned_completion=by,
    )


def work(case, clerk, funds, *, submit=False, verifier=None, acceptor=None) -> None:
    """Spend funds on a case, then take it as far as the people given."""
    cases.add_progress(case, clerk, "按计划推进", funds)
    if submit:
        cases.submit_work(case, clerk, "已完工")
    if verifier:
        cases.verify_case(case, verifier, ok=True)
    if acceptor:
        cases.accept_case(case, acceptor, ok=True)


@pytest.fixture
def year(county, user) -> Year:
    """Cases of 奥依亚依拉克镇 (and one of 且末镇), each worked to a different step."""
    clock.set_now(at("2018-08-01T10:00"))
    round_ = make_round()
    h = [of_household(x) for x in households("布古纳村", 5)]
    arpa, qiemo = (of_household(households(v, 1)[0]) for v in ("阿尔帕村", "喀特勒什村"))
    aoyi, sept = town("奥依亚依拉克镇"), date(2018, 9, 30)
    village = Subject(SubjectKind.VILLAGE, aoyi, place("布古纳村"))
    township = Subject(SubjectKind.TOWNSHIP, aoyi)
    water = ("H-WATER", "有安全饮水", "SLJ")
    c = {
        "closed": open_for(round_, h[0], *water),
        "accepting": open_for(round_, h[1], *water),
        "housing": open_for(round_, h[2], "H-HOUSING", "住房安全有保障", "ZJJ"),
        "late": open_for(round_, h[3], *water, due=sept),
        "unplanned": open_for(round_, h[4], *water),
        "road": open_for(round_, village, "V-ROAD", "通硬化路", "JTJ"),
        "security": open_for(round_, township, "T-SECURITY", "有综治工作中心", "ZFW"),
        "family": open_for(round_, township, "T-FAMILY-PLANNING", "有计生服务站", "FPB", sept),
        "arpa": open_for(round_, arpa, *water),
        "qiemo": open_for(round_, qiemo, *water),
    }
    db.session.commit()
    slj, zjj, jtj, zfw = (user(u) for u in ("dept_slj", "dept_zjj", "dept_jtj", "dept_zfw"))
    aoyi_zg, fpb = user("aoyi_zg"), user("fpb")
    plan(c["closed"], slj, "铺设入户自来水管道", "张水利", sept)
    work(c["closed"], slj, "12000", submit=True, verifier=aoyi_zg, acceptor=fpb)
    plan(c["accepting"], slj, "维修入户水表井", "李供水")
    work(c["accepting"], slj, "3,500.50", submit=True, verifier=aoyi_zg)
    plan(c["housing"], zjj, "安居富民房加固", "王住建", date(2018, 12, 31))
    work(c["housing"], zjj, "50000")
    plan(c["late"], slj, "打机井一眼", "赵打井", sept)
    plan(c["road"], jtj, "硬化村道 2 公里", "钱交通")
    work(c["road"], jtj, "200000", submit=True)
    plan(c["security"], zfw, "综治中心挂牌并配齐人员", "孙政法", date(2018, 9, 15))
    work(c["security"], zfw, "80000", submit=True, verifier=aoyi_zg, acceptor=fpb)
    plan(c["arpa"], slj, "自来水入户", "周管网")
    work(c["arpa"], slj, "10000")
    plan(c["qiemo"], slj, "更换老化管道", "吴管网")
    db.session.commit()
    db.session.expire_all()
    return Year(round_, {k: db.session.get(HelpCase, v.id) for k, v in c.items()})


def sheet(data: bytes, name: str):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [name]
    return wb[name]


def texts(row) -> list:
    return [c.value.replace("\n", "") if isinstance(c.value, str) else c.value for c in row]


def expected_state(case: HelpCase) -> str:
    """完成情况 as a county official reads the case table on results day."""
    if case.status in (CaseStatus.ACCEPTING, CaseStatus.CLOSED):
        return "已完成"
    reported_in_time = case.work_done_at is not None and case.work_done_at <= case.due_at
    return "未完成" if case.due_at < RESULTS_DAY and not reported_in_time else "推进中"


def data_rows(ws, first: int = 5) -> list[list]:
    """The numbered rows under the header."""
    return [texts(r) for r in ws.iter_rows(min_row=first) if isinstance(r[0].value, int)]


def assert_signature_row_at_foot(ws) -> None:
    last = [c.value for c in ws[ws.max_row] if c.value]
    assert last[0].startswith("填表人：") and any("负责人（签字）：" in v for v in last)


def test_form4_lists_the_village_households_cases_as_they_stand(year):
    data = results.results_form(year.round_, 4, village=place("布古纳村"), as_of=RESULTS_DAY)
    ws = sheet(data, "附件4")
    assert ws["A2"].value == "且末县奥依亚依拉克镇布古纳村脱贫人口“回头帮”成果统计表"
    assert "乡镇：奥依亚依拉克镇" in ws["A3"].value and "村：布古纳村" in ws["A3"].value
    assert [c.value for c in ws[3] if c.value][-1] == "填报日期：2018年10月15日"
    header = texts(ws[4])
    assert header[:3] == ["序号", "户主姓名", "身份证号"] and header[-3:-1] == [
        "完成情况",
        "投入资金（万元）",
    ]
    rows = data_rows(ws)
    village_cases = db.session.scalars(
        sa.select(HelpCase).where(
            HelpCase.village_id == place("布古纳村").id,
            HelpCase.subject_kind == SubjectKind.HOUSEHOLD,
        )
    ).all()
    assert len(rows) == len(village_cases) == 5
    by_id = {r[2]: r for r in rows}
    for case in village_cases:
        row = by_id[case.household.id_number]
        assert row[1] == case.household.head_name and row[5] == case.department.name
        assert row[8] == expected_state(case)
        funds = float(case.funds_spent) / 10000
        assert (row[9] or 0) == pytest.approx(funds, abs=0.005)
    late = by_id[year.case["late"].household.id_number]
    assert late[8] == "未完成" and late[10] == "逾期 15 天" and late[7].date() == date(2018, 9, 30)
    closed = by_id[year.case["closed"].household.id_number]
    assert closed[4:7] == ["铺设入户自来水管道", "县水利局", "张水利"] and closed[9] == 1.2
    assert by_id[year.case["accepting"].household.id_number][9] == 0.35
    assert by_id[year.case["unplanned"].household.id_number][10] == "尚未制定帮扶措施"
    assert_signature_row_at_foot(ws)


def test_form5_lists_the_exited_villages_of_the_township(year):
    ws = sheet(
        results.results_form(year.round_, 5, township=town("奥依亚依拉克镇"), as_of=RESULTS_DAY),
        "附件5",
    )
    assert ws["A2"].value == "且末县退出贫困村“回头帮”成果统计表"
    assert texts(ws[4])[:3] == ["序号", "乡镇", "村名"]
    [row] = data_rows(ws)
    assert row[1:4] == ["奥依亚依拉克镇", "布古纳村", "通硬化路：否"]
    assert row[8:] == ["推进中", 20.0, "已完工，待核验"]
    assert_signature_row_at_foot(ws)


def test_form6_totals_cover_every_case_of_the_township(year):
    aoyi = town("奥依亚依拉克镇")
    ws = sheet(results.results_form(year.round_, 6, township=aoyi, as_of=RESULTS_DAY), "附件6")
    assert ws["A2"].value == "且末县奥依亚依拉克镇“回头帮”成果统计表"
    assert ws["A3"].value == "乡镇：奥依亚依拉克镇"
    assert texts(ws[4])[:2] == ["序号", "乡镇"] and texts(ws[4])[2:8] == HEADER[1:]
    rows = data_rows(ws)
    assert [(r[2], r[7]) for r in rows] == [
        ("有综治工作中心：否", "已完成"),
        ("有计生服务站：否", "未完成"),
    ]

    township_cases = db.session.scalars(
        sa.select(HelpCase).where(
            HelpCase.township_id == aoyi.id, HelpCase.round_id == year.round_.id
        )
    ).all()
    states = [expected_state(c) for c in township_cases]
    funds = round(sum(float(c.funds_spent) for c in township_cases) / 10000, 2)
    labelled = {r[0]: r for r in map(texts, ws.iter_rows(min_row=5)) if isinstance(r[0], str)}
    total = labelled["合计"]
    assert total[2] == f"发现问题 {len(township_cases)} 项" == "发现问题 9 项"
    counted = [states.count(s) for s in ("已完成", "推进中", "未完成")]
    assert counted == [3, 4, 2]
    assert total[3] == "已完成 {} 项，推进中 {} 项，未完成 {} 项".format(*counted)
    assert total[8] == pytest.approx(funds) == pytest.approx(35.55)
    assert labelled["乡镇本级小计"][2] == "发现问题 2 项"
    assert labelled["退出贫困村小计"][2] == "发现问题 1 项"
    assert labelled["脱贫户小计"][2] == "发现问题 6 项"
    assert labelled["脱贫户小计"][9] == "见附件4"
    assert_signature_row_at_foot(ws)


def test_completion_defaults_to_now(year):
    clock.set_now(at("2018-09-01T09:00"))  # before the early deadlines
    rows = results.results_rows(year.round_, form_no=6, township=town("奥依亚依拉克镇"))
    assert [r.status for r in rows] == ["已完成", "推进中"]


def test_results_forms_need_their_place(year):
    with pytest.raises(ValidationFailed, match="附件4 需要指定村"):
        results.results_form(year.round_, 4, township=town("奥依亚依拉克镇"))
    with pytest.raises(ValidationFailed, match="布古纳村不属于且末镇"):
        results.results_form(year.round_, 4, village=place("布古纳村"), township=town("且末镇"))
    county_wide = results.results_rows(year.round_, form_no=5)
    assert [(r.township, r.village) for r in county_wide] == [("奥依亚依拉克镇", "布古纳村")]


@pytest.mark.parametrize(
    ("username", "form_no", "village", "township", "allowed"),
    [
        ("buguna_cun", 4, "布古纳村", None, True),
        ("buguna_cun", 4, "阿尔帕村", None, False),
        ("buguna_cun", 6, None, "奥依亚依拉克镇", False),
        ("aoyi_zg", 6, None, "奥依亚依拉克镇", True),
        ("aoyi_fzr", 4, "布古纳村", None, True),
        ("aoyi_zg", 5, None, "且末镇", False),
        ("qmz_fzr", 4, "布古纳村", None, False),
        ("dept_slj", 4, "布古纳村", None, False),
        ("fpb", 6, None, "且末镇", True),
        ("ldxz", 5, None, None, True),
    ],
)
def test_results_scope(user, username, form_no, village, township, allowed):
    v, t = place(village) if village else None, town(township) if township else None
    if allowed:
        results.require_results_scope(user(username), form_no, v, t)
    else:
        with pytest.raises(AccessDenied):
            results.require_results_scope(user(username), form_no, v, t)


def test_department_plan_has_one_row_per_case_with_its_measure(year):
    slj = department("SLJ")
    ws = sheet(department_plan_xlsx(year.round_, slj), "任务清单")
    assert ws["A2"].value == "且末县水利局2018年“回头帮”年度实施方案（任务清单）"
    assert ws["A3"].value == "编制单位：县水利局（盖章）"
    assert texts(ws[4]) == [
        "序号",
        "乡镇",
        "村",
        "帮扶对象",
        "存在问题",
        "帮扶目标（达到标准）",
        "帮扶措施",
        "完成时限",
        "责任人",
        "备注",
    ]
    rows = data_rows(ws)
    mine = [c for c in year.case.values() if c.department_id == slj.id]
    assert len(rows) == len(mine) == len(plan_rows(year.round_, slj)) == 6
    planned = {(r[6], r[8]) for r in rows}
    assert {(c.measure or None, c.responsible_person or None) for c in mine} == planned
    assert rows[0][1] == "且末镇"  # townships in division-code order
    assert [r[9] for r in rows].count("尚未制定措施") == 1
    assert [c.value for c in ws[3] if c.value][-1] == "编制日期：2018年8月1日"
    summary = texts(next(r for r in ws.iter_rows(min_row=5) if r[0].value == "合计"))
    assert summary[4] == "任务总数 6 项（脱贫户 6 项，退出贫困村 0 项，乡镇 0 项）"
    foot = [c.value for c in ws[ws.max_row] if c.value]
    assert any(v.startswith("部门负责人（签字）：") for v in foot)


def test_only_the_departments_leader_signs_its_plan(year, user):
    slj = department("SLJ")
    for outsider in ("dept_slj", "dept_jtj_fzr", "aoyi_fzr", "fpb"):
        with pytest.raises(AccessDenied):
            sign_department_plan(year.round_, slj, user(outsider))
    with pytest.raises(Refused, match="尚有 1 项帮扶事项未制定帮扶措施"):
        sign_department_plan(year.round_, slj, user("dept_slj_fzr"))
    assert db.session.scalar(sa.select(sa.func.count(Signature.id))) == 0


def test_signed_plan_hash_follows_its_content(year, user):
    slj, leader = department("SLJ"), user("dept_slj_fzr")
    plan(year.case["unplanned"], user("dept_slj"), "新建集中供水点", "郑供水")
    db.session.commit()
    signature = sign_department_plan(year.round_, slj, leader)
    db.session.commit()
    assert signature.object_type == "department_plan"
    assert signature.object_id == f"{year.round_.id}:{slj.id}"
    assert signature.signer_id == leader.id and signature.signed_at is not None
    assert signature.content_hash == plan_hash(year.round_, slj, plan_rows(year.round_, slj))
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.object_type == "department_plan")
    )
    assert event.action == "sign" and event.actor_id == leader.id
    ws = sheet(department_plan_xlsx(year.round_, slj), "任务清单")
    assert "在系统内签署" in ws.cell(ws.max_row, 1).value
    with pytest.raises(Refused, match="无需重复签署"):
        sign_department_plan(year.round_, slj, leader)

    year.case["late"].measure = "改为管网延伸入户"  # a correction after signing
    db.session.commit()
    assert plan_hash(year.round_, slj, plan_rows(year.round_, slj)) != signature.content_hash
    ws = sheet(department_plan_xlsx(year.round_, slj), "任务清单")
    assert "须由部门负责人重新签署" in ws.cell(ws.max_row, 1).value
    again = sign_department_plan(year.round_, slj, leader)
    db.session.commit()
    assert again.content_hash != signature.content_hash
    assert latest_plan_signature(year.round_, slj).id == again.id
