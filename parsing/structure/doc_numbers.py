"""发文字号 (document numbers): find them in normalized text and write them canonically.

Canonical form (GB/T 9704): <机关代字>〔<year>〕<serial>号, half-width digits, hexagonal
brackets, no spaces, no leading zeros, and the 机关代字 in Simplified characters (the
rules read normalized text), so a Traditional document and a Simplified citation of it
agree. The form as printed is kept beside it (`DocNumber.written`, cut from the raw line). Sources write [2008], （2008）, ［2008］, 【2008】 or,
after mojibake, ?2006?; all are accepted. A bracket with no 机关代字 before it and no
号 after it (footnote marks such as 〔4〕) is not a document number.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from parsing.vocab import CJK, YEAR

_OPEN = r"[〔\[［(（【?]"
_CLOSE = r"[〕\]］)）】?]"
DOC_NUMBER = re.compile(
    rf"(?P<prefix>[{CJK}]{{1,12}})\s*{_OPEN}\s*(?P<year>{YEAR})\s*{_CLOSE}"
    rf"\s*第?\s*(?P<serial>\d{{1,5}})\s*号"
)
# A line that is nothing but a document number, optionally in brackets and followed by a
# page number (tables of contents print "国发〔2013〕30 号 2").
_STANDALONE = re.compile(rf"^[(（]?\s*{DOC_NUMBER.pattern}\s*[)）]?\s*(?P<page>\d{{1,4}})?\s*$")


@dataclass(frozen=True)
class DocNumber:
    prefix: str
    year: int
    serial: int
    start: int  # character offsets in the searched text
    end: int
    page: int | None = None
    written: str | None = None  # as printed, when cut from a raw line (with_written)

    @property
    def canonical(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.serial}号"

    def with_written(self, raw: str, offset: int = 0) -> "DocNumber":
        """This number with its printed form cut from the raw twin of the searched text
        (`offset`: where the searched text starts in `raw`)."""
        return replace(self, written=raw[offset + self.start: offset + self.end].strip())


def _make(m: re.Match, prefix: str | None = None) -> DocNumber:
    page = m.groupdict().get("page")
    return DocNumber(prefix or m["prefix"], int(m["year"]), int(m["serial"]), m.start("prefix"), m.end(),
                     int(page) if page else None)


# The bracketed year and serial alone: cheap to scan for, where DOC_NUMBER tried its
# 机关代字 at every Han character of a text.
_TAIL = re.compile(rf"{_OPEN}\s*{YEAR}\s*{_CLOSE}\s*第?\s*\d{{1,5}}\s*号")
_PREFIX_BEFORE = re.compile(r"[" + CJK + r"]{1,12}\s*$")


def find_doc_numbers(norm: str) -> list[DocNumber]:
    """Every document number in the text, as DOC_NUMBER.finditer would find them."""
    out: list[DocNumber] = []
    floor = 0  # a match's 机关代字 does not reach into the previous match
    for tail in _TAIL.finditer(norm):
        before = _PREFIX_BEFORE.search(norm, max(floor, tail.start() - 40), tail.start())
        if not before:
            continue
        m = DOC_NUMBER.match(norm, before.start())
        if m:
            out.append(_make(m))
            floor = m.end()
    return out


def standalone_doc_number(norm: str) -> DocNumber | None:
    """The document number when the whole line is one (title blocks and TOC entries)."""
    m = _STANDALONE.match(norm.strip())
    return _make(m) if m else None

