"""The seed's calendar (§四): a mid-year look-back, year-end look-backs with the acceptance of
the year's planned exits, a final one in 2020; each round's scope and standard by its kind."""

from __future__ import annotations

import random
from datetime import date

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tests.factories import at, open_household_case
from web import cli, cli_support
from workflow.demo.year import filled_form
from workflow.models import (
    AuditEvent,
    Household,
    Round,
    RoundKind,
    SurveyAnswer,
    Township,
    Village,
)
from workflow.oversight.accountability import build_report
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, NotFound, Refused, ValidationFailed
from workflow.programme import planned_exits, rounds
from workflow.programme.lookback import (
    household_in_round,
    households_in_scope,
    village_exited_in,
    villages_in_scope,
)
from workflow.survey.intake import import_survey


@pytest.fixture
def planned(county):
    """The households the demo's register plans to exit (预脱贫) in 2018 and in 2019: not out
    yet, their plan year set."""
    rows = db.session.execute(
        sa.select(Household.id, Household.planned_exit_year).where(
            Household.exit_year.is_(None), Household.in_register
        )
    ).all()
    by_year = {year: {i for i, planned in rows if planned == year} for year in (2018, 2019)}
    assert by_year[2018] and by_year[2019], "the demo plans exits for 2018 and 2019"
    return by_year


def a_village_exiting_in(year: int) -> Village:
    """Make one of the demo's other villages a poor village that exits in `year` (the demo's
    15 exited in 2016–2017, as the plan says)."""
    village = db.session.scalars(
        sa.select(Village).where(~Village.is_exited_poor).order_by(Village.code)
    ).first()
    village.is_exited_poor, village.exit_year = True, year
    db.session.commit()
    return village


def aoyi_planned(year: int) -> list[Household]:
    """奥依亚依拉克镇's households planned to exit in `year`, in the order the lists show them."""
    return list(
        db.session.scalars(
            sa.select(Household)
            .join(Village)
            .join(Township)
            .where(
                Township.name == "奥依亚依拉克镇",
                Household.exit_year.is_(None),
                Household.planned_exit_year == year,
            )
            .order_by(Village.code, Household.id)
        )
    )


def scope(round_: Round) -> tuple[set[int], set[int]]:
    """The ids of the households and of the exited villages (附件2) a round looks back at,
    county-wide."""
    villages: set[int] = set()
    households: set[int] = set()
    for township in db.session.scalars(sa.select(Township)):
        for village in villages_in_scope(round_, township.id):
            if village_exited_in(round_, village):
                villages.add(village.id)
            households |= {h.id for h in households_in_scope(round_, village)}
    return households, villages


def exited(up_to: int) -> tuple[set[int], set[int]]:
    """The households and exited villages out of poverty from 2014 up to a year."""
    households = set(
        db.session.scalars(
            sa.select(Household.id).where(
                Household.exit_year.between(2014, up_to), Household.in_register
            )
        )
    )
    villages = set(
        db.session.scalars(
            sa.select(Village.id).where(Village.is_exited_poor, Village.exit_year <= up_to)
        )
    )
    return households, villages


def launch(year: int, kind: RoundKind, user) -> Round:
    clock.set_now(at(f"{year}-{'06-20' if kind == RoundKind.MID else '11-20'}T10:00"))
    round_ = rounds.launch_round(year, user("fpb"), kind=kind)
    db.session.commit()
    return round_


def test_each_round_of_the_calendar_covers_what_the_plan_says(planned, user):
    late_village = a_village_exiting_in(2018)
    mid = launch(2018, RoundKind.MID, user)
    end = launch(2018, RoundKind.END, user)
    end19 = launch(2019, RoundKind.END, user)
    final = launch(2020, RoundKind.FINAL, user)
    assert [r.name for r in (mid, end, end19, final)] == [
        "2018-mid",
        "2018-end",
        "2019-end",
        "2020-final",
    ]
    # §四.1: July 2018 looks back at 2014–2017's exits and villages, against 2017's standard.
    households, villages = exited(2017)
    assert late_village.id not in villages and len(villages) == 15
    assert scope(mid) == (households, villages)
    assert mid.standard_version.startswith("2017-")
    # §四.2: year-end looks back at that year's exits too, and accepts that year's 预脱贫.
    households, villages = exited(2018)
    assert late_village.id in villages
    assert scope(end) == (households | planned[2018], villages)
    assert end.standard_version.startswith("2018-")
    assert (end.survey_due.month, end.done_by.year) == (12, 2018)
    households, villages = exited(2019)
    assert scope(end19) == (households | planned[2019], villages)
    assert end19.standard_version.startswith("2019-")
    # §四.3: the final round looks back at everyone who ever exited, and every exited village.
    households, villages = exited(2020)
    assert scope(final) == (households, villages)
    assert villages == set(db.session.scalars(sa.select(Village.id).where(Village.is_exited_poor)))
    assert final.standard_version.startswith("2020-")
    assert end.previous_round_id == mid.id and end19.previous_round_id == end.id


