"""Evidence files on a case (photos, scans): checked, stored once by their SHA-256, audited."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa

from workflow.archive.documents import keep_original
from workflow.cases import evidence_check
from workflow.models import CaseEvidence, CaseStatus, HelpCase, Role, User
from workflow.people.access import require_case, works_on_case
from workflow.platform import audit, blobs, clock
from workflow.platform.db import db
from workflow.platform.errors import AccessDenied, NotFound, Refused, ValidationFailed
from workflow.platform.i18n import gettext as _

MAX_BYTES = 10 * 1024 * 1024
_UNSAFE = re.compile(r"[^\w.\-()]+")  # \w keeps Chinese names


def can_add_evidence(user: User, case: HelpCase) -> bool:
    """The units that work the case (its lead, co-responsible departments, or its township
    when the township leads); the township while it verifies on the ground."""
    if case.status in (CaseStatus.CLOSED, CaseStatus.CARRIED_OVER):
        return False
    if works_on_case(user, case):
        return True
    return (
        user.role == Role.TOWNSHIP_CLERK
        and user.township_id == case.township_id
        and case.status == CaseStatus.VERIFYING
    )


def require_can_add(user: User, case: HelpCase) -> None:
    """Refuse unless the user may attach evidence to the case."""
    require_case(user, case)
    if not can_add_evidence(user, case):
        raise AccessDenied(
            _(
                "Only the responsible department, or the township while it "
                "verifies, can add evidence to this case."
            )
        )


def add_evidence(
    case: HelpCase, actor: User, file_name: str, data: bytes, description: str = ""
) -> CaseEvidence:
    """Store a photo or scan for the case; the same file twice is stored once."""
    require_can_add(actor, case)
    if not data:
        raise ValidationFailed({"file": _("The file is empty.")})
    if len(data) > MAX_BYTES:
        raise ValidationFailed({"file": _("Evidence files are limited to 10 MB.")})
    kind = evidence_check.detect(data)
    sha256 = blobs.put(data)
    stem = Path(Path(file_name or "evidence").name).stem
    name = (_UNSAFE.sub("_", stem)[:110].strip("._") or "evidence") + kind.extension
    evidence = CaseEvidence(
        case_id=case.id,
        file_name=name,
        content_type=kind.content_type,
        size=len(data),
        sha256=sha256,
        uploaded_by_id=actor.id,
        uploaded_at=clock.now(),
        description=description.strip()[:200],
    )
    db.session.add(evidence)
    db.session.flush()
    keep_original(
        data,
        kind="evidence",
        object_type="case_evidence",
        object_id=evidence.id,
        round_id=case.round_id,
        file_name=name,
        actor=actor,
        township_id=case.township_id,
        village_id=case.village_id,
        department_id=case.department_id,
        filed=True,  # part of the case's file from the moment it is attached
    )
    audit.record(
        actor,
        "case.evidence",
        "help_case",
        case.id,
        after={"file": name, "sha256": sha256, "size": len(data)},
    )
    return evidence


def evidence_file(case: HelpCase, evidence_id: int, viewer: User) -> tuple[CaseEvidence, bytes]:
    """An evidence file of a case the viewer may see, checked against its stored hash."""
    require_case(viewer, case)
    evidence = db.session.get(CaseEvidence, evidence_id)
    if evidence is None or evidence.case_id != case.id:
        raise NotFound(_("The page or record does not exist."))
    try:
        return evidence, blobs.get(evidence.sha256)
    except Refused:  # say which file: the clerk reads this, not a store's general words
        raise Refused(_("The stored evidence file no longer matches its hash.")) from None


def evidence_of(case: HelpCase) -> list[CaseEvidence]:
    """A case's evidence, oldest first."""
    return list(
        db.session.scalars(
            sa.select(CaseEvidence).where(CaseEvidence.case_id == case.id).order_by(CaseEvidence.id)
        )
    )
