"""Bulletin-level facts printed in the masthead: publisher, year, issue numbers, date.

The publisher is the body a bulletin is named after (`绵阳市人民政府公报` → 绵阳市人民政府),
whether the name stands alone or shares its line with the issue
(`深圳市人民政府公报 2026年第10期（总第1409期）`); a name without a body (`政府公报`) takes it
from the editor's line (`…办公厅编`). The issue line gives the issue number (`第 11 号`,
`第10期`), the running number (`总号 367`, `总第1409期`) and the date or year.
"""
from __future__ import annotations

from parsing.vocab import CJK, YEAR

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from parsing.structure.dates import DATE, to_date
from parsing.text.lines import Line

_BODY = r"(?:人民政府|政府|办公厅|办公室|委员会|国务院|人大|法院|检察院)"
_PUBLISHER = re.compile(
    r"^(?P<pub>[" + CJK + r"]{0,30}?" + _BODY + r")(?:公报|公報)"
    r"(?:\s*(?:" + YEAR + r"\s*年)?\s*第\s*\d{1,3}\s*[号期].*)?$"
)
# 绵阳市人民政府研究室编, 深圳市人民政府办公厅 编印, 主办：…
_EDITOR = re.compile(r"^(?:主办|编辑|编印)?\s*[:：]?\s*(?P<body>[" + CJK + r"]{2,40}?(?:人民政府|政府|办公厅|办公室|研究室|委员会|编辑部))\s*(?:主办|编印|编辑|编)?$")
_ISSUE = re.compile(r"第\s*(?P<no>\d{1,3})\s*[号期]")
_YEAR_ISSUE = re.compile(r"(?P<y>" + YEAR + r")\s*年\s*第\s*\d{1,3}\s*[号期]")
_CUMULATIVE = re.compile(r"总\s*[号第]?\s*(?P<no>\d{1,5})\s*[号期]?")
_YEAR_LINE = re.compile(r"^" + YEAR + r"$")
_HEAD_LINES = 60  # the masthead sits at the top of the first page


@dataclass
class Masthead:
    publisher: str | None = None
    editor: str | None = None  # the body on the editor's line (…编), when printed
    year: int | None = None
    issue_no: int | None = None
    cumulative_no: int | None = None
    issue_date: dt.date | None = None


def read_masthead(lines: list[Line], first_document_line: int | None) -> Masthead:
    stop = min(_HEAD_LINES, (first_document_line or _HEAD_LINES) - 1)
    head = [ln for ln in lines[:stop] if ln.text]
    out = Masthead()
    for ln in head:
        flat = ln.text.replace(" ", "")
        m = _PUBLISHER.match(flat)
        if m and out.publisher is None and (m["pub"] == "国务院" or not re.fullmatch(_BODY, m["pub"])):
            out.publisher = _as_written(ln, m["pub"])  # 政府公报 alone names no body
        ed = _EDITOR.match(flat)
        if ed and out.editor is None and ("编" in flat or "主办" in flat):
            out.editor = _as_written(ln, ed["body"])
        issue = _ISSUE.search(ln.text)
        year_issue = _YEAR_ISSUE.search(ln.text)
        if issue and out.issue_no is None and ("总" in ln.text or DATE.search(ln.text) or year_issue):
            out.issue_no = int(issue["no"])
            cum = _CUMULATIVE.search(ln.text)
            out.cumulative_no = int(cum["no"]) if cum else None
            date = DATE.search(ln.text)
            out.issue_date = to_date(date) if date else None
            if year_issue and out.year is None:
                out.year = int(year_issue["y"])
        if _YEAR_LINE.match(ln.text) and out.year is None:
            out.year = int(ln.text)
    if out.publisher is None and out.editor and out.issue_no is not None:
        # a bulletin named 政府公报 only: its publisher is the body that edits it
        out.publisher = out.editor
    if out.issue_date:
        out.year = out.issue_date.year
    return out


def _as_written(ln: Line, name: str) -> str:
    """`name`, found in the line's text without spaces, as printed (Traditional stays Traditional)."""
    raw = re.sub(r"\s+", "", ln.raw.strip().lstrip("#"))
    norm = re.sub(r"\s+", "", ln.norm.strip())
    at = norm.find(name)
    return raw[at: at + len(name)] if at >= 0 and len(raw) == len(norm) else name


def year_from_documents(years: list[int]) -> int | None:
    """A bulletin without a masthead is dated by its documents: the commonest year, latest on ties."""
    if not years:
        return None
    counts = Counter(years)
    return max(counts, key=lambda y: (counts[y], y))
