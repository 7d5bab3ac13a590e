"""Scanned PDFs made from real ones, for the OCR tests and the reader benchmark
(scripts/benchmark.py --readers): the same scan in both, so their figures speak of one input."""
from __future__ import annotations

import io


def scanned_pdf(data: bytes, pages: list[int], dpi: int = 200) -> bytes:
    """An image-only PDF of the given pages of `data`, as a scanner would make it."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(data)
    images = [src[n - 1].render(scale=dpi / 72, grayscale=True).to_pil() for n in pages]
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return out.getvalue()
