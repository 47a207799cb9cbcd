"""Filing the county's 补课清单 (§三（三）: 细化落实到村到户“补课清单”……并报州扶贫开发领导小组
办公室备案): once triage has given every gap of a round its responsible unit, the county office
signs the list as it stands; the signed workbook is kept byte for byte and filed in the archive.
A list that changed since (a gap triaged later, a unit changed) is signed again; the earlier
copy stays, superseded."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import sqlalchemy as sa

from workflow.archive.documents import keep_original
from workflow.county.setup import county_name
from workflow.forms.gap_list import GapRow, filed_note, list_title, write_gap_list
from workflow.models import ArchiveDocument, Gap, GapStatus, Role, Round, Signature, User
from workflow.people.access import require_role
from workflow.people.signing import content_hash, sign
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.errors import Refused
from workflow.platform.i18n import _
from workflow.survey.gaps import gap_list, gap_rows

OBJECT_TYPE = "gap_list"
FILED_STATUSES = (GapStatus.CONFIRMED,)  # the list as triaged: each line a case of a unit


@dataclass(frozen=True)
class Filing:
    """Where a round's 补课清单 stands: lines to file, gaps still untriaged, the latest
    signature and whether the list changed since it was signed."""

    lines: int
    untriaged: int
    signature: Signature | None
    changed: bool

    @property
    def can_file(self) -> bool:
        return self.lines > 0 and not self.untriaged and (self.signature is None or self.changed)


def _rows(round_: Round) -> list[GapRow]:
    return gap_rows(gap_list(round_, statuses=FILED_STATUSES))


def _digest(round_: Round, rows: list[GapRow]) -> str:
    content = {"round": round_.name, "rows": [asdict(r) for r in rows]}
    return content_hash(json.dumps(content, ensure_ascii=False, sort_keys=True))


def latest_filing(round_: Round) -> Signature | None:
    """The latest signature of a round's 补课清单, if it was ever filed."""
    return db.session.scalar(
        sa.select(Signature)
        .where(Signature.object_type == OBJECT_TYPE, Signature.object_id == str(round_.id))
        .order_by(Signature.signed_at.desc(), Signature.id.desc())
        .limit(1)
    )


def filing_of(round_: Round) -> Filing:
    """Where the round's 补课清单 stands for filing."""
    rows = _rows(round_)
    untriaged = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Gap)
        .where(Gap.round_id == round_.id, Gap.status.in_((GapStatus.PENDING, GapStatus.OPEN)))
    )
    signature = latest_filing(round_)
    changed = signature is not None and signature.content_hash != _digest(round_, rows)
    return Filing(len(rows), untriaged, signature, changed)


def file_gap_list(round_: Round, actor: User) -> Signature:
    """The county office signs the round's 补课清单 as triaged and files the signed copy."""
    require_role(actor, Role.COUNTY_OFFICE)
    filing = filing_of(round_)
    if filing.untriaged:
        raise Refused(
            _(
                "%(num)s gaps still wait for triage; file the make-up list once every gap has "
                "its responsible unit.",
                num=filing.untriaged,
            )
        )
    if not filing.lines:
        raise Refused(_("The round has no triaged gaps; there is no make-up list to file."))
    if not filing.can_file:
        day = clock.in_beijing(filing.signature.signed_at)
        raise Refused(
            _(
                "%(name)s filed this make-up list on %(day)s and it has not changed since; there "
                "is nothing to file again.",
                name=filing.signature.signer_name,
                day=f"{day:%Y-%m-%d}",
            )
        )
    rows = _rows(round_)
    digest = _digest(round_, rows)
    county = county_name()
    signed_file = write_gap_list(
        rows,
        year=round_.year,
        when=clock.today(),
        county=county,
        signed=filed_note(actor.display_name, clock.today(), digest),
    )
    statement = _(
        "Make-up list %(year)s: %(num)s lines, filed with the prefecture",
        year=round_.name,
        num=len(rows),
    )
    signature = sign(
        actor,
        OBJECT_TYPE,
        round_.id,
        digest,
        statement,
        replaces=filing.signature,
        file=signed_file,
    )
    keep_original(
        signed_file,
        kind=OBJECT_TYPE,
        object_type="signature",
        object_id=signature.id,
        round_id=round_.id,
        file_name=f"{list_title(county, '', round_.year)}.xlsx",
        actor=actor,
        signature=signature,
        filed=True,
    )
    return signature


def filed_copy(signature: Signature | None) -> ArchiveDocument | None:
    """The archived copy a filing signed, for its link."""
    if signature is None:
        return None
    return db.session.scalar(
        sa.select(ArchiveDocument).where(
            ArchiveDocument.object_type == "signature",
            ArchiveDocument.object_id == str(signature.id),
        )
    )
