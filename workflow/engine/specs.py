"""Process definitions: parsed from bpmn/, stored once per content hash, cached in memory."""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from workflow.engine.spiff import make_parser, serializer
from workflow.models import ProcessSpec
from workflow.platform import clock
from workflow.platform.db import db
from workflow.platform.settings import PROJECT_ROOT

BPMN_DIR = PROJECT_ROOT / "bpmn"
_diagram_dir: list[Path] = [BPMN_DIR]  # where new versions are read from (tests point elsewhere)


def diagram_dir() -> Path:
    """The folder the newest version of every process is parsed from."""
    return _diagram_dir[0]


def use_diagram_dir(path: Path | None) -> None:
    """Read diagrams from another folder (None: bpmn/ again); a test changing a diagram."""
    _diagram_dir[0] = path or BPMN_DIR


@dataclass(frozen=True)
class LoadedSpec:
    """A process's spec and its subprocess specs, as SpiffWorkflow needs them."""

    process_id: str
    content_hash: str  # of what runs: the spec and its subprocesses, file paths aside
    spec: Any
    subprocess_specs: dict[str, Any]
    specs_json: str  # {"spec": …, "subprocess_specs": …}; the serializer mutates what it reads
    bpmn_xml: str  # the file the process is drawn in, as a viewer shows it


_lock = threading.Lock()
_parsed: dict[tuple[str, str], LoadedSpec] = {}
_by_row: dict[int, LoadedSpec] = {}
_row_ids: dict[tuple[str, str, str], int] = {}  # (database, process, content hash) → row id
_restored: dict[int, tuple[tuple[str, str], Any, dict[str, Any]]] = {}  # older versions' specs


def _diagram_files(bpmn_dir: Path) -> tuple[list[Path], list[Path], str]:
    bpmn = sorted(bpmn_dir.glob("*.bpmn"))
    dmn = sorted(bpmn_dir.glob("*.dmn"))
    digest = hashlib.sha256()
    for path in bpmn + dmn:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return bpmn, dmn, digest.hexdigest()


def _without_paths(value: Any) -> Any:
    """Spec dicts with every `file` path cut to its name: a version is what runs, wherever the
    folder is."""
    if isinstance(value, dict):
        return {
            k: Path(v).name if k == "file" and isinstance(v, str) else _without_paths(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_without_paths(v) for v in value]
    return value


def spec_hash(specs_json: str) -> str:
    """The content hash of a version: its spec and subprocess specs, paths aside, so that a
    change to another diagram, or to the drawing's layout only, is not a new version."""
    canonical = json.dumps(_without_paths(json.loads(specs_json)), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def parse_process(process_id: str, bpmn_dir: Path | None = None) -> LoadedSpec:
    """Parse a process (and the decisions it calls) from the diagram folder, cached by content."""
    bpmn, dmn, folder_hash = _diagram_files(bpmn_dir or diagram_dir())
    key = (process_id, folder_hash)
    with _lock:
        if key in _parsed:
            return _parsed[key]
    parser = make_parser()
    parser.add_bpmn_files([str(p) for p in bpmn])
    parser.add_dmn_files([str(p) for p in dmn])
    spec = parser.get_spec(process_id)
    subprocesses = parser.get_subprocess_specs(process_id)
    specs_json = json.dumps(
        {
            "spec": serializer.to_dict(spec),
            "subprocess_specs": {n: serializer.to_dict(s) for n, s in subprocesses.items()},
        }
    )
    xml = Path(spec.file).read_text(encoding="utf-8") if spec.file else ""
    loaded = LoadedSpec(process_id, spec_hash(specs_json), spec, subprocesses, specs_json, xml)
    with _lock:
        _parsed[key] = loaded
    return loaded


def stored_spec(process_id: str) -> tuple[ProcessSpec, LoadedSpec]:
    """The database row for the current version of a process, created on first use."""
    loaded = parse_process(process_id)
    key = (str(db.engine.url), process_id, loaded.content_hash)
    if key in _row_ids:  # usually already in the session: no query at all
        row = db.session.get(ProcessSpec, _row_ids[key])
        if row is not None and (row.process_id, row.content_hash) == key[1:]:
            return row, loaded
    row = db.session.scalar(
        sa.select(ProcessSpec).where(
            ProcessSpec.process_id == process_id, ProcessSpec.content_hash == loaded.content_hash
        )
    )
    if row is None:
        row = ProcessSpec(
            process_id=process_id,
            content_hash=loaded.content_hash,
            serialized=loaded.specs_json,
            bpmn_xml=loaded.bpmn_xml,
            created_at=clock.now(),
        )
        db.session.add(row)
        db.session.flush()
    _by_row.setdefault(row.id, loaded)
    _row_ids[key] = row.id
    return row, loaded


def spec_dicts_for_row(row: ProcessSpec) -> dict[str, Any]:
    """A fresh copy of a stored row's spec dicts, to rebuild an instance saved without them."""
    loaded = _by_row.get(row.id)
    if loaded is not None and (loaded.process_id, loaded.content_hash) == (
        row.process_id,
        row.content_hash,
    ):
        return json.loads(loaded.specs_json)
    return json.loads(row.serialized)


def specs_for_row(row: ProcessSpec) -> tuple[Any, dict[str, Any]]:
    """The spec objects of a stored row, built once per process and shared by every instance
    loaded from it (as every instance started from a parsed spec shares that one)."""
    loaded = _by_row.get(row.id)
    if loaded is not None and (loaded.process_id, loaded.content_hash) == (
        row.process_id,
        row.content_hash,
    ):
        return loaded.spec, loaded.subprocess_specs
    with _lock:
        restored = _restored.get(row.id)
    if restored is None or restored[0] != (row.process_id, row.content_hash):
        dicts = json.loads(row.serialized)
        restored = (
            (row.process_id, row.content_hash),
            serializer.registry.restore(dicts["spec"]),
            {n: serializer.registry.restore(d) for n, d in dicts["subprocess_specs"].items()},
        )
        with _lock:
            _restored[row.id] = restored
    return restored[1], restored[2]


def clear_cache() -> None:
    """Forget parsed specs (tests that swap databases call this)."""
    with _lock:
        _parsed.clear()
        _by_row.clear()
        _row_ids.clear()
        _restored.clear()
