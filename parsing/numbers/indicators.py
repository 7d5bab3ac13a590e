"""Indicators from tables: one row per filled value cell of a table whose columns are
periods or kinds of value (baseline, target, actual, change)."""
from __future__ import annotations

from parsing.vocab import COMPARATORS, YEAR, alternatives

import re
from dataclasses import dataclass

from parsing.numbers.tables import Table

_YEAR = re.compile(YEAR)
_UNIT = (r"%|‰|[万亿千百十]*(?:人次|人|户|个|张|套|元|次|年|岁|平方米|公里|千米|米|吨|所|家|项|床|天|小时|件|台|座|辆"
         r"|公顷|亩|册|字节|太字节|Mbps|Gbps|元/人)")
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
    if re.search(r"增长|增加|增幅|变化|提高|增减", header):
        return "change"
    if re.search(r"目标|规划|预期|计划", header):
        return "target"
    if re.search(r"实际|完成|实现", header):
        return "actual"
    if re.search(r"情况|现状|基[期数准]|基础", header):
        return "baseline"
    return None


def _value_columns(table: Table, doc_year: int | None) -> tuple[list[Column], int, int | None, int | None]:
    """The value columns, the name column, the unit column and the nature column."""
    paths = table.header_paths
    name_col = next((i for i, p in enumerate(paths) if re.search(r"指标|名称|项目", p) and not _YEAR.search(p)), 0)
    unit_col = next((i for i, p in enumerate(paths) if p == "单位"), None)
    nature_col = next((i for i, p in enumerate(paths) if "性质" in p or "属性" in p), None)
    years = sorted({int(y) for p in paths for y in _YEAR.findall(p)})
    cols: list[Column] = []
    for i, p in enumerate(paths):
        if i <= name_col or i in (unit_col, nature_col):
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


def parse_value(text: str) -> tuple[float | None, str | None, bool]:
    """(value, comparator, has percent sign) of a cell; footnote marks are not part of the value."""
    clean = _FOOTNOTE.sub("", text)
    m = _NUMBER.match(clean.strip())
    if not m:
        return None, None, False
    return float(m["num"]), COMPARATORS.get(m["cmp"]) if m["cmp"] else None, bool(m["pct"])


def table_indicators(table: Table, doc_year: int | None) -> list[dict]:
    cols, name_col, unit_col, nature_col = _value_columns(table, doc_year)
    if not cols:
        return []
    out = []
    for (no, cells), written in zip(table.rows, table.written):
        raw_name = cells[name_col]
        if not raw_name or all(cells[c.index] in _EMPTY for c in cols):
            continue  # a section row such as "1. 宽带用户规模"
        name = re.sub(r"^其中[：:]\s*", "", written[name_col])
        name = _FOOTNOTE.sub("", name)
        unit = written[unit_col] if unit_col is not None and cells[unit_col] else None
        m = _UNIT_BRACKET.search(name)
        if m and m.end() == len(name):
            unit = unit or m[1]
            name = name[: m.start()]
        nature = cells[nature_col] if nature_col is not None and cells[nature_col] in _NATURE else None
        for c in cols:
            text = cells[c.index]
            if text in _EMPTY:
                continue
            value, cmp, pct = parse_value(text)
            out.append({
                "source": "table", "table_title": table.caption, "name": name.strip(),
                "unit": "%" if pct else unit, "period": c.period, "kind": c.kind, "value": value,
                "value_text": written[c.index], "comparator": cmp, "nature": nature, "line": no,
            })
    return out
