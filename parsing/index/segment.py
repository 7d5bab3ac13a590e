"""Word boundaries: the one segmenter of the project, for captured phrases (names of measures,
beneficiaries, purposes), their part-of-speech tags, whole document bodies and search queries.

It is rjieba (jieba-rs: ~20 MB/s here, against pure jieba's ~1.4 MB/s) loaded with jieba's own
dictionary (jieba/dict.txt: jieba stays a dependency for it and for its IDF table) and the
project dictionary (parsing/index/dictionaries/domain_words.txt, which keeps domain terms such
as 毛入园率 or 失业保险金 whole), with the frequencies, tags and total that jieba's
`Tokenizer.load_userdict` gives them. So `words` is jieba's `cut(HMM=False)` and `posseg` is
jieba.posseg's `cut(HMM=False)`, token for token and tag for tag (the indicator names were tuned
with them; tests/unit/test_segment.py compares them on lines of every file in raw/).
"""
from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path

import rjieba

DICTIONARY = Path(__file__).with_name("dictionaries") / "domain_words.txt"
# jieba's folder, found without importing jieba: only its data files are used
JIEBA_DIR = Path(importlib.util.find_spec("jieba").origin).parent
JIEBA_DICTIONARY = JIEBA_DIR / "dict.txt"

_USER_LINE = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$")  # jieba's own pattern (re_userdict)
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]+")
# Han characters that jieba and rjieba alike cut as one block (jieba's re_han_default takes
# \u4e00-\u9fd5; rjieba's takes more), two or more of them
_HAN_RUN = re.compile("[\u4e00-\u9fd5]{2,}")
# A word no text can produce (a private-use character is cut alone, never looked up): it carries
# the part of jieba's total that rjieba does not count (see `segmenter`).
_TOTAL_PAD = "\ue000"


def _read_dictionary(path: Path, user: bool) -> list[tuple[str, int, str | None]]:
    """(word, frequency, tag) of each line: jieba's dict.txt is `word freq tag`; a user dictionary
    is read as jieba reads one (frequency and tag optional, the frequency required here)."""
    out = []
    for no, line in enumerate(path.read_text(encoding="utf-8").lstrip("\ufeff").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if not user:
            word, freq, tag = line.split(" ")
            out.append((word, int(freq), tag))
            continue
        word, freq, tag = _USER_LINE.match(line).groups()
        if freq is None:
            raise ValueError(f"{path.name} line {no}: {line!r} has no frequency (jieba would guess one)")
        out.append((word, int(freq), tag.strip() if tag else None))
    return out


@lru_cache(maxsize=1)
def segmenter() -> rjieba.Jieba:
    """The rjieba instance with jieba's dictionary and the project dictionary, as jieba has them.

    Two differences of the libraries are undone here. jieba's `add_word` replaces a word's
    frequency and tag but adds the new frequency to its total without taking the old one off
    (and dict.txt holds B超 twice), while rjieba's keeps the total the sum of its words and
    keeps an existing word's tag: so each word is added once, with its last frequency and tag,
    and a word no text contains carries the difference of the totals (the total weighs every
    path of the cut: log(freq) - log(total) per word)."""
    table: dict[str, tuple[int, str]] = {}
    total = 0
    for path, user in ((JIEBA_DICTIONARY, False), (DICTIONARY, True)):
        for word, freq, tag in _read_dictionary(path, user):
            # a user word without a tag keeps the one jieba's dictionary gives it (posseg: 'x')
            table[word] = (freq, tag or table.get(word, (0, "x"))[1])
            total += freq
    jb = rjieba.Jieba.empty()
    for word, (freq, tag) in table.items():
        if freq:  # a frequency of 0 takes the word out of jieba's cut
            jb.add_word(word, freq, tag)
    uncounted = total - sum(freq for freq, _ in table.values())
    if uncounted:
        jb.add_word(_TOTAL_PAD, uncounted, "x")
    return jb


def words(phrase: str) -> list[str]:
    """jieba's words of a text (no HMM): captured phrases and whole bodies alike."""
    return segmenter().cut(phrase, False)


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


def several_words(phrase: str) -> bool:
    """True when the cut surely gives the phrase more than one word, found without cutting it:
    a run of Han characters is cut into dictionary words and single characters, so two or more
    of them are one word only when the dictionary holds them whole. False: it may be one (a
    dictionary word, one character, a phrase with digits, Latin letters or punctuation)."""
    return _HAN_RUN.fullmatch(phrase) is not None and not segmenter().has_word(phrase)


def posseg(phrase: str) -> list[tuple[str, str]]:
    """(word, part-of-speech tag) of a phrase, as jieba.posseg tags it (no HMM): names of measures
    end in nouns, not in verbs. A dictionary word has its dictionary tag, a run of ASCII letters
    and digits 'eng' (jieba's; rjieba says 'm' for digits), anything else 'x' (rjieba guesses a
    tag for a character it does not know, e.g. a Traditional one)."""
    jb = segmenter()
    return [(w, _tag(jb, w, tag)) for w, tag in jb.tag(phrase, False)]


def _tag(jb: rjieba.Jieba, word: str, tag: str) -> str:
    ascii_run = _ASCII_ALNUM.fullmatch(word) is not None
    if jb.has_word(word) and not (ascii_run and len(word) == 1):  # jieba joins single ones into a run
        return tag
    return "eng" if ascii_run else "x"
