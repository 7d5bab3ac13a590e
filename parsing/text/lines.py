"""Lines of a bulletin: the raw text as on disk and a normalized twin for parsing.

`norm` has exactly the length of `raw`, character for character, so a span found in
`norm` is the same span in `raw`: values can be reported as written while the rules
only ever see half-width digits and Simplified characters.
"""
from __future__ import annotations

from parsing.vocab import CJK, HAN

import operator
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from opencc import OpenCC

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x200B: 0x20, 0xFEFF: 0x20, 0x09: 0x09})
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})(?=\s)")


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    out = _t2s().convert(text)
    if len(out) == len(text):
        return out
    # A phrase rule changed the length: fall back to character by character to keep offsets.
    conv = _t2s().convert
    return "".join(c if len(s := conv(c)) != 1 else s for c in text)


# The characters folding changes, and what each becomes (all ASCII, none a source itself).
_FOLDS = {chr(src): chr(dst) for src, dst in _FULLWIDTH.items() if src != dst}
_TO_FOLD = re.compile("[" + "".join(re.escape(c) for c in _FOLDS) + "]")
_FEW_KINDS = 32  # above this many kinds of full-width character in a text, one translate pass is cheaper


def fold_width(text: str) -> str:
    """Full-width forms and odd spaces as their ASCII twins. A text holds only a few kinds of
    them (，：（）％ and digits), so each kind is replaced in one C pass (`str.replace`)
    rather than every character looked up in a table (`str.translate`: ~60 ns a character)."""
    kinds = set(_TO_FOLD.findall(text))
    if len(kinds) > _FEW_KINDS:
        return text.translate(_FULLWIDTH)
    for c in kinds:
        text = text.replace(c, _FOLDS[c])
    return text


# The folds that NFKC makes too: a character and its fold have the same compatibility
# decomposition (all but the zero-width space and BOM, which NFKC keeps), so a text folded by
# them has the same NFKC form (NFKC composes the text's NFKD, which they do not change).
_NFKC_FOLDS = {c: r for c, r in _FOLDS.items() if unicodedata.normalize("NFKD", c) == unicodedata.normalize("NFKD", r)}
_TO_NFKC_FOLD = re.compile("[" + "".join(re.escape(c) for c in _NFKC_FOLDS) + "]")


def nfkc(text: str) -> str:
    """`unicodedata.normalize("NFKC", text)`, three times faster on a bulletin's text: its
    full-width forms (，：（）％ and digits: nearly every line has one, and NFKC of a line that is
    not already normal costs ~25 ns a character) folded by `str.replace`, then only the lines
    still not normal normalized (NFKC of lines joined by "\n" is their NFKC joined: "\n"
    composes with nothing). On the benchmark corpus no line is left to normalize."""
    for c in set(_TO_NFKC_FOLD.findall(text)):
        text = text.replace(c, _NFKC_FOLDS[c])
    if unicodedata.is_normalized("NFKC", text):
        return text
    return "\n".join(p if unicodedata.is_normalized("NFKC", p) else unicodedata.normalize("NFKC", p)
                     for p in text.split("\n"))


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which made the
# Lines half of split_lines (a bulletin has thousands of them); nothing assigns to their fields.
@dataclass(slots=True, unsafe_hash=True)
class Line:
    no: int  # 1-based line number in the raw file, split on "\n" only
    raw: str
    norm: str
    text: str = ""  # norm without surrounding white space, computed once (rules read it often)

    def __post_init__(self):
        self.text = self.norm.strip()

    @property
    def blank(self) -> bool:
        return not self.norm.strip()


def split_lines(text: str) -> list[Line]:
    raws = text.split("\n")
    # One width fold and one OpenCC call for the whole text, not one per line: folding maps
    # character to character and never makes or takes a "\n" or "\r", so it commutes with the split.
    folded_text = fold_width(text)
    if "\r" in text:
        folded = [f.rstrip("\r") for f in folded_text.split("\n")]
        folded_text = "\n".join(folded)
    else:
        folded = folded_text.split("\n")
    simplified = to_simplified(folded_text).split("\n")
    if len(simplified) != len(folded):
        simplified = [to_simplified(f) for f in folded]
    lines = []
    for i, (raw, norm) in enumerate(zip(raws, simplified), start=1):
        raw = raw.rstrip("\r")
        m = _MD_HEADING.match(norm)
        if m:
            norm = " " * m.end() + norm[m.end():]
        lines.append(Line(i, raw, norm))
    return lines


_CJK_RUN = re.compile(f"[{CJK}][{CJK}]*")  # a run, opening with one character (parsing.vocab)
_SCRIPT_PIECE = 4096  # characters is_traditional counts at a time


def is_traditional(lines: list[Line], share: float) -> bool:
    """Whether OpenCC changed more than `share` of the text's CJK characters (near 0 for
    Simplified text): `_simplified_share_by_line(lines) > share`, on the whole text at once.

    The changed characters are counted first (one width fold, one comparison; only the lines
    that differ from their fold, where OpenCC or Markdown blanking touched them, character by
    character), then the CJK characters only as far as the answer needs: the share falls as
    the count grows, so once the changed ones are `share` or less of the characters counted,
    the text is Simplified (a Simplified bulletin is decided in its first few thousand
    characters, where counting every one was half of the check)."""
    raw = "\n".join(line.raw for line in lines)
    if raw.count("\n") != len(lines) - 1:  # a line holding "\n" itself: line by line
        return _simplified_share_by_line(lines) > share
    folded = fold_width(raw)
    changed = 0
    if folded != "\n".join(line.norm for line in lines):
        for f, line in zip(folded.split("\n"), lines):
            norm = line.norm
            if f == norm:
                continue
            if " " in norm:  # a blank in norm (Markdown blanking) is no change of script
                changed += sum(1 for a, b in zip(f, norm) if a != b and b != " ")
            else:
                changed += sum(map(operator.ne, f, norm))
    if not changed:
        return False  # a share of 0 (or no CJK character at all)
    total = 0
    for at in range(0, len(raw), _SCRIPT_PIECE):  # a run cut at a piece's end is counted in two parts
        total += sum(map(len, _CJK_RUN.findall(raw, at, at + _SCRIPT_PIECE)))
        if total and changed / total <= share:
            return False
    return bool(total) and changed / total > share


def _simplified_share_by_line(lines: list[Line]) -> float:
    total = changed = 0
    for line in lines:
        total += len(HAN.findall(line.raw))
        folded = fold_width(line.raw)
        if folded != line.norm:  # only lines that OpenCC (or Markdown blanking) touched
            changed += sum(1 for a, b in zip(folded, line.norm) if a != b and b != " ")
    return changed / total if total else 0.0


def squash(text: str) -> str:
    """Join a title's pieces: drop white space next to CJK text, keep it between Latin words."""
    text = re.sub(r"\s+", " ", text.strip())
    return re.sub(r"(?<=[^A-Za-z0-9]) | (?=[^A-Za-z0-9])", "", text)
