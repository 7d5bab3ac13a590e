"""Tables in bulletin text: tab-separated (plain text, Markdown) and pipe-separated (web pages).

A table is a run of lines that split into two or more cells. Its caption is the first
row when only its first cell is filled, or a short 专栏/表 line just above it. Header rows
run until the first row that carries numbers; header cells left empty under a merged
cell inherit from the left. Rows of a scraped page that lost their leading merged cells
(fewer cells than the header) are aligned to the right, where their values are.
"""
from __future__ import annotations

from parsing.vocab import YEAR

import re
from dataclasses import dataclass, field

from parsing.text.lines import Line

_CAPTION = re.compile(r"^(?:专栏|附表|表)\s*\d*|(?:指标|目标|时间表|情况)$")
_NUMBER = re.compile(r"\d")
_HEADER_WORD = re.compile(YEAR + r"|指\s*标|单位|名\s*称|项\s*目|性质|属性|类别|目标|实际|情况|增长|增加|年末数|产量")
_YEAR_HEADER = re.compile(r"\D*" + YEAR + r"(?:\s*[-—~至]\s*" + YEAR + r")?\D*")
_MAX_CAPTION = 60


@dataclass
class Table:
    caption: str | None
    caption_line: int | None
    rows: list[tuple[int, list[str]]]  # (line number, normalized cells) of body rows
    first_line: int
    last_line: int
    header_paths: list[str] = field(default_factory=list)
    written: list[list[str]] = field(default_factory=list)  # body cells as written, parallel to rows
    above: list[str] = field(default_factory=list)  # up to 3 lines of words just above it (title, `单位：万元`)


def _split(norm: str, raw: str, sep: str) -> list[tuple[str, str]]:
    """Cells as (normalized, as written): the two texts have equal length, so cut both alike."""
    out, start = [], 0
    for i, ch in enumerate(norm + sep):
        if ch == sep:
            out.append((norm[start:i].strip(), raw[start:i].strip()))
            start = i + 1
    return out


def _cells(line: Line) -> list[tuple[str, str]] | None:
    norm = line.norm.strip()
    if "\t" in line.norm and norm:
        cells = _split(line.norm, line.raw, "\t")
    elif norm.count("|") >= 2:
        cells = _split(line.norm, line.raw, "|")
        if cells and not cells[0][0]:
            cells = cells[1:]  # a leading pipe
        if all(set(n) <= set("-: ") for n, _ in cells):  # Markdown separator row
            return []
    else:
        return None
    while cells and not cells[-1][0]:
        cells.pop()
    return cells


def find_tables(lines: list[Line]) -> list[Table]:
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        cells = _cells(lines[i])
        if cells is None:
            i += 1
            continue
        block: list[tuple[int, list[str]]] = []
        j = i
        while j < len(lines):
            c = _cells(lines[j])
            if c is None:
                if lines[j].blank and j + 1 < len(lines) and _cells(lines[j + 1]) is not None and block:
                    j += 1  # a blank line inside a table (between header and body)
                    continue
                break
            if c:
                block.append((lines[j].no, c))
            j += 1
        table = _build(lines, block)
        if table:
            tables.append(table)
        i = j
    return tables


def _build(lines: list[Line], pairs: list[tuple[int, list[tuple[str, str]]]]) -> Table | None:
    if len(pairs) < 2:
        return None
    written = {no: [w for _, w in cells] for no, cells in pairs}
    block = [(no, [n for n, _ in cells]) for no, cells in pairs]
    caption, caption_line = None, None
    if len(block[0][1]) == 1 and len(block[0][1][0]) <= _MAX_CAPTION:
        caption_line, (caption,) = block[0][0], block[0][1]
        block = block[1:]
    else:
        k = block[0][0] - 2
        seen = 0
        while k >= 0 and seen < 3:
            t = lines[k].text
            if t:
                seen += 1
                if len(t) <= _MAX_CAPTION and _CAPTION.search(t):
                    caption, caption_line = lines[k].raw.strip(), lines[k].no
                    break
            k -= 1
    width = max(len(c) for _, c in block)
    piped = "\t" not in lines[block[0][0] - 1].norm
    header: list[list[str]] = []
    body = list(block)
    while body and len(header) < 3:
        no, cells = body[0]
        if header and sum(1 for c in cells if c) == 1:
            break  # a section row ("1. 宽带用户规模") opens the body
        if not any(_HEADER_WORD.search(c) and len(c) <= 20 for c in cells):
            break
        numeric = [v for v in cells[1:] if _NUMBER.search(v)]
        if numeric and not all(_YEAR_HEADER.fullmatch(v) for v in numeric):
            break
        header.append(cells + [""] * (width - len(cells)))
        body.pop(0)
    if not body:
        return None
    for r in range(len(header) - 1):  # a merged header cell spans the empty cells to its right
        for c in range(1, width):
            if not header[r][c] and header[r + 1][c] and header[r][c - 1]:
                header[r][c] = header[r][c - 1]
    rows, raw_rows = [], []
    for no, cells in body:
        raw = written[no]
        if piped and 1 < len(cells) < width:
            # A scraped page drops merged leading cells and keeps the values at the right end.
            cells, raw = [""] * (width - len(cells)) + cells, [""] * (width - len(raw)) + raw
        rows.append((no, cells + [""] * (width - len(cells))))
        raw_rows.append(raw + [""] * (width - len(raw)))
    paths = [" / ".join(dict.fromkeys(h[c] for h in header if h[c])) for c in range(width)]
    above = [ln.text for ln in lines[max(0, block[0][0] - 5):block[0][0] - 1] if ln.text and "\t" not in ln.norm][-3:]
    return Table(caption, caption_line, rows, block[0][0], block[-1][0], paths, raw_rows, above)
