"""Dates written in Arabic or Chinese numerals (成文日期, issue dates) to ISO dates.

cn2an converts month and day spans; years such as 二〇一二 are read digit by digit
because cn2an does not accept 〇 in years.
"""
from __future__ import annotations

from parsing.vocab import YEAR

import datetime as dt
import re

import cn2an

_CN_DIGIT = dict(zip("〇○零Ｏ一二三四五六七八九", "0000123456789"))
_YEAR = YEAR + r"|[〇○零Ｏ一二三四五六七八九]{4}"
_MD = r"\d{1,2}|[一二三四五六七八九十]{1,3}"
DATE = re.compile(rf"(?P<y>{_YEAR})\s*年\s*(?P<m>{_MD})\s*月\s*(?:(?P<d>{_MD})\s*[日号])?")
_DATE_LINE = re.compile(rf"^[(（]?\s*{DATE.pattern}\s*[)）]?$")
# A date in figures only, as portals and data sites print it: 2026-05-28, 2026/5/28, 2026.05.28.
ISO_DATE = re.compile(rf"(?<!\d)(?P<y>{YEAR})\s*(?P<sep>[-/.])\s*(?P<m>\d{{1,2}})\s*(?P=sep)\s*(?P<d>\d{{1,2}})(?!\d)")


def _num(span: str) -> int:
    if span.isdigit():
        return int(span)
    return int(cn2an.cn2an(span, "smart"))


def _year(span: str) -> int:
    return int(span) if span.isdigit() else int("".join(_CN_DIGIT[c] for c in span))


def to_date(m: re.Match) -> dt.date | None:
    """The ISO date of a DATE match; None when the day is missing or the date is impossible."""
    if not m["d"]:
        return None
    try:
        return dt.date(_year(m["y"]), _num(m["m"]), _num(m["d"]))
    except ValueError:
        return None


def parse_date(text: str) -> dt.date | None:
    m = DATE.search(text)
    return to_date(m) if m else None


def date_line(norm: str) -> dt.date | None:
    """The date when a whole line is a date, as in a signature block (成文日期)."""
    m = _DATE_LINE.match(norm.strip())
    return to_date(m) if m else None


def iso_date(text: str) -> dt.date | None:
    """The first date written in figures (2026-05-28, 2026/5/28, 2026.05.28) in the text."""
    m = ISO_DATE.search(text)
    if not m:
        return None
    try:
        return dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None


def any_date(text: str) -> dt.date | None:
    """The first complete date in the text, in words (2026年1月28日, 二〇一二年六月十四日) or figures."""
    m = DATE.search(text)
    if m and m["d"]:
        return to_date(m)
    return iso_date(text)


def is_date_line(norm: str) -> bool:
    """A line that is only a date, even one printed without its day (2019年2月, 2019年2月日)."""
    t = re.sub(r"[日号]\s*[)）]?$", lambda m: m[0][1:], norm.strip())  # a blank day: 2019年2月日
    return bool(_DATE_LINE.match(norm.strip()) or _DATE_LINE.match(t)
                or re.fullmatch(rf"[(（]?\s*{ISO_DATE.pattern}\s*[)）]?", norm.strip()))
