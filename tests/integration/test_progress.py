"""The round's progress: surveys and results by township against their deadlines, cases by
department, each figure linking to its cases; township and department users see their own row."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.factories import at, open_household_case, work_done
from tests.scenario import AOYI, submit_township
from workflow.cases import lifecycle as cases
from workflow.models import Round, Township
from workflow.oversight import progress
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied


@pytest.fixture
def year_so_far(round2018, user):
    """奥依亚依拉克镇 submits on 07-10 (on time), 且末镇 on 07-16 (3 days late); 水利局 has a
    case done on time and one overdue, 交通局 one open; seen on 2018-08-20."""
    clock.set_now(at("2018-07-10T10:00"))
    submit_township(round2018, AOYI, user)
    clock.set_now(at("2018-07-16T10:00"))
    submit_township(round2018, "且末镇", user)
    clock.set_now(at("2018-07-20T10:00"))
    done = open_household_case(round2018, due=date(2018, 8, 10))
    late = open_household_case(round2018, "喀特勒什村", due=date(2018, 8, 15))
    road = open_household_case(round2018, "喀特勒什村", "JTJ", "H-HOUSING", "住房安全有保障")
    work_done(done, user("dept_slj"), completion=date(2018, 8, 5))
    cases.verify_case(done, user("aoyi_zg"), True)
    db.session.commit()
    clock.set_now(at("2018-08-20T10:00"))
    return done, late, road


def test_county_sees_every_township_and_department(year_so_far, browser):
    done, late, _road = year_so_far
    page = browser("ldxz").get("/rounds/2018/progress").get_data(as_text=True)
    surveys = page[page.index('id="surveys"') : page.index('id="departments"')]
    aoyi = surveys[surveys.index(AOYI) :][:600]
    assert "按期上报" in aoyi
    qmz = surveys[surveys.index("且末镇</td>") :][:600]
    assert "逾期上报" in qmz and ">3<" in qmz
    assert surveys.count("逾期未报") == 11 + 1  # eleven rows and the tally's label
    departments = page[page.index('id="departments"') : page.index('id="results"')]
    water = departments[departments.index("县水利局") :][:1500]
    assert f'ids={done.id}"' in water.replace("%2C", ",")  # done on time links to its case
    assert f'ids={late.id}"' in water.replace("%2C", ",")  # overdue now
    assert "/rounds/2018-mid/accountability" in page
    results = page[page.index('id="results"') :]
    assert results.count("尚未上报（未到期）") == 13 + 1


def test_progress_figures_are_the_cases_behind_them(year_so_far, user):
    done, late, road = year_so_far
    report = progress.build_progress(_round(), user("fpb"))
    water = next(d for d in report.departments if d.name == "县水利局")
    assert water.cases["received"] == [done.id, late.id]
    assert water.cases["on_time"] == [done.id] and water.cases["overdue"] == [late.id]
    road_row = next(d for d in report.departments if d.name == "县交通局")
    assert road_row.cases["open"] == [road.id] and road_row.cases["overdue"] == []
    qmz = next(s for s in report.surveys if s.township == "且末镇")
    assert (qmz.state, qmz.days_late, qmz.signed_by) == ("late", 3, user("qmz_fzr").display_name)
    missing = [s for s in report.surveys if s.state == "missing"]
    assert len(missing) == 11 and {s.days_late for s in missing} == {38}


def _round():
    return db.session.scalar(sa.select(Round))


def test_a_township_sees_its_own_rows_only(year_so_far, browser):
    page = browser("qmz_zg").get("/rounds/2018/progress").get_data(as_text=True)
    assert "且末镇" in page and AOYI not in page
    assert 'id="departments"' not in page and "/accountability" not in page


def test_a_department_sees_its_own_row_only(year_so_far, browser):
    page = browser("dept_jtj").get("/rounds/2018/progress").get_data(as_text=True)
    assert "县交通局" in page and "县水利局" not in page
    assert 'id="surveys"' not in page and 'id="results"' not in page


def test_village_clerks_are_refused(year_so_far, browser, user):
    assert browser("buguna_cun").get("/rounds/2018/progress").status_code == 403
    with pytest.raises(AccessDenied):
        progress.build_progress(_round(), user("buguna_cun"))


def test_unknown_round_is_not_found(county, browser):
    assert browser("fpb").get("/rounds/2031/progress").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Township)) == 13
