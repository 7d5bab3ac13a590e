"""The one vocabulary of patterns the parsers share: years, CJK characters, comparator
words and money scales. A word or pattern is written here once; the extractors build
their regular expressions from it.
"""
from __future__ import annotations

import re

YEAR = r"(?:19|20)\d\d"  # a four-digit year of the PRC era's documents (1900-2099)
PERIOD = rf"^{YEAR}(?:-{YEAR})?$"  # a period column's value: 2015, 2011-2015
CJK = "\u4e00-\u9fff"  # the CJK Unified Ideographs block, for character classes: f"[{CJK}]"

# Comparator words and signs written before a number, and what they mean. One table for
# the cells of indicator tables and for sentences.
COMPARATORS = {
    "不少于": ">=", "不低于": ">=", "≥": ">=", ">=": ">=",
    "超过": ">", "高于": ">", "大于": ">", "突破": ">", "逾": ">", ">": ">",
    "不超过": "<=", "不高于": "<=", "≤": "<=", "<=": "<=",
    "低于": "<", "小于": "<", "<": "<",
    "约": "~", "近": "~",
}
# Words after a number (`75%左右`, `491万余人`).
POST_COMPARATORS = {"以上": ">=", "以内": "<=", "以下": "<=", "左右": "~", "余": ">", "多": ">"}


def alternatives(words) -> str:
    """A regex alternation of literal words, longest first (so `不少于` wins over `少于`)."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# Money: the scale of a unit's prefix (万元 → 10⁴ yuan).
SCALE = {"万亿": 10**12, "亿": 10**8, "万": 10**4, "千": 10**3, "": 1}


def last_match(pattern: re.Pattern, text: str) -> re.Match | None:
    """The last match of a pattern: the one nearest the number that follows the text."""
    found = None
    for found in pattern.finditer(text):
        pass
    return found
