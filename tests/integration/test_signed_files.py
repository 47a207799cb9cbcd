"""§七.1: signing a generated table (a department's plan, a township's 附件4–6) keeps the exact
file that was signed, the signature records its SHA-256, and "download the original" hands out
that very file — or refuses, on record, once the stored copy no longer matches."""

from __future__ import annotations

import hashlib
from io import BytesIO
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from tests.factories import at, department, open_household_case
from tests.scenario import AOYI
from workflow.archive import documents
from workflow.cases.plans import sign_department_plan
from workflow.inbox import tasks
from workflow.models import ArchiveDocument, AuditEvent, Signature
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import RecordedRefusal
from workflow.platform.settings import get_settings
from workflow.survey import results_flow
from workflow.survey.templates import find_township


def _document_of(signature: Signature) -> ArchiveDocument:
    return db.session.scalar(
        sa.select(ArchiveDocument).where(ArchiveDocument.signature_id == signature.id)
    )


def _stored_path(sha256: str) -> Path:
    return Path(get_settings().evidence_dir) / sha256[:2] / sha256


def test_a_signed_plan_downloads_as_the_exact_file_signed_and_a_tampered_one_is_refused(
    round2018, user, browser
):
    case = open_household_case(round2018)
    case.measure = "铺设入户自来水管道"
    db.session.commit()
    leader = user("dept_slj_fzr")
    signature = sign_department_plan(round2018, department("SLJ"), leader)
    db.session.commit()
    document = _document_of(signature)
    assert signature.file_sha256 == document.sha256 and document.signer_name == leader.display_name
    signed_event = db.session.scalar(
        sa.select(AuditEvent).where(
            AuditEvent.action == "sign", AuditEvent.object_type == "department_plan"
        )
    )
    assert signature.file_sha256 in signed_event.after  # the chained record names the file

    page = browser("dept_slj_fzr")
    answer = page.get(f"/archive/documents/{document.id}")
    assert answer.status_code == 200
    assert hashlib.sha256(answer.data).hexdigest() == signature.file_sha256
    sheet = load_workbook(BytesIO(answer.data))["任务清单"]
    assert "在系统内签署" in sheet.cell(sheet.max_row, 1).value  # the note of this signature

    # someone edits the stored copy behind huitou's back
    stored = _stored_path(document.sha256)
    stored.write_bytes(stored.read_bytes() + b"\0")
    refused = page.get(f"/archive/documents/{document.id}")
    assert refused.status_code == 409
    text = refused.get_data(as_text=True)
    assert "不符" in text and document.file_name in text and "不予下载" in text
    with pytest.raises(RecordedRefusal, match="校验值"):
        documents.original(document.id, user("fpb"))
    db.session.commit()
    tries = db.session.scalars(
        sa.select(AuditEvent.actor_id).where(AuditEvent.action == "archive.original_mismatch")
    ).all()
    assert tries == [leader.id, user("fpb").id]


def test_the_township_leader_signs_each_results_table_as_the_file_it_is(round2018, user):
    open_household_case(round2018)
    db.session.commit()
    clock.set_now(at("2018-10-12T10:00"))
    (review,) = [t for t in tasks.inbox(user("aoyi_zg")) if t.spec_name == "results_review"]
    results_flow.review_results(review, user("aoyi_zg"))
    (sign,) = [t for t in tasks.inbox(user("aoyi_fzr")) if t.spec_name == "results_sign"]
    results_flow.sign_results(sign, user("aoyi_fzr"))
    db.session.commit()
    tables = db.session.scalars(
        sa.select(Signature)
        .where(Signature.object_type == results_flow.TABLE_SIGNATURE)
        .order_by(Signature.id)
    ).all()
    assert len(tables) == len(find_township(AOYI).villages) + 2  # 附件6, 附件5, each 附件4
    for signature in tables:
        document = _document_of(signature)
        assert document.kind in ("form4", "form5", "form6") and document.filed_at is not None
        assert signature.signer_name == user("aoyi_fzr").display_name
        _kept, data = documents.original(document.id, user("aoyi_fzr"))
        assert hashlib.sha256(data).hexdigest() == signature.file_sha256 == document.sha256
