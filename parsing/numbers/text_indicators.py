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

from parsing.numbers.periods import period_for
from parsing.numbers.sentences import DocContext, clause_start, kind_of, paragraph_before, review_spans, sentence_span
from parsing.structure.prose import Prose
from parsing.numbers.quantities import Mention
from parsing.index.segment import tail_words

_LEAD = re.compile(r"^(?:其中|同时|并且?|力争|争取|确保|使|以及|和|及|到\s*" + YEAR + r"\s*年(?:底|末)?|"
                   + YEAR + r"\s*年(?:底|末|的)?|“?十[一二三四五]五”?(?:期末|期间|时期)?|全年|每年|当年)+")
_LINK = re.compile(r"(?:达到|达|(?:提高|提升|增长|增加|下降|降低|减少|调整|扩大|上升)(?:到|至)?|降至|降到"
                   r"|控制在|保持在|稳定在|维持在|分别为|分别|为|突破|超过|不少于|不低于|不超过|不高于|低于|高于|约|近"
                   r"|总计|共计|力争|争取|要|将|实现|由|从|在|是|占|的|已|均)+$")
_CHANGE = re.compile(r"年均|基础上|年递增|年增长")
_NATURE_RULE = re.compile(r"(\S{2,12}?)(?:目标|指标)为(约束性|预期性)(?:目标|指标)")
_NATURE_OTHERS = re.compile(r"其[他它余](?:目标|指标)为(约束性|预期性)")
_MAX_NAME = 40


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
            "value_max": m.value_max,
            "value_text": raw[m.start:m.end],
            "comparator": m.comparator,
            "nature": _nature_of(text, m.start, natures),
            "part_of": None,
            "line": prose.line_at(m.num_start),
        })
    return rows
