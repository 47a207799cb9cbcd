"""The one store of originals: files kept byte for byte under their SHA-256 (§七.1).

Evidence, uploaded forms and the files people signed all live here; a file is written once and
never changed, and every read checks the bytes against the hash they are filed under."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from workflow.platform.errors import NotFound, Refused
from workflow.platform.i18n import _
from workflow.platform.settings import INSTANCE_DIR, get_settings


def sha256_of(data: bytes) -> str:
    """The SHA-256 (hex) of a file's bytes: the name it is stored under."""
    return hashlib.sha256(data).hexdigest()


def _path_for(sha256: str) -> Path:
    # The setting keeps its first name (evidence was the first thing stored here).
    folder = get_settings().evidence_dir or str(INSTANCE_DIR / "evidence")
    return Path(folder) / sha256[:2] / sha256


def put(data: bytes) -> str:
    """Keep the bytes (once, however often they come) and return their SHA-256."""
    sha256 = sha256_of(data)
    path = _path_for(sha256)
    if not path.exists() or sha256_of(path.read_bytes()) != sha256:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.part")
        temporary.write_bytes(data)
        temporary.replace(path)  # atomic: a half-written file is never the original
    return sha256


def get(sha256: str) -> bytes:
    """The bytes kept under a hash, checked against it before they are handed out."""
    path = _path_for(sha256)
    if not path.exists():
        raise NotFound(_("The original file is missing from the store."))
    data = path.read_bytes()
    if sha256_of(data) != sha256:
        raise Refused(_("The stored file no longer matches its hash."))
    return data
