"""The year-end acceptance of planned exits (预脱贫) on its page, and a household's record read
across the rounds: the township proposes, the county office decides or confirms, the register
records it; a gap a year-end round finds shows on the household's page as next year's case,
labelled with the round that found it."""

from __future__ import annotations

import sqlalchemy as sa

from tests.factories import at, department
from workflow.cases.acceptance import carry_over_round
from workflow.cases.lifecycle import Subject, open_case
from workflow.models import (
    AuditEvent,
    Household,
    PlannedExitReview,
    Round,
    RoundKind,
    SubjectKind,
    Township,
    Village,
)
from workflow.platform import clock
from workflow.platform.db import db
from workflow.programme import rounds


def launch(year: int, kind: RoundKind, user) -> Round:
    clock.set_now(at(f"{year}-{'06-20' if kind == RoundKind.MID else '11-20'}T10:00"))
    round_ = rounds.launch_round(year, user("fpb"), kind=kind)
    db.session.commit()
    return round_


def planned_in(township: str, year: int) -> list[Household]:
    """A township's households the register plans to exit in a year, as the page lists them."""
    return list(
        db.session.scalars(
            sa.select(Household)
            .join(Village)
            .join(Township)
            .where(
                Township.name == township,
                Household.exit_year.is_(None),
                Household.planned_exit_year == year,
            )
            .order_by(Village.code, Household.id)
        )
    )


def reviews() -> dict[int, PlannedExitReview]:
    db.session.expire_all()
    return {r.household_id: r for r in db.session.scalars(sa.select(PlannedExitReview))}


def test_the_township_proposes_and_the_county_office_decides_on_the_page(county, user, browser):
    launch(2018, RoundKind.MID, user)
    launch(2018, RoundKind.END, user)
    aoyi = planned_in("奥依亚依拉克镇", 2018)
    qiemo = planned_in("且末镇", 2018)
    assert len(aoyi) >= 2 and qiemo, "the demo plans exits for 2018 in both townships"
    meets, fails = aoyi[:2]
    clerk = browser("aoyi_zg")
    page = clerk.get("/rounds/2018-end/planned-exits").get_data(as_text=True)
    assert all(h.id_number in page for h in aoyi), "the township sees all of its own"
    assert not any(h.id_number in page for h in qiemo), "and no other township's"
    assert "提交乡镇意见" in page
    # 不达标 without a reason: refused, said next to the household, nothing stored.
    answer = clerk.post(
        "/rounds/2018-end/planned-exits/propose",
        {f"meets-{meets.id}": "yes", f"meets-{fails.id}": "no"},
    )
    assert answer.status_code == 422
    assert "请说明该户不达标的原因" in answer.get_data(as_text=True)
    assert reviews() == {}
    # Without the form's CSRF token nothing is taken.
    forged = clerk.client.post(
        "/rounds/2018-end/planned-exits/propose", data={f"meets-{meets.id}": "yes"}
    )
    assert forged.status_code == 400 and reviews() == {}
    answer = clerk.post(
        "/rounds/2018-end/planned-exits/propose",
        {
            f"meets-{meets.id}": "yes",
            f"meets-{fails.id}": "no",
            f"reason-{fails.id}": "住房未达安全标准",
        },
    )
    assert answer.status_code == 303
    said = reviews()
    assert (said[meets.id].proposed_meets, said[fails.id].proposed_meets) == (True, False)
    assert said[fails.id].proposed_reason == "住房未达安全标准"
    # Another township cannot judge 奥依亚依拉克镇's households; a village has no part in it.
    other = browser("qmz_zg").post(
        "/rounds/2018-end/planned-exits/propose", {f"meets-{meets.id}": "no", "reason-1": "x"}
    )
    assert other.status_code == 403
    assert browser("buguna_cun").get("/rounds/2018-end/planned-exits").status_code == 403
    # A township does not decide.
    assert (
        clerk.post(
            "/rounds/2018-end/planned-exits/decide",
            {"action": "confirm", "confirm": str(meets.id)},
        ).status_code
        == 403
    )
    # The county office sees every township's, and confirms what the township proposed.
    office = browser("fpb")
    page = office.get("/rounds/2018-end/planned-exits").get_data(as_text=True)
    assert all(h.id_number in page for h in aoyi + qiemo)
    assert "住房未达安全标准" in page
    answer = office.post(
        "/rounds/2018-end/planned-exits/decide",
        {"action": "confirm", "confirm": [str(meets.id), str(fails.id)]},
    )
    assert answer.status_code == 303
    db.session.expire_all()
    meets, fails = db.session.get(Household, meets.id), db.session.get(Household, fails.id)
    assert (meets.exit_year, meets.planned_exit_year) == (2018, 2018)
    assert (fails.exit_year, fails.planned_exit_year, fails.in_register) == (None, 2019, True)
    assert reviews()[fails.id].decided_reason == "住房未达安全标准"
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "planned_exit.decide")
        .order_by(AuditEvent.seq)
    ).all()
    assert [(e.object_id, e.reason) for e in events] == [
        (str(meets.id), ""),
        (str(fails.id), "住房未达安全标准"),
    ]
    # Decided: the page says so and offers no second decision.
    page = office.get("/rounds/2018-end/planned-exits").get_data(as_text=True)
    assert meets.id_number in page and fails.id_number in page, "decided, still listed"
    assert f'name="decide-{meets.id}"' not in page and page.count("已认定") >= 2
    # The county office may also decide against the township, with a reason for 不达标.
    third = aoyi[2] if len(aoyi) > 2 else qiemo[0]
    browser("aoyi_zg" if third in aoyi else "qmz_zg").post(
        "/rounds/2018-end/planned-exits/propose", {f"meets-{third.id}": "yes"}
    )
    refused = office.post("/rounds/2018-end/planned-exits/decide", {f"decide-{third.id}": "no"})
    assert refused.status_code == 422
    decided = office.post(
        "/rounds/2018-end/planned-exits/decide",
        {f"decide-{third.id}": "no", f"reason-{third.id}": "人均纯收入未达标"},
    )
    assert decided.status_code == 303
    db.session.expire_all()
    assert db.session.get(Household, third.id).planned_exit_year == 2019


