"""Split a bulletin into its official documents and read their GB/T 9704 elements.

A document is found by its head: a line that is only a 发文字号 with a title block
above it, a title followed by a 主送机关 line, a compilation marker (第一篇：…), or the
head of a report, resolution or communiqué (`heads.py`: its title confirmed by the meeting
line, the speaker, the adoption line or the bureau's date). Each document runs to the line
before the next head, so appended tables (附表) stay with the report they follow. Inside a
公文, the recipients follow the head, and the signature (发文机关署名 + 成文日期) is the first
date line after them; a report's or resolution's issuers and date are read from its head.
A title printed twice with nothing but its head between (a cover page, then the text) is
one document, counted from its first printing.
"""
from __future__ import annotations

from parsing.vocab import CJK

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field

from parsing.structure.dates import date_line
from parsing.structure.doc_numbers import DocNumber, find_doc_numbers, standalone_doc_number
from parsing.structure.heads import genre_heads, is_address
from parsing.structure.layout import (
    compilation_marker,
    doc_type,
    ends_like_title,
    ends_sentence,
    is_noise,
    is_packet_marker,
    is_page_number,
    is_running_header,
    is_table_line,
    is_section_marker,
    is_toc_heading,
    strip_title_note,
)
from parsing.text.lines import Line, squash, to_simplified
from parsing.structure.orgs import issuers_from_title, orgs_in_line, split_orgs
from parsing.structure.toc import TocEntry, parse_toc

_RECIPIENT_WORDS = re.compile(r"各|政府|部门|机构|单位|委员会|管委会|办事处|厅|局|院校|部委|机关|党委|人民团体")
_ENCLOSED = re.compile(r"《([^《》]+)》")
_ISSUE_VERBS = re.compile(r"印发|转发|批转|颁布")
_TITLE_MAX_EXTRA_LINE = 40  # a title's continuation lines are short; body lines are long


@dataclass
class Document:
    seq: int
    line_start: int
    line_end: int
    title: str
    doc_number: DocNumber | None = None
    issuers: list[str] = field(default_factory=list)
    signed_date: dt.date | None = None
    doc_type: str | None = None
    recipients: str | None = None
    section: str | None = None
    body: str = ""
    enclosed_titles: list[str] = field(default_factory=list)
    quality_flags: list[str] = field(default_factory=list)
    # where the head ends (doc number or last title line), as a 0-based index
    head_end: int = 0
    # "report", "resolution" or "communique" for a head found by heads.py; None for a 公文
    genre: str | None = None


@dataclass
class Segmentation:
    documents: list[Document]
    toc: list[TocEntry]
    toc_documents: dict[int, int] = field(default_factory=dict)  # TOC entry seq → seq of the document it lists


def segment(lines: list[Line], bad_lines: set[int] | None = None) -> Segmentation:
    texts = [ln.text for ln in lines]
    markers = [i for i, t in enumerate(texts) if compilation_marker(t)]
    if len(markers) >= 2:
        docs = [_compilation_head(lines, texts, m, nxt) for m, nxt in zip(markers, markers[1:] + [len(lines)])]
    else:
        docs = _number_heads(lines, texts)
        docs += _recipient_heads(lines, texts, docs)
        docs += _genre_docs(lines, docs)
        docs.sort(key=lambda d: d.line_start)
        docs = _drop_enclosed(lines, docs)
        docs = _merge_reprints(texts, docs)
        _start_at_cover(texts, docs)

    toc_region = _toc_region(texts, docs[0].line_start - 2 if docs else len(lines) - 1)
    toc = parse_toc(lines[toc_region[0]: toc_region[1] + 1]) if toc_region else []

    last_content = _last_content(texts)
    for n, doc in enumerate(docs):
        nxt = docs[n + 1].line_start - 1 if n + 1 < len(docs) else last_content + 1
        doc.seq = n + 1
        doc.line_end = _trim_end(texts, doc.line_start - 1, nxt - 1) + 1
        _read_elements(lines, texts, doc)
        doc.body = "\n".join(ln.raw for ln in lines[doc.line_start - 1: doc.line_end] if not is_noise(ln.text))
        if bad_lines and any(doc.line_start <= b <= doc.line_end for b in bad_lines):
            doc.quality_flags.append("mojibake")

    listed = _assign_sections(lines, docs, toc, toc_region)
    return Segmentation(docs, toc, listed)


# ---------------------------------------------------------------- heads


