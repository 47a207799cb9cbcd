"""Errors say what happened: a year without a catalogue, a tampered evidence file and any domain
refusal a view did not catch each get their own page and status, never a server error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.evidence_files import png_bytes
from tests.factories import at, make_round, open_household_case
from web import board
from workflow.cases import lifecycle as cases
from workflow.cases.evidence import add_evidence
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, ConflictError


@pytest.fixture
def case(county):
    clock.set_now(at("2018-08-01T10:00"))
    c = open_household_case(make_round())
    db.session.commit()
    return c


def test_a_year_without_a_catalogue_says_so(county, browser):
    for name in ("admin", "fpb"):
        response = browser(name).get("/admin/catalogue/2031")
        assert response.status_code == 404
        assert "没有2031年的标准目录" in response.get_data(as_text=True)


def test_a_tampered_evidence_file_is_reported_as_such(case, user, settings, browser):
    item = add_evidence(case, user("dept_slj"), "水表.png", png_bytes())
    db.session.commit()
    path = Path(settings.evidence_dir) / item.sha256[:2] / item.sha256
    path.write_bytes(png_bytes(color=(0, 0, 0)))
    response = browser("aoyi_zg").get(f"/cases/{case.id}/evidence/{item.id}")
    assert response.status_code == 409
    assert "存储的佐证材料与其哈希值不符" in response.get_data(as_text=True)
    assert response.mimetype == "text/html"


def test_the_township_attaches_evidence_only_while_it_verifies(case, user):
    township = user("aoyi_zg")
    with pytest.raises(AccessDenied):
        add_evidence(case, township, "现场.png", png_bytes())
    db.session.rollback()
    cases.plan_case(
        case,
        user("dept_slj"),
        measure="m",
        target_standard="s",
        responsible_person="p",
        planned_completion=at("2018-09-30T10:00").date(),
    )
    with pytest.raises(AccessDenied):
        add_evidence(case, township, "现场.png", png_bytes())
    cases.submit_work(case, user("dept_slj"), "done")
    assert add_evidence(case, township, "现场.png", png_bytes()).id


def test_a_refusal_no_view_caught_gets_its_page(case, browser, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConflictError("这一刻正在办理，请稍后刷新。")

    monkeypatch.setattr(board.board, "overdue_board", refuse)
    response = browser("fpb").get("/board")
    assert response.status_code == 409
    assert "这一刻正在办理" in response.get_data(as_text=True)
