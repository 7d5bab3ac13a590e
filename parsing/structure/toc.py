"""The table of contents (目录) at the head of a bulletin issue."""
from __future__ import annotations

import re
from dataclasses import dataclass

from parsing.structure.doc_numbers import standalone_doc_number
from parsing.structure.layout import is_page_number, is_section_marker
from parsing.text.lines import Line, squash

_TITLE_WITH_PAGE = re.compile(r"^(?P<title>.+?)[\s.…·]+(?P<page>\d{1,4})$")


@dataclass
class TocEntry:
    seq: int
    section: str | None
    title: str
    doc_number: str | None
    page: int | None
    line: int  # line of the title


def parse_toc(lines: list[Line]) -> list[TocEntry]:
    """Entries of the TOC region `lines` (the lines between 目录 and the first document)."""
    entries: list[TocEntry] = []
    section: str | None = None
    pending: list[Line] = []

    def flush(doc_number=None, page=None):
        if pending:
            title = squash("".join(ln.raw.strip().lstrip("#").strip() for ln in pending))
            entries.append(TocEntry(len(entries) + 1, section, title, doc_number, page, pending[0].no))
        pending.clear()

    for ln in lines:
        text = ln.text
        if not text or is_page_number(text):
            continue
        if is_section_marker(text):
            flush()
            section = text.strip("【】[]〔〕")
            continue
        dn = standalone_doc_number(text)
        if dn:
            flush(dn.canonical, dn.page)
            continue
        m = _TITLE_WITH_PAGE.match(text)
        if m and not pending:
            pending.append(ln)
            flush(None, int(m["page"]))
            entries[-1].title = squash(m["title"])
            continue
        pending.append(ln)
    flush()
    return entries
