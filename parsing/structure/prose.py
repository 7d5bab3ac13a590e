"""A document's running text as one string, each character traceable to its raw line.

Numbers in sentences are found in this text rather than line by line because PDF text is
hard-wrapped every ~20 characters: a sentence, and sometimes a number, runs over two
lines. Wrapped lines are joined directly; in other layouts a line is a paragraph, and
the line break is kept as a boundary. Page numbers and running headers are left out,
and so are lines of tables already read as indicator tables.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from parsing.structure.layout import is_noise
from parsing.text.lines import Line

_PAGE_DEBRIS = re.compile(r"^[\s—－-]*$")


@dataclass
class Prose:
    text: str  # normalized (full-width folded, Simplified) text
    raw: str  # the same characters as written, equal length
    starts: list[int]  # offset where each kept line begins
    line_nos: list[int]  # raw line number of each kept line

    def line_at(self, offset: int) -> int:
        return self.line_nos[max(0, bisect.bisect_right(self.starts, offset) - 1)]


def prose_pieces(lines: list[Line]) -> list[tuple[str, str] | None]:
    """Each line's (normalized, raw) text as prose keeps it, None for a line prose leaves out
    (blank, page furniture, page debris): worked out once per bulletin, not once per prose
    built (each document's sentences and its index text both read the same lines)."""
    out: list[tuple[str, str] | None] = []
    for ln in lines:
        if ln.blank or is_noise(ln.text) or _PAGE_DEBRIS.match(ln.text):
            out.append(None)
            continue
        text, raw = ln.norm.strip(), ln.raw.strip()
        if len(text) != len(raw):  # strip took different white space: cut raw by norm's offsets
            lead = len(ln.norm) - len(ln.norm.lstrip())
            raw = ln.raw[lead:lead + len(text)]
        out.append((text, raw))
    return out


def document_prose(lines: list[Line], first: int, last: int, wrapped: bool, skip: set[int],
                   pieces: list[tuple[str, str] | None] | None = None) -> Prose:
    """Lines first..last (1-based, inclusive) of a document; `skip` lines are left out.
    `pieces` are `prose_pieces(lines)` when the caller has them already."""
    if pieces is None:
        pieces = [None] * (first - 1) + prose_pieces(lines[first - 1:last])
    norm_parts: list[str] = []
    raw_parts: list[str] = []
    starts: list[int] = []
    nos: list[int] = []
    size = 0
    for ln, piece in zip(lines[first - 1:last], pieces[first - 1:last]):
        if piece is None or ln.no in skip:
            continue
        text, raw = piece
        if norm_parts and not wrapped:
            norm_parts.append("\n")
            raw_parts.append("\n")
            size += 1
        starts.append(size)
        nos.append(ln.no)
        norm_parts.append(text)
        raw_parts.append(raw)
        size += len(text)
    return Prose("".join(norm_parts), "".join(raw_parts), starts, nos)
