"""Stable identifiers derived from a raw file's name (not its bytes, so a corrected file
keeps its id and replaces its rows)."""
from __future__ import annotations

import hashlib
import re
from pathlib import PurePath

_SAFE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def bulletin_id(file_name: str) -> str:
    """The file's stem for a `.txt` file and its whole name for any other, when that is a short
    ASCII slug; else an ASCII slug plus a hash of the whole name.

    So `x.txt` and `x.pdf` in one folder are two bulletins (`x` and `x.pdf`). Dagster
    partition keys and URLs stay ASCII; the original name is kept in `source_file`.
    """
    path = PurePath(file_name)
    stem = path.stem if path.suffix == ".txt" else path.name
    if _SAFE.match(stem):
        return stem
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:40]
    # a name the file system gave as bytes that are not UTF-8 arrives with surrogate escapes:
    # hash those bytes as they are
    digest = hashlib.sha1(PurePath(file_name).name.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    return f"{slug}-{digest}" if slug else f"b-{digest}"


def display_name(file_name: str) -> str:
    """A file name as people read it: a name whose bytes are not UTF-8 (a GBK `公报.txt` from
    a Windows share) decoded as GB18030 when that reads, else with U+FFFD for the bad bytes.
    This is the `source_file` every table shows; the id is made from the bytes as they are."""
    raw = file_name.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            return raw.decode("utf-8", "replace")


def document_id(bulletin: str, seq: int) -> str:
    return f"{bulletin}:{seq:03d}"
