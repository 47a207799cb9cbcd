"""Photos and scans on a case: checked by content, stored once by their hash, served to those
who may see the case, and refused when they are not what they claim."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.evidence_files import jpeg_bytes, pdf_bytes, png_bytes
from tests.factories import at, make_round, open_household_case
from workflow.cases.evidence import add_evidence, evidence_file
from workflow.models import AuditEvent, CaseEvidence
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, Refused, ValidationFailed

JPEG = jpeg_bytes()


@pytest.fixture
def case(county):
    clock.set_now(at("2018-08-01T10:00"))
    c = open_household_case(make_round())
    db.session.commit()
    return c


def test_department_attaches_a_photo_and_the_township_sees_it(case, user, browser):
    clerk = browser("dept_slj")
    clerk.get(f"/cases/{case.id}")
    answer = clerk.post(
        f"/cases/{case.id}/evidence",
        {"file": (io.BytesIO(JPEG), "新水龙头.jpg"), "description": "入户通水"},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 303
    stored = db.session.scalar(sa.select(CaseEvidence))
    assert stored.sha256 == hashlib.sha256(JPEG).hexdigest() and stored.file_name == "新水龙头.jpg"
    assert (
        db.session.scalar(
            sa.select(AuditEvent.after).where(AuditEvent.action == "case.evidence")
        ).count(stored.sha256)
        == 1
    )
    township = browser("aoyi_zg")
    page = township.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "新水龙头.jpg" in page
    photo = township.get(f"/cases/{case.id}/evidence/{stored.id}")
    assert photo.status_code == 200 and photo.data == JPEG and photo.mimetype == "image/jpeg"
    assert browser("dept_jtj").get(f"/cases/{case.id}/evidence/{stored.id}").status_code == 403


def test_what_is_not_a_photo_or_scan_is_refused_and_nothing_stored(case, user):
    with pytest.raises(ValidationFailed) as err:
        add_evidence(case, user("dept_slj"), "photo.jpg", b"MZ\x90\x00 an exe renamed to .jpg")
    assert "JPEG" in err.value.message
    with pytest.raises(ValidationFailed):
        add_evidence(case, user("dept_slj"), "huge.pdf", b"%PDF-" + bytes(10 * 1024 * 1024))
    with pytest.raises(AccessDenied):
        add_evidence(case, user("dept_jtj"), "x.png", png_bytes())
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseEvidence)) == 0


def test_a_tampered_file_is_detected(case, user, settings):
    item = add_evidence(case, user("dept_slj"), "scan.pdf", pdf_bytes())
    db.session.commit()
    path = Path(settings.evidence_dir) / item.sha256[:2] / item.sha256
    path.write_bytes(pdf_bytes(pages=2))
    with pytest.raises(Refused):
        evidence_file(case, item.id, user("fpb"))


HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


@pytest.mark.parametrize(
    "name, data",
    [
        ("scan.pdf", b"%PDF-1.4\n" + HTML),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + HTML),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + HTML),
        ("cut.jpg", jpeg_bytes()[:-40]),
        ("cut.png", png_bytes()[:-20]),
        ("cut.pdf", pdf_bytes()[:-200]),
        ("page.html", HTML),
    ],
)
def test_a_header_followed_by_something_else_is_refused(case, user, name, data):
    with pytest.raises(ValidationFailed) as err:
        add_evidence(case, user("dept_slj"), name, data)
    assert set(err.value.by_field()) == {"file"}
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaseEvidence)) == 0


@pytest.mark.parametrize(
    "name, data, stored, kind",
    [
        ("page.html", png_bytes(), "page.png", "image/png"),
        ("扫描件.exe", pdf_bytes(), "扫描件.pdf", "application/pdf"),
        ("照片", jpeg_bytes(), "照片.jpg", "image/jpeg"),
        ("a.png.html", jpeg_bytes(), "a.png.jpg", "image/jpeg"),
    ],
)
def test_the_stored_name_takes_the_extension_of_what_the_file_is(
    case, user, name, data, stored, kind
):
    item = add_evidence(case, user("dept_slj"), name, data)
    assert (item.file_name, item.content_type) == (stored, kind)
