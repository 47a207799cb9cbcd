"""四统一: a police extract written from the demo register with one of each kind of difference
planted; the reconciliation finds exactly those, one gap per household for its township; a
resolved difference closes by itself once a corrected register is loaded and the run repeated."""

from __future__ import annotations

import io
from datetime import date

import sqlalchemy as sa
from click.testing import CliRunner
from openpyxl import load_workbook

from tests.reconcile_data import police_people, police_workbook
from tests.scenario import ALL_YES_HOUSEHOLD, village_clerk_for
from tests.survey_filling import fill
from web import cli, cli_support
from workflow.demo.members import register_rows
from workflow.forms.register_writer import write_register
from workflow.models import (
    Gap,
    GapStatus,
    Household,
    HouseholdMember,
    PoliceExtract,
    PoliceMember,
    ReconcileDifference,
    Village,
)
from workflow.platform.db import db
from workflow.platform.idcard import make_id
from workflow.programme.lookback import looked_back_at
from workflow.programme.routing import route
from workflow.reconcile.compare import (
    ABSENT,
    EXIT_YEAR,
    FAMILY_SIZE,
    GONE,
    HEAD,
    NAME,
    PAPER,
    POLICE,
    RELATION,
    SOURCES,
)
from workflow.reconcile.lines import difference_list, resolve_difference
from workflow.reconcile.report import four_sources_report
from workflow.survey.intake import import_survey
from workflow.survey.templates import survey_template

NEWBORN = next(n for s in range(1000) if (n := make_id("652825", date(2018, 1, 1), s))[-1] == "X")


def run_cli(app, monkeypatch, *args):
    monkeypatch.setattr(cli_support, "make_app", lambda: app)
    db.session.commit()
    result = CliRunner().invoke(cli.main, list(args), catch_exceptions=False)
    db.session.expire_all()
    return result


def in_scope(round_) -> list[Household]:
    return list(
        db.session.scalars(
            sa.select(Household)
            .join(Village, Household.village_id == Village.id)
            .where(looked_back_at(round_, Village.id))
            .order_by(Household.id)
        )
    )


def members(household: Household) -> list[HouseholdMember]:
    return list(
        db.session.scalars(
            sa.select(HouseholdMember)
            .where(HouseholdMember.household_id == household.id, HouseholdMember.in_register)
            .order_by(HouseholdMember.id)
        )
    )


def plant(round_):
    """The police extract with one of each kind planted, and what each planted household is."""
    people = police_people()
    bugona = [h for h in in_scope(round_) if h.village.name == "布古纳村"]
    others = [
        h
        for h in in_scope(round_)
        if h.village.name != "布古纳村" and len([m for m in members(h)]) >= 3
    ]
    absent, renamed, related, gone, swapped, newborn = others[:6]
    planted = {
        "absent": absent,
        "renamed": renamed,
        "related": related,
        "gone": gone,
        "swapped": swapped,
        "newborn": newborn,
        "paper_size": bugona[0],
        "paper_year": bugona[1],
    }
    del people[absent.id][2]  # a member the police do not have
    people[renamed.id][1]["name"] += "古丽"  # written another way
    # The same name in full-width letters with another middle dot is not a difference.
    people[renamed.id][2]["name"] = people[renamed.id][2]["name"].replace("·", "•")
    people[related.id][2]["relation"] = "侄子"
    people[related.id][1]["relation"] = {"配偶": "妻"}.get(people[related.id][1]["relation"], "")
    people[related.id][1]["relation"] = (
        people[related.id][1]["relation"] or members(related)[1].relation
    )  # a synonym (妻 for 配偶) is no difference
    people[gone.id][2].update(status="死亡", changed=date(2018, 3, 2))
    head, spouse = people[swapped.id][0], people[swapped.id][1]
    head["relation"], spouse["relation"] = spouse["relation"], "户主"
    people[newborn.id].append(
        {
            **people[newborn.id][0],
            "id": NEWBORN,
            "name": "新生儿",
            "relation": "之子",
            "born": date(2018, 1, 1),
        }
    )
    return people, planted


