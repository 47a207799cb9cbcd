"""§七.1: signed originals kept byte for byte, filed at the village, registered with the
township, exported with a manifest, and kept until their retention date."""

from __future__ import annotations

import hashlib
import json
import zipfile
from io import BytesIO

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from openpyxl import load_workbook

from tests.scenario import ALL_YES_HOUSEHOLD, ALL_YES_VILLAGE, AOYI, survey_waiting_for_leader
from tests.survey_filling import fill, rows_of
from web import cli, cli_support
from workflow.archive import documents
from workflow.archive.custody import set_custodian
from workflow.models import ArchiveDocument, AuditEvent, HumanTask, TaskState, User, Village
from workflow.people.api_tokens import issue_token
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, RecordedRefusal
from workflow.survey import flow as survey_flow
from workflow.survey.intake import import_survey
from workflow.survey.templates import find_township, find_village, survey_template

BUGUNA = "布古纳村"


def _filled_form1(round_, village: Village, water: str = "是") -> bytes:
    form1 = survey_template(1, round_, village=village)
    first = next(iter(rows_of(form1, "身份证号")))
    return fill(form1, "身份证号", {first: {"有安全饮水": water}}, ALL_YES_HOUSEHOLD)


def _form2(round_, village: Village, clerk: User) -> None:
    """布古纳村 is an exited poor village: it files 附件2 too."""
    form2 = survey_template(2, round_, village=village)
    import_survey(fill(form2, "村名", {}, ALL_YES_VILLAGE), clerk, round_)


def _village_task(village: Village) -> HumanTask:
    return db.session.scalar(
        sa.select(HumanTask).where(
            HumanTask.spec_name == "village_forms",
            HumanTask.state == TaskState.READY,
            HumanTask.village_id == village.id,
        )
    )


def _export(app, monkeypatch, *args: str) -> zipfile.ZipFile:
    monkeypatch.setattr(cli_support, "make_app", lambda: app)
    db.session.commit()
    out = app.config["HUITOU_SETTINGS"].evidence_dir + "/archive.zip"
    result = CliRunner().invoke(
        cli.main, ["archive", "export", "--round", "2018", *args, "-o", out]
    )
    assert result.exit_code == 0, result.output
    return zipfile.ZipFile(out)


def test_signed_form_is_filed_exported_byte_identical_and_a_reimport_keeps_both(
    app, round2018, user, monkeypatch
):
    village = find_village(BUGUNA)
    clerk = user("buguna_cun")
    first = _filled_form1(round2018, village)
    import_survey(first, clerk, round2018, file_name="布古纳村附件1.xlsx")
    _form2(round2018, village, clerk)
    survey_flow.submit_village_forms(_village_task(village), clerk)
    set_custodian(village.township, village, user("aoyi_zg"), user("aoyi_fzr"))
    filed = db.session.scalar(sa.select(ArchiveDocument).where(ArchiveDocument.kind == "form1"))
    assert filed.filed_at is not None and filed.signer_name == clerk.display_name
    assert filed.retain_until.year == 2021  # the county's default: three years

    # a corrected form after filing: the earlier original stays, superseded
    second = _filled_form1(round2018, village, water="否")
    import_survey(second, clerk, round2018, file_name="布古纳村附件1（更正）.xlsx")
    zf = _export(app, monkeypatch, "--village", BUGUNA)
    manifest = json.loads(zf.read("manifest.json"))
    by_hash = {line["sha256"]: line for line in manifest["documents"]}
    for data in (first, second):
        digest = hashlib.sha256(data).hexdigest()
        line = by_hash[digest]
        assert hashlib.sha256(zf.read(line["path"])).hexdigest() == digest
        assert zf.read(line["path"]) == data
    old = by_hash[hashlib.sha256(first).hexdigest()]
    assert old["signer"] == clerk.display_name and old["superseded_at"]
    assert old["custodian"] == user("aoyi_zg").display_name
    sheet = load_workbook(BytesIO(zf.read("manifest.xlsx"))).active
    hashes = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(hashes) == sorted(by_hash)


def test_township_submission_registers_the_villages_originals(round2018, user):
    sign = survey_waiting_for_leader(round2018, AOYI, user)
    survey_flow.sign_township_survey(sign, user("aoyi_fzr"))
    township = find_township(AOYI)
    rows = db.session.scalars(
        sa.select(ArchiveDocument).where(ArchiveDocument.township_id == township.id)
    ).all()
    assert rows and all(r.registered_at is not None and r.filed_at is not None for r in rows)
    form3 = [r for r in rows if r.kind == "form3"]
    assert form3 and form3[0].signer_name == user("aoyi_fzr").display_name


def _filed_document(round_, user) -> ArchiveDocument:
    village = find_village(BUGUNA)
    import_survey(_filled_form1(round_, village), user("buguna_cun"), round_)
    _form2(round_, village, user("buguna_cun"))
    survey_flow.submit_village_forms(_village_task(village), user("buguna_cun"))
    db.session.commit()
    return db.session.scalar(sa.select(ArchiveDocument).where(ArchiveDocument.kind == "form1"))


