"""Heads of the documents that carry neither 发文字号 nor 主送机关 (GUIDELINES-PUBLISHED-FORMS,
"Which texts are documents"): reports delivered to a people's congress or its standing
committee, resolutions and decisions a congress adopts, and statistical communiqués.

Each genre is known by its title and by what a publisher prints under it, never by the
title alone (a news page may have 政府工作报告 in its headline):

* a report: a title `关于…的报告`, `…政府工作报告` or `…工作报告` (over up to four lines,
  `政府工作报` / `告`; a note such as `（书面）` kept), confirmed below it by the meeting line
  (`——2026年1月20日在…会议上`, over one to three lines, the dash sometimes left out on a
  cover), the speaker's line (`…财政局局长 某某`, `国务院总理` / `李克强`) or the address
  `各位代表：`;
* a resolution or decision: `…关于…的决议` / `…的决定`, confirmed by the adoption line
  `（2026年1月28日…会议通过）` right under it;
* a statistical communiqué: `…统计公报` / `…普查公报` (no verb before it, as in a news
  headline 发布…公报), confirmed by a date, a source line (`出处：…统计局`), the bureau's
  name, or the communiqué's first section.

The head runs from the title through these lines; the body starts after it. The
issuers, date and type come from the head (see `GenreHead`).
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from dataclasses import dataclass, field

from parsing.structure.dates import DATE, any_date, is_date_line, to_date
from parsing.structure.doc_numbers import standalone_doc_number
from parsing.structure.layout import (
    TITLE_NOTE,
    compilation_marker,
    ends_sentence,
    is_noise,
    is_packet_marker,
    is_section_marker,
    is_toc_heading,
)
from parsing.structure.orgs import (
    genre_issuer,
    is_org,
    place_in,
    presenter_issuer,
    speaker,
    split_orgs,
)
from parsing.text.lines import Line, squash
from parsing.vocab import CJK

_MAX_TITLE_LINES = 4
_TITLE_ENDS = ("告", "议", "定", "报", "）", ")")  # the last characters a genre title's last line can have
_MAX_TITLE_PIECE = 50  # a title's lines are short; a body paragraph is long
_MAX_TITLE = 160
_NOTE = rf"(?:{TITLE_NOTE})?"
_BODY = r"[^。；;：:！!？?]"  # what a title may hold between 关于 and its type
_PREFIX = rf"[{CJK}][{CJK}0-9（）()、]{{0,60}}?"  # the issuer or session before 关于
REPORT = re.compile(
    rf"^(?:{_PREFIX})?关于{_BODY}{{2,140}}的[{CJK}]{{0,6}}报告{_NOTE}$"
    rf"|^(?:[{CJK}][{CJK}0-9（）()]{{0,40}}?)?(?:(?:19|20)\d\d年)?[{CJK}]{{0,30}}工作报告{_NOTE}$"
)
RESOLUTION = re.compile(rf"^(?P<pre>{_PREFIX})?关于{_BODY}{{2,140}}的(?P<kind>决议|决定){_NOTE}$")
COMMUNIQUE = re.compile(rf"^(?:(?:19|20)\d\d年)?[{CJK}][{CJK}0-9（）()、]{{1,60}}?(?:统计|普查)公报{_NOTE}$")
# A headline about a communiqué or report (a news page) rather than its own title.
_NEWS_VERB = re.compile(r"发布|公布|解读|图解|出炉|热议|聚焦|看点|速览|一图读懂|报道|点赞")
# An item of a list or a chapter (一、关于…, （二）关于…, 3.关于…) is not a title.
_ENUMERATED = re.compile(r"^(?:[一二三四五六七八九十百\d]+[、.．]|[(（][一二三四五六七八九十\d]+[)）])")
_MEETING_START = re.compile(rf"^[—－\-─―]+|^(?:{DATE.pattern})\s*日?\s*在")
_MEETING = re.compile(
    rf"^[—－\-─―]*\s*(?P<date>{DATE.pattern})?\s*日?\s*在(?P<where>.{{2,80}}?)(?:会议|大会|会)上"
    rf"(?:的(?:报告|讲话|说明|发言))?$"
)
_ADDRESS = re.compile(r"^(?:各位代表|各位委员|.{0,20}各位委员|各位代表、各位委员)[:：]?$")
_ADOPTION = re.compile(
    rf"^[(（]\s*(?P<date>{DATE.pattern})\s*(?P<body>.{{2,80}}?)(?:审议)?(?:通过|批准)\s*[)）]$"
)
_SOURCE = re.compile(rf"(?:出处|来源|发布单位|发布机构|发布机关|发文机关|作者)\s*[:：]\s*(?P<org>[{CJK}（）()]{{2,40}})")
_STATISTICS_BODY = re.compile(r"统计局|调查队|统计")
_FIRST_SECTION = re.compile(r"^(?:一、|第一部分|初步核算|经[" + CJK + r"]{0,8}核算)")


@dataclass
class GenreHead:
    genre: str  # "report", "resolution" or "communique"
    start: int  # 0-based index of the first title line
    title_end: int  # 0-based index of the last title line
    head_end: int  # 0-based index of the last line of the head
    title: str  # as printed, joined
    issuers: list[str] = field(default_factory=list)
    signed_date: dt.date | None = None
    flags: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return re.sub(r"\s+", "", self.title)


def is_address(text: str) -> bool:
    """The address that opens a speech to a congress (各位代表：), which is no 主送机关."""
    return bool(_ADDRESS.match(re.sub(r"\s+", "", text)))


def _content(texts: list[str]) -> list[int]:
    return [i for i, t in enumerate(texts) if t and not is_noise(t)]


@lru_cache(maxsize=8192)  # title_at's windows overlap: each line is asked several times
def _stop_line(text: str) -> bool:
    """A line that never belongs to a title: furniture, markers, dates, numbers, sentences."""
    return (is_packet_marker(text) or is_section_marker(text) or is_toc_heading(text) or is_date_line(text)
            or bool(standalone_doc_number(text)) or bool(compilation_marker(text)) or ends_sentence(text)
            or "\t" in text)


def _genre_of(title: str) -> str | None:
    if len(title) > _MAX_TITLE or _ENUMERATED.match(title):
        return None
    # each pattern only where its genre's word is in the title (all of them hold it): title_at
    # asks for every line it joins, ~270 times a bulletin, and the patterns backtrack
    if ("决议" in title or "决定" in title) and RESOLUTION.match(title):
        return "resolution"
    if "报告" in title and REPORT.match(title):
        return "report"
    if "公报" in title and COMMUNIQUE.match(title) and not _NEWS_VERB.search(title):
        return "communique"
    return None


def title_at(lines: list[Line], content: list[int], p: int) -> tuple[int, str, str] | None:
    """A genre title starting at content line p: (position of its last line, title, genre)."""
    texts = [lines[i].text for i in content[p: p + _MAX_TITLE_LINES]]
    if not texts or _stop_line(texts[0]):
        return None
    joined = ""
    for k, t in enumerate(texts):
        if k and (_stop_line(t) or len(t) > _MAX_TITLE_PIECE or content[p + k] - content[p + k - 1] > 3):
            break
        if k and len(texts[k - 1]) > _MAX_TITLE_PIECE:
            break
        joined += re.sub(r"\s+", "", t)
        genre = _genre_of(joined)
        if genre == "report" and k and split_orgs(texts[0]) and texts[1].startswith("关于"):
            return None  # a body's name on its own line (a cover's presenter): the title starts below
        if genre:
            idxs = content[p: p + k + 1]
            title = squash("".join(lines[i].raw.strip().lstrip("#").strip() for i in idxs))
            # a note printed on its own line under the title: （书面）
            nxt = p + k + 1
            if nxt < len(content) and re.fullmatch(TITLE_NOTE, lines[content[nxt]].text) and genre == "report":
                title += lines[content[nxt]].raw.strip()
                k += 1
            return p + k, title, genre
    return None


def _joined(lines: list[Line], content: list[int], q: int, limit: int = 3) -> tuple[str, int]:
    """Content lines from q joined until one closes the meeting or adoption line."""
    out = ""
    for k in range(limit):
        if q + k >= len(content):
            break
        t = re.sub(r"\s+", "", lines[content[q + k]].text)
        if k and (len(t) > _MAX_TITLE_PIECE or _stop_line(t) and not t.endswith(("上", ")", "）"))):
            break
        out += t
        if _MEETING.match(out) or _ADOPTION.match(out):
            return out, q + k
    return out, q


def _read_report_head(lines: list[Line], content: list[int], q: int, head: GenreHead) -> bool:
    """Meeting line, speaker and address under a report's title; True when one is there."""
    confirmed = False
    meeting_text = ""
    printed_by: list[str] = []  # a line of body names under the title (深圳市财政局), no speaker
    last = len(content)
    k = q
    while k < min(last, q + 8):
        t = lines[content[k]].text
        folded = re.sub(r"\s+", "", t)
        if folded == head.key:  # the title printed again (a web page)
            head.head_end = content[k]
            k += 1
            continue
        if _MEETING_START.match(folded):
            text, end = _joined(lines, content, k)
            m = _MEETING.match(text)
            if m:
                meeting_text = text
                if m["date"]:
                    head.signed_date = to_date(DATE.search(text))
                    if head.signed_date is None:
                        head.flags.append("no_day_in_meeting_date")
                head.head_end = content[end]
                confirmed = True
                k = end + 1
                continue
        if is_date_line(t):  # the date printed under the title
            head.signed_date = head.signed_date or any_date(t)
            head.head_end = content[k]
            k += 1
            continue
        nxt = lines[content[k + 1]].text if k + 1 < last else None
        sp = speaker(t, nxt)
        if sp:
            place = place_in(meeting_text) or place_in(head.title)
            issuer = presenter_issuer(sp, place)
            if issuer:
                head.issuers = [issuer]
            step = 1 if re.sub(r"\s+", "", t).endswith(sp.name or "") else 2  # the name on the next line
            head.head_end = content[k + step - 1]
            confirmed = True
            k += step
            continue
        names = split_orgs(t) if len(t) <= 40 else []
        if names and not printed_by:
            printed_by = names
            head.head_end = content[k]
            k += 1
            continue
        if _ADDRESS.match(folded):
            confirmed = True
        break
    # a body's name alone confirms nothing (a list of names follows many titles); with a date it does
    confirmed = confirmed or bool(printed_by and head.signed_date)
    if confirmed and not head.issuers and printed_by:
        head.issuers = printed_by
    if confirmed and not head.issuers:
        kind = _report_kind(head.title)
        place = place_in(head.title) or place_in(meeting_text)
        issuer = genre_issuer(kind, place) if kind else None
        if issuer:
            head.issuers = [issuer]
            head.flags.append("issuers_from_genre")
    return confirmed


