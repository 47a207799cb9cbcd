"""The whole 2018 year on the demo county, the clock moved from launch to 2019-01-10 in steps:
one department finishes on time, one late, one never; exactly the expected reminders,
escalations and accountability items fire, none twice; acceptance closes the round and
carries the unfinished case into 2019, linked to its history."""

from __future__ import annotations

from collections import Counter
from datetime import date

import sqlalchemy as sa

from tests.factories import at, household_of
from tests.scenario import AOYI, submit_township
from workflow.cases import acceptance
from workflow.cases import lifecycle as cases
from workflow.inbox import tasks
from workflow.models import (
    AccountabilityItem,
    CaseEscalation,
    CaseStatus,
    HelpCase,
    Round,
    RoundStatus,
    SurveyEscalation,
)
from workflow.oversight import accountability
from workflow.platform import clock
from workflow.platform.db import db
from workflow.programme import rounds
from workflow.survey import gaps


def set_clock(text: str) -> None:
    db.session.commit()
    clock.set_now(at(text))


def case_mail(smtp_server, case_ids: set[int]) -> Counter[tuple[int, str]]:
    """(case id, recipient) of every message the loopback server received about these cases."""
    found: Counter[tuple[int, str]] = Counter()
    for message in smtp_server.messages:
        for case_id in case_ids:
            if f"#{case_id} " in message.subject:
                found.update((case_id, to) for to in message.rcpt_tos)
    return found


