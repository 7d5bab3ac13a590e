"""Readers: one published file's bytes → `ReadText`, the lines the parser reads.

The reader is chosen by the bytes, never by the file's extension: a PDF saved as `.txt`
is still a PDF, a portal page saved without `.html` is still a page.

| bytes start with (after a BOM and white space) | form | reader |
|---|---|---|
| `%PDF` (in the first KiB) | pdf | `reading.pdf` (pypdfium2; OCR of image-only pages) |
| `PK\\x03\\x04` | docx | `reading.docx` (python-docx); a ZIP without `word/document.xml` is refused |
| `\\xd0\\xcf\\x11\\xe0` (OLE) | doc / wps | `reading.office` (LibreOffice headless → docx) |
| `{\\rtf` | rtf | `reading.office` |
| `<!DOCTYPE html`, `<html`, or `<head>/<body>/<meta>` near the start | html | `reading.html` (trafilatura) |
| PNG, JPEG, GIF | - | refused: `binary_file` |
| anything else | txt | `reading.text` (BOM, UTF-8, GB18030) |

Readers of binary forms are imported only when a file of their form arrives.
"""
from __future__ import annotations

import re

from parsing.errors import BulletinError
from parsing.reading.base import FORMATS, ReadText, SourceLine
from parsing.reading.text import decode_bytes

__all__ = ["FORMATS", "ReadText", "SourceLine", "read_file", "sniff"]

_IMAGES = {b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image"}
_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
_HTML_TAG = re.compile(rb"<(?:head|body|meta\s|title|div|p)\b[^>]*>", re.I)


def sniff(data: bytes) -> str:
    """The form of a file from its first bytes: one of FORMATS, or "image"."""
    head = data[:4096]
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if head.startswith(bom):
            head = head[len(bom):]
            break
    stripped = head.lstrip()
    if b"%PDF" in data[:1024]:
        return "pdf"
    if stripped.startswith(b"PK\x03\x04"):
        return "docx"
    if stripped.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    if stripped.startswith(b"{\\rtf"):
        return "rtf"
    if any(stripped.startswith(magic) for magic in _IMAGES):
        return "image"
    if _HTML_START.match(head) or len(_HTML_TAG.findall(head)) >= 2:
        return "html"
    return "txt"


def read_file(data: bytes, name: str) -> ReadText:
    """The lines of a file as the parser reads them; BulletinError when no reader takes it."""
    if not data.strip():
        raise BulletinError("empty_file", f"{name}: the file is empty")
    form = sniff(data)
    if form == "image":
        what = next(w for magic, w in _IMAGES.items() if data.lstrip().startswith(magic))
        raise BulletinError("binary_file", f"{name}: this is {what}, not a bulletin")
    if form == "pdf":
        from parsing.reading.pdf import read_pdf

        return read_pdf(data, name)
    if form == "docx":
        from parsing.reading.docx import read_docx

        return read_docx(data, name)
    if form in ("doc", "rtf"):
        from parsing.reading.office import read_office

        return read_office(data, name, "wps" if name.lower().endswith(".wps") else form)
    if form == "html":
        from parsing.reading.html import read_html

        return read_html(data, name)
    decoded = decode_bytes(data, name)
    return ReadText([SourceLine(line.rstrip("\r")) for line in decoded.text.split("\n")], "txt",
                    "gongbao text decoder", encoding=decoded.encoding, flags=list(decoded.flags))
