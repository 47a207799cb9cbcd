"""§七.3 定期督查: the leading group (or the county office on its behalf) schedules an inspection
of a township or a department; its checklist is the unit's open work when it is scheduled, frozen;
the inspectors record each line and a conclusion, which the accountability report carries."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from openpyxl import load_workbook

from tests.access_matrix import water_and_road
from tests.factories import at, department
from tests.scenario import AOYI
from web import cli, cli_support
from workflow.cases.accountability_items import open_item
from workflow.models import AuditEvent, Inspection, LineResult
from workflow.oversight import accountability, inspections
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, Refused, ValidationFailed
from workflow.survey.templates import find_township


@pytest.fixture
def open_work(round2018):
    """水利局's water case and 交通局's road case for 布古纳村 (奥依亚依拉克镇), the road case
    three levels overdue with its accountability item still undecided."""
    water, road, _village = water_and_road(round2018)
    item = open_item(road)
    db.session.commit()
    return water, road, item


def _schedule(round_, actor, on="2018-07-10", **unit):
    return inspections.schedule_inspection(
        round_, actor, on=date.fromisoformat(on), inspectors="县扶贫办督查组（王、李）", **unit
    )


def test_an_inspection_freezes_the_units_open_work_as_its_checklist(round2018, open_work, user):
    water, road, item = open_work
    township = find_township(AOYI)
    inspection = _schedule(round2018, user("ldxz"), township=township)
    by_department = _schedule(round2018, user("fpb"), department=department("JTJ"))
    db.session.commit()
    lines = inspection.lines
    assert [line.kind for line in lines] == ["case", "case", "item"]  # cases first, then items
    assert {line.case_id for line in lines[:2]} == {water.id, road.id}
    assert lines[2].item_id == item.id and [line.seq for line in lines] == [1, 2, 3]
    assert {line.case_id for line in by_department.lines if line.kind == "case"} == {road.id}
    assert any(line.item_id == item.id for line in by_department.lines)
    assert "县交通局" in next(line.responsible for line in lines if line.case_id == road.id)
    frozen = next(line.subject for line in lines if line.case_id == water.id)

    water.responsible_person = "后来的人"  # the case moves on; the checklist does not
    db.session.commit()
    db.session.expire_all()
    again = db.session.get(Inspection, inspection.id)
    assert next(line.subject for line in again.lines if line.case_id == water.id) == frozen
    assert "后来的人" not in " ".join(line.responsible for line in again.lines)
    scheduled = db.session.scalars(
        sa.select(AuditEvent.object_id).where(AuditEvent.action == "inspection.schedule")
    ).all()
    assert scheduled == [str(inspection.id), str(by_department.id)]


def test_scheduling_is_refused_to_other_roles_and_for_bad_input(round2018, open_work, user):
    township = find_township(AOYI)
    for outsider in ("aoyi_fzr", "admin", "dept_slj_fzr"):
        with pytest.raises(AccessDenied):
            _schedule(round2018, user(outsider), township=township)
    with pytest.raises(ValidationFailed) as refused:
        inspections.schedule_inspection(
            round2018, user("ldxz"), on=date(2018, 6, 30), inspectors=" "
        )
    fields = refused.value.by_field()
    assert set(fields) == {"unit", "scheduled_on", "inspectors"}
    assert "不能早于今天" in fields["scheduled_on"]
    assert db.session.scalar(sa.select(sa.func.count(Inspection.id))) == 0


def test_the_result_is_recorded_once_on_the_day_and_goes_into_the_report(
    round2018, open_work, user
):
    water, road, item = open_work
    inspection = _schedule(round2018, user("ldxz"), township=find_township(AOYI))
    db.session.commit()
    line = {(x.case_id or x.item_id, x.kind): x.id for x in inspection.lines}
    results = {
        line[(water.id, "case")]: ("rectified", ""),
        line[(road.id, "case")]: ("not_rectified", "路基已铺，未硬化"),
        line[(item.id, "item")]: ("explained", ""),
    }
    with pytest.raises(Refused, match="2018-07-10"):
        inspections.record_inspection(inspection, user("ldxz"), results, "基本落实")
    clock.set_now(at("2018-07-10T15:00"))
    with pytest.raises(ValidationFailed) as refused:
        inspections.record_inspection(inspection, user("ldxz"), results, "")
    fields = refused.value.by_field()
    assert set(fields) == {f"line-{line[(item.id, 'item')]}", "conclusion"}
    assert "情况说明" in fields[f"line-{line[(item.id, 'item')]}"]
    db.session.rollback()
    with pytest.raises(AccessDenied):
        inspections.record_inspection(inspection, user("aoyi_fzr"), results, "基本落实")
    results[line[(item.id, "item")]] = ("explained", "已约谈，待领导小组决定")
    inspections.record_inspection(inspection, user("fpb"), results, "道路硬化滞后，限期整改")
    db.session.commit()
    with pytest.raises(Refused, match="不能重复记录"):
        inspections.record_inspection(inspection, user("ldxz"), results, "再记")
    db.session.rollback()
    assert inspections.result_counts(inspection) == {
        "pending": 0,
        "rectified": 1,
        "not_rectified": 1,
        "explained": 1,
    }
    recorded = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "inspection.record")
    )
    assert recorded.actor_id == user("fpb").id and "限期整改" in recorded.after

    before = accountability.build_report(round2018, at("2018-07-09T23:00"))
    aoyi = next(u for u in before.by_township if u.name == AOYI)
    assert aoyi.count("inspected") == 0
    report = accountability.build_report(round2018)
    aoyi = next(u for u in report.by_township if u.name == AOYI)
    assert aoyi.count("inspected") == 1 and aoyi.count("unrectified") == 1
    book = load_workbook(BytesIO(accountability.report_workbook(report)))
    summary = " ".join(str(v) for r in book["定期督查"].iter_rows(values_only=True) for v in r)
    assert "道路硬化滞后，限期整改" in summary and AOYI in summary
    lines = [r for r in book["督查记录"].iter_rows(values_only=True) if r and "未整改" in r]
    assert len(lines) == 1 and "路基已铺，未硬化" in lines[0]
    townships = book["按乡镇"]
    header = next(
        [str(v).replace("\n", "") for v in r]
        for r in townships.iter_rows(values_only=True)
        if "督查未\n整改" in r
    )
    row = next(r for r in townships.iter_rows(values_only=True) if AOYI in r)
    assert row[header.index("督查未整改")] == 1 and row[header.index("定期督查（次）")] == 1


def test_the_pages_schedule_and_record_and_a_unit_reads_only_its_own(
    round2018, open_work, user, browser
):
    county = browser("ldxz")
    answer = county.post(
        "/rounds/2018/inspections",
        {"unit": f"township:{find_township(AOYI).id}", "scheduled_on": "2018-07-01"},
    )
    assert answer.status_code == 422 and "请填写督查组成员" in answer.get_data(as_text=True)
    answer = county.post(
        "/rounds/2018/inspections",
        {
            "unit": f"township:{find_township(AOYI).id}",
            "scheduled_on": "2018-07-01",
            "inspectors": "领导小组督查组",
        },
    )
    assert answer.status_code == 303
    inspection = db.session.scalar(sa.select(Inspection))
    address = f"/rounds/2018/inspections/{inspection.id}"
    assert answer.headers["Location"].endswith(address)
    page = county.get(address).get_data(as_text=True)
    assert "督查清单" in page and "记录督查结果" in page
    form = {f"result-{line.id}": "rectified" for line in inspection.lines}
    answer = county.post(address, {**form, "conclusion": "整改到位"})
    assert answer.status_code == 303
    db.session.expire_all()
    assert all(
        line.result == LineResult.RECTIFIED
        for line in db.session.get(Inspection, inspection.id).lines
    )
    assert "整改到位" in county.get("/rounds/2018/accountability").get_data(as_text=True)

    township = browser("aoyi_fzr")
    assert "整改到位" in township.get(address).get_data(as_text=True)
    assert township.post(address, {"conclusion": "x"}).status_code == 403
    assert browser("qmz_zg").get(address).status_code == 403
    assert browser("buguna_cun").get("/rounds/2018/inspections").status_code == 403
    assert "领导小组督查组" not in browser("dept_jtj").get("/rounds/2018/inspections").get_data(
        as_text=True
    )


def test_the_commands_schedule_record_and_list(app, round2018, open_work, user, monkeypatch):
    monkeypatch.setattr(cli_support, "make_app", lambda: app)
    db.session.commit()
    run = CliRunner()
    scheduled = run.invoke(
        cli.main,
        [
            "inspection", "schedule", "--round", "2018", "--department", "JTJ",
            "--on", "2018-07-01", "--inspectors", "县扶贫办督查组", "--as", "fpb",
        ],
    )  # fmt: skip
    assert scheduled.exit_code == 0, scheduled.output
    assert "县交通局" in scheduled.output and "共2项" in scheduled.output
    inspection = db.session.scalar(sa.select(Inspection))
    bad = run.invoke(
        cli.main,
        [
            "inspection", "record", str(inspection.id), "--round", "2018",
            "--result", "9=已整改", "--conclusion", "x", "--as", "fpb",
        ],
    )  # fmt: skip
    assert bad.exit_code == 1 and "9=已整改" in bad.output
    done = run.invoke(
        cli.main,
        [
            "inspection", "record", str(inspection.id), "--round", "2018",
            "--result", "1=未整改", "--result", "2=情况说明:待领导小组决定",
            "--conclusion", "督促县交通局限期整改", "--as", "ldxz",
        ],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "未整改1项" in done.output and "情况说明1项" in done.output
    listed = run.invoke(cli.main, ["inspection", "list", "--round", "2018", "--as", "ldxz"])
    assert listed.exit_code == 0 and "县交通局" in listed.output and "未整改1项" in listed.output
