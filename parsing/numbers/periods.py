"""The year or period a number in running text is for.

Looked for from nearest to farthest: a year in the number's own clause (`由2015年的16%`),
a year that scopes the paragraph (`到2015年，…`, `2013年底前…`), a five-year plan named in
the paragraph (`“十二五”期末` → 2015, `“十二五”期间` → 2011-2015), and last the single year
of an annual plan's title (`…2012年实施计划`). A base year (`在2010年基础上`, `比2018年预算`) is
not a period.

In a report or a communiqué (`period_in_scope`), the section a number stands in gives the
year (`一、2020年工作回顾` → 2020, `过去五年` → 2016-2020, `“十四五”时期` → 2021-2025), a school
year opening the paragraph gives a range (`2025—2026学年`), and last the title's single year.
"""
from __future__ import annotations

from parsing.vocab import YEAR, last_match

import re

import cn2an

_YEAR = r"(" + YEAR + r")\s*年"
YEAR_IN_TEXT = re.compile(_YEAR)  # a year written with 年: its digits in group 1
CLAUSE_YEAR = re.compile(_YEAR + r"(?![\d—\-~至])")
SCOPE_YEAR = re.compile(r"(?:到|至|在|截至|力争)\s*" + _YEAR + r"(?!\s*的?基础上)|" + _YEAR + r"\s*(?:底|末|前|年底|年末)")
PLAN = re.compile(r"“?(十[一二三四五六七八九]|[一二三四五六七八九])五”?\s*(?:规划)?\s*(期末|末|期间|时期|期)?")
TITLE_YEAR = re.compile(r"(?<![\d—\-~至])(" + YEAR + r")\s*年(?!\s*[—\-~至])")
TITLE_RANGE = re.compile(r"(" + YEAR + r")\s*年?\s*[—\-~至]\s*(" + YEAR + r")")


def last_scope_year(text: str) -> re.Match | None:
    """The last year that scopes a text (`到2015年`, `2013年底`): SCOPE_YEAR's last match, not
    looked for in a text without 年 after a 19 or 20 (a number's paragraph up to it, asked again
    for each number in it)."""
    if "年" not in text or ("20" not in text and "19" not in text):
        return None
    return last_match(SCOPE_YEAR, text)


def plan_years(ordinal: str) -> tuple[int, int]:
    """十二五 → (2011, 2015). Plans run back to back from the third (1966) on; 1963-65 had none."""
    n = int(cn2an.cn2an(ordinal, "smart"))
    start = {1: 1953, 2: 1958}.get(n, 1966 + 5 * (n - 3))
    return start, start + 4



def plan_period(text: str, whole: bool = False) -> str | None:
    """The five-year plan a text names last: its end year when the text says 期末, else (or
    when `whole`) its range."""
    m = last_match(PLAN, text) if "五" in text else None  # every plan's name holds 五 (most paragraphs: none)
    if m is None:
        return None
    start, end = plan_years(m[1])
    return str(end) if m[2] in ("期末", "末") and not whole else f"{start}-{end}"


def title_period(title: str | None) -> str | None:
    """The one year an annual plan's title names (`…2012年实施计划`), ranges left aside."""
    if not title:
        return None
    years = set(TITLE_YEAR.findall(TITLE_RANGE.sub("", title)))
    return years.pop() if len(years) == 1 else None


def period_for(clause: str, paragraph: str, kind: str, title: str | None) -> str | None:
    """Period of a number of this kind: `clause` runs from the last boundary to the number,
    `paragraph` from the paragraph's start to the number."""
    years = CLAUSE_YEAR.findall(clause)
    if kind == "change":
        plan = plan_period(paragraph, whole=True)
        if plan:
            return plan
        base = re.search(r"(?:在|比)\s*" + _YEAR + r"\s*的?基础上", paragraph)
        ends = [int(s[1] or s[2]) for s in SCOPE_YEAR.finditer(paragraph)]
        ends = [y for y in ends if base and y > int(base[1])]
        return f"{int(base[1]) + 1}-{ends[-1]}" if base and ends else None
    if years:
        return years[-1]
    if kind == "actual":
        return None  # an achievement's year is stated beside it or not at all
    scoped = last_scope_year(paragraph)
    if scoped:
        return scoped[1] or scoped[2]
    return plan_period(paragraph) or title_period(title)


_PLAN_NAME = re.compile(r"“?(十[一二三四五六七八九]|[一二三四五六七八九])五”?\s*(?:规划|时期|期间|期末|末|计划)?")


def plan_mentions(text: str) -> list[str]:
    """The five-year plans a text names, as ranges (`“十三五”时期…“十四五”` → 2016-2020, 2021-2025)."""
    out = []
    if "五" not in text:  # every plan's name holds 五
        return out
    for m in _PLAN_NAME.finditer(text):
        if m[0].endswith("五") and not (m[0].startswith("“") or "十" in m[1]):
            continue  # a bare `一五` or `三五` inside a number word is not a plan
        start, end = plan_years(m[1])
        if f"{start}-{end}" not in out:
            out.append(f"{start}-{end}")
    return out


BASE_YEAR = re.compile(r"(?:在|比|较|与)\s*" + YEAR + r"\s*年(?:的)?(?:基础上|相比|底|末)?\s*\S{0,4}$")
SCHOOL_YEAR = re.compile(r"(" + YEAR + r")\s*[—\-~至]+\s*(" + YEAR + r")\s*学年")


def period_in_scope(clause: str, paragraph: str, kind: str, title: str | None, scope_period: str | None,
                    genre: str | None) -> str | None:
    """Period of a number in a document whose outline is known (parsing.numbers.sentences.Outline).

    Nearest first: a year in the number's clause; a school year or year range opening its
    paragraph (`2025—2026学年，…`); for a plan's targets and changes, the scopes `period_for`
    reads; then the period of the section the number stands in (`一、2020年工作回顾`); last,
    in a report or a communiqué, the single year of the title."""
    if genre is None:
        found = period_for(clause, paragraph, kind, title)
        return found if found or kind in ("actual", "change") else scope_period
    years = CLAUSE_YEAR.findall(clause)
    if years and not BASE_YEAR.search(clause):
        return years[-1]
    opening = SCHOOL_YEAR.match(paragraph.strip()[:20])
    if opening:
        return f"{opening[1]}-{opening[2]}"
    if kind == "target":
        scoped = last_scope_year(paragraph)
        if scoped:
            return scoped[1] or scoped[2]
    return scope_period or title_period(title)
