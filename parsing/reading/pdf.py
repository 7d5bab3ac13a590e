"""The PDF reader: a PDF's text layer (or OCR of its scanned pages) as lines in reading order.

`read_pdf(data, name)` returns `ReadText(format="pdf")` whose lines carry their 1-based
PDF page, with page furniture removed, the lines of a paragraph joined, numbers broken over
a line or page rejoined, and ruled tables as one line per row (cells joined by a tab).

Why these libraries
    * pypdfium2 (BSD-3/Apache-2.0, PDFium) reads the text layer. Measured against the
      other light libraries it is the only one that keeps the reading order of two-column
      pages, it reads 260-550 pages/s, and it also renders pages for OCR and exposes the
      vector rules of tables, so one library does all three. PyMuPDF is AGPL and is not
      used.
    * pdfplumber (MIT, 0.11.10) was measured for tables and is NOT used: on the real budget report
      (raw/hebei_shijiazhuang_2018_budget_report.pdf, 30 pages of tables ruled with
      horizontal lines at the head and foot and vertical lines between the columns but
      not at the sides) `extract_tables()` returns each table as three rows with a whole
      column in one cell and loses the name column (lines strategy), or splits every
      header and cell into fragments (text strategy), and it runs at about 13 pages/s.
      The ruled-table rule below, on PDFium's own rules and characters, gives every row
      of those tables with its cells in their columns (empty cells as "") and costs
      almost nothing, so it is used instead.
    * Scanned pages go to Tesseract through `parsing.reading.ocr`.

Reading order and lines
    PDFium's text order and its line breaks are kept; each line is rebuilt from its
    characters with their boxes. Spacing follows `furniture.join_pieces`: a space is kept
    where the printed gap is at least one font size wide, dropped where narrower and a
    CJK character is on either side (so `2013 年第 13 号` becomes `2013年第13号` and the
    spaces PDFium puts into justified lines disappear), kept between two Latin/digit
    pieces. Pages with /Rotate are read in their displayed orientation; PDFium's order of
    their characters is not reliable (a page turned upside down comes out reversed), so
    their lines are rebuilt from the characters' positions (rows top to bottom, each left
    to right; a two-column rotated page then reads across its columns).

Page furniture
    `furniture.strip_furniture` per page: page numbers, running headers and footers (the
    first and last lines of the pages compared with digits masked, repeated on a good
    share of pages), the editorial imprint block. Table rows are protected.

Paragraph joining (within a page only)
    A line is appended to the previous one when all hold: same page; neither is a table
    row (a ruled-table row, or a line with two or more gaps at least one font size wide:
    the cells of an unruled table); the previous does not end a sentence or heading (。！？；：… and closing marks);
    the line is not a heading or item (`一、`, `（一）`, `1.`, `第三条`, bullets, a leading
    dash); it is the next line down (baseline step at most 1.6 times the page's usual
    line pitch) in the same font size; the previous line runs to the right edge of its
    column (within 1.5 font sizes) and starts near its left edge (within 3 font sizes,
    room for a two-character indent); and the line starts at the column's left edge
    (within 0.7 font size: an indented line opens a paragraph). A column's edges are the
    extreme x of the lines that overlap the line horizontally, so two-column pages keep
    their columns. Two lines PDFium splits on one baseline are always joined (it splits
    some printed lines at a closing quote). A paragraph that goes on over a page break
    starts a new line with the new page. OCR lines get the same rules, their font size
    compared loosely (Tesseract's boxes only estimate it).

Broken numbers
    A line that continues a number the previous line ends (`519` / `.7亿元`, `12.` / `8%`,
    `12.8` / `%`) is always joined to it, also across a page break (the joined line keeps
    the page where the number starts). (PDFium keeps `519.7` whole on the budget report
    where pdftotext and pdfplumber break it over two lines; the rule is for the files
    where PDFium does break one.)

Ruled tables
    Rules are the thin path objects (and the straight segments of other stroked paths)
    of the page, form XObjects included, drawn in a colour that shows (white or
    transparent paths, such as the white cell backgrounds LibreOffice draws, are not
    rules). Rules that touch form a grid; a grid is a table when it
    has at least three horizontal rules spanning most of its width and at least one
    vertical rule inside it. Its column boundaries are its vertical rules (and its outer
    edges); the characters inside it are grouped into rows by their vertical position;
    the rows between two horizontal rules are merged into one when they are the header
    band (at most four text rows) or when the table is ruled row by row (wrapped cells).
    A cell spanning columns (no rule crossing it) is written in its first column, the
    spanned ones as ""; a row that no rule crosses at all is split at the table's columns
    unless its text runs across one of them (then it is one spanning cell). Tables
    without vertical rules (three-line tables) are left as text lines, their cells
    separated by the wide-gap spaces.

Speed and limits
    About 130-250 pages/s on the budget report (a 2-CPU machine under load; PDFium's bare
    `get_text_range` runs 350-600 pages/s there): the cost is reading every character's
    box and walking the page objects for rules and images. OCR costs 7-10 s per page.
    PDFium is not thread-safe: read PDFs in one thread per process.

Errors (`BulletinError`, message starting with the file name)
    `encrypted_pdf` (a user password is needed), `corrupt_pdf` (PDFium cannot open it or
    a page, e.g. a truncated file, or it is not a PDF), `empty_pdf` (no pages),
    `needs_ocr` (pages without a text layer and no usable OCR engine; the message names
    the pages and the reason).
"""
from __future__ import annotations

