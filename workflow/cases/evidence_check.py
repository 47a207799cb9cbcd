"""What an evidence file really is: decoded in full, not judged by its first bytes.

A photo must decode as the JPEG or PNG its header claims (Pillow reads every pixel, and a
picture past Pillow's decompression-bomb limit is refused); a scan must parse as a PDF (pypdf
reads its cross-reference table and every page). Anything else is refused. The stored name
takes the extension of the type found, whatever the uploaded name said.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from workflow.platform.errors import ValidationFailed
from workflow.platform.i18n import gettext as _


@dataclass(frozen=True)
class Kind:
    content_type: str
    extension: str
    magic: bytes
    pillow_format: str | None  # None: a PDF


KINDS = (
    Kind("image/jpeg", ".jpg", b"\xff\xd8\xff", "JPEG"),
    Kind("image/png", ".png", b"\x89PNG\r\n\x1a\n", "PNG"),
    Kind("application/pdf", ".pdf", b"%PDF-", None),
)
MAX_PDF_PAGES = 500


def _refused() -> ValidationFailed:
    return ValidationFailed(
        {"file": _("The file is not a readable photo (JPEG, PNG) or scan (PDF).")}
    )


def _image_decodes(data: bytes, pillow_format: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
                image.verify()  # the file's structure: chunks, checksums, its end marker
            with Image.open(io.BytesIO(data), formats=[pillow_format]) as image:
                image.load()  # every pixel: a truncated or forged body fails here
                return image.format == pillow_format
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Warning):
        return False


def _pdf_parses(data: bytes) -> bool:
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if not 0 < len(reader.pages) <= MAX_PDF_PAGES:
            return False
        for page in reader.pages:
            page.mediabox  # noqa: B018 - reading each page's box parses the page
        return True
    except (PdfReadError, OSError, ValueError, KeyError, TypeError, AttributeError):
        return False


def detect(data: bytes) -> Kind:
    """The kind of an evidence file, checked in full; ValidationFailed on the file field."""
    kind = next((k for k in KINDS if data.startswith(k.magic)), None)
    if kind is None:
        raise ValidationFailed(
            {"file": _("Only photos (JPEG, PNG) and scans (PDF) can be attached.")}
        )
    readable = (
        _pdf_parses(data)
        if kind.pillow_format is None
        else _image_decodes(data, kind.pillow_format)
    )
    if not readable:
        raise _refused()
    return kind
