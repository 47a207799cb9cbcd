"""Opening an uploaded workbook: the one way the base-data and register readers do it."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from openpyxl import load_workbook

from workflow.forms.reader import MAX_UNCOMPRESSED, FormError, check_container
from workflow.platform.i18n import _


@contextmanager
def opened_upload(
    data: bytes, limit: int = MAX_UNCOMPRESSED
) -> Iterator[tuple[Any | None, FormError | None]]:
    """Yield (workbook, None) for a sane .xlsx opened read-only with its values, closed
    afterwards; or (None, the refusal) for a file that is not one (not an .xlsx, damaged, over
    `limit` bytes unpacked). openpyxl's warnings are silenced while it is read: its notes on
    extensions mean nothing to a clerk."""
    refusal = check_container(data, limit)
    if refusal is not None:
        yield None, refusal
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            message = _("The file cannot be opened: it is not a valid Excel workbook (.xlsx).")
            yield None, FormError("", "", message)
            return
        try:
            yield workbook, None
        finally:
            workbook.close()