def test_the_2018_year(county, user, run_tick, smtp_server):
    fpb, township_clerk = user("fpb"), user("aoyi_zg")
    set_clock("2018-06-20T10:00")
    round_ = rounds.launch_round(2018, fpb)
    set_clock("2018-07-10T10:00")
    submit_township(round_, AOYI, user)  # only 奥依亚依拉克镇 submits in time
    run_tick("2018-07-14T00:30+08:00")
    run_tick("2018-07-17T00:30+08:00")
    late = db.session.execute(sa.select(SurveyEscalation.township_id, SurveyEscalation.level)).all()
    assert len(late) == 24 and len({t for t, _ in late}) == 12  # 12 townships × levels 1 and 2

    # Triage on 20 July: three water gaps, one per department, all due 30 September.
    set_clock("2018-07-20T10:00")
    water = gaps.triage_board(round_)["县水利局"][:3]
    assert len(water) == 3
    gaps.reroute_gaps(round_, [water[1].id], "ZJJ", "结合危房改造解决", fpb)
    gaps.reroute_gaps(round_, [water[2].id], "JTJ", "需修通入村道路后铺管", fpb)
    on_time, late_case, never = (
        db.session.get(HelpCase, cid)
        for cid in gaps.confirm_gaps(round_, [g.id for g in water], fpb, due=date(2018, 9, 30))
    )
    assert [c.department.code for c in (on_time, late_case, never)] == ["SLJ", "ZJJ", "JTJ"]

    set_clock("2018-08-01T10:00")
    for case, clerk in ((on_time, "dept_slj"), (late_case, "dept_zjj"), (never, "dept_jtj")):
        cases.plan_case(
            case,
            user(clerk),
            measure="入户供水改造",
            target_standard="安全饮水达标",
            responsible_person="责任人",
            planned_completion=date(2018, 9, 28),
        )
    set_clock("2018-09-20T10:00")
    cases.add_progress(on_time, user("dept_slj"), "已完工", "8000")
    cases.submit_work(on_time, user("dept_slj"), "已通水")
    set_clock("2018-09-22T10:00")
    cases.verify_case(on_time, township_clerk, ok=True)
    run_tick("2018-09-23T09:30+08:00")  # reminders: not for the case already done
    run_tick("2018-10-01T00:30+08:00")  # level 1 for the two unfinished cases
    set_clock("2018-10-10T10:00")
    cases.submit_work(late_case, user("dept_zjj"), "已通水（逾期）")
    cases.verify_case(late_case, township_clerk, ok=True)
    for moment in (
        "2018-10-10T12:00",
        "2018-10-15T00:30",
        "2018-10-15T00:31",
        "2018-11-14T00:30",
        "2018-11-14T09:00",
        "2018-12-01T00:00",
    ):
        run_tick(f"{moment}+08:00")

    fired = set(db.session.execute(sa.select(CaseEscalation.case_id, CaseEscalation.level)).all())
    assert fired == {
        (late_case.id, 0),
        (never.id, 0),
        (late_case.id, 1),
        (never.id, 1),
        (never.id, 2),
        (never.id, 3),
    }
    mail = {
        u: user(u).email
        for u in ("dept_zjj", "dept_zjj_fzr", "dept_jtj", "dept_jtj_fzr", "aoyi_fzr", "fpb", "ldxz")
    }
    assert case_mail(smtp_server, {on_time.id, late_case.id, never.id}) == Counter(
        {
            (late_case.id, mail["dept_zjj"]): 1,  # reminder
            (late_case.id, mail["dept_zjj_fzr"]): 1,  # level 1
            (late_case.id, mail["aoyi_fzr"]): 1,
            (never.id, mail["dept_jtj"]): 1,
            (never.id, mail["dept_jtj_fzr"]): 1,
            (never.id, mail["aoyi_fzr"]): 1,
            (never.id, mail["fpb"]): 2,  # level 2 and level 3
            (never.id, mail["ldxz"]): 2,
        }
    )
    items = db.session.scalars(
        sa.select(AccountabilityItem).where(AccountabilityItem.kind == "lateness")
    ).all()
    assert [i.case_id for i in items] == [never.id]
    assert "县交通局" in items[0].grounds and "逾期" in items[0].grounds

    # The accountability report matches a count made here, independently, from the case table.
    report = accountability.build_report(round_, at("2018-12-01T12:00"))
    all_cases = db.session.scalars(sa.select(HelpCase)).all()
    for unit in report.by_department:
        mine = [c for c in all_cases if c.department.name == unit.name]
        assert unit.count("received") == len(mine)
        assert unit.count("on_time") == sum(
            1 for c in mine if c.verified_at and c.verified_at <= c.due_at
        )
        assert unit.count("late") == sum(
            1 for c in mine if c.verified_at and c.verified_at > c.due_at
        )
        assert unit.count("overdue") == sum(1 for c in mine if not c.verified_at)
    jtj = next(u for u in report.by_department if u.name == "县交通局")
    assert (
        jtj.cases["level3"] == [never.id] and jtj.overdue_days[never.id] == 61
    )  # 30 Sep 23:59:59 → 1 Dec noon
    township = next(u for u in report.by_township if u.name == AOYI)
    assert (
        township.count("received"),
        township.count("on_time"),
        township.count("late"),
        township.count("overdue"),
        township.count("items"),
        township.count("results_late"),
    ) == (3, 1, 1, 1, 2, 1)  # the late case's item, and its results tables never reported

    # Year end: the round's timer opens the annual acceptance for the county office.
    run_tick("2019-01-01T00:30+08:00")
    inbox = sorted(t.spec_name for t in tasks.inbox(fpb))
    assert inbox == ["annual_acceptance", "county_accept", "county_accept"], "triage closed"
    set_clock("2019-01-05T10:00")
    assert acceptance.bulk_accept(round_, fpb) == 2
    sample = acceptance.recheck_sample(round_, fpb, 1, seed=7)
    assert len(sample) == 1 and sample[0].status == CaseStatus.CLOSED
    acceptance.finish_acceptance(round_, fpb)
    db.session.commit()
    run_tick("2019-01-10T09:00+08:00")

    assert db.session.get(Round, round_.id).status == RoundStatus.CLOSED
    r2019 = db.session.scalar(sa.select(Round).where(Round.year == 2019))
    assert r2019.status == RoundStatus.PLANNED
    carried = db.session.scalars(sa.select(HelpCase).where(HelpCase.round_id == r2019.id)).all()
    assert [c.carried_from_id for c in carried] == [never.id]
    assert db.session.get(HelpCase, never.id).status == CaseStatus.CARRIED_OVER
    assert [c.round_id for c in acceptance.case_story(carried[0])] == [round_.id, r2019.id]
    assert tasks.ready_task_of(carried[0].instance_id, "plan_measure") is not None
    assert tasks.ready_task_of(never.instance_id, "plan_measure") is None, "old task cancelled"
    # nothing fired twice over the whole year
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseEscalation)) == 6


def test_acceptance_records_what_the_survey_missed(county, user, browser):
    """核查不准确: a gap the year-end check found is counted against the township and triaged."""
    set_clock("2018-06-20T10:00")
    round_ = rounds.launch_round(2018, user("fpb"))
    db.session.commit()
    office = browser("fpb")
    office.get("/rounds/2018/acceptance")
    household = household_of("布古纳村")
    refused = office.post(
        "/rounds/2018/acceptance/missed",
        {"subject": "不存在的村", "indicator": "H-WATER", "evidence": ""},
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "请填写户主身份证号、村名或乡镇名" in page and "请填写验收发现的问题" in page
    done = office.post(
        "/rounds/2018/acceptance/missed",
        {
            "subject": household.id_number.lower(),
            "indicator": "H-HOUSING",
            "evidence": "复核发现住房为危房，摸底表填“是”",
        },
    )
    assert done.status_code == 303
    report = accountability.build_report(round_)
    aoyi = next(u for u in report.by_township if u.name == AOYI)
    assert aoyi.count("missed") == 1
    board = gaps.triage_board(round_)
    assert [g.indicator_code for g in board["县住建局"]] == ["H-HOUSING"]
