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


def document_prose(lines: list[Line], first: int, last: int, wrapped: bool, skip: set[int]) -> Prose:
    """Lines first..last (1-based, inclusive) of a document; `skip` lines are left out."""
    norm_parts: list[str] = []
    raw_parts: list[str] = []
    starts: list[int] = []
    nos: list[int] = []
    size = 0
    for ln in lines[first - 1:last]:
        if ln.no in skip or ln.blank or is_noise(ln.text) or _PAGE_DEBRIS.match(ln.text):
            continue
        text, raw = ln.norm.strip(), ln.raw.strip()
        if len(text) != len(raw):  # strip took different white space: cut raw by norm's offsets
            lead = len(ln.norm) - len(ln.norm.lstrip())
            raw = ln.raw[lead:lead + len(text)]
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