def test_the_round_pages_link_the_acceptance_of_a_year_end_round(county, user, browser):
    launch(2018, RoundKind.MID, user)
    launch(2018, RoundKind.END, user)
    for name in ("fpb", "aoyi_zg"):
        index = browser(name).get("/rounds").get_data(as_text=True)
        assert index.count("/rounds/2018-end/planned-exits") == 1, name
        show = browser(name).get("/rounds/2018-end").get_data(as_text=True)
        assert "/rounds/2018-end/planned-exits" in show
        assert "/planned-exits" not in browser(name).get("/rounds/2018-mid").get_data(as_text=True)
    assert "/planned-exits" not in browser("dept_slj").get("/rounds").get_data(as_text=True)
    # 年度工作 is the programme's line: the rounds §四 calls for, launched or not yet.
    line = browser("fpb").get("/rounds").get_data(as_text=True)
    names = ("2018-mid", "2018-end", "2019-end", "2020-final")
    places = [line.index(f"{name} 年度") for name in names]
    assert places == sorted(places)
    final = line[places[-1] :]
    final = final[: final.index("</tr>")]
    assert "尚未启动" in final and "2020-12-10" in final
    assert 'href="/rounds/2020-final"' not in final


def test_a_households_page_reads_its_cases_across_the_rounds(county, user, browser):
    mid = launch(2018, RoundKind.MID, user)
    end = launch(2018, RoundKind.END, user)
    household = db.session.scalars(
        sa.select(Household)
        .join(Village)
        .where(Village.name == "布古纳村", Household.exit_year.is_not(None))
        .order_by(Household.id)
    ).first()
    subject = Subject(
        SubjectKind.HOUSEHOLD, household.village.township, household.village, household
    )
    water = open_case(mid, subject, "H-WATER", "有安全饮水", department("SLJ"), None)
    clock.set_now(at("2018-12-05T10:00"))
    housing = open_case(end, subject, "H-HOUSING", "住房安全有保障", department("ZJJ"), None)
    db.session.commit()
    assert housing.found_in_round_id == end.id, "a year-end gap is next year's case"
    plan = db.session.get(Round, housing.round_id)
    assert (plan.year, plan.kind) == (2019, RoundKind.MID)
    # 2018-mid closes at its done-by date: the unfinished water case carries into 2019.
    clock.set_now(at("2019-01-02T10:00"))
    carry_over_round(mid.id)
    db.session.commit()
    page = browser("aoyi_zg").get(f"/households/{household.id}").get_data(as_text=True)
    sections = [page.index(f'id="round-{name}"') for name in ("2018-mid", "2019-mid")]
    assert sections == sorted(sections), "the rounds in the programme's order"
    in_2019 = page[sections[1] :]
    assert f"/cases/{housing.id}" in in_2019 and "2018-end 轮次查找出" in in_2019
    assert "由 2018-mid 轮次结转" in in_2019, "the water case carried into 2019"
    assert f"/cases/{water.id}" in page[sections[0] : sections[1]]
    assert "2018-mid 轮次查找出" in page[sections[0] : sections[1]]
    # The case page leads there; 年度工作 shows when 2018-mid was launched and closed.
    case_page = browser("dept_zjj").get(f"/cases/{housing.id}").get_data(as_text=True)
    assert f"/households/{household.id}" in case_page
    own = browser("dept_zjj").get(f"/households/{household.id}").get_data(as_text=True)
    assert f"/cases/{housing.id}" in own and f"/cases/{water.id}" not in own, "its own cases"
    assert browser("dept_jtj").get(f"/households/{household.id}").status_code == 403
    assert browser("katelesh_cun").get(f"/households/{household.id}").status_code == 403
    line = browser("fpb").get("/rounds").get_data(as_text=True)
    row = line[line.index('href="/rounds/2018-mid"') :]
    row = row[: row.index("</tr>")]
    assert "2018-06-20" in row and "2019-01-02" in row, "launched and closed"


def test_a_planned_exit_shows_its_acceptance_on_the_households_page(county, user, browser):
    launch(2018, RoundKind.END, user)
    household = planned_in("奥依亚依拉克镇", 2018)[0]
    office, clerk = browser("fpb"), browser("aoyi_zg")
    page = office.get(f"/households/{household.id}").get_data(as_text=True)
    assert "未脱贫：计划 2018 年脱贫" in page
    clerk.post("/rounds/2018-end/planned-exits/propose", {f"meets-{household.id}": "yes"})
    office.post("/rounds/2018-end/planned-exits/decide", {f"decide-{household.id}": "yes"})
    page = office.get(f"/households/{household.id}").get_data(as_text=True)
    assert "2018 年已脱贫" in page
    section = page[page.index('id="round-2018-end"') :]
    assert "预脱贫验收" in section and "2018 年脱贫" in section