def _next_content(texts: list[str], i: int, limit: int = 3) -> list[int]:
    out, j = [], i + 1
    while j < len(texts) and len(out) < limit:
        if texts[j] and not is_noise(texts[j]):
            out.append(j)
        j += 1
    return out


def _is_body_head(texts: list[str], i: int) -> bool:
    """A doc-number line opens a document unless what follows is more TOC (a title, a number)."""
    nxt = _next_content(texts, i, 1)
    if not nxt:
        return False
    t = texts[nxt[0]]
    if standalone_doc_number(t) or is_section_marker(t) or is_toc_heading(t):
        return False
    return not (ends_like_title(t) and not ends_sentence(t) and len(t) < 100)


def _title_block(texts: list[str], i: int, floor: int = 0) -> list[int]:
    """Indices of the title lines above line i (the doc number or the recipients)."""
    found: list[int] = []
    j = i - 1
    while j >= floor and len(found) < 4:
        t = texts[j]
        if not t or (not found and (is_page_number(t) or is_running_header(t))):
            j -= 1  # a title at the foot of a page, its number at the top of the next one
            continue
        if (is_page_number(t) or is_section_marker(t) or is_toc_heading(t) or date_line(t)
                or standalone_doc_number(t) or compilation_marker(t) or ends_sentence(t)
                or is_table_line(t) or is_packet_marker(t) or is_running_header(t)):
            break
        if found and len(t) > _TITLE_MAX_EXTRA_LINE and t != texts[found[-1]]:
            break
        found.append(j)
        j -= 1
    return sorted(found)


def _title_text(lines: list[Line], idxs: list[int]) -> str:
    parts: list[str] = []
    for i in idxs:
        raw = lines[i].raw.strip().lstrip("#").strip()
        if not parts or squash(raw) != squash(parts[-1]):  # web pages print the title twice
            parts.append(raw)
    return squash("".join(parts))


def _number_heads(lines: list[Line], texts: list[str]) -> list[Document]:
    docs = []
    for i, t in enumerate(texts):
        dn = standalone_doc_number(t)
        if not dn or dn.page is not None or not _is_body_head(texts, i):
            continue
        block = _title_block(texts, i)
        if not block:
            continue
        offset = lines[i].norm.index(t)
        dn = dn.with_written(lines[i].raw, offset)
        docs.append(Document(0, block[0] + 1, 0, _title_text(lines, block), doc_number=dn,
                             head_end=i))
    return docs


def _recipient_heads(lines: list[Line], texts: list[str], taken: list[Document]) -> list[Document]:
    """Documents printed without a 发文字号: a title line directly followed by recipients."""
    busy = set()
    for d in taken:
        busy.update(range(d.line_start - 1, d.head_end + 6))
    docs = []
    for i, t in enumerate(texts):
        if i in busy or not t or ends_sentence(t) or not ends_like_title(t) or "关于" not in t:
            continue
        nxt = _next_content(texts, i, 1)
        if not nxt or not _recipients(lines, texts, i)[0]:
            continue
        if not texts[nxt[0]].startswith("各") and ("：" not in texts[nxt[0]] and ":" not in texts[nxt[0]]):
            continue
        if is_address(texts[nxt[0]]):  # 各位代表： opens a speech to a congress, not a 主送机关
            continue
        block = _title_block(texts, i + 1)
        docs.append(Document(0, block[0] + 1, 0, _title_text(lines, block), head_end=i))
        busy.update(range(i, i + 6))
    return docs


def _genre_docs(lines: list[Line], taken: list[Document]) -> list[Document]:
    """Reports, resolutions and communiqués (heads.py) outside the heads already found."""
    busy: set[int] = set()
    for d in taken:
        busy.update(range(d.line_start - 1, d.head_end + 6))
    return [Document(0, h.start + 1, 0, h.title, issuers=list(h.issuers), signed_date=h.signed_date,
                     head_end=h.head_end, genre=h.genre, quality_flags=list(h.flags))
            for h in genre_heads(lines, busy)]


def _drop_enclosed(lines: list[Line], docs: list[Document]) -> list[Document]:
    """A report or communiqué that a 通知 prints (印发《…统计公报》的通知) is part of that 通知."""
    out: list[Document] = []
    for doc in docs:
        host = next((d for d in reversed(out) if d.genre is None), None)
        if doc.genre and host and out[-1] is host and _ISSUE_VERBS.search(to_simplified(host.title)):
            between = "".join(ln.text for ln in lines[host.line_start - 1: doc.line_start - 1])
            if _fold(strip_title_note(doc.title)) in _fold(host.title + between):
                continue
        out.append(doc)
    return out