def test_a_round_is_named_by_year_and_kind_and_a_plain_year_only_when_it_holds_one(
    county, user, browser
):
    launch(2018, RoundKind.MID, user)
    assert rounds.get_round("2018").name == "2018-mid"
    assert rounds.get_round(2018).name == "2018-mid"
    launch(2018, RoundKind.END, user)
    assert rounds.get_round("2018-end").kind == RoundKind.END
    with pytest.raises(NotFound) as ambiguous:
        rounds.get_round("2018")
    assert "2018-mid" in ambiguous.value.message and "2018-end" in ambiguous.value.message
    with pytest.raises(NotFound):
        rounds.get_round("2019-end")
    fpb = browser("fpb")
    assert fpb.get("/rounds/2018-end").status_code == 200
    assert fpb.get("/api/v1/rounds/2018-end").status_code in (200, 401)
    page = fpb.get("/rounds/2018")
    assert page.status_code == 404
    assert "2018-mid" in page.get_data(as_text=True)


def test_the_command_launches_a_year_end_round_and_names_it(county, app, monkeypatch, tmp_path):
    monkeypatch.setattr(cli_support, "make_app", lambda: app)
    clock.set_now(at("2018-11-20T10:00"))
    runner = CliRunner()
    result = runner.invoke(cli.main, ["round", "launch", "--year", "2018", "--kind", "end"])
    assert result.exit_code == 0, result.output
    assert "2018-end" in result.output
    db.session.expire_all()
    round_ = rounds.get_round("2018-end")
    assert (round_.exit_year_to, round_.standard_version[:4]) == (2018, "2018")
    out = tmp_path / "form1.xlsx"
    result = runner.invoke(
        cli.main,
        ["template", "1", "--round", "2018-end", "--village", "布古纳村", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0


def all_cases(report, metric: str) -> set[int]:
    return {case_id for unit in report.by_township for case_id in unit.cases[metric]}


def test_a_gap_found_at_the_year_end_is_a_case_of_next_years_plan_and_not_late_in_2018(
    county, user, browser
):
    launch(2018, RoundKind.MID, user)
    end = launch(2018, RoundKind.END, user)
    case = open_household_case(end, due=date(2018, 12, 31))
    db.session.commit()
    plan = db.session.get(Round, case.round_id)
    assert (plan.year, plan.kind) == (2019, RoundKind.MID)
    assert case.found_in_round_id == end.id
    assert clock.in_beijing(case.due_at).date() == date(2019, 12, 31)
    # A mid-year round's gaps stay this year's, as before.
    this_year = open_household_case(rounds.get_round("2018-mid"), village_name="阿其玛村")
    assert this_year.round_id == rounds.get_round("2018-mid").id
    assert this_year.found_in_round_id is None
    db.session.commit()
    # In March 2019 the case is not done: the reports of 2018 do not hold it late, 2019's has it.
    march = at("2019-03-01T10:00")
    for of_2018 in ("2018-mid", "2018-end"):
        report = build_report(rounds.get_round(of_2018), as_of=march)
        assert case.id not in all_cases(report, "received") | all_cases(report, "late")
        assert case.id not in all_cases(report, "overdue")
    report = build_report(plan, as_of=march)
    assert case.id in all_cases(report, "received")
    assert case.id not in all_cases(report, "overdue")
    # The 年度工作 page shows the rounds as one line, in the calendar's order, with their numbers.
    page = browser("fpb").get("/rounds").get_data(as_text=True)
    line = [page.index(f'href="/rounds/{name}"') for name in ("2018-mid", "2018-end", "2019-mid")]
    assert line == sorted(line)
    assert "年底" in page and "0 / 1" in page


def test_a_planned_exit_is_accepted_at_the_year_end_or_stays_not_yet_out(county, user):
    aoyi = aoyi_planned(2018)
    meets, fails = aoyi[:2]
    launch(2018, RoundKind.MID, user)
    end = launch(2018, RoundKind.END, user)
    listed = [h.id for h, review in planned_exits.planned_households(end, user("aoyi_zg"))]
    assert listed == [h.id for h in aoyi]
    others = planned_exits.planned_households(end, user("qmz_zg"))
    assert not {h.id for h, _review in others} & set(listed), "a township sees its own only"
    assert all(h.village.township.name == "且末镇" for h, _review in others)
    with pytest.raises(AccessDenied):
        planned_exits.propose(end, meets, user("qmz_zg"), True)
    with pytest.raises(Refused):  # the county office decides only on the township's proposal
        planned_exits.decide(end, meets, user("fpb"), True)
    planned_exits.propose(end, meets, user("aoyi_zg"), True)
    with pytest.raises(ValidationFailed):  # 不达标 says what the household lacks
        planned_exits.propose(end, fails, user("aoyi_zg"), False)
    planned_exits.propose(end, fails, user("aoyi_zg"), False, "住房未达安全标准")
    with pytest.raises(AccessDenied):  # a township does not decide
        planned_exits.decide(end, meets, user("aoyi_zg"), True)
    planned_exits.decide(end, meets, user("fpb"), True)
    planned_exits.decide(end, fails, user("fpb"), False)
    db.session.commit()
    with pytest.raises(Refused):
        planned_exits.propose(end, fails, user("aoyi_zg"), True)
    db.session.expire_all()
    # 达标: out of poverty in 2018, looked back at by 2019's year-end round as an exited household.
    assert (meets.exit_year, meets.planned_exit_year) == (2018, 2018)
    # 不达标: no error; still in the register, not yet out, planned for 2019.
    assert (fails.exit_year, fails.planned_exit_year, fails.in_register) == (None, 2019, True)
    end19 = launch(2019, RoundKind.END, user)
    households, _villages = scope(end19)
    assert {meets.id, fails.id} <= households
    assert household_in_round(end19, meets) and meets.exit_year == 2018
    decided = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.action.like("planned_exit.%"))
    ).all()
    assert decided.count("planned_exit.propose") == 2 and decided.count("planned_exit.decide") == 2


