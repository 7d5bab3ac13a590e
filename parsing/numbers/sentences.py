"""Sentences, clauses and chapters of a document's prose: the vocabulary the number
extractors share (text indicators, budgets and subsidies). What a number is for comes
from its clause; whether it was achieved or is planned comes from its sentence and the
chapter it stands in.

`Outline` reads a document's headings (`第一章`, `一、`, `（一）`, `1.`, run-in leads such as
`———一般公共预算完成情况。` or `①基本支出。`, and the headings a web page ran into its text)
and gives an offset its section's period, mood (`review`: 执行情况, 回顾, 成就; `plan`: 草案,
安排, 目标) and topic (`一般公共预算`). In a report, a paragraph opening with a time phrase
(`过去五年`, `今年`, `“十四五”时期`) sets period and mood up to the next heading. `genre` tells a
statistical communiqué and a report from other documents by the title.
"""
from __future__ import annotations

import bisect
import re
from array import array
from dataclasses import dataclass

import cn2an

from parsing.numbers.periods import YEAR_IN_TEXT, plan_mentions
from parsing.structure.prose import Prose
from parsing.vocab import COMMUNIQUE_TITLE, REPORT_TITLE, YEAR

BOUNDARY = "，。；：！？,;:\n\t|、"
_SENTENCE_END = "。；;！？!?\n"
_FUTURE = re.compile(r"到\s*" + YEAR + r"|力争|争取|确保|目标|计划|预计|将|规划|逐步|要")
_PAST = re.compile(r"已|累计|过去|截至")
_REVIEW_HEADING = re.compile(r"发展基础|发展现状|现状|回顾|成就|成效|进展|基本情况|工作总结|取得")
_HEADING = re.compile(r"^第[一二三四五六七八九十]+[章节部分篇]|^[一二三四五六七八九十]+、\s*\S{1,30}$")
PARAGRAPH_REACH = 400  # characters before a number that may scope it; PDF text has no paragraph breaks


@dataclass
class DocContext:
    title: str | None
    year: int | None  # year the document was written


def clause_start(text: str, pos: int, floor: int, boundary: str = BOUNDARY) -> int:
    i = pos
    while i > floor and text[i - 1] not in boundary:
        i -= 1
    return i


def paragraph_before(text: str, pos: int) -> str:
    """The paragraph up to `pos`, at most PARAGRAPH_REACH characters of it."""
    return text[max(text.rfind("\n", 0, pos) + 1, pos - PARAGRAPH_REACH):pos]


_SENTENCE_END_AT = re.compile("[" + re.escape(_SENTENCE_END) + "]")
# The last text asked about and its sentence ends (8 bytes an end, not a list's 36: a 64 MB
# bulletin's prose has ~10^6). Held until another text is asked about: one document's prose.
_ends_of: tuple[str, array] = ("", array("q"))


def sentence_span(text: str, pos: int) -> tuple[int, int]:
    """(start, end) of the sentence around `pos`: after the last sentence end before it, up to
    the first at or after it. The ends of a text are found once (one regex pass) and bisected:
    the extractors ask for every number of a document's prose, and a walk character by
    character each time was 2-3% of a parse."""
    global _ends_of
    held, ends = _ends_of  # read once: another thread may replace it meanwhile
    if held is not text:  # identity: the text held here cannot be freed and its id reused
        ends = array("q", [m.start() for m in _SENTENCE_END_AT.finditer(text)])
        _ends_of = (text, ends)
    i = bisect.bisect_left(ends, pos)
    return (ends[i - 1] + 1 if i else 0), (ends[i] if i < len(ends) else len(text))


def review_spans(prose: Prose) -> list[tuple[int, int]]:
    """Offsets of chapters that review what was achieved (`第一章 发展基础`)."""
    spans, start = [], None
    pos = 0
    for para in prose.text.split("\n"):
        head = para.strip()
        if _HEADING.match(head) or (len(head) <= 12 and _REVIEW_HEADING.search(head)):
            if start is not None:
                spans.append((start, pos))
                start = None
            if _REVIEW_HEADING.search(head):
                start = pos
        pos += len(para) + 1
    if start is not None:
        spans.append((start, len(prose.text)))
    return spans


def kind_of(sentence: str, offset: int, reviews: list[tuple[int, int]], ctx: DocContext) -> str:
    in_review = any(a <= offset < b for a, b in reviews)
    future = _FUTURE.search(sentence)
    if in_review:
        return "target" if re.search(r"到\s*" + YEAR + r"|力争", sentence) else "actual"
    years = [int(y) for y in YEAR_IN_TEXT.findall(sentence)]
    if years and ctx.year and max(years) < ctx.year and not future:
        return "actual"
    if _PAST.search(sentence) and not future:
        return "actual"
    return "target"