def _merge_reprints(texts: list[str], docs: list[Document]) -> list[Document]:
    """A head printed twice (a cover page, then the text) with nothing of a body between them
    is one document: it starts at the first printing, unless a table of contents stands
    between (the TOC is no document's), and its head ends where the second one's does."""
    out: list[Document] = []
    for doc in docs:
        prev = out[-1] if out else None
        if (prev and doc.genre and prev.genre == doc.genre
                and _fold(strip_title_note(prev.title)) == _fold(strip_title_note(doc.title))):
            between = [t for t in texts[prev.head_end + 1: doc.line_start - 1] if t and not is_noise(t)]
            if all(len(t) <= _TITLE_MAX_EXTRA_LINE and not ends_sentence(t) for t in between):
                if any(is_toc_heading(t) for t in between):
                    out[-1] = doc
                    continue
                prev.head_end = doc.head_end
                prev.title = doc.title if len(doc.title) >= len(prev.title) else prev.title
                prev.issuers = doc.issuers or prev.issuers
                prev.signed_date = doc.signed_date or prev.signed_date
                prev.quality_flags = list(doc.quality_flags)
                continue
        out.append(doc)
    return out


def _start_at_cover(texts: list[str], docs: list[Document], reach: int = 12) -> None:
    """A report printed on a cover with its title only (no meeting line, no speaker) and then
    with its head: the document starts at the cover, as when the cover prints the whole head."""
    for n, doc in enumerate(docs):
        if not doc.genre:
            continue
        floor = docs[n - 1].line_end if n and docs[n - 1].line_end else (docs[n - 1].head_end + 1 if n else 0)
        want = _fold(strip_title_note(doc.title))
        above: list[int] = []
        j = doc.line_start - 2
        while j >= floor and len(above) < reach:
            t = texts[j]
            if t and not is_noise(t):
                if is_toc_heading(t):
                    above = []  # a TOC's entry spells the title too: it is no cover
                    break
                if ends_sentence(t) or len(t) > _TITLE_MAX_EXTRA_LINE * 2:
                    break
                above.insert(0, j)
            j -= 1
        cover = next((a for a in range(len(above)) if _spells(texts, above[a:], want)), None)
        if cover is not None:
            doc.line_start = above[cover] + 1


def _spells(texts: list[str], idxs: list[int], want: str) -> bool:
    """Whether the lines idxs, from the first, join into the folded title `want`."""
    joined = ""
    for i in idxs:
        joined += _fold(texts[i])
        if joined == want or _fold(strip_title_note(joined)) == want:
            return True
        if not want.startswith(joined):
            return False
    return False


def _compilation_head(lines: list[Line], texts: list[str], m: int, end: int) -> Document:
    """A piece of a compilation (第一篇：…): its marker line opens it; the title is re-read below."""
    marker = compilation_marker(texts[m])
    window = [j for j in range(m + 1, min(end, m + 8)) if texts[j]]
    title_idx = next((j for j in window if ends_like_title(texts[j]) and not ends_sentence(texts[j])
                      and len(texts[j]) < 100), None)
    if title_idx is None:
        raw = lines[m].raw.strip()
        title = squash(raw[len(raw) - len(texts[m]) + marker.end():])
        head_end = m
    else:
        block = [title_idx]
        for j in range(title_idx - 1, m, -1):
            t = texts[j]
            if not t:
                continue
            if ends_sentence(t) or len(t) > _TITLE_MAX_EXTRA_LINE or ":" in t or "：" in t or len(block) >= 3:
                break
            block.insert(0, j)
        title = _title_text(lines, block)
        head_end = title_idx
    doc = Document(0, m + 1, 0, title, head_end=head_end)
    # The number sits in the head, before the recipients and the first paragraph.
    for j in range(m, min(end, m + 8)):
        if j > head_end and (len(texts[j]) > 60 or "：" in texts[j] or ":" in texts[j] and j > m + 3):
            break
        found = find_doc_numbers(lines[j].norm)
        if found:
            dn = found[0]
            doc.doc_number = dn.with_written(lines[j].raw)
            doc.head_end = max(doc.head_end, j)
            break
    return doc


