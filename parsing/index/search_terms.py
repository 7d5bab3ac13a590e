"""Words of a document's text for full-text search and keywords.

Whole bodies and search queries are cut by the project's one segmenter
(`parsing.index.segment.words`: jieba's cut with the project dictionary, run by rjieba at
~20 MB/s), the same that cuts the phrases the extractors capture. A query is cut like the
documents, or its words would not meet theirs.
"""
from __future__ import annotations

from parsing.vocab import HAN_OR_LATIN

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from parsing.text.lines import fold_width, to_simplified
from parsing.index.segment import words

STOP_WORDS_FILE = Path(__file__).with_name("dictionaries") / "stop_words.txt"


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    return frozenset(w.strip() for w in STOP_WORDS_FILE.read_text(encoding="utf-8").splitlines() if w.strip())


def is_term(word: str) -> bool:
    return bool(HAN_OR_LATIN.search(word)) and word not in stop_words()  # a Han character or a Latin letter


# word → its term (lower-cased) or None when it is not one: a body's words are mostly words
# seen before, so each is checked once per process, not once per document
_TERM_OF: dict[str, str | None] = {}
_TERM_CACHE_MAX = 100_000  # ~15 MB at most (500,000 let a worker grow to 384 MiB at 5,000 bulletins)


def _term_of(word: str) -> str | None:
    if len(_TERM_OF) >= _TERM_CACHE_MAX:
        _TERM_OF.clear()
    term = _TERM_OF[word] = word.lower() if is_term(word) else None
    return term


def term_counts(text: str) -> dict[str, int]:
    """term → times it occurs in a (normalized) text, in the order the terms first occur."""
    out: dict[str, int] = {}
    known = _TERM_OF
    for word, n in Counter(words(text)).items():
        term = known[word] if word in known else _term_of(word)
        if term is not None:
            out[term] = out.get(term, 0) + n
    return out


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