def test_the_commands_walk_a_planned_exit_through_the_year_end(county, user, app, monkeypatch):
    monkeypatch.setattr(cli_support, "make_app", lambda: app)
    household = aoyi_planned(2018)[0]
    launch(2018, RoundKind.END, user)
    runner = CliRunner()
    said = ["--round", "2018-end", "--id-number", household.id_number, "--meets", "yes"]
    refused = runner.invoke(cli.main, ["planned-exit", "decide", *said])
    assert refused.exit_code == 1 and "乡镇尚未" in refused.output
    result = runner.invoke(cli.main, ["planned-exit", "propose", *said, "--as", "aoyi_zg"])
    assert result.exit_code == 0, result.output
    listed = runner.invoke(cli.main, ["planned-exit", "list", "--round", "2018-end"])
    assert household.id_number in listed.output and "达标" in listed.output
    result = runner.invoke(cli.main, ["planned-exit", "decide", *said])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(Household, household.id).exit_year == 2018


def test_a_year_end_form_of_a_village_with_planned_exits_imports(county, user):
    """The year-end 附件1 lists the village's planned exits with its exited households; the
    clerk's filled form is taken whole, the planned exits' rows included."""
    launch(2018, RoundKind.MID, user)
    end = launch(2018, RoundKind.END, user)
    village = db.session.scalar(sa.select(Village).where(Village.name == "布古纳村"))
    planned = [h for h in households_in_scope(end, village) if h.exit_year is None]
    assert planned, "布古纳村 has planned exits in 2018"
    form = filled_form(1, end, random.Random(1), village=village)
    import_survey(form, user("buguna_cun"), end)
    db.session.commit()
    surveyed = set(
        db.session.scalars(
            sa.select(SurveyAnswer.household_id).where(SurveyAnswer.household_id.is_not(None))
        )
    )
    assert {h.id for h in households_in_scope(end, village)} <= surveyed
