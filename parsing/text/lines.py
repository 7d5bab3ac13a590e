"""Lines of a bulletin: the raw text as on disk and a normalized twin for parsing.

`norm` has exactly the length of `raw`, character for character, so a span found in
`norm` is the same span in `raw`: values can be reported as written while the rules
only ever see half-width digits and Simplified characters.
"""
from __future__ import annotations

from parsing.vocab import CJK

import re
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


def fold_width(text: str) -> str:
    return text.translate(_FULLWIDTH)


@dataclass(frozen=True, slots=True)
class Line:
    no: int  # 1-based line number in the raw file, split on "\n" only
    raw: str
    norm: str
    text: str = ""  # norm without surrounding white space, computed once (rules read it often)

    def __post_init__(self):
        object.__setattr__(self, "text", self.norm.strip())

    @property
    def blank(self) -> bool:
        return not self.norm.strip()


def split_lines(text: str) -> list[Line]:
    raws = text.split("\n")
    folded = [fold_width(r.rstrip("\r")) for r in raws]
    # One OpenCC call for the whole text is much faster than one per line.
    simplified = to_simplified("\n".join(folded)).split("\n")
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


_CJK_CHAR = re.compile(f"[{CJK}]")


def simplified_share(lines: list[Line]) -> float:
    """Share of CJK characters that OpenCC changed: near 0 for Simplified text."""
    total = changed = 0
    for line in lines:
        total += len(_CJK_CHAR.findall(line.raw))
        folded = fold_width(line.raw)
        if folded != line.norm:  # only lines that OpenCC (or Markdown blanking) touched
            changed += sum(1 for a, b in zip(folded, line.norm) if a != b and b != " ")
    return changed / total if total else 0.0


def squash(text: str) -> str:
    """Join a title's pieces: drop white space next to CJK text, keep it between Latin words."""
    text = re.sub(r"\s+", " ", text.strip())
    return re.sub(r"(?<=[^A-Za-z0-9]) | (?=[^A-Za-z0-9])", "", text)
