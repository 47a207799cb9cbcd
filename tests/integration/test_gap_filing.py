"""The county office signs the 补课清单 as triaged and files it with the prefecture (§三（三）):
only when every gap has its unit, only with the tick, once per content; the signed workbook is
kept byte for byte, and a changed list is filed again with the earlier copy superseded."""

from __future__ import annotations

import hashlib
from io import BytesIO

import sqlalchemy as sa
from openpyxl import load_workbook

from tests.integration.test_shared_responsibility import _gap_in_triage
from workflow.models import ArchiveDocument, AuditEvent, Gap, GapStatus, Signature
from workflow.platform.db import db
from workflow.survey.gaps import confirm_gaps

NO_WATER = {"有安全饮水": "否"}


def _filed() -> list[ArchiveDocument]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(ArchiveDocument)
            .where(ArchiveDocument.kind == "gap_list")
            .order_by(ArchiveDocument.id)
        )
    )


def test_the_county_office_files_the_triaged_list_once_per_content(round2018, user, browser):
    gap = _gap_in_triage(round2018, user, NO_WATER, "H-WATER")
    office = browser("fpb")
    waiting = office.get("/rounds/2018/gaps").get_data(as_text=True)
    assert "尚有 1 个问题待分诊交办" in waiting and "/rounds/2018/gaps/file" not in waiting
    early = office.post("/rounds/2018/gaps/file", {"confirm": "yes"})
    assert early.status_code == 409 and "全部交办到责任单位后再备案" in early.get_data(as_text=True)

    confirm_gaps(round2018, [gap.id], user("fpb"))
    db.session.commit()
    ready = office.get("/rounds/2018/gaps").get_data(as_text=True)
    assert "签字备案（共 1 条）" in ready and "尚未备案" in ready
    unticked = office.post("/rounds/2018/gaps/file", {})
    assert unticked.status_code == 422 and "本次未签字" in unticked.get_data(as_text=True)
    assert not _filed()

    assert office.post("/rounds/2018/gaps/file", {"confirm": "yes"}).status_code == 303
    [copy] = _filed()
    signature = db.session.get(Signature, copy.signature_id)
    assert (signature.object_type, signature.signer_name) == ("gap_list", user("fpb").display_name)
    assert copy.filed_at is not None and copy.retain_until is not None
    assert copy.file_name.endswith("年“回头看”补课清单.xlsx")
    page = office.get("/rounds/2018/gaps").get_data(as_text=True)
    assert "签字备案。" in page and f"/archive/documents/{copy.id}" in page
    original = office.get(f"/archive/documents/{copy.id}")
    assert hashlib.sha256(original.data).hexdigest() == copy.sha256 == signature.file_sha256
    sheet = load_workbook(BytesIO(original.data)).active
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert any(
        "报州扶贫开发领导小组办公室备案" in t and signature.content_hash[:16] in t for t in texts
    )
    assert "县水利局" in texts and db.session.get(Gap, gap.id).indicator_label in texts

    again = office.post("/rounds/2018/gaps/file", {"confirm": "yes"})
    assert again.status_code == 409 and "无需再次备案" in again.get_data(as_text=True)
    assert len(_filed()) == 1

    # A gap triaged later changes the list: it is signed and filed again, the first copy kept.
    later = _gap_in_triage(round2018, user, {"有生活用电": "否"}, "H-POWER")
    confirm_gaps(round2018, [later.id], user("fpb"))
    db.session.commit()
    assert "须重新签字备案" in office.get("/rounds/2018/gaps").get_data(as_text=True)
    assert office.post("/rounds/2018/gaps/file", {"confirm": "yes"}).status_code == 303
    first, second = _filed()
    assert first.superseded_by_id == second.id and second.superseded_at is None
    signs = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.action == "sign", AuditEvent.object_type == "gap_list"
        )
    ).all()
    assert len(signs) == 2


def test_only_the_county_sees_the_filing_and_only_its_office_files(round2018, user, browser):
    gap = _gap_in_triage(round2018, user, NO_WATER, "H-WATER")
    confirm_gaps(round2018, [gap.id], user("fpb"))
    db.session.commit()
    assert "签字备案" not in browser("aoyi_zg").get("/rounds/2018/gaps").get_data(as_text=True)
    reader = browser("ldxz").get("/rounds/2018/gaps").get_data(as_text=True)
    assert "尚未备案" in reader and "/rounds/2018/gaps/file" not in reader
    assert browser("ldxz").post("/rounds/2018/gaps/file", {"confirm": "yes"}).status_code == 403
    assert db.session.scalar(sa.select(Gap.status).where(Gap.id == gap.id)) == GapStatus.CONFIRMED
    assert not _filed()