# ---------------------------------------------------------------- elements


def _recipients(lines: list[Line], texts: list[str], head_end: int) -> tuple[str | None, int]:
    """主送机关: the text after the head up to the first colon, over at most four lines."""
    parts: list[str] = []
    for j in _next_content(texts, head_end, 4):
        norm, raw = lines[j].norm, lines[j].raw
        cut = min((p for p in (norm.find("："), norm.find(":")) if p >= 0), default=-1)
        if cut < 0:
            if ends_sentence(texts[j]) or len(texts[j]) > 60:
                break
            parts.append(raw.strip())
            continue
        parts.append(raw[:cut].strip())
        text = squash("".join(parts))
        if "。" in text or len(text) > 200 or not _RECIPIENT_WORDS.search(text) or re.search(r"\d", text):
            return None, head_end
        return text, j
    return None, head_end


def _read_elements(lines: list[Line], texts: list[str], doc: Document) -> None:
    doc.doc_type = doc_type(to_simplified(doc.title))
    if doc.genre:
        _read_genre_elements(lines, texts, doc)
        return
    doc.recipients, after = _recipients(lines, texts, doc.head_end)
    start = max(after, doc.head_end) + 1
    for j in range(start, doc.line_end):
        date = date_line(texts[j])
        if date is None:
            continue
        doc.signed_date = date
        orgs: list[str] = []
        for k in range(j - 1, max(start, j - 6) - 1, -1):
            if not texts[k] or is_noise(texts[k]):
                continue
            names = orgs_in_line(lines[k].norm, lines[k].raw)
            if not names:
                break
            orgs = names + orgs
        doc.issuers = orgs
        enclosure_zone = range(start, j)
        break
    else:
        enclosure_zone = range(start, min(start + 6, doc.line_end))
    if not doc.issuers:
        doc.issuers = issuers_from_title(doc.title) or []
        if doc.issuers:
            doc.quality_flags.append("issuers_from_title")
    if doc.signed_date is None:
        doc.quality_flags.append("no_signed_date")
    doc.enclosed_titles = _ENCLOSED.findall(doc.title)
    if not doc.enclosed_titles and _ISSUE_VERBS.search(to_simplified(doc.title)):
        # Hard-wrapped text breaks 《…》 across lines: search the zone as one string.
        zone = "".join(lines[j].raw.strip() for j in enclosure_zone if not is_noise(texts[j]))
        clauses = [c for c in re.split(r"[，,。；;]", zone) if _ISSUE_VERBS.search(to_simplified(c))]
        doc.enclosed_titles = [squash(t) for c in clauses for t in _ENCLOSED.findall(c)]


def _read_genre_elements(lines: list[Line], texts: list[str], doc: Document) -> None:
    """A report, resolution or communiqué: no recipients; issuers and date come from its head.
    A communiqué whose head prints no date may be signed at its end (统计局 / date)."""
    doc.recipients = None
    if doc.signed_date is None and doc.genre == "communique":
        for j in range(doc.line_end - 1, doc.head_end, -1):
            if texts[j] and not is_noise(texts[j]):
                date = date_line(texts[j])
                if date:
                    doc.signed_date = date
                    names = orgs_in_line(lines[j - 1].norm, lines[j - 1].raw) if j > 0 else []
                    if names and "issuers_from_genre" in doc.quality_flags:
                        doc.issuers = names
                        doc.quality_flags.remove("issuers_from_genre")
                break
    if not doc.issuers:
        doc.issuers = issuers_from_title(doc.title) or []
        if doc.issuers:
            doc.quality_flags.append("issuers_from_title")
    if doc.signed_date is None and "no_signed_date" not in doc.quality_flags:
        doc.quality_flags.append("no_signed_date")


def _trim_end(texts: list[str], start: int, end: int) -> int:
    """Last index of a document's own content: drop blank lines and page furniture at its tail."""
    while end > start and (not texts[end] or is_noise(texts[end])):
        end -= 1
    return end


def _last_content(texts: list[str]) -> int:
    """Index of the last line of bulletin content; web-page debris after it is dropped."""
    end = len(texts) - 1
    while end > 0 and (not texts[end] or _is_debris(texts[end])):
        end -= 1
    return end


