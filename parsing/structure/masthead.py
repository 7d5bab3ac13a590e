"""Bulletin-level facts printed in the masthead: publisher, year, issue numbers, date."""
from __future__ import annotations

from parsing.vocab import CJK, YEAR

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from parsing.structure.dates import DATE, to_date
from parsing.text.lines import Line

_PUBLISHER = re.compile(r"^(?P<pub>[" + CJK + r"]{2,30}?(?:人民政府|政府|办公厅|委员会))(?:公报|公報)$")
_ISSUE = re.compile(r"第\s*(?P<no>\d{1,3})\s*[号期]")
_CUMULATIVE = re.compile(r"总\s*[号第]?\s*(?P<no>\d{1,5})\s*[号期]?")
_YEAR_LINE = re.compile(r"^" + YEAR + r"$")
_HEAD_LINES = 60  # the masthead sits at the top of the first page


@dataclass
class Masthead:
    publisher: str | None = None
    year: int | None = None
    issue_no: int | None = None
    cumulative_no: int | None = None
    issue_date: dt.date | None = None


def read_masthead(lines: list[Line], first_document_line: int | None) -> Masthead:
    stop = min(_HEAD_LINES, (first_document_line or _HEAD_LINES) - 1)
    head = [ln for ln in lines[:stop] if ln.text]
    out = Masthead()
    for ln in head:
        m = _PUBLISHER.match(ln.text.replace(" ", ""))
        if m and out.publisher is None:
            out.publisher = ln.raw.strip().lstrip("#").strip()[: len(m["pub"])]
        issue = _ISSUE.search(ln.text)
        if issue and out.issue_no is None and ("总" in ln.text or DATE.search(ln.text)):
            out.issue_no = int(issue["no"])
            cum = _CUMULATIVE.search(ln.text)
            out.cumulative_no = int(cum["no"]) if cum else None
            date = DATE.search(ln.text)
            out.issue_date = to_date(date) if date else None
        if _YEAR_LINE.match(ln.text) and out.year is None:
            out.year = int(ln.text)
    if out.issue_date:
        out.year = out.issue_date.year
    return out


def year_from_documents(years: list[int]) -> int | None:
    """A bulletin without a masthead is dated by its documents: the commonest year, latest on ties."""
    if not years:
        return None
    counts = Counter(years)
    return max(counts, key=lambda y: (counts[y], y))