# --- The outline of a document: its headings and what they say about the numbers below ---

def genre(ctx: DocContext) -> str | None:
    """`communique` (a statistical communiqué: actuals only), `report` (a report to a congress:
    a review of the past year and plans), or None, from the document's title."""
    title = ctx.title or ""
    if re.search(COMMUNIQUE_TITLE, title):
        return "communique"
    if re.search(REPORT_TITLE, title):
        return "report"
    return None


_HEAD_MARK = re.compile(r"^\s*(?:(第[一二三四五六七八九十]+[章篇部分])|([一二三四五六七八九十]+、)"
                        r"|([（(][一二三四五六七八九十]+[)）])|(\d{1,2}[、.．](?!\d))|(——+|—|[①-⑳]))")
_INLINE_HEADING = re.compile(r"(?<=[。；;！？\s])\s*((?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])"
                             r"[^\s。，,；;：:\d]{2,20})(?=\s)")
_INLINE_NUMERAL = re.compile(r"[一二三四五六七八九十][、)）]")  # what every inline heading holds
_REVIEW_WORDS = re.compile(r"回顾|执行情况|完成情况|发展成就|成就|发展基础|发展现状|基本情况|工作总结|决算")
_PLAN_WORDS = re.compile(r"草案|安排|目标|任务|重点工作|计划|展望|思路|打算")
# What a section is about: `一般公共预算完成情况` → 一般公共预算, `1.全市社会保险基金预算` → itself.
_TOPIC = re.compile(r"^(.{2,16}?)(?:收支)?(?:完成|执行|安排)?(?:情况)?$")
_PAST_SPAN = re.compile(r"^(?:过去|近)([一二三四五两十]|\d)年|^([一二三四五两十])年来")
_THIS_YEAR = re.compile(r"^(?:今年|明年|\s*" + YEAR + r"\s*年(?:[，,]|是))")


@dataclass
class Heading:
    start: int  # offset of the heading's line in the prose
    end: int  # offset where the heading's line ends (wrapped PDF text runs on without a break)
    level: int  # 0 chapter (`第一章`, `一、`), 1 `（一）`, 2 `1.`, 3 a dash lead (`———一般公共预算完成情况。`)
    text: str
    period: str | None  # the year or plan it names (`2018`, `2021-2025`), when only one
    mood: str | None  # `review` (执行情况, 回顾, 成就), `plan` (草案, 安排, 目标), or None
    topic: str | None  # what the section is about (`一般公共预算`), for elliptical subjects below it


@dataclass
class Scope:
    period: str | None
    mood: str | None
    topic: str | None


