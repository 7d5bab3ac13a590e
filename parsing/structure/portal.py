"""A portal page's metadata block (索引号, 发文机关, 成文日期, 标题, 发文字号, 发布日期 …) as the
facts of the page's one document, where the body does not state them
(GUIDELINES-PUBLISHED-FORMS: the block is not a document, but its values are the
document's metadata when the body lacks them).

The reader (parsing.reading.html) captures the block into `ReadText.metadata`, keys as
printed. When the body's own heads found no document but the block names a title, the
page's text is that one document, starting at the line that prints the title.
"""
from __future__ import annotations

import datetime as dt
import re

from parsing.structure.dates import any_date
from parsing.structure.doc_numbers import find_doc_numbers
from parsing.structure.documents import Document, Segmentation
from parsing.structure.layout import doc_type
from parsing.structure.orgs import split_orgs
from parsing.text.lines import Line, fold_width, to_simplified

_TITLE_KEYS = ("标题", "名称", "文件名称", "title_tag")


def metadata_date(value: str | None) -> dt.date | None:
    """A block's date, written 2019-03-12, 2019/3/12, 2019.03.12 or 2019年3月12日."""
    return any_date(to_simplified(fold_width(value))) if value else None


def _fold(text: str) -> str:
    return to_simplified(re.sub(r"\s+", "", fold_width(text)))


def _title_line(lines: list[Line], title: str) -> int | None:
    """0-based index of the first line that prints the title (or most of it)."""
    want = _fold(title)
    if len(want) < 4:
        return None
    for i, ln in enumerate(lines):
        got = _fold(ln.text)
        if got and (want in got or (len(got) >= 0.6 * len(want) and got in want)):
            return i
    return None


def apply_portal_metadata(seg: Segmentation, lines: list[Line], meta: dict[str, str]) -> None:
    if not meta:
        return
    title = next((meta[k] for k in _TITLE_KEYS if meta.get(k)), None)
    if not seg.documents and title:
        start = _title_line(lines, title)
        if start is None:
            # a page's <title> often carries the site after a separator: 标题_某市人民政府门户网站
            parts = [p for p in re.split(r"\s*(?:[_|｜]|\s-\s|——)\s*", title) if len(_fold(p)) >= 4]
            if len(parts) > 1:
                title = parts[0]
                start = _title_line(lines, title)
        if start is None:
            return
        last = max((i for i, ln in enumerate(lines) if ln.text), default=start)
        printed = lines[start].raw.strip()
        # the title as printed when its line holds it (and little else), else as the block gives it
        head = printed if _fold(title) in _fold(printed) and len(printed) <= 1.5 * len(title) else title.strip()
        body = "\n".join(ln.raw for ln in lines[start:last + 1])
        seg.documents.append(Document(1, start + 1, last + 1, head, body=body, head_end=start,
                                      doc_type=doc_type(to_simplified(head)),
                                      quality_flags=["no_signed_date"]))
    if len(seg.documents) != 1:
        return
    doc = seg.documents[0]
    if doc.doc_number is None and meta.get("发文字号"):
        written = meta["发文字号"]
        searched = to_simplified(fold_width(written))
        found = find_doc_numbers(searched)
        if found:
            doc.doc_number = found[0].with_written(written) if len(searched) == len(written) else found[0]
    guessed = [f for f in ("issuers_from_title", "issuers_from_genre") if f in doc.quality_flags]
    if (not doc.issuers or guessed) and meta.get("发文机关"):
        # the block's 发文机关 is printed; a name read off the title or the genre is a guess
        doc.issuers = split_orgs(meta["发文机关"].strip()) or [meta["发文机关"].strip()]
        for f in guessed:
            doc.quality_flags.remove(f)
    if doc.signed_date is None and metadata_date(meta.get("成文日期")):
        doc.signed_date = metadata_date(meta.get("成文日期"))
        if "no_signed_date" in doc.quality_flags:
            doc.quality_flags.remove("no_signed_date")
