"""Changing a year's standards catalogue without a code change: a new, audited version."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa
from click.testing import CliRunner

from web import cli, cli_support
from workflow.models import AuditEvent, CatalogueRecord
from workflow.platform.db import db
from workflow.programme.catalogue import standard_for_year


def test_admin_changes_the_poverty_line_and_a_bad_catalogue_changes_nothing(
    county, app, monkeypatch, tmp_path
):
    monkeypatch.setattr(cli_support, "make_app", lambda: app)
    runner = CliRunner()
    out = tmp_path / "2018.json"
    assert (
        runner.invoke(cli.main, ["catalogue", "show", "--year", "2018", "-o", str(out)]).exit_code
        == 0
    )
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc["regional_growth"] = {"amount": 9.1, "source": "县统计局核定", "confirmed": True}
    out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(cli.main, ["catalogue", "load", str(out), "--as", "admin"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert standard_for_year(2018).regional_growth.amount == 9.1
    versions = db.session.scalars(
        sa.select(CatalogueRecord.version).where(CatalogueRecord.year == 2018)
    ).all()
    assert sorted(versions) == [1, 2]
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "catalogue.load")
        )
        == 1
    )

    doc["indicators"][0]["judge"] = "guess"
    doc["indicators"][1]["code"] = doc["indicators"][2]["code"]
    out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    bad = runner.invoke(cli.main, ["catalogue", "load", str(out), "--as", "admin"])
    assert bad.exit_code == 1 and "未做任何改动" in bad.output
    assert bad.output.count("\n  ") >= 2, "every problem listed"
    refused = runner.invoke(cli.main, ["catalogue", "load", str(out), "--as", "dept_slj"])
    assert refused.exit_code == 1
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CatalogueRecord)) == 2


def test_the_catalogue_page_says_to_whom_each_indicator_applies_and_who_certifies_it(
    county, browser
):
    page = browser("fpb").get("/admin/catalogue/2018").get_data(as_text=True)
    rows = dict(re.findall(r'<tr><td class="lead"[^>]*>([^<]+)</td>(.*?)</tr>', page, re.S))
    assert "有 6–15 周岁成员的户" in rows["H-EDU"] and "义务教育法" in rows["H-EDU"]
    assert "有 16 周岁及以上成员的户" in rows["H-PENSION"]
    assert '<td class="applies" data-label="适用对象">全部</td>' in rows["H-WATER"]
    assert '<td class="certifier" data-label="核定单位">县统计局</td>' in rows["H-INCOME-GROWTH"]
    assert '<td class="certifier" data-label="核定单位">县农经局</td>' in rows["H-INCOME"]
    assert '<td class="certifier" data-label="核定单位">—</td>' in rows["H-WATER"]
