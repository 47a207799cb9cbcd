"""§七 accountability for every failing the plan names, each naming the unit and the person; the
report covers the whole county as of a date, command line included."""

from __future__ import annotations

import dataclasses
from io import BytesIO

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from openpyxl import load_workbook

from tests.access_matrix import water_and_road
from tests.factories import at
from tests.scenario import AOYI, submit_township
from web import cli, cli_support
from web.app import create_app
from workflow.cases import acceptance
from workflow.cases.accountability_items import open_substandard, township_leader
from workflow.cases.lifecycle import Subject
from workflow.models import AccountabilityItem, AuditEvent, SubjectKind, Township
from workflow.oversight import accountability
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import Refused
from workflow.platform.settings import get_settings, use_settings
from workflow.programme import rounds
from workflow.survey.templates import find_village


@pytest.fixture
def late_county(round2018, user, run_tick):
    """奥依亚依拉克镇 submits on time; the other twelve miss 13 July and the county office hears
    of it three days later."""
    submit_township(round2018, AOYI, user)
    run_tick("2018-07-14T00:30+08:00")
    run_tick("2018-07-17T00:30+08:00")
    return round2018


def test_the_report_lists_every_township_with_items_naming_the_people(late_county, user):
    clock.set_now(at("2018-10-20T10:00"))
    village = find_village("布古纳村")
    gap = acceptance.record_missed_gap(
        late_county,
        Subject(SubjectKind.VILLAGE, village.township, village),
        "V-ROAD",
        "通硬化路",
        "验收时发现村道未硬化",
        user("fpb"),
    )
    db.session.commit()
    report = accountability.build_report(late_county)
    assert len(report.by_township) == 13
    assert report.as_of == clock.now()
    late = [i for i in report.items if i.kind == "survey_late"]
    assert len(late) == 12 and AOYI not in {i.township.name for i in late}
    for item in late:
        leader = township_leader(item.township_id)
        assert leader is not None and item.person_name == leader.display_name
        assert item.township.name in item.grounds
    qmz = next(u for u in report.by_township if u.name == "且末镇")
    assert qmz.count("survey_late") == 1 and qmz.count("items") == 1
    aoyi = next(u for u in report.by_township if u.name == AOYI)
    assert aoyi.count("survey_late") == 0 and aoyi.count("missed") == 1
    inaccurate = next(i for i in report.items if i.kind == "inaccurate")
    assert inaccurate.gap_id == gap.id and inaccurate.township.name == AOYI
    assert user("buguna_cun").display_name in inaccurate.person_name
    assert user("aoyi_fzr").display_name in inaccurate.person_name
    workbook = load_workbook(BytesIO(accountability.report_workbook(report)))
    items_sheet = workbook["追责问责事项"]
    rows = [r for r in items_sheet.iter_rows(values_only=True) if r and r[0] is not None]
    assert any(user("buguna_cun").display_name in str(r) for r in rows)


def test_rejected_at_acceptance_or_at_the_recheck_opens_a_substandard_item(county, user):
    clock.set_now(at("2018-07-01T10:00"))
    _water, road, _village = water_and_road(rounds.launch_round(2018, user("fpb")))
    road.responsible_person = "阿不都"

    item = open_substandard(road, "路面未硬化到村口")
    assert item.kind == "substandard" and item.person_name == "阿不都"
    assert open_substandard(road, "again") is item  # once per case
    assert "县交通局" in item.grounds and "路面未硬化到村口" in item.grounds


def test_the_leading_group_decides_items_one_by_one_or_in_bulk(late_county, user):
    clock.set_now(at("2018-07-20T10:00"))
    items = db.session.scalars(sa.select(AccountabilityItem).order_by(AccountabilityItem.id)).all()
    ldxz = user("ldxz")
    accountability.decide_item(items[0], ldxz, "约谈乡镇负责人", "首次逾期")
    decided = accountability.decide_items([i.id for i in items[1:4]], ldxz, "通报批评", "逾期")
    assert [i.reason for i in decided] == ["逾期"] * 3
    db.session.commit()
    with pytest.raises(Refused):
        accountability.decide_items([items[0].id, items[5].id], ldxz, "再决定")
    db.session.rollback()
    audited = db.session.scalars(
        sa.select(AuditEvent.object_id).where(AuditEvent.action == "accountability.decide")
    ).all()
    assert sorted(audited) == sorted(str(i.id) for i in items[:4])
    report = accountability.build_report(late_county)
    assert sum(u.count("items_decided") for u in report.by_township) == 4
    sheet = load_workbook(BytesIO(accountability.report_workbook(report)))["追责问责事项"]
    text = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)
    assert "首次逾期" in text and "通报批评" in text


def test_the_command_measures_overdue_to_the_date_asked(county, user, app, monkeypatch, tmp_path):
    clock.set_now(at("2018-07-01T10:00"))
    round_ = rounds.launch_round(2018, user("fpb"))
    _water, road, _village = water_and_road(round_)
    due = clock.in_beijing(road.due_at).date()
    db.session.commit()
    clock.set_now(None)  # the machine's own date: the report must not measure to it
    monkeypatch.setattr(cli_support, "make_app", lambda: app)
    out = tmp_path / "report.xlsx"
    result = CliRunner().invoke(
        cli.main,
        ["report", "accountability", "--round", "2018", "--as-of", "2019-01-31", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).worksheets[1]  # by department
    text = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert any("截至2019年01月31日" in t for t in text)
    days = (clock.end_of_day(clock.parse_moment("2019-01-31").date()) - road.due_at).days
    assert days == (clock.parse_moment("2019-01-31").date() - due).days
    jtj = next(row for row in sheet.iter_rows(values_only=True) if "县交通局" in row)
    assert days in jtj and all(not isinstance(v, int) or v < 1000 for v in jtj)
    townships = load_workbook(out).worksheets[0]
    names = {r[1] for r in townships.iter_rows(values_only=True)}
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Township))
    assert count == 13 and len(names & set(db.session.scalars(sa.select(Township.name)))) == 13


def test_a_form_printed_under_a_rehearsal_clock_carries_the_clock_date(
    round2018, app, monkeypatch, tmp_path
):
    clock.set_now(None)
    monkeypatch.setattr(clock, "_offset", clock._offset)  # the rehearsal ends with the test
    original = get_settings()
    rehearsal = dataclasses.replace(original, rehearsal_start="2018-10-20T09:00:00+08:00")
    made = []

    def make_app():  # the command's own app, as `huitou` builds it from the environment
        made.append(create_app(rehearsal, {"TESTING": True}))
        return made[-1]

    monkeypatch.setattr(cli_support, "make_app", make_app)
    out = tmp_path / "form4.xlsx"
    try:
        result = CliRunner().invoke(
            cli.main, ["template", "4", "--round", "2018", "--village", "布古纳村", "-o", str(out)]
        )
    finally:
        use_settings(original)
        for extra in made:
            with extra.app_context():
                for engine in db.engines.values():
                    engine.dispose()
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    text = " ".join(str(v) for row in sheet.iter_rows(max_row=4, values_only=True) for v in row)
    assert "填报日期：2018年10月20日" in text
