"""Words of a document's text for full-text search and keywords, each with the raw lines
it occurs on.

Whole bodies are segmented with jieba_fast_dat: jieba's dictionary and algorithm in C++,
~10 MB/s against pure jieba's ~1 MB/s, which would halve the build's throughput. The
project dictionary is loaded into it, so domain terms (毛入园率) stay whole. A query is cut
by the same tokenizer as the documents, or its words would not meet theirs.
"""
from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import jieba_fast_dat

from .lines import fold_width, to_simplified
from .prose import Prose
from .words import DICTIONARY

STOP_WORDS_FILE = Path(__file__).with_name("dictionaries") / "stop_words.txt"
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")  # a term has a Han character or a Latin letter


@dataclass
class Posting:
    tf: int = 0
    lines: list[int] = field(default_factory=list)


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
    return bool(_WORD.search(word)) and word not in stop_words() and not word.isspace()


def postings(prose: Prose) -> tuple[dict[str, Posting], int]:
    """term → (count, raw lines), and the number of terms, of a document's prose."""
    out: dict[str, Posting] = defaultdict(Posting)
    offset, total = 0, 0
    for word in _tokenizer().cut(prose.text, HMM=False):
        if is_term(word):
            p = out[word.lower()]
            p.tf += 1
            line = prose.line_at(offset)
            if not p.lines or p.lines[-1] != line:
                p.lines.append(line)
            total += 1
        offset += len(word)
    return dict(out), total


def query_terms(query: str) -> list[str]:
    """The distinct terms of a search query, normalized like document text."""
    text = to_simplified(fold_width(query))
    seen: dict[str, None] = {}
    for word in _tokenizer().cut(text, HMM=False):
        if is_term(word):
            seen[word.lower()] = None
    return list(seen)
