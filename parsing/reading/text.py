"""Turn raw bytes into text without guessing silently.

The ladder is: a BOM decides (UTF-8, UTF-16 LE/BE); else strict UTF-8; else strict
GB18030 (a superset of GBK and GB2312). A file that none of them decodes is refused.
A multi-byte character cut off at the very end is tolerated and flagged, because
truncated downloads are common and the rest of the file is still good.
"""
from __future__ import annotations

import codecs
from dataclasses import dataclass, field

from parsing.errors import BulletinError

# Magic numbers of files that are dropped into the raw folder by mistake.
_BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (docx/xlsx?)",
    b"\xd0\xcf\x11\xe0": "an OLE document (doc/xls?)",
}


@dataclass
class Decoded:
    text: str
    encoding: str
    flags: list[str] = field(default_factory=list)


def decode_bytes(data: bytes, name: str = "<bytes>") -> Decoded:
    if not data.strip():
        raise BulletinError("empty_file", f"{name}: the file is empty")
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise BulletinError("binary_file", f"{name}: this is {what}, not bulletin text")

    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", name, "utf-8-sig")
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        return _strict(data, "utf-16", name, "utf-16")
    if b"\x00" in data:
        raise BulletinError("nul_bytes", f"{name}: the file contains NUL bytes (binary, or UTF-16 without BOM)")

    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as err:
        if err.start >= len(data) - 3 and err.reason == "unexpected end of data":
            return Decoded(data[: err.start].decode("utf-8"), "utf-8", ["truncated_last_char"])
    try:
        return Decoded(data.decode("gb18030"), "gb18030")
    except UnicodeDecodeError as err:
        if err.start >= len(data) - 3:
            try:
                return Decoded(data[: err.start].decode("gb18030"), "gb18030", ["truncated_last_char"])
            except UnicodeDecodeError:
                pass
        raise BulletinError(
            "undecodable",
            f"{name}: bytes at offset {err.start} are neither UTF-8 nor GB18030 ({err.reason})",
        ) from None


def _strict(data: bytes, codec: str, name: str, label: str) -> Decoded:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as err:
        raise BulletinError(
            "undecodable", f"{name}: declares {label} by its BOM but byte {err.start} is invalid ({err.reason})"
        ) from None
    if "\x00" in text:
        raise BulletinError("nul_bytes", f"{name}: the decoded text contains NUL characters")
    return Decoded(text.lstrip("\ufeff"), label)