def file_form_1(round_, planted) -> None:
    """布古纳村's clerk files 附件1 from the paper archive: one family size and one exit year
    written otherwise than the register says."""
    village = planted["paper_size"].village
    form = survey_template(1, round_, village=village)
    size, year = planted["paper_size"], planted["paper_year"]
    answers = {
        size.id_number: {"家庭人口": size.family_size + 1},
        year.id_number: {"脱贫年度": year.exit_year - 1},
    }
    clerk = village_clerk_for(village, None)
    import_survey(fill(form, "身份证号", answers, ALL_YES_HOUSEHOLD), clerk, round_)
    db.session.commit()


EXPECTED = {
    "absent": {(ABSENT, POLICE), (FAMILY_SIZE, POLICE)},
    "renamed": {(NAME, POLICE)},
    "related": {(RELATION, POLICE)},
    "gone": {(GONE, POLICE), (FAMILY_SIZE, POLICE)},
    "swapped": {(HEAD, POLICE)},
    "newborn": {(ABSENT, POLICE), (FAMILY_SIZE, POLICE)},
    "paper_size": {(FAMILY_SIZE, PAPER)},
    "paper_year": {(EXIT_YEAR, PAPER)},
}


def found(round_, user) -> dict[int, set[tuple[str, str]]]:
    lines: dict[int, set[tuple[str, str]]] = {}
    for r in difference_list(round_, user("fpb")):
        lines.setdefault(r.household_id, set()).add((r.kind, r.source_b))
    return lines


def test_planted_differences_are_found_exactly_and_become_one_gap_per_household(
    round2018, user, app, monkeypatch, tmp_path
):
    people, planted = plant(round2018)
    file_form_1(round2018, planted)
    path = tmp_path / "公安户籍.xlsx"
    path.write_bytes(police_workbook(people))
    loaded = run_cli(app, monkeypatch, "reconcile", "load-police", str(path), "--as", "fpb")
    assert loaded.exit_code == 0, loaded.output
    extract = db.session.scalar(sa.select(PoliceExtract))
    assert extract.loaded_by_name and extract.people == sum(len(g) for g in people.values())
    # Full-width 户号 and lower-case x were read as the register writes them.
    assert (
        db.session.scalar(sa.select(PoliceMember.id_number).where(PoliceMember.name == "新生儿"))
        == NEWBORN
    )

    out = tmp_path / "差异.xlsx"
    result = run_cli(
        app, monkeypatch, "reconcile", "run", "--round", "2018", "--as", "fpb", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    lines = found(round2018, user)
    assert lines == {planted[name].id: kinds for name, kinds in EXPECTED.items()}
    # Each line names both values and both sources: the renamed member, as each source has him.
    renamed = next(
        r
        for r in difference_list(round2018, user("fpb"))
        if r.household_id == planted["renamed"].id
    )
    assert renamed.value_b == renamed.value_a + "古丽"

    gaps = list(db.session.scalars(sa.select(Gap).where(Gap.found_by == "reconcile")))
    assert sorted(g.household_id for g in gaps) == sorted(h.id for h in planted.values())
    for gap in gaps:
        household = db.session.get(Household, gap.household_id)
        assert gap.indicator_code == "A-FOUR" and gap.status == GapStatus.OPEN
        assert gap.township_id == household.village.township_id
        assert gap.routed_to == route("household", "A-FOUR")
        assert gap.evidence.count("\n") + 1 == len(EXPECTED[_name(planted, household)])
    # A township sees its own households' lines only.
    aoyi = {r.township_id for r in difference_list(round2018, user("aoyi_zg"))}
    assert aoyi == {user("aoyi_zg").township_id}

    sheet = load_workbook(io.BytesIO(out.read_bytes())).active
    texts = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("四统一" in t for t in texts) and "新生儿" in texts

    # The report: every household compared, all but the planted ones consistent.
    totals = [t for t in four_sources_report(round2018, user("fpb")) if t.village is None]
    assert sum(t.checked for t in totals) == len(in_scope(round2018))
    assert sum(t.consistent for t in totals) == len(in_scope(round2018)) - len(planted)
    sizes = sum((FAMILY_SIZE, source) in kinds for kinds in EXPECTED.values() for source in SOURCES)
    assert sum(t.open[FAMILY_SIZE] for t in totals) == sizes and sum(t.closed for t in totals) == 0
    aoyi_rows = four_sources_report(round2018, user("aoyi_zg"))
    assert {t.township.id for t in aoyi_rows} == {user("aoyi_zg").township_id}

    # Run again on the same sources: nothing new, nothing closed, the same gaps.
    again = run_cli(
        app, monkeypatch, "reconcile", "run", "--round", "2018", "--as", "fpb", "-o", str(out)
    )
    assert "新发现差异 0 条，已一致关闭 0 条" in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Gap)) == len(gaps)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReconcileDifference)) == sum(
        len(k) for k in EXPECTED.values()
    )