class Outline:
    """Headings of a document's prose, and for an offset the period, mood and topic that the
    headings above it (and, in reports, the time phrase opening its paragraph) give it."""

    def __init__(self, prose: Prose, ctx: DocContext):
        self.text = prose.text
        self.ctx = ctx
        self.genre = genre(ctx)
        self.headings: list[Heading] = []
        self.paragraphs: list[tuple[int, str | None, str | None]] = []  # (offset, period, mood) of opening phrases
        starts = list(prose.starts) + [len(prose.text)]
        for a, b in zip(starts, starts[1:]):
            line = prose.text[a:b].strip("\n")
            mark = _HEAD_MARK.match(line)  # most lines are not headings: no call for them
            if mark:
                self._heading(a, a + len(line.rstrip()), line, mark)
            # a web page that flattened its paragraphs: `…增长29.4%。 九、居民收入消费和社会保障 全年…`
            # (one line in nine has a numeral before 、 or a bracket, which such a heading needs)
            for inline in _INLINE_HEADING.finditer(line, 1) if _INLINE_NUMERAL.search(line, 1) else ():
                mark = _HEAD_MARK.match(inline[1])
                if mark:
                    self._heading(a + inline.start(1), a + inline.end(1), inline[1], mark)
            if self.genre:
                self._opening(a, line)
        self.headings.sort(key=lambda h: h.start)
        self._ends = sorted(h.end for h in self.headings)  # heading_end bisects them
        self._starts = [h.start for h in self.headings]  # scope bisects them, and the openings'
        self._opening_starts = [p[0] for p in self.paragraphs]
        # the scope that headings 0..i give (the chain of sections open after heading i)
        self._scopes: list[tuple[str | None, str | None, str | None, int]] = []
        chain: list[Heading] = []
        for h in self.headings:
            chain = [c for c in chain if c.level < h.level] + [h]
            self._scopes.append((next((c.period for c in reversed(chain) if c.period), None),
                                 next((c.mood for c in reversed(chain) if c.mood), None),
                                 next((c.topic for c in reversed(chain) if c.topic), None), chain[0].start))

    def _heading(self, start: int, end: int, line: str, mark: re.Match) -> None:
        level = (0, 0, 1, 2, 3)[mark.lastindex - 1]  # the one mark group that matched
        body = line[mark.end():]
        head = re.split(r"[。；;！？]", body, maxsplit=1)[0]
        if level == 3 and (len(head) > 20 or head == body):
            return  # a dash opens a list item, not a lead
        run_in, truncated = None, False
        if level < 3 and (len(head) > 40 or re.search(r"\d+(?:\.\d+)?\s*(?:%|亿|万|个)", head)):
            run_in = re.match(r"[^\s，,]{1,20}\s", body)  # `一、综合 经自治区…`: the words before a space
            truncated = not run_in
            head = run_in[0].strip() if run_in else head[:24]  # else a run-in heading's first words
        years = sorted(set(YEAR_IN_TEXT.findall(head)))
        plans = plan_mentions(head)
        review, plan = bool(_REVIEW_WORDS.search(head)), bool(_PLAN_WORDS.search(head))
        mood = "review" if review and not plan else "plan" if plan and not review else None
        period = None
        if len(years) == 1 and not plans:
            period = years[0]
        elif len(plans) == 1 and not years:
            period = plans[0]
        topic = _TOPIC.match(head)
        topic = topic[1] if topic and re.search(r"预算|基金", topic[1]) else None
        if topic and not topic.endswith(("预算", "基金")):
            topic = re.sub(r"(预算|基金).*$", r"\1", topic)
        if run_in:
            end = start + len(line) - len(body) + run_in.end()
        elif truncated:
            end = start + len(line) - len(body)  # a sentence with a mark (`（四）新增…50个…`): only the mark
        elif head != body:
            end = start + len(line) - len(body) + len(head) + 1  # a run-in heading ends at its full stop
        self.headings.append(Heading(start, end, level, head, period, mood, topic))

    def lead_before(self, offset: int) -> str | None:
        """The words of a run-in lead that ends right where `offset` is (`①基本支出。安排48亿元…`):
        the subject of the sentence after it."""
        for h in self.headings:
            if h.level == 3 and 0 <= offset - h.end <= 1:
                return h.text
        return None

    def heading_end(self, offset: int) -> int:
        """Where the last heading line before an offset ends (0 if none): a clause never reaches
        back into a heading."""
        i = bisect.bisect_right(self._ends, offset)
        return self._ends[i - 1] if i else 0

    def _opening(self, start: int, line: str) -> None:
        """A report's paragraph that opens with a time phrase (`过去五年`, `今年`, `“十四五”时期`)
        sets the period and mood of the paragraphs after it, up to the next heading."""
        year = self.ctx.year
        past = _PAST_SPAN.match(line)
        if past and year:
            n = int(cn2an.cn2an((past[1] or past[2]).replace("两", "二"), "smart"))
            self.paragraphs.append((start, f"{year - n}-{year - 1}" if n > 1 else str(year - 1), "review"))
            return
        plans = plan_mentions(line[:8]) if re.match(r"^\s*“?十[一二三四五六七八九]五", line) else []
        if plans and year:
            a, b = (int(y) for y in plans[0].split("-"))
            self.paragraphs.append((start, plans[0], "plan" if b >= year else "review"))
            return
        if _THIS_YEAR.match(line) and year:
            found = YEAR_IN_TEXT.match(line.strip())
            y = int(found[1]) if found else year + (1 if line.startswith("明年") else 0)
            self.paragraphs.append((start, str(y), "plan" if y >= year else "review"))

    def scope(self, offset: int) -> Scope:
        """The period, mood and topic of the sections an offset lies in, the nearest first."""
        i = bisect.bisect_right(self._starts, offset)
        period, mood, topic, last_head = self._scopes[i - 1] if i else (None, None, None, -1)
        j = bisect.bisect_right(self._opening_starts, offset)  # the last opening phrase in the section
        if j and self._opening_starts[j - 1] >= last_head:
            _, p_period, p_mood = self.paragraphs[j - 1]
            period, mood = p_period or period, p_mood or mood
        return Scope(period, mood, topic)