def _report_kind(title: str) -> str | None:
    t = re.sub(r"\s+", "", title)
    if "政府工作报告" in t:
        return "government"
    if re.search(r"预算|决算", t):
        return "budget"
    if re.search(r"国民经济和社会发展.{0,12}计划|计划执行情况", t):
        return "plan"
    return None


def _read_resolution_head(lines: list[Line], content: list[int], q: int, head: GenreHead) -> bool:
    for k in range(q, min(len(content), q + 2)):
        folded = re.sub(r"\s+", "", lines[content[k]].text)
        if not folded.startswith(("(", "（")):
            if folded == head.key:
                continue
            return False
        text, end = _joined(lines, content, k)
        m = _ADOPTION.match(text)
        if not m:
            return False
        head.signed_date = to_date(DATE.search(text))
        head.head_end = content[end]
        pre = RESOLUTION.match(re.sub(r"\s+", "", head.title))["pre"]
        if pre and (pre.endswith("会议") or is_org(pre)):
            head.issuers = [pre]
        else:
            body = m["body"].strip()
            head.issuers = [body] if body.endswith("会议") or is_org(body) else []
        return True
    return False


def _read_communique_head(lines: list[Line], content: list[int], q: int, head: GenreHead) -> bool:
    confirmed = False
    orgs: list[str] = []
    for k in range(q, min(len(content), q + 4)):
        t = lines[content[k]].text
        folded = re.sub(r"\s+", "", t)
        if folded == head.key:
            head.head_end = content[k]
            continue
        src = _SOURCE.search(t)
        date = any_date(t) if len(t) <= 60 else None
        names = split_orgs(t)
        if src or (date and len(t) <= 60) or is_date_line(t):
            head.signed_date = head.signed_date or date
            if src and is_org(src["org"]) and _STATISTICS_BODY.search(src["org"]):
                orgs = orgs or [src["org"]]
            head.head_end = content[k]
            confirmed = True
            continue
        if names and all(_STATISTICS_BODY.search(n) for n in names):
            orgs += names
            head.head_end = content[k]
            confirmed = True
            continue
        if _FIRST_SECTION.match(folded) or (len(t) > 60 and re.search(r"[。，；,;]", t)):
            confirmed = True  # the communiqué's text starts
        break
    if not confirmed:
        return False
    place = place_in(head.title)
    if orgs:
        head.issuers = orgs
    else:
        issuer = genre_issuer("statistics", place)
        if issuer:
            head.issuers = [issuer]
            head.flags.append("issuers_from_genre")
    return True


