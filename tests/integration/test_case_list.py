"""A long case list is shown a page at a time and says how many there are in all."""

from __future__ import annotations

import sqlalchemy as sa

from tests.factories import at, make_round
from web import cases as case_pages
from workflow.cases.lifecycle import Subject, open_case
from workflow.models import Department, Household, SubjectKind
from workflow.platform import clock
from workflow.platform.db import db


def test_a_long_list_is_paged_and_counts_them_all(county, browser, monkeypatch):
    monkeypatch.setattr(case_pages, "PAGE_SIZE", 3)
    clock.set_now(at("2018-08-01T10:00"))
    round_ = make_round()
    water = db.session.scalar(sa.select(Department).where(Department.code == "SLJ"))
    for household in db.session.scalars(sa.select(Household).limit(7)):
        village = household.village
        subject = Subject(SubjectKind.HOUSEHOLD, village.township, village, household)
        open_case(round_, subject, "H-WATER", "有安全饮水", water, None)
    db.session.commit()

    client = browser("fpb")
    first = client.get("/cases").get_data(as_text=True)
    assert "显示第 1–3 项，共 7 项" in first and "7 项" in first
    assert first.count('class="no"') == 3 and "下一页" in first and "上一页" not in first
    last = client.get("/cases?page=3").get_data(as_text=True)
    assert "显示第 7–7 项，共 7 项" in last and "上一页" in last and "下一页" not in last
