"""Indicators stated in sentences: achieved values and targets (`学前三年毛入园率达97.22%`,
`到2015年…力争达到50%`, `全年新培训各级社会体育指导员2000人`).

Each count or rate mention (parsing.quantities) becomes a row. Its name is the clause
before the number, stripped of the verb that links it (`达到`, `控制在`); a count followed
by the thing counted (`培养 100 名…管理人才`) is named by both. The kind is `change` for
average growth, `actual` in a chapter that reviews achievements or for a sentence about an
earlier year, else `target`. Money is not an indicator: it goes to budgets or subsidies.
"""
from __future__ import annotations

from parsing.vocab import CJK, YEAR

import re
from dataclasses import dataclass

from parsing.numbers.periods import YEAR_IN_TEXT, period_for
from parsing.structure.prose import Prose
from parsing.numbers.quantities import Mention
from parsing.index.segment import tail_words

BOUNDARY = "，。；：！？,;:\n\t|、"
_SENTENCE_END = "。；;！？!?\n"
_LEAD = re.compile(r"^(?:其中|同时|并且?|力争|争取|确保|使|以及|和|及|到\s*" + YEAR + r"\s*年(?:底|末)?|"
                   + YEAR + r"\s*年(?:底|末|的)?|“?十[一二三四五]五”?(?:期末|期间|时期)?|全年|每年|当年)+")
_LINK = re.compile(r"(?:达到|达|(?:提高|提升|增长|增加|下降|降低|减少|调整|扩大|上升)(?:到|至)?|降至|降到"
                   r"|控制在|保持在|稳定在|维持在|分别为|分别|为|突破|超过|不少于|不低于|不超过|不高于|低于|高于|约|近"
                   r"|总计|共计|力争|争取|要|将|实现|由|从|在|是|占|的|已|均)+$")
_CHANGE = re.compile(r"年均|基础上|年递增|年增长")
_FUTURE = re.compile(r"到\s*" + YEAR + r"|力争|争取|确保|目标|计划|预计|将|规划|逐步|要")
_PAST = re.compile(r"已|累计|过去|截至")
_REVIEW_HEADING = re.compile(r"发展基础|发展现状|现状|回顾|成就|成效|进展|基本情况|工作总结|取得")
_HEADING = re.compile(r"^第[一二三四五六七八九十]+[章节部分篇]|^[一二三四五六七八九十]+、\s*\S{1,30}$")
_NATURE_RULE = re.compile(r"(\S{2,12}?)(?:目标|指标)为(约束性|预期性)(?:目标|指标)")
_NATURE_OTHERS = re.compile(r"其[他它余](?:目标|指标)为(约束性|预期性)")
_MAX_NAME = 40
PARAGRAPH_REACH = 400  # characters before a number that may scope it; PDF text has no paragraph breaks


@dataclass
class DocContext:
    title: str | None
    year: int | None  # year the document was written


def clause_start(text: str, pos: int, floor: int) -> int:
    i = pos
    while i > floor and text[i - 1] not in BOUNDARY:
        i -= 1
    return i


def paragraph_before(text: str, pos: int) -> str:
    """The paragraph up to `pos`, at most PARAGRAPH_REACH characters of it."""
    return text[max(text.rfind("\n", 0, pos) + 1, pos - PARAGRAPH_REACH):pos]


def sentence_span(text: str, pos: int) -> tuple[int, int]:
    a = pos
    while a > 0 and text[a - 1] not in _SENTENCE_END:
        a -= 1
    b = pos
    while b < len(text) and text[b] not in _SENTENCE_END:
        b += 1
    return a, b


_FROM = re.compile(r"(?<=\S)(?:由|从)[^由从]*$")  # 占比由“十二五”末的 → 占比
_TAIL = re.compile(r"[^\d，。；：！？,;:\n\t|（(]*")
_NOT_A_NOUN = re.compile(r"^(?:的|和|及|与|或|等|以|提高|提升|增长|增加|下降|降|达|为|分别|连续|左右|以上|以下|以内|目标|任务)")


def clean_name(clause: str) -> str:
    name = clause.strip()
    for _ in range(3):
        name = _LEAD.sub("", name).strip()
        name = _FROM.sub("", name).strip()
        name = _LINK.sub("", name).strip()
    return tail_words(name, _MAX_NAME)


def counted_thing(text: str, end: int) -> str:
    """The noun right after a count (`培养 100 名` + `掌握…的管理人才`), or ''."""
    tail = _TAIL.match(text, end)[0].strip()
    return "" if not tail or _NOT_A_NOUN.match(tail) or not re.match(r"[" + CJK + r"“]", tail) else tail


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


def _natures(text: str) -> list[tuple[int, str | None, str]]:
    """(offset, keyword or None for `the others`, nature) of statements that sort targets."""
    out: list[tuple[int, str | None, str]] = []
    if "约束性" not in text and "预期性" not in text:
        return out
    for m in _NATURE_RULE.finditer(text):
        if not m[1].startswith("其"):
            out.append((m.start(), re.sub(r"^.*[，,。；]|^上述目标中|控制$", "", m[1]), m[2]))
    out += [(m.start(), None, m[1]) for m in _NATURE_OTHERS.finditer(text)]
    return out


def _nature_of(text: str, offset: int, rules: list[tuple[int, str | None, str]]) -> str | None:
    # A statement sorts the targets stated shortly before it (within ~1,500 characters).
    near = [r for r in rules if 0 < r[0] - offset < 1500]
    if not near:
        return None
    para_start = text.rfind("\n", 0, offset) + 1
    para = text[para_start:offset]
    for _, key, nature in near:
        if key and key in para:
            return nature
    return next((nature for _, key, nature in near if key is None), None)


def text_indicators(prose: Prose, mentions: list[Mention], ctx: DocContext) -> list[dict]:
    text, raw = prose.text, prose.raw
    reviews = review_spans(prose)
    natures = _natures(text)
    rows: list[dict] = []
    prev_end, prev_name = 0, None
    seen: dict[tuple, int] = {}
    for m in mentions:
        if m.is_money:
            prev_end = m.end
            continue
        s_start, s_end = sentence_span(text, m.start)
        floor = max(prev_end, s_start) if prev_end <= m.start else s_start
        c_start = clause_start(text, m.start, floor)
        clause = text[c_start:m.start]
        name = clean_name(clause)
        thing = counted_thing(text, m.end)
        key = (m.value, m.unit, thing[:4])
        seen[key] = seen.get(key, 0) + 1
        if thing and seen[key] > 2:
            prev_end = m.end
            continue  # the same count of the same things, over and over: a reference, not a new value
        if thing:
            name = tail_words(name + thing, _MAX_NAME)
        if not name:
            name = prev_name if prev_name and floor == prev_end else None
        prev_end = m.end
        if not name or not re.search(r"[" + CJK + r"]", name):
            continue
        prev_name = name
        sentence = text[s_start:m.start]
        paragraph = paragraph_before(text, m.start)
        change = bool(_CHANGE.search(clause) or _CHANGE.search(text[max(s_start, m.start - 12):m.start]))
        kind = "change" if change else kind_of(sentence, m.start, reviews, ctx)
        rows.append({
            "source": "text",
            "table_title": None,
            "name": name,
            "unit": m.unit,
            "period": period_for(clause, paragraph, kind, ctx.title),
            "kind": kind,
            "value": m.value,
            "value_text": raw[m.start:m.end],
            "comparator": m.comparator,
            "nature": _nature_of(text, m.start, natures),
            "line": prose.line_at(m.num_start),
        })
    return rows


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