import ctypes
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from importlib import metadata
from statistics import median
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from parsing.errors import BulletinError
from parsing.reading import ocr as ocr_mod
from parsing.reading.base import ReadText, SourceLine
from parsing.reading.furniture import (
    WIDE_GAP_EM,
    breaks_number,
    ends_paragraph,
    join_pieces,
    join_text,
    starts_paragraph,
    strip_furniture,
    wide_gaps,
)

try:
    PYPDFIUM2_VERSION = metadata.version("pypdfium2")
except metadata.PackageNotFoundError:  # pragma: no cover
    PYPDFIUM2_VERSION = str(getattr(pdfium, "version", "?"))

RULE_THICKNESS = 2.5  # points: a path thinner than this is a rule
RULE_MIN_LENGTH = 6.0
TOUCH = 2.5  # points: rules this close touch

# ---------------------------------------------------------------------------------------
# geometry records


@dataclass(slots=True)
class _Char:
    ch: str
    x0: float
    x1: float
    bottom: float
    top: float
    base: float  # baseline y
    size: float  # font size, points
    space_before: bool

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.bottom + self.top) / 2


@dataclass(slots=True)
class _Line:
    text: str
    page: int
    x0: float
    x1: float
    base: float
    em: float
    table: bool = False
    loose: bool = False  # OCR geometry: font sizes only roughly known
    gaps: int = 0  # wide gaps inside the line: two or more make it a row of an unruled table
    # of the last physical line, once lines are joined
    last_x0: float = 0.0
    last_x1: float = 0.0
    last_base: float = 0.0
    col_left: float = 0.0
    col_right: float = 0.0

    def __post_init__(self) -> None:
        self.last_x0, self.last_x1, self.last_base = self.x0, self.x1, self.base


@dataclass(slots=True)
class _Rule:
    horizontal: bool
    pos: float  # y of a horizontal rule, x of a vertical one
    lo: float
    hi: float


@dataclass
class _Table:
    x0: float
    x1: float
    bottom: float
    top: float
    bounds: list[float]  # column boundaries, left to right
    verticals: list[_Rule]
    bands: list[float]  # y of its horizontal rules, top to bottom

    def holds(self, c: _Char) -> bool:
        return self.x0 - 1 <= c.cx <= self.x1 + 1 and self.bottom - 1 <= c.cy <= self.top + 1


@dataclass
class _Page:
    number: int
    lines: list[_Line] = field(default_factory=list)
    visible_chars: int = 0
    image_share: float = 0.0
    path_count: int = 0
    tables: int = 0


# ---------------------------------------------------------------------------------------
# display-space transform


def _to_display(rotation: int, width: float, height: float):
    """Map PDF user-space (x, y) to the page as displayed (origin bottom-left); None for
    an unrotated page (identity)."""
    if rotation == 90:
        return lambda x, y: (y, width - x)
    if rotation == 180:
        return lambda x, y: (width - x, height - y)
    if rotation == 270:
        return lambda x, y: (height - y, x)
    return None


