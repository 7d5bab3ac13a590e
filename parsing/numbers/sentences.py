"""Sentences, clauses and chapters of a document's prose: the vocabulary the number
extractors share (text indicators, budgets and subsidies). What a number is for comes
from its clause; whether it was achieved or is planned comes from its sentence and the
chapter it stands in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from parsing.numbers.periods import YEAR_IN_TEXT
from parsing.structure.prose import Prose
from parsing.vocab import YEAR

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