def _refusals(document: ArchiveDocument) -> list[str]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(AuditEvent.action).where(
                AuditEvent.object_type == "archive_document",
                AuditEvent.object_id == str(document.id),
                AuditEvent.action.like("%refused"),
            )
        )
    )


def test_a_filed_original_cannot_be_deleted_or_replaced_through_any_path(
    app, round2018, user, browser, monkeypatch
):
    document = _filed_document(round2018, user)
    kept = document.sha256
    fpb: User = user("fpb")
    with pytest.raises(RecordedRefusal):
        documents.delete_document(document.id, fpb)
    with pytest.raises(RecordedRefusal):
        documents.replace_document(document.id, fpb, b"another file")
    db.session.commit()
    assert _refusals(document) == ["archive.delete_refused", "archive.replace_refused"]

    page = browser("fpb")
    answer = page.post(f"/archive/documents/{document.id}/delete")
    assert answer.status_code == 303
    token = issue_token(user("admin"), "fpb", "archive test")[1]
    db.session.commit()
    api = page.client.delete(
        f"/api/v1/archive/documents/{document.id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert api.status_code == 409 and "保存至" in api.get_json()["message"]
    monkeypatch.setattr(cli_support, "make_app", lambda: app)
    result = CliRunner().invoke(cli.main, ["archive", "delete", str(document.id), "--as", "fpb"])
    assert result.exit_code == 1 and "不能删除" in result.output
    assert len(_refusals(document)) == 5
    assert db.session.get(ArchiveDocument, document.id).sha256 == kept
    _original, data = documents.original(document.id, fpb)
    assert hashlib.sha256(data).hexdigest() == kept


def test_only_the_unit_reads_its_originals(round2018, user):
    document = _filed_document(round2018, user)
    assert documents.original(document.id, user("aoyi_zg"))[0].id == document.id
    with pytest.raises(AccessDenied):
        documents.original(document.id, user("qmz_zg"))


def test_the_township_leader_names_the_custodian_and_each_change_is_audited(
    app, round2018, user, monkeypatch
):
    monkeypatch.setattr(cli_support, "make_app", lambda: app)
    db.session.commit()
    args = ["archive", "custodian", "--township", AOYI, "--village", BUGUNA]
    refused = CliRunner().invoke(cli.main, [*args, "--user", "aoyi_zg", "--as", "aoyi_zg"])
    assert refused.exit_code == 1
    for keeper in ("aoyi_zg", "aoyi_zg2"):
        done = CliRunner().invoke(cli.main, [*args, "--user", keeper, "--as", "aoyi_fzr"])
        assert done.exit_code == 0, done.output
    outsider = CliRunner().invoke(cli.main, [*args, "--user", "qmz_zg", "--as", "aoyi_fzr"])
    assert outsider.exit_code == 1 and "保管人" in outsider.output
    db.session.expire_all()
    changes = db.session.scalars(
        sa.select(AuditEvent.after).where(AuditEvent.action == "archive.custodian")
    ).all()
    assert len(changes) == 2 and user("aoyi_zg2").display_name in changes[-1]


def test_the_archive_page_lists_the_originals_and_the_leader_changes_a_custodian(
    round2018, user, browser
):
    document = _filed_document(round2018, user)
    village = find_village(BUGUNA)
    leader = browser("aoyi_fzr")
    page = leader.get("/rounds/2018/archive").get_data(as_text=True)
    assert document.file_name in page and f"/archive/documents/{document.id}" in page
    assert BUGUNA in page and "尚未指定保管人" in page and "更换保管人" in page
    for keeper in ("aoyi_zg", "buguna_cun"):
        answer = leader.post(
            "/rounds/2018/archive/custodian", {"village": str(village.id), "custodian": keeper}
        )
        assert answer.status_code == 303 and answer.headers["Location"].endswith("/archive")
    page = leader.get("/rounds/2018/archive").get_data(as_text=True)
    assert f"已指定{user('buguna_cun').display_name}为{BUGUNA}档案保管人" in page
    refused = leader.post(
        "/rounds/2018/archive/custodian", {"village": str(village.id), "custodian": "qmz_zg"}
    )
    assert refused.status_code == 303  # flashed back: not a user of this township
    assert "保管人" in leader.get("/rounds/2018/archive").get_data(as_text=True)
    clerk = browser("aoyi_zg")
    assert "archive/custodian" not in clerk.get("/rounds/2018/archive").get_data(as_text=True)
    forbidden = clerk.post(
        "/rounds/2018/archive/custodian", {"village": str(village.id), "custodian": "aoyi_zg"}
    )
    assert forbidden.status_code == 403
    db.session.expire_all()
    changes = db.session.scalars(
        sa.select(AuditEvent.after)
        .where(AuditEvent.action == "archive.custodian")
        .order_by(AuditEvent.id)
    ).all()
    assert len(changes) == 2 and user("buguna_cun").display_name in changes[-1]
    county = browser("ldxz").get(f"/rounds/2018/archive?township={AOYI}").get_data(as_text=True)
    assert user("buguna_cun").display_name in county and document.file_name in county
    assert browser("qmz_zg").get(f"/rounds/2018/archive?township={AOYI}").status_code == 403