def _box(tf, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
    if tf is None:
        return left, bottom, right, top
    ax, ay = tf(left, bottom)
    bx, by = tf(right, top)
    return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


# ---------------------------------------------------------------------------------------
# characters


def _page_char_lines(textpage: pdfium.PdfTextPage, tf) -> tuple[list[list[_Char]], int]:
    """PDFium's lines of visible characters, and the number of visible characters."""
    raw = textpage.raw
    n = pdfium_c.FPDFText_CountChars(raw)
    if n <= 0:
        return [], 0
    get_unicode = pdfium_c.FPDFText_GetUnicode
    get_box = pdfium_c.FPDFText_GetLooseCharBox
    get_size = pdfium_c.FPDFText_GetFontSize
    get_origin = pdfium_c.FPDFText_GetCharOrigin
    text = textpage.get_text_range(0, n)
    direct = len(text) == n  # one str character per PDFium index (no surrogate pairs)
    lines: list[list[_Char]] = []
    cur: list[_Char] = []
    rect = pdfium_c.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    space = False
    visible = 0
    i = 0
    while i < n:
        j = i
        if direct:
            ch = text[i]
            u = ord(ch)
        else:
            u = get_unicode(raw, i)
            if 0xD800 <= u <= 0xDBFF and i + 1 < n:  # surrogate pair
                lo = get_unicode(raw, i + 1)
                if 0xDC00 <= lo <= 0xDFFF:
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
                    i += 1
            ch = chr(u)
        i += 1
        if u == 0x0D or u == 0x0A:
            if cur:
                lines.append(cur)
                cur = []
            space = False
            continue
        if u <= 0x20 or u in (0xFFFE, 0xFFFF, 0xFEFF) or ch.isspace():
            space = space or ch.isspace()
            continue
        if not get_box(raw, j, rect):
            continue
        if tf is None:
            left, bottom, right, top = rect.left, rect.bottom, rect.right, rect.top
        else:
            left, bottom, right, top = _box(tf, rect.left, rect.bottom, rect.right, rect.top)
        size = get_size(raw, j)
        if get_origin(raw, j, ox, oy):
            base = oy.value if tf is None else tf(ox.value, oy.value)[1]
        else:
            base = bottom
        if size <= 1.0:
            size = max(top - bottom, 1.0) / 1.2
        cur.append(_Char(ch, left, right, bottom, top, base, size, space))
        visible += 1
        space = False
    if cur:
        lines.append(cur)
    return lines, visible


def _geometric_lines(chars: list[_Char]) -> list[list[_Char]]:
    """Lines rebuilt from the characters' positions alone: rows top to bottom, each left to
    right, a space before a character set apart by a fifth of its size or more."""
    out: list[list[_Char]] = []
    for row in _rows_of(chars):
        row.sort(key=lambda c: c.x0)
        for a, b in zip(row, row[1:]):
            b.space_before = b.x0 - a.x1 >= 0.2 * b.size
        row[0].space_before = False
        out.append(row)
    return out


def _line_from_chars(chars: list[_Char], page: int) -> _Line | None:
    if not chars:
        return None
    em = median(c.size for c in chars)
    pieces = [(c.ch, c.x0, c.x1, c.space_before) for c in chars]
    text = join_pieces(pieces, em).strip()
    if not text:
        return None
    return _Line(
        gaps=wide_gaps(pieces, em),
        text=text,
        page=page,
        x0=min(c.x0 for c in chars),
        x1=max(c.x1 for c in chars),
        base=median(c.base for c in chars),
        em=em,
    )


# ---------------------------------------------------------------------------------------
# page objects: rules, images, paths


def _mul(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    """Matrix m applied after n (PDF row-vector convention: point * n * m)."""
    a1, b1, c1, d1, e1, f1 = n
    a2, b2, c2, d2, e2, f2 = m
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def _apply(m: tuple[float, ...], x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f


_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _visible(get_color: Any, obj: Any, r: ctypes.c_uint, g: ctypes.c_uint, b: ctypes.c_uint, a: ctypes.c_uint) -> bool:
    if not get_color(obj, r, g, b, a):
        return True
    return a.value > 0 and min(r.value, g.value, b.value) < 235  # not transparent, not white


def _inked(obj: Any, fill_mode: ctypes.c_int, stroke_flag: ctypes.c_int, *rgba: ctypes.c_uint) -> tuple[bool, bool]:
    """Whether a path is filled and whether it is stroked, in a colour that shows on paper."""
    if not pdfium_c.FPDFPath_GetDrawMode(obj, fill_mode, stroke_flag):
        return True, True
    filled = fill_mode.value != 0 and _visible(pdfium_c.FPDFPageObj_GetFillColor, obj, *rgba)
    stroked = bool(stroke_flag.value) and _visible(pdfium_c.FPDFPageObj_GetStrokeColor, obj, *rgba)
    return filled, stroked


def _scan_objects(page: pdfium.PdfPage, tf) -> tuple[list[_Rule], float, int]:
    """The page's rules (display space), the area its images cover, its path count."""
    rules: list[_Rule] = []
    image_area = 0.0
    paths = 0
    fl, fb, fr, ft = (ctypes.c_float() for _ in range(4))
    mat = pdfium_c.FS_MATRIX()
    px, py = ctypes.c_float(), ctypes.c_float()
    fill_mode, stroke_flag = ctypes.c_int(), ctypes.c_int()
    cr, cg, cb, ca = (ctypes.c_uint() for _ in range(4))

    def add(x0: float, y0: float, x1: float, y1: float) -> None:
        left, bottom, right, top = _box(tf, min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        w, h = right - left, top - bottom
        if h <= RULE_THICKNESS and w >= RULE_MIN_LENGTH:
            rules.append(_Rule(True, (bottom + top) / 2, left, right))
        elif w <= RULE_THICKNESS and h >= RULE_MIN_LENGTH:
            rules.append(_Rule(False, (left + right) / 2, bottom, top))

    def walk(count: int, get: Any, parent: Any, ctm: tuple[float, ...], depth: int) -> None:
        nonlocal image_area, paths
        get_type = pdfium_c.FPDFPageObj_GetType
        text_kind = pdfium_c.FPDF_PAGEOBJ_TEXT
        for k in range(count):
            obj = get(parent, k)
            kind = get_type(obj)
            if kind == text_kind:
                continue
            if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
                if depth < 6 and pdfium_c.FPDFPageObj_GetMatrix(obj, mat):
                    m = _mul(ctm, (mat.a, mat.b, mat.c, mat.d, mat.e, mat.f))
                    walk(pdfium_c.FPDFFormObj_CountObjects(obj), pdfium_c.FPDFFormObj_GetObject, obj, m, depth + 1)
                continue
            if kind not in (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_IMAGE):
                continue
            if not pdfium_c.FPDFPageObj_GetBounds(obj, fl, fb, fr, ft):
                continue
            corners = [_apply(ctm, x, y) for x, y in ((fl.value, fb.value), (fr.value, ft.value),
                                                       (fl.value, ft.value), (fr.value, fb.value))]
            x0, x1 = min(c[0] for c in corners), max(c[0] for c in corners)
            y0, y1 = min(c[1] for c in corners), max(c[1] for c in corners)
            if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                image_area += (x1 - x0) * (y1 - y0)
                continue
            paths += 1
            filled, stroked = _inked(obj, fill_mode, stroke_flag, cr, cg, cb, ca)
            if min(x1 - x0, y1 - y0) <= RULE_THICKNESS:
                if filled or stroked:
                    add(x0, y0, x1, y1)
                continue
            if not stroked:  # a filled shape (a cell's shading, a white background): no rules
                continue
            n_seg = pdfium_c.FPDFPath_CountSegments(obj)
            if n_seg <= 0 or n_seg > 400 or not pdfium_c.FPDFPageObj_GetMatrix(obj, mat):
                continue
            m = _mul(ctm, (mat.a, mat.b, mat.c, mat.d, mat.e, mat.f))
            start = last = None
            for s in range(n_seg):
                seg = pdfium_c.FPDFPath_GetPathSegment(obj, s)
                if not pdfium_c.FPDFPathSegment_GetPoint(seg, px, py):
                    continue
                pt = _apply(m, px.value, py.value)
                kind_s = pdfium_c.FPDFPathSegment_GetType(seg)
                if kind_s == pdfium_c.FPDF_SEGMENT_MOVETO:
                    start = last = pt
                    continue
                if kind_s == pdfium_c.FPDF_SEGMENT_LINETO and last is not None:
                    add(last[0], last[1], pt[0], pt[1])
                last = pt
                if pdfium_c.FPDFPathSegment_GetClose(seg) and start is not None:
                    add(pt[0], pt[1], start[0], start[1])
                    last = start

    walk(pdfium_c.FPDFPage_CountObjects(page.raw), pdfium_c.FPDFPage_GetObject, page.raw, _IDENTITY, 0)
    return rules, image_area, paths


# ---------------------------------------------------------------------------------------
# ruled tables


def _merge_rules(rules: list[_Rule]) -> list[_Rule]:
    out: list[_Rule] = []
    for r in sorted(rules, key=lambda r: (r.horizontal, round(r.pos), r.lo)):
        for o in out:
            if o.horizontal == r.horizontal and abs(o.pos - r.pos) <= 1.5 and r.lo <= o.hi + TOUCH and r.hi >= o.lo - TOUCH:
                o.lo, o.hi = min(o.lo, r.lo), max(o.hi, r.hi)
                break
        else:
            out.append(_Rule(r.horizontal, r.pos, r.lo, r.hi))
    return out


def _find_tables(rules: list[_Rule]) -> list[_Table]:
    rules = _merge_rules(rules)
    if len(rules) < 4:
        return []
    parent = list(range(len(rules)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def touches(a: _Rule, b: _Rule) -> bool:
        if a.horizontal == b.horizontal:
            return abs(a.pos - b.pos) <= 1.5 and a.lo <= b.hi + TOUCH and a.hi >= b.lo - TOUCH
        h, v = (a, b) if a.horizontal else (b, a)
        return h.lo - TOUCH <= v.pos <= h.hi + TOUCH and v.lo - TOUCH <= h.pos <= v.hi + TOUCH

    for i in range(len(rules)):
        for j in range(i + 1, len(rules)):
            if touches(rules[i], rules[j]):
                parent[find(i)] = find(j)
    groups: dict[int, list[_Rule]] = {}
    for i, r in enumerate(rules):
        groups.setdefault(find(i), []).append(r)

    tables: list[_Table] = []
    for group in groups.values():
        hs = [r for r in group if r.horizontal]
        vs = [r for r in group if not r.horizontal]
        if not hs or not vs:
            continue
        x0 = min([h.lo for h in hs] + [v.pos for v in vs])
        x1 = max([h.hi for h in hs] + [v.pos for v in vs])
        bottom = min([h.pos for h in hs] + [v.lo for v in vs])
        top = max([h.pos for h in hs] + [v.hi for v in vs])
        width = x1 - x0
        wide = sorted({round(h.pos, 1) for h in hs if h.hi - h.lo >= 0.9 * width}, reverse=True)
        inner = sorted({round(v.pos, 1) for v in vs if x0 + 3 < v.pos < x1 - 3})
        columns: list[float] = []
        for x in inner:
            if not columns or x - columns[-1] > 3:
                columns.append(x)
        if len(wide) < 3 or not columns or top - bottom < 12:
            continue
        bands = sorted({round(h.pos, 1) for h in hs if h.hi - h.lo >= 0.5 * width}, reverse=True)
        tables.append(_Table(x0, x1, bottom, top, [x0, *columns, x1], vs, bands))
    return tables


def _rows_of(chars: list[_Char]) -> list[list[_Char]]:
    """Characters grouped into text rows by vertical position, top to bottom."""
    rows: list[list[_Char]] = []
    mean = total = 0.0
    for c in sorted(chars, key=lambda c: -c.cy):
        cy = c.cy
        if rows and abs(mean - cy) <= 0.5 * c.size:
            rows[-1].append(c)
            total += cy
            mean = total / len(rows[-1])
        else:
            rows.append([c])
            mean = total = cy
    return rows


def _straddles(rows: list[list[_Char]], bounds: list[float]) -> bool:
    """Whether a run of closely set characters crosses one of the column boundaries."""
    for row in rows:
        chars = sorted(row, key=lambda c: c.x0)
        for a, b in zip(chars, chars[1:]):
            if b.x0 - a.x1 < WIDE_GAP_EM * max(a.size, b.size) and any(a.cx < x < b.cx for x in bounds):
                return True
    return False


def _cells(table: _Table, rows: list[list[_Char]]) -> list[str]:
    """The cells of one logical row (one or more text rows of a band)."""
    ncols = len(table.bounds) - 1
    y = sum(c.cy for row in rows for c in row) / sum(len(row) for row in rows)
    ys = [c.cy for row in rows for c in row]
    lo, hi = min(ys), max(ys)
    crossing = sorted({v.pos for v in table.verticals
                       if table.x0 + 3 < v.pos < table.x1 - 3 and v.lo - TOUCH <= hi and v.hi + TOUCH >= lo
                       and v.lo - TOUCH <= y <= v.hi + TOUCH})
    if crossing:
        edges = [table.x0, *crossing, table.x1]
    elif _straddles(rows, table.bounds[1:-1]):
        edges = [table.x0, table.x1]  # text runs across the columns: one cell spanning them
    else:
        edges = table.bounds  # no rules here (an open table body): the table's columns
    segments = list(zip(edges, edges[1:]))
    inner_edges = edges[1:-1]
    parts: list[list[str]] = [[] for _ in segments]
    for row in rows:
        split: list[list[_Char]] = [[] for _ in segments]
        for c in row:
            split[bisect_right(inner_edges, c.cx)].append(c)
        for s, inside in enumerate(split):
            if inside:
                inside.sort(key=lambda c: c.x0)
                em = median(c.size for c in inside)
                parts[s].append(join_pieces([(c.ch, c.x0, c.x1, c.space_before) for c in inside], em).strip())
    cells = [""] * ncols
    for s, (a, _b) in enumerate(segments):
        text = ""
        for piece in parts[s]:
            text = join_text(text, piece) if text else piece
        col = next((k for k in range(ncols) if table.bounds[k + 1] > a + 3), ncols - 1)
        cells[col] = text
    return cells


def _table_lines(table: _Table, chars: list[_Char], page: int) -> list[_Line]:
    rows = _rows_of(chars)
    if not rows:
        return []

    def band_of(row: list[_Char]) -> int:
        y = sum(c.cy for c in row) / len(row)
        return sum(1 for b in table.bands if b > y)

    bands: dict[int, list[list[_Char]]] = {}
    for row in rows:
        bands.setdefault(band_of(row), []).append(row)
    per_band = sorted(len(v) for v in bands.values())
    row_ruled = len(bands) >= 3 and median(per_band) <= 1.5
    first = min(bands)
    logical: list[list[list[_Char]]] = []
    for b in sorted(bands):
        band_rows = bands[b]
        if len(band_rows) > 1 and ((b == first and len(bands) >= 2 and len(band_rows) <= 4)
                                   or (row_ruled and len(band_rows) <= 6)):
            logical.append(band_rows)
        else:
            logical.extend([r] for r in band_rows)
    out: list[_Line] = []
    for group in logical:
        cells = _cells(table, group)
        if not any(cells):
            continue
        flat = [c for r in group for c in r]
        out.append(_Line(
            text="\t".join(cells),
            page=page,
            x0=table.x0,
            x1=table.x1,
            base=median(c.base for c in flat),
            em=median(c.size for c in flat),
            table=True,
        ))
    return out


# ---------------------------------------------------------------------------------------
# one page


def _read_page(doc: pdfium.PdfDocument, index: int, name: str) -> _Page:
    number = index + 1
    try:
        page = doc[index]
    except Exception as e:  # PdfiumError and friends
        raise BulletinError("corrupt_pdf", f"{name}: page {number} cannot be loaded ({e})") from e
    try:
        width, height = page.get_size()
        rotation = page.get_rotation() % 360
        tf = _to_display(rotation, width, height)
        textpage = page.get_textpage()
        try:
            char_lines, visible = _page_char_lines(textpage, tf)
            if tf is not None:  # PDFium orders a rotated page's characters unreliably
                char_lines = _geometric_lines([c for line in char_lines for c in line])
        finally:
            textpage.close()
        rules, image_area, paths = _scan_objects(page, tf)
    finally:
        page.close()
    result = _Page(number, visible_chars=visible, path_count=paths,
                   image_share=min(image_area / max(width * height, 1.0), 1.0))
    tables = _find_tables(rules) if rules else []
    table_chars: list[list[_Char]] = [[] for _ in tables]
    placed: list[int | None] = [None] * len(tables)
    slots: list[_Line | int] = []  # text lines, and table indices where a table's rows go
    for chars in char_lines:
        rest: list[_Char] = []
        for c in chars:
            t = next((k for k, tb in enumerate(tables) if tb.holds(c)), None)
            if t is None:
                rest.append(c)
                continue
            table_chars[t].append(c)
            if placed[t] is None:
                placed[t] = len(slots)
                slots.append(t)
        line = _line_from_chars(rest, number)
        if line is not None:
            slots.append(line)
    for slot in slots:
        if isinstance(slot, int):
            rows = _table_lines(tables[slot], table_chars[slot], number)
            result.lines.extend(rows)
            result.tables += bool(rows)
        else:
            result.lines.append(slot)
    return result


def _ocr_lines(page: ocr_mod.OcrPage) -> list[_Line]:
    return [
        _Line(text=ln.text, page=page.page, x0=ln.x0, x1=ln.x1, base=ln.bottom, em=max(ln.em, 1.0), loose=True,
              gaps=ln.wide_gaps)
        for ln in page.lines
    ]


# ---------------------------------------------------------------------------------------
# joining


def _same_size(a: _Line, b: _Line, tolerance: float = 0.2) -> bool:
    if a.loose or b.loose:
        tolerance = 0.6
    return abs(a.em - b.em) <= tolerance * max(a.em, b.em)


def _page_geometry(lines: list[_Line]) -> float:
    """Set each line's column edges; return the page's usual line pitch."""
    body = [ln for ln in lines if not ln.table]
    for ln in body:
        width = max(ln.x1 - ln.x0, 1.0)
        overlapping = [
            o for o in body
            if _same_size(o, ln)
            and min(o.x1, ln.x1) - max(o.x0, ln.x0) >= 0.5 * min(width, max(o.x1 - o.x0, 1.0))
        ]
        ln.col_left = min(o.x0 for o in overlapping)
        ln.col_right = max(o.x1 for o in overlapping)
    steps = [
        a.base - b.base for a, b in zip(body, body[1:])
        if _same_size(a, b) and 0.3 * a.em < a.base - b.base < 4 * a.em
    ]
    return median(steps) if steps else 0.0


def _continues(prev: _Line, cur: _Line, pitch: float) -> bool:
    """Whether `cur` is the next printed line of `prev`'s paragraph (same page)."""
    if prev.table or cur.table:
        return False
    em = max(prev.em, cur.em)
    step = prev.last_base - cur.base
    if abs(step) <= 0.3 * em and cur.x0 >= prev.last_x1 - 0.5 * em:
        return True  # one printed line that PDFium split
    if breaks_number(prev.text, cur.text) and 0 < step <= 3 * em:
        return True
    if ends_paragraph(prev.text) or starts_paragraph(cur.text):
        return False
    if prev.gaps >= 2 or cur.gaps >= 2:  # rows of an unruled table
        return False
    if not _same_size(prev, cur, 0.15):
        return False
    limit = 1.6 * pitch if pitch > 0 else 2.2 * em
    if not (0.3 * em < step <= limit):
        return False
    if prev.last_x1 < prev.col_right - 1.5 * em or prev.last_x0 > prev.col_left + 3 * em:
        return False
    return cur.x0 <= cur.col_left + 0.7 * em


def _reflow(pages: list[list[_Line]]) -> list[SourceLine]:
    out: list[_Line] = []
    for lines in pages:
        pitch = _page_geometry(lines)
        for k, cur in enumerate(lines):
            if out:
                prev = out[-1]
                if prev.page == cur.page:
                    join = _continues(prev, cur, pitch)
                else:  # across a page break only a broken number is rejoined
                    join = k == 0 and not prev.table and not cur.table and breaks_number(prev.text, cur.text)
                if join:
                    same_row = prev.page == cur.page and abs(prev.last_base - cur.base) <= 0.3 * max(prev.em, cur.em)
                    prev.text = join_text(prev.text, cur.text)
                    if same_row:  # the rest of one printed line
                        prev.last_x1 = max(prev.last_x1, cur.x1)
                        prev.col_right = max(prev.col_right, cur.col_right)
                        prev.col_left = min(prev.col_left, cur.col_left)
                    elif prev.page == cur.page:
                        prev.last_x0, prev.last_x1, prev.last_base = cur.x0, cur.x1, cur.base
                        prev.col_left, prev.col_right = cur.col_left, cur.col_right
                    continue
            out.append(_Line(cur.text, cur.page, cur.x0, cur.x1, cur.base, cur.em, cur.table, cur.loose, cur.gaps))
            out[-1].col_left, out[-1].col_right = cur.col_left, cur.col_right
    return [SourceLine(ln.text, ln.page) for ln in out if ln.text.strip()]


# ---------------------------------------------------------------------------------------
# opening


def _declares_no_pages(data: bytes) -> bool:
    return bool(
        re.search(rb"/Type\s*/Pages\b", data)
        and re.search(rb"/Count\s+0(?![\d.])", data)
        and not re.search(rb"/Type\s*/Page(?![A-Za-z])", data)
    )


def _open(data: bytes, name: str) -> pdfium.PdfDocument:
    if not data:
        raise BulletinError("corrupt_pdf", f"{name}: the file is empty (0 bytes)")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        code = getattr(e, "err_code", None)
        if code == pdfium_c.FPDF_ERR_PASSWORD:
            raise BulletinError("encrypted_pdf", f"{name}: the PDF is password-protected") from e
        if code == pdfium_c.FPDF_ERR_SECURITY:
            raise BulletinError("encrypted_pdf", f"{name}: the PDF is encrypted with an unsupported security handler") from e
        if _declares_no_pages(data):
            raise BulletinError("empty_pdf", f"{name}: the PDF has no pages") from e
        head = data[:1024].lstrip()
        if not head.startswith(b"%PDF") and b"%PDF-" not in data[:1024]:
            raise BulletinError("corrupt_pdf", f"{name}: not a PDF (starts with {data[:16]!r})") from e
        tail = "" if b"%%EOF" in data[-2048:] else ", no end-of-file marker (truncated?)"
        raise BulletinError("corrupt_pdf", f"{name}: pypdfium2 cannot open it ({e}); {len(data)} bytes{tail}") from e


# ---------------------------------------------------------------------------------------
# the reader


def read_pdf(
    data: bytes,
    name: str,
    *,
    ocr: bool = True,
    tesseract_cmd: str | None = None,
    ocr_dpi: int = ocr_mod.DEFAULT_DPI,
) -> ReadText:
    """Read a PDF's lines (see the module docstring).

    `ocr=False` refuses scanned pages (`needs_ocr`) instead of reading them;
    `tesseract_cmd` (else env `GONGBAO_TESSERACT`, else `tesseract` on PATH) is the OCR
    engine's binary.
    """
    doc = _open(data, name)
    try:
        page_count = len(doc)
        if page_count == 0:
            raise BulletinError("empty_pdf", f"{name}: the PDF has no pages")
        pages = [_read_page(doc, i, name) for i in range(page_count)]
        scanned = [p.number for p in pages if ocr_mod.looks_scanned(p.visible_chars, p.image_share, p.path_count)]
        flags: list[str] = []
        reader = f"pypdfium2 {PYPDFIUM2_VERSION}"
        ocr_pages: list[int] = []
        confidence: float | None = None
        if scanned:
            listed = (f"page {scanned[0]} has" if len(scanned) == 1
                      else f"pages {', '.join(map(str, scanned))} have")
            if not ocr:
                raise BulletinError("needs_ocr", f"{name}: {listed} no text layer and OCR is off")
            try:
                engine = ocr_mod.find_engine(tesseract_cmd)
            except ocr_mod.OcrUnavailable as e:
                raise BulletinError(
                    "needs_ocr", f"{name}: {listed} no text layer and no OCR engine is available ({e})"
                ) from e
            reader += f" + {engine.label}"
            flags.append("ocr")
            total = 0.0
            words = 0
            for number in scanned:
                page = doc[number - 1]
                try:
                    result = ocr_mod.ocr_page(page, engine, page_no=number, dpi=ocr_dpi)
                finally:
                    page.close()
                pages[number - 1].lines = _ocr_lines(result)
                ocr_pages.append(number)
                if not result.lines:
                    flags.append(f"ocr_unreadable:p{number}")
                if result.confidence is not None:
                    total += result.confidence * result.words
                    words += result.words
            confidence = round(total / words, 2) if words else None
    finally:
        doc.close()

    kept, _removed = strip_furniture(
        [p.lines for p in pages], lambda ln: ln.text, protected=lambda ln: ln.table
    )
    return ReadText(
        lines=_reflow(kept),
        format="pdf",
        reader=reader,
        page_count=page_count,
        flags=flags,
        ocr_pages=ocr_pages,
        ocr_confidence=confidence,
    )