def genre_heads(lines: list[Line], busy: set[int] | None = None) -> list[GenreHead]:
    """Every report, resolution and communiqué head of the text, in order (0-based lines);
    titles starting on a `busy` line (the head of a document already found) are left out."""
    texts = [ln.text for ln in lines]
    content = _content(texts)
    busy = busy or set()
    # A genre title's last line ends with its type (报告, 决议, 决定, 公报) or a note (（书面）): a
    # title can start only within _MAX_TITLE_LINES lines before such a line, so the other
    # lines are not tried (most of a long bulletin).
    ends = [texts[i].rstrip().endswith(_TITLE_ENDS) for i in content]
    near_end = [any(ends[p:p + _MAX_TITLE_LINES]) for p in range(len(content))]
    heads: list[GenreHead] = []
    p = 0
    while p < len(content):
        if content[p] in busy or not near_end[p]:
            p += 1
            continue
        found = title_at(lines, content, p)
        if not found:
            p += 1
            continue
        q, title, genre = found
        head = GenreHead(genre, content[p], content[q], content[q], title)
        reader = {"report": _read_report_head, "resolution": _read_resolution_head,
                  "communique": _read_communique_head}[genre]
        if reader(lines, content, q + 1, head):
            heads.append(head)
            p = content.index(head.head_end) + 1
        else:
            p += 1
    return heads
