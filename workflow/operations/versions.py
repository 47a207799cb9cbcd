"""Process versions: each process's stored versions (one per content hash, first used when an
instance first started on it), how many instances run on each, and what differs from the
newest, the one the diagram folder holds now."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from workflow.engine import specs
from workflow.engine.migration import Change, spec_changes
from workflow.models import InstanceStatus, ProcessInstance, ProcessSpec, User
from workflow.operations.incidents import require_operator
from workflow.platform.db import db
from workflow.platform.errors import NotFound
from workflow.platform.i18n import _


@dataclass
class Version:
    """One stored version of a process."""

    row: ProcessSpec
    running: int = 0
    finished: int = 0
    newest: bool = False


@dataclass
class ProcessVersions:
    """A process, its newest content hash (parsed from the diagram folder now) and its
    versions, the latest first; `newest_stored` is False until an instance uses the newest."""

    process_id: str
    newest_hash: str
    versions: list[Version] = field(default_factory=list)

    @property
    def newest_stored(self) -> bool:
        return any(v.newest for v in self.versions)

    @property
    def running_behind(self) -> int:
        """Instances still running on an older version."""
        return sum(v.running for v in self.versions if not v.newest)


def process_ids() -> list[str]:
    """Every process the diagram folder holds or an instance ever ran, by name."""
    on_disk = {path.stem for path in specs.diagram_dir().glob("*.bpmn")}
    stored = set(db.session.scalars(sa.select(ProcessSpec.process_id).distinct()))
    return sorted(on_disk | stored)


def process_name(process_id: str) -> str:
    """A process's name as its diagram gives it (its id when the folder no longer has it)."""
    try:
        return specs.parse_process(process_id).spec.description or process_id
    except Exception:
        return process_id


def _newest_hash(process_id: str) -> str:
    try:
        return specs.parse_process(process_id).content_hash
    except Exception:  # a process no longer in the folder (or not parseable): no newest
        return ""


def process_versions(actor: User) -> list[ProcessVersions]:
    """Every process with its versions and the instances on each."""
    require_operator(actor)
    counts: dict[tuple[int, bool], int] = {}
    for spec_id, status, number in db.session.execute(
        sa.select(ProcessInstance.spec_id, ProcessInstance.status, sa.func.count())
        .group_by(ProcessInstance.spec_id, ProcessInstance.status)
        .order_by(ProcessInstance.spec_id)
    ):
        key = (spec_id, status == InstanceStatus.RUNNING)
        counts[key] = counts.get(key, 0) + number
    rows = db.session.scalars(
        sa.select(ProcessSpec).order_by(
            ProcessSpec.process_id, ProcessSpec.created_at.desc(), ProcessSpec.id.desc()
        )
    ).all()
    result = []
    for process_id in process_ids():
        newest = _newest_hash(process_id)
        listed = ProcessVersions(process_id, newest)
        for row in rows:
            if row.process_id == process_id:
                listed.versions.append(
                    Version(
                        row,
                        counts.get((row.id, True), 0),
                        counts.get((row.id, False), 0),
                        row.content_hash == newest,
                    )
                )
        result.append(listed)
    return result


def version(spec_id: int, actor: User) -> ProcessSpec:
    """One stored version."""
    require_operator(actor)
    row = db.session.get(ProcessSpec, spec_id)
    if row is None:
        raise NotFound(_("The page or record does not exist."))
    return row


def changes_to_newest(row: ProcessSpec) -> list[Change] | None:
    """What the newest version changes against this one (None: the process is no longer in
    the diagram folder)."""
    try:
        newest = specs.parse_process(row.process_id)
    except Exception:
        return None
    if newest.content_hash == row.content_hash:
        return []
    return spec_changes(specs.specs_for_row(row), (newest.spec, newest.subprocess_specs))


def version_xml(row: ProcessSpec) -> str:
    """The version's diagram; a version stored before diagrams were kept shows the newest."""
    if row.bpmn_xml:
        return row.bpmn_xml
    return specs.parse_process(row.process_id).bpmn_xml
