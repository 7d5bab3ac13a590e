"""Words of a document's text for full-text search and keywords.

Whole bodies are segmented with jieba_fast_dat: jieba's dictionary and algorithm in C++,
~10 MB/s against pure jieba's ~1 MB/s, which would halve the build's throughput. The
project dictionary is loaded into it, so domain terms (毛入园率) stay whole. A query is cut
by the same tokenizer as the documents, or its words would not meet theirs.
"""
from __future__ import annotations

from parsing.vocab import CJK

import logging
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import jieba_fast_dat

from parsing.text.lines import fold_width, to_simplified
from parsing.index.segment import DICTIONARY

STOP_WORDS_FILE = Path(__file__).with_name("dictionaries") / "stop_words.txt"
_WORD = re.compile(r"[" + CJK + r"A-Za-z]")  # a term has a Han character or a Latin letter


@lru_cache(maxsize=1)
def _tokenizer() -> jieba_fast_dat.Tokenizer:
    jieba_fast_dat.setLogLevel(logging.WARNING)
    tok = jieba_fast_dat.Tokenizer()
    tok.initialize()
    tok.load_userdict(str(DICTIONARY))
    return tok


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    return frozenset(w.strip() for w in STOP_WORDS_FILE.read_text(encoding="utf-8").splitlines() if w.strip())


def is_term(word: str) -> bool:
    return bool(_WORD.search(word)) and word not in stop_words()


def term_counts(text: str) -> dict[str, int]:
    """term → times it occurs in a (normalized) text."""
    out: Counter[str] = Counter()
    for word, n in Counter(_tokenizer().lcut(text, HMM=False)).items():
        if is_term(word):
            out[word.lower()] += n
    return dict(out)


def lines_with(lines: list[tuple[int, str]], terms: list[str], top: int = 3) -> list[int]:
    """The numbers of the lines holding most of the terms (ties: earlier first)."""
    scored = []
    for no, text in lines:
        norm = to_simplified(fold_width(text)).lower()
        found = sum(1 for t in terms if t in norm)
        if found:
            scored.append((-found, no))
    return [no for _, no in sorted(scored)[:top]]


def query_terms(query: str) -> list[str]:
    """The distinct terms of a search query in order, normalized and cut like document text."""
    return list(term_counts(to_simplified(fold_width(query))))