def _name(planted, household):
    return next(name for name, h in planted.items() if h.id == household.id)


def test_a_resolved_difference_closes_itself_after_a_corrected_register_load(
    round2018, user, app, monkeypatch, tmp_path, county
):
    people = police_people()
    scope = [h for h in in_scope(round2018) if len(members(h)) >= 3]
    household = scope[0]
    people[household.id][1]["name"] = "阿依古丽·买买提"  # the police have her name right
    path = tmp_path / "police.xlsx"
    path.write_bytes(police_workbook(people))
    assert (
        run_cli(app, monkeypatch, "reconcile", "load-police", str(path), "--as", "fpb").exit_code
        == 0
    )
    out = tmp_path / "d.xlsx"
    run_cli(app, monkeypatch, "reconcile", "run", "--round", "2018", "--as", "fpb", "-o", str(out))
    (line,) = difference_list(round2018, user("fpb"))
    gap = db.session.get(Gap, line.gap_id)
    assert line.kind == NAME and gap.status == GapStatus.OPEN

    clerk = (household.village.township_id == user("aoyi_zg").township_id and "aoyi_zg") or "qmz_zg"
    resolve_difference(line.id, user(clerk), POLICE, "已在全国扶贫开发信息系统更正姓名")
    db.session.commit()

    # The county loads the register corrected in the national system.
    households, member_rows = register_rows(county)
    wrong = members(household)[1].id_number
    member_rows = [
        (*row[:2], "阿依古丽·买买提", *row[3:]) if row[3] == wrong else row for row in member_rows
    ]
    register = tmp_path / "register.xlsx"
    register.write_bytes(write_register(households, member_rows))
    loaded = run_cli(
        app, monkeypatch, "register", "load", str(register), "--year", "2018", "--as", "fpb"
    )
    assert loaded.exit_code == 0, loaded.output
    run_cli(app, monkeypatch, "reconcile", "run", "--round", "2018", "--as", "fpb", "-o", str(out))

    assert difference_list(round2018, user("fpb")) == []
    kept = db.session.get(ReconcileDifference, line.id)
    assert kept.closed_at is not None and kept.right_source == POLICE
    assert kept.correction == "已在全国扶贫开发信息系统更正姓名"
    gap = db.session.get(Gap, gap.id)
    assert gap.status == GapStatus.SUPERSEDED and gap.evidence  # the history stays


def test_a_household_that_leaves_the_register_has_its_lines_and_gap_closed(
    round2018, user, app, monkeypatch, tmp_path, county
):
    people = police_people()
    household = next(h for h in in_scope(round2018) if len(members(h)) >= 2)
    people[household.id][1]["relation"] = "侄女"
    path = tmp_path / "police.xlsx"
    path.write_bytes(police_workbook(people))
    run_cli(app, monkeypatch, "reconcile", "load-police", str(path), "--as", "fpb")
    out = tmp_path / "d.xlsx"
    run_cli(app, monkeypatch, "reconcile", "run", "--round", "2018", "--as", "fpb", "-o", str(out))
    (line,) = difference_list(round2018, user("fpb"))

    households, member_rows = register_rows(county)
    households = [row for row in households if row[4] != household.id_number]
    member_rows = [row for row in member_rows if row[1] != household.id_number]
    register = tmp_path / "register.xlsx"
    register.write_bytes(write_register(households, member_rows))
    loaded = run_cli(
        app, monkeypatch, "register", "load", str(register), "--year", "2018", "--as", "fpb"
    )
    assert loaded.exit_code == 0, loaded.output
    run_cli(app, monkeypatch, "reconcile", "run", "--round", "2018", "--as", "fpb", "-o", str(out))
    assert difference_list(round2018, user("fpb")) == []
    assert db.session.get(ReconcileDifference, line.id).closed_at is not None
    assert db.session.get(Gap, line.gap_id).status == GapStatus.SUPERSEDED
