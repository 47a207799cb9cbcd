"""Real evidence files for tests: a PNG, a JPEG and a PDF as a scanner or phone would make them."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfWriter


def png_bytes(
    size: tuple[int, int] = (8, 6), color: tuple[int, int, int] = (30, 120, 200)
) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes(
    size: tuple[int, int] = (16, 12), color: tuple[int, int, int] = (200, 80, 20)
) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