def _is_debris(text: str) -> bool:
    # Navigation left over from a scraped page: short, no sentence, often a stray table pipe.
    if "|" in text and len(text) < 40:
        return True
    if re.search(r"[A-Za-z]", text) and not re.search(r"[" + CJK + r"]", text) and len(text) < 40:
        return True  # a licence or a button left in Latin letters (Public domain, false)
    return len(text) <= 6 and not date_line(text) and not split_orgs(text) and not ends_sentence(text)


# ---------------------------------------------------------------- TOC and sections


def _toc_region(texts: list[str], before: int) -> tuple[int, int] | None:
    heading = next((i for i in range(0, max(before, 0)) if is_toc_heading(texts[i])), None)
    if heading is None or heading >= before:
        return None
    return heading + 1, before


def _fold(text: str) -> str:
    return to_simplified(re.sub(r"\s+", "", text or ""))


def _assign_sections(lines: list[Line], docs: list[Document], toc: list[TocEntry],
                     toc_region: tuple[int, int] | None) -> dict[int, int]:
    """Each document's section; returns which document each TOC entry lists (matched once,
    document by document: the entry that best matches a document lists it)."""
    listed: dict[int, int] = {}
    if toc:
        entry_of: dict[int, TocEntry] = {}
        for doc in docs:
            entry = match_toc_entry(doc, toc)
            doc.section = entry.section if entry else None
            if entry:
                if entry.seq not in listed:
                    entry_of[doc.seq] = entry
                listed.setdefault(entry.seq, doc.seq)
        for doc_seq, entry in _align_in_order(docs, toc, listed, entry_of).items():
            docs[doc_seq - 1].section = entry.section
        if any(d.section for d in docs):
            return listed
    texts = [ln.text for ln in lines]
    markers = [(i + 1, t.strip("【】[]〔〕")) for i, t in enumerate(texts) if is_section_marker(t)
               and not (toc_region and toc_region[0] <= i <= toc_region[1])]
    running = {no for no, _ in markers if any(is_page_number(t) for t in texts[max(0, no - 6): no - 1])}
    for doc in docs:
        # A running header names the section of the page it heads; a page that a document
        # starts on was headed by the section of the document that ended there.
        inside = [name for no, name in markers if doc.line_start <= no <= doc.line_end and no in running]
        before = [name for no, name in markers if no < doc.line_start]
        doc.section = inside[0] if inside else (before[-1] if before else None)
    return listed


def _align_in_order(docs: list[Document], toc: list[TocEntry], listed: dict[int, int],
                    entry_of: dict[int, TocEntry]) -> dict[int, TocEntry]:
    """Entries and documents left unmatched between two matched pairs are the same ones, in
    order, when there are as many of each and their titles are alike (a TOC shortens or
    rewords a title), or when one entry and one document are left and their titles end in
    the same type (预算报告 for 关于…预算…的报告). Adds them to `listed`; returns document
    seq → entry for them."""
    found: dict[int, TocEntry] = {}
    anchors = sorted((e, d) for e, d in listed.items())
    bounds = [(0, 0)] + anchors + [(len(toc) + 1, len(docs) + 1)]
    for (e0, d0), (e1, d1) in zip(bounds, bounds[1:]):
        entries = [e for e in toc if e0 < e.seq < e1 and e.seq not in listed]
        free = [d for d in docs if d0 < d.seq < d1 and d.seq not in entry_of]
        if not entries or len(entries) != len(free):
            continue
        for entry, doc in zip(entries, free):
            one_each = len(entries) == 1 and doc_type(to_simplified(entry.title)) == doc.doc_type is not None
            if one_each or _similar(entry.title, doc.title) >= 0.5:
                listed[entry.seq] = doc.seq
                found[doc.seq] = entry
    return found


def _similar(a: str, b: str) -> float:
    fa, fb = _fold(strip_title_note(a)), _fold(strip_title_note(b))
    if fa and fb and (fa in fb or fb in fa):
        return 1.0
    return difflib.SequenceMatcher(None, fa, fb).ratio()


def match_toc_entry(doc: Document, toc: list[TocEntry]) -> TocEntry | None:
    if doc.doc_number:
        for entry in toc:
            if entry.doc_number and _fold(entry.doc_number) == _fold(doc.doc_number.canonical):
                return entry
    best, score = None, 0.0
    for entry in toc:
        s = difflib.SequenceMatcher(None, _fold(strip_title_note(entry.title)),
                                    _fold(strip_title_note(doc.title))).ratio()
        if s > score:
            best, score = entry, s
    return best if score >= 0.8 else None
