"""Indicators from tables: one row per filled value cell of a table whose columns are
periods or kinds of value (baseline, target, actual, change)."""
from __future__ import annotations

from parsing.vocab import COMPARATORS, MEASURE_WORDS, YEAR, alternatives

import re
from dataclasses import dataclass

from parsing.numbers.tables import Table

_YEAR = re.compile(YEAR)
_UNIT = (r"%|‰|[万亿千百十]*(?:" + alternatives(MEASURE_WORDS) + r"|人次|人|户|个|张|套|元|次|年|岁|所|家|项|床|天|小时"
         r"|件|台|座|辆|册|字节|Mbps|Gbps|元/人)")
_UNIT_BRACKET = re.compile(rf"\s*[（(]\s*({_UNIT})\s*[)）]")
_FOOTNOTE = re.compile(r"\s*[（(]\d{1,2}[)）]")
_NUMBER = re.compile(rf"(?P<cmp>{alternatives(COMPARATORS)})?\s*(?P<num>-?\d+(?:\.\d+)?)\s*(?P<pct>%)?")
_EMPTY = {"", "—", "——", "-", "--", "/", "－", "———"}
_NATURE = ("约束性", "预期性")


@dataclass
class Column:
    index: int
    kind: str
    period: str | None


def _kind_of(header: str) -> str | None:
    if re.search(r"增长|增加|增幅|增速|变化|提高|增减", header):
        return "change"
    if re.search(r"目标|规划|预期|计划", header):
        return "target"
    if re.search(r"实际|完成|实现|年末数|年底数|本年|全年|绝对数|总量|产量|数量|金额|余额", header):
        return "actual"
    if re.search(r"情况|现状|基[期数准]|基础", header):
        return "baseline"
    return None


_NAME_HEADER = re.compile(r"指\s*标|名\s*称|项\s*目")


def _value_columns(table: Table, doc_year: int | None) -> tuple[list[Column], int, int | None, int | None]:
    """The value columns, the name column, the unit column and the nature column."""
    paths = table.header_paths
    name_col = next((i for i, p in enumerate(paths) if _NAME_HEADER.search(p) and not _YEAR.search(p)), 0)
    unit_col = next((i for i, p in enumerate(paths) if p == "单位"), None)
    nature_col = next((i for i, p in enumerate(paths) if "性质" in p or "属性" in p), None)
    years = sorted({int(y) for p in paths for y in _YEAR.findall(p)})
    cols: list[Column] = []
    for i, p in enumerate(paths):
        if i <= name_col or i in (unit_col, nature_col) or i in _name_columns(paths):
            continue
        kind = _kind_of(p)
        found = _YEAR.findall(p)
        period = found[-1] if found else None
        if kind == "change" and years:
            period = f"{years[0] + 1}-{years[-1]}" if len(years) > 1 else None
        if kind is None and period:
            # A bare year: the earliest one, before the document was written, is the baseline.
            kind = "baseline" if int(period) == years[0] and doc_year and int(period) < doc_year else "target"
        if kind:
            cols.append(Column(i, kind, period))
    return cols, name_col, unit_col, nature_col


def _name_columns(paths: list[str]) -> list[int]:
    """Columns that name the rows: the first, and each repeated 指标 of a table printed in two
    halves side by side (指标 | 产量 | 增长(%) | 指标 | 产量 | 增长(%))."""
    named = [i for i, p in enumerate(paths) if _NAME_HEADER.fullmatch(p.strip()) or _NAME_HEADER.match(p.strip())
             and not _YEAR.search(p)]
    return named if len(named) > 1 else []


def _caption_year(table: Table) -> str | None:
    """The one year a statistical table's title names (`2025年年末金融机构本外币存贷款余额…`)."""
    for text in [table.caption or "", *reversed(table.above)]:
        years = set(re.findall(r"(" + YEAR + r")\s*年", text))
        if re.search(YEAR + r"\s*[—\-~至]", text):
            continue  # a range of years: a chart over several years
        if len(years) == 1:
            return years.pop()
    return None


def parse_value(text: str) -> tuple[float | None, str | None, bool]:
    """(value, comparator, has percent sign) of a cell; footnote marks are not part of the value."""
    clean = _FOOTNOTE.sub("", text)
    m = _NUMBER.match(clean.strip())
    if not m:
        return None, None, False
    return float(m["num"]), COMPARATORS.get(m["cmp"]) if m["cmp"] else None, bool(m["pct"])


# A fiscal table (表一 一般公共预算收支…, 科目名称 | 年初预算 | 实际完成, 单位：万元) accounts for
# money: its cells are neither indicators nor budgets.
_FISCAL = re.compile(r"预算|决算|科目")


def is_fiscal(table: Table) -> bool:
    return bool(_FISCAL.search(" ".join([table.caption or "", *table.above, *table.header_paths])))


def table_indicators(table: Table, doc_year: int | None) -> list[dict]:
    if is_fiscal(table):
        return []
    cols, name_col, unit_col, nature_col = _value_columns(table, doc_year)
    if not cols:
        return []
    halves = _name_columns(table.header_paths) or [name_col]
    caption_year = _caption_year(table)
    out = []
    for (no, cells), written in zip(table.rows, table.written):
        for half, first in enumerate(halves):
            last = halves[half + 1] if half + 1 < len(halves) else len(cells)
            own = [c for c in cols if first < c.index < last]
            if not cells[first] or all(cells[c.index] in _EMPTY for c in own):
                continue  # a section row such as "1. 宽带用户规模"
            name = re.sub(r"^其中[：:]\s*", "", written[first])
            name = _FOOTNOTE.sub("", name)
            unit = written[unit_col] if unit_col is not None and cells[unit_col] else None
            m = _UNIT_BRACKET.search(name)
            if m and m.end() == len(name):
                unit = unit or m[1]
                name = name[: m.start()]
            nature = cells[nature_col] if nature_col is not None and cells[nature_col] in _NATURE else None
            for c in own:
                text = cells[c.index]
                if text in _EMPTY:
                    continue
                value, cmp, pct = parse_value(text)
                header_unit = _UNIT_BRACKET.search(table.header_paths[c.index])
                out.append({
                    "source": "table", "table_title": table.caption, "name": name.strip(),
                    "unit": "%" if pct else (header_unit[1] if header_unit else unit),
                    "period": c.period or (caption_year if c.kind in ("actual", "change") else None),
                    "kind": c.kind, "value": value, "value_text": written[c.index], "comparator": cmp,
                    "nature": nature, "line": no,
                })
    return out
