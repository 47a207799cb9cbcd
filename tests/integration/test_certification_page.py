"""The 核定 page as 县农经局's clerk uses it: the township's rows, a mark and a reason per row."""

from __future__ import annotations

import sqlalchemy as sa

from tests.scenario import AOYI, certify_tasks, submit_township
from workflow.models import Gap, GapStatus
from workflow.platform.db import db
from workflow.survey import certification


def test_the_agriculture_economics_bureau_marks_a_row_on_its_page(round2018, user, browser):
    submit_township(round2018, AOYI, user, certify=False)
    task = certify_tasks(AOYI)["NJJ"]
    row = certification.certify_rows(task)[0]
    outsider = browser("dept_slj")
    assert outsider.get(f"/survey/certify/{task.id}").status_code == 403
    clerk = browser("dept_njj")
    page = clerk.get(f"/tasks/{task.id}", follow_redirects=True).get_data(as_text=True)
    assert "核定不通过" in page and row.id_number in page
    assert "超过 2017 年扶贫标准 2,952 元" in page  # a mid-2018 round judges by 2017's line
    refused = clerk.post(f"/survey/certify/{task.id}", {"fail": str(row.household_id)})
    assert refused.status_code == 422 and "请填写核定不通过的理由" in refused.get_data(as_text=True)
    done = clerk.post(
        f"/survey/certify/{task.id}",
        {"fail": str(row.household_id), f"reason-{row.household_id}": "务工收入无佐证"},
    )
    assert done.status_code == 303
    db.session.expire_all()
    gap = db.session.scalar(sa.select(Gap).where(Gap.found_by == "certification"))
    assert gap.household_id == row.household_id and gap.evidence == "核定不通过：务工收入无佐证"
    assert gap.status == GapStatus.PENDING  # 县统计局 still to certify
