"""Word boundaries for captured phrases (names of measures, beneficiaries, purposes).

jieba's default cut runs at ~1.4 MB/s, too slow for whole bulletins but cheap on the
short phrases the extractors capture, which is the only place it is called. A project
dictionary (parsing/index/dictionaries/domain_words.txt) keeps domain terms such as 毛入园率 or
失业保险金 whole.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import jieba

DICTIONARY = Path(__file__).with_name("dictionaries") / "domain_words.txt"


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.load_userdict(str(DICTIONARY))
    return tok


def words(phrase: str) -> list[str]:
    return list(_tokenizer().cut(phrase, HMM=False))


def tail_words(phrase: str, max_chars: int) -> str:
    """The end of a phrase, at most `max_chars` long, cut at a word boundary."""
    if len(phrase) <= max_chars:
        return phrase
    out = ""
    for w in reversed(words(phrase)):
        if len(out) + len(w) > max_chars:
            break
        out = w + out
    return out or phrase[-max_chars:]


def head_words(phrase: str, max_chars: int) -> str:
    """The start of a phrase, at most `max_chars` long, cut at a word boundary."""
    if len(phrase) <= max_chars:
        return phrase
    out = ""
    for w in words(phrase):
        if len(out) + len(w) > max_chars:
            break
        out += w
    return out or phrase[:max_chars]


def posseg(phrase: str) -> list[tuple[str, str]]:
    """(word, part-of-speech tag) of a phrase (jieba.posseg with the project dictionary): names
    of measures end in nouns, not in verbs."""
    return [(p.word, p.flag) for p in _pos_tokenizer().cut(phrase, HMM=False)]


@lru_cache(maxsize=1)
def _pos_tokenizer():
    import jieba.posseg

    return jieba.posseg.POSTokenizer(_tokenizer())
