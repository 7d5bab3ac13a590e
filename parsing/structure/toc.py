"""The table of contents (目录) at the head of a bulletin issue or a congress packet.

An entry is a title over one or more lines, closed by its 发文字号 (`国发〔2013〕30 号 2`), by
the page number printed after it (`……15`, `  3`, `（3）`, `·3·`, on the title's last line
or on a line of its own), or by the next entry: a title that ends in its type (…的报告,
…的决议) is whole, unless the next line carries on (`的通知`, `》`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from parsing.structure.doc_numbers import standalone_doc_number
from parsing.structure.layout import ends_like_title, ends_sentence, is_page_number, is_section_marker
from parsing.text.lines import Line, squash

_LEADER = r"(?:\s*[.…·•．]{2,}\s*|\s*…+\s*|\s+)"  # dots or spaces between a title and its page
_PAGE = r"[（(]?\s*(?P<page>\d{1,4})\s*[)）]?"
_TITLE_WITH_PAGE = re.compile(rf"^(?P<title>.*?[^\s.…·•．—－\-])(?:{_LEADER}[—－\-·]?\s*{_PAGE}|[（(](?P<page2>\d{{1,4}})[)）])"
                              rf"\s*[—－\-·]?\s*$")
_PAGE_ONLY = re.compile(rf"^[.…·•．\s]*[—－\-·]?\s*{_PAGE}\s*[—－\-·]?$")
_CONTINUES = re.compile(r"^[的》”〉）)]")


@dataclass
class TocEntry:
    seq: int
    section: str | None
    title: str
    doc_number: str | None
    page: int | None
    line: int  # line of the title


def _page_of(m: re.Match) -> int:
    return int(m["page"] or m["page2"])


def parse_toc(lines: list[Line]) -> list[TocEntry]:
    """Entries of the TOC region `lines` (the lines between 目录 and the first document)."""
    entries: list[TocEntry] = []
    section: str | None = None
    pending: list[tuple[Line, str]] = []  # lines of the entry being read, each with the text it gives

    def flush(doc_number=None, page=None):
        if pending:
            title = squash("".join(text for _, text in pending))
            entries.append(TocEntry(len(entries) + 1, section, title, doc_number, page, pending[0][0].no))
        pending.clear()

    def whole() -> bool:
        joined = "".join(t for _, t in pending)
        return bool(pending) and ends_like_title(joined.strip()) and not ends_sentence(joined.strip())

    for ln in lines:
        text = ln.text
        if not text:
            continue
        page_only = _PAGE_ONLY.match(text)
        if page_only:
            if pending:  # the page number of the entry above, on a line of its own
                flush(None, _page_of(page_only))
            continue  # else the TOC page's own number
        if is_page_number(text):
            continue
        if is_section_marker(text):
            flush()
            section = text.strip("【】[]〔〕")
            continue
        dn = standalone_doc_number(text)
        if dn:
            flush(dn.canonical, dn.page)
            continue
        raw = ln.raw.strip().lstrip("#").strip()
        if whole() and not _CONTINUES.match(text):
            flush()  # the entry above ended in its type and had no number: this line starts another
        m = _TITLE_WITH_PAGE.match(text)
        if m:
            cut = len(m["title"])
            piece = raw[:cut] if len(raw) == len(text) else m["title"]
            pending.append((ln, piece))
            flush(None, _page_of(m))
            continue
        pending.append((ln, raw))
    flush()
    return entries
