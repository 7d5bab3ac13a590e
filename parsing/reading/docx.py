"""Read a Word file (.docx): paragraphs and table rows in document order, one line each.

`read_docx(data, name)` opens the package with python-docx 1.2.0 (MIT; it parses the
OOXML package, styles and numbering parts and gives the body's XML with typed table
cells: `grid_span`, `vMerge`) and walks the body itself, because python-docx's own
`Paragraph.text` leaves out runs inside tracked insertions, content controls (`w:sdt`)
and simple fields, and `Document.iter_inner_content()` skips body-level content
controls. The rules:

- Block order. The body's `w:p` and `w:tbl` children in document order; content
  controls (`w:sdt`) and `w:customXml` wrappers are entered. Section properties,
  headers and footers (page numbers, running titles: furniture) are not read, nor are
  footnotes and comments.
- Paragraphs. One paragraph is one line. Its text is the runs' `w:t`, including
  hyperlinks, fields' shown results, tracked insertions and smart tags; deleted text
  (`w:del`, `w:moveFrom`), field codes (`w:instrText`) and ruby annotations are left out.
  A tab or a line break inside a paragraph becomes a space (a tab is the cell separator
  of a line); a non-breaking hyphen "-". Whitespace runs collapse, lines are stripped,
  and empty paragraphs are not emitted (blank lines are left out everywhere, as in the
  HTML reader). Automatic list numbers (`w:numPr`, direct or from the paragraph's
  style) are rendered from numbering.xml ("一、", "（一）", "1.", "①" …) because Chinese
  documents number their sections that way and the parser reads the numbers; bullets
  are not rendered. Text boxes (`w:txbxContent`, from `mc:Choice`, not the duplicate
  `mc:Fallback`) give their paragraphs as lines after the paragraph that anchors them.
- Tables. One line per row, cells joined by "\\t"; a cell's paragraphs are joined by a
  space (tabs in it become spaces); a table nested in a cell is flattened into that
  cell's text. Merged cells: python-docx repeats a merged cell's object in every grid
  column it spans and, for a vertical merge, in every row; here its text is written
  once, at its top-left grid position, and every other position it covers (`gridSpan`
  to the right, `vMerge="continue"` below) is an empty cell, so columns stay aligned
  (the table parser fills empty header cells from the left). `gridBefore` positions
  are empty cells. Grid columns in which no cell with text starts in any row are
  dropped (Word makes a grid column for every cell edge: the Chengde 附表1 has 20 grid
  columns for 5 logical ones), so every row has the table's logical width; tables glued one under
  another into one Word table (the Chengde 附表1–5) are compacted each on its own. Rows without text and
  deleted rows are dropped. A table of one column is a frame, not a data table: its
  cells' paragraphs are read as lines.

Errors: bytes that are not a ZIP, or a ZIP without a Word main document (no
word/document.xml and no officeDocument relation to a WordprocessingML part) →
`BulletinError("not_docx")`; a ZIP that is truncated, fails its CRC check or whose XML
does not parse → `BulletinError("corrupt_docx")`.
"""
from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import docx
from lxml import etree

from parsing.errors import BulletinError
from parsing.reading.grid import compact_grid
from parsing.reading.base import ReadText, SourceLine

__all__ = ["read_docx", "READER"]

READER = f"python-docx {docx.__version__}"

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_WORD_MAIN = re.compile(r"application/vnd\.(?:openxmlformats-officedocument\.wordprocessingml|ms-word)\.(?:document|template)")
_WS = re.compile(r"[ \t\n\r\f\v\xa0\u200b\ufeff]+")


def _collapse(text: str) -> str:
    return _WS.sub(" ", text).strip()


# ---------------------------------------------------------------- numbering

_CN_DIGITS = "零一二三四五六七八九"
_CN_LEGAL = "零壹贰叁肆伍陆柒捌玖"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"


def _chinese(n: int, digits: str = _CN_DIGITS, units: str = "十百千") -> str:
    if n <= 0 or n >= 10000:
        return str(n)
    out = ""
    parts = [(n // 1000, units[2]), (n // 100 % 10, units[1]), (n // 10 % 10, units[0]), (n % 10, "")]
    zero = False
    for d, unit in parts:
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += digits[0]
            zero = False
        out += digits[d] + unit
    if 10 <= n < 20 and digits is _CN_DIGITS:
        out = out[1:]  # 十一, not 一十一
    return out


def _roman(n: int) -> str:
    if n <= 0 or n >= 4000:
        return str(n)
    out = ""
    for v, s in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                 (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out += s
            n -= v
    return out


def _letters(n: int) -> str:
    if n <= 0:
        return str(n)
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _format(n: int, fmt: str) -> str:
    if fmt in ("decimal", "ordinal", "cardinalText", "ordinalText"):
        return str(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting", "taiwaneseCountingThousand",
               "japaneseCounting", "koreanCounting", "ideographLegalTraditional"):
        return _chinese(n) if fmt != "ideographLegalTraditional" else _chinese(n, _CN_LEGAL, "拾佰仟")
    if fmt == "chineseLegalSimplified":
        return _chinese(n, _CN_LEGAL, "拾佰仟")
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand", "koreanDigital"):
        return "".join("〇一二三四五六七八九"[int(d)] for d in str(n))
    if fmt == "ideographTraditional":
        return _TIANGAN[(n - 1) % 10] if n > 0 else str(n)
    if fmt == "ideographZodiac":
        return _DIZHI[(n - 1) % 12] if n > 0 else str(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        return chr(0x2460 + n - 1) if 1 <= n <= 20 else str(n)
    if fmt == "decimalEnclosedParen":
        return chr(0x2474 + n - 1) if 1 <= n <= 20 else f"({n})"
    if fmt == "decimalEnclosedFullstop":
        return chr(0x2488 + n - 1) if 1 <= n <= 20 else f"{n}."
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "upperLetter":
        return _letters(n)
    if fmt == "lowerLetter":
        return _letters(n).lower()
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "none":
        return ""
    return str(n)


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    suffix: str = "tab"
    legal: bool = False
    style: str | None = None


@dataclass
class _Numbering:
    """List labels from numbering.xml, counted in document order (per abstract list, as Word does)."""

    abstract: dict[str, dict[int, _Level]] = field(default_factory=dict)
    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)  # numId -> (abstractId, start overrides)
    style_num: dict[str, tuple[str, int | None]] = field(default_factory=dict)  # styleId -> (numId, ilvl)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)
    used: bool = False

    @classmethod
    def of(cls, document: docx.document.Document) -> _Numbering:
        self = cls()
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError, ValueError):
            root = None
        if root is not None:
            for ab in root.iterchildren(_W + "abstractNum"):
                levels: dict[int, _Level] = {}
                for lvl in ab.iterchildren(_W + "lvl"):
                    lv = _Level()
                    for tag, attr in (("numFmt", "fmt"), ("lvlText", "text"), ("suff", "suffix"), ("pStyle", "style")):
                        el = lvl.find(_W + tag)
                        if el is not None and el.get(_W + "val") is not None:
                            setattr(lv, attr, el.get(_W + "val"))
                    start = lvl.find(_W + "start")
                    if start is not None:
                        lv.start = _int(start.get(_W + "val"), 1)
                    lv.legal = lvl.find(_W + "isLgl") is not None
                    levels[_int(lvl.get(_W + "ilvl"), 0)] = lv
                self.abstract[ab.get(_W + "abstractNumId", "")] = levels
            for num in root.iterchildren(_W + "num"):
                ab_id = num.find(_W + "abstractNumId")
                overrides = {}
                for ov in num.iterchildren(_W + "lvlOverride"):
                    so = ov.find(_W + "startOverride")
                    if so is not None:
                        overrides[_int(ov.get(_W + "ilvl"), 0)] = _int(so.get(_W + "val"), 1)
                if ab_id is not None:
                    self.nums[num.get(_W + "numId", "")] = (ab_id.get(_W + "val", ""), overrides)
        try:
            styles = document.part.styles.element
        except (KeyError, NotImplementedError, AttributeError, ValueError):
            styles = None
        if styles is not None:
            based: dict[str, str] = {}
            own: dict[str, tuple[str, int | None]] = {}
            for st in styles.iterchildren(_W + "style"):
                sid = st.get(_W + "styleId", "")
                b = st.find(_W + "basedOn")
                if b is not None:
                    based[sid] = b.get(_W + "val", "")
                np_ = st.find(f"{_W}pPr/{_W}numPr")
                if np_ is not None:
                    nid = np_.find(_W + "numId")
                    il = np_.find(_W + "ilvl")
                    if nid is not None:
                        own[sid] = (nid.get(_W + "val", "0"), _int(il.get(_W + "val"), 0) if il is not None else None)
            for sid in {s.get(_W + "styleId", "") for s in styles.iterchildren(_W + "style")}:
                cur, seen = sid, set()
                while cur and cur not in own and cur not in seen:
                    seen.add(cur)
                    cur = based.get(cur, "")
                if cur in own:
                    self.style_num[sid] = own[cur]
        return self

    def label(self, p: etree._Element) -> str:
        ppr = p.find(_W + "pPr")
        num_id: str | None = None
        ilvl: int | None = None
        style: str | None = None
        if ppr is not None:
            ps = ppr.find(_W + "pStyle")
            style = ps.get(_W + "val") if ps is not None else None
            np_ = ppr.find(_W + "numPr")
            if np_ is not None:
                nid, il = np_.find(_W + "numId"), np_.find(_W + "ilvl")
                num_id = nid.get(_W + "val") if nid is not None else None
                ilvl = _int(il.get(_W + "val"), 0) if il is not None else None
        if num_id is None and style and style in self.style_num:
            num_id, ilvl = self.style_num[style]
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        ab_id, overrides = self.nums[num_id]
        levels = self.abstract.get(ab_id, {})
        if ilvl is None:
            ilvl = next((k for k, lv in levels.items() if style and lv.style == style), 0)
        lv = levels.get(ilvl)
        if lv is None:
            return ""
        counts = self.counters.setdefault(ab_id, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for k, start in overrides.items():
                counts[k] = start - 1
        counts[ilvl] = counts.get(ilvl, lv.start - 1) + 1
        for k in [k for k in counts if k > ilvl]:
            del counts[k]
        if lv.fmt == "bullet":
            return ""

        def sub(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            other = levels.get(k, _Level())
            n = counts.get(k, other.start)
            return _format(n, "decimal" if lv.legal and k != ilvl else other.fmt)

        text = re.sub(r"%(\d)", sub, lv.text)
        if not text.strip():
            return ""
        self.used = True
        if lv.suffix in ("tab", "space") and not re.search(r"[、，．。）)\]】：:]$", text):
            text += " "
        return text


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


# ---------------------------------------------------------------- text

_SKIP_SUBTREES = {_W + t for t in ("del", "moveFrom", "instrText", "delText", "rt", "footnoteReference",
                                   "endnoteReference", "commentReference", "pPr", "rPr")} | {_MC + "Fallback"}


class _Body:
    def __init__(self, numbering: _Numbering) -> None:
        self.numbering = numbering
        self.lines: list[str] = []

    # -- paragraphs

    def _runs(self, el: etree._Element, out: list[str], boxes: list[etree._Element]) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in _SKIP_SUBTREES:
                continue
            if tag == _W + "t":
                out.append(child.text or "")
            elif tag in (_W + "tab", _W + "br", _W + "cr", _W + "ptab"):
                out.append(" ")
            elif tag == _W + "noBreakHyphen":
                out.append("-")
            elif tag == _W + "txbxContent":
                boxes.append(child)
            else:
                self._runs(child, out, boxes)

    def paragraph_text(self, p: etree._Element, boxes: list[etree._Element]) -> str:
        out: list[str] = []
        self._runs(p, out, boxes)
        text = _collapse("".join(out))
        label = self.numbering.label(p)
        return _collapse(label + text) if text else ""

    def paragraph(self, p: etree._Element) -> None:
        boxes: list[etree._Element] = []
        text = self.paragraph_text(p, boxes)
        if text:
            self.lines.append(text)
        for box in boxes:
            self.blocks(box)

    # -- tables

    def cell_text(self, tc: etree._Element) -> str:
        parts: list[str] = []
        for kind, el in _blocks(tc):
            if kind == "p":
                boxes: list[etree._Element] = []
                parts.append(self.paragraph_text(el, boxes))
                for box in boxes:
                    parts.extend(self.paragraph_text(q, []) for q in box.iter(_W + "p"))
            else:
                for tr in _rows(el):
                    parts.extend(self.cell_text(c) for c in _row_cells(tr))
        return _collapse(" ".join(x for x in parts if x)).replace("\t", " ")

    def table(self, tbl: etree._Element) -> None:
        grid: list[list[tuple[str, bool]]] = []  # (text, a cell starts here) per grid column
        for tr in _rows(tbl):
            trpr = tr.find(_W + "trPr")
            if trpr is not None and trpr.find(_W + "del") is not None:
                continue
            row: list[tuple[str, bool]] = [("", False)] * _grid(trpr, "gridBefore")
            for tc in _row_cells(tr):
                span = max(1, min(_int(_tcpr_val(tc, "gridSpan"), 1), 1000))
                vmerge = tc.find(f"{_W}tcPr/{_W}vMerge")
                if vmerge is not None and vmerge.get(_W + "val", "continue") == "continue":
                    row.append(("", False))  # covered by the cell above
                else:
                    row.append((self.cell_text(tc), True))
                row.extend([("", False)] * (span - 1))
            grid.append(row)
        rows = compact_grid(grid)
        if max((len(r) for r in rows), default=0) <= 1:  # a frame around text, not a data table
            for tr in _rows(tbl):
                for tc in _row_cells(tr):
                    self.blocks(tc)
            return
        self.lines.extend("\t".join(r) for r in rows if any(c.strip() for c in r))

    def blocks(self, container: etree._Element) -> None:
        for kind, el in _blocks(container):
            if kind == "p":
                self.paragraph(el)
            else:
                self.table(el)




def _blocks(container: etree._Element) -> Iterator[tuple[str, etree._Element]]:
    """The paragraphs and tables of a body, cell or text box, entering content controls."""
    for child in container:
        tag = child.tag
        if tag == _W + "p":
            yield "p", child
        elif tag == _W + "tbl":
            yield "tbl", child
        elif tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                yield from _blocks(content)
        elif tag in (_W + "customXml", _W + "ins", _W + "smartTag"):
            yield from _blocks(child)


def _children(el: etree._Element, tag: str) -> list[etree._Element]:
    """The `tag` children of a table (rows) or a row (cells), also those wrapped in a content
    control (w:sdt) or custom XML."""
    out = []
    for child in el:
        if child.tag == _W + tag:
            out.append(child)
        elif child.tag in (_W + "sdt", _W + "customXml"):
            inner = child.find(_W + "sdtContent") if child.tag == _W + "sdt" else child
            if inner is not None:
                out.extend(c for c in inner if c.tag == _W + tag)
    return out


def _rows(tbl: etree._Element) -> list[etree._Element]:
    return _children(tbl, "tr")


def _row_cells(tr: etree._Element) -> list[etree._Element]:
    return _children(tr, "tc")


def _tcpr_val(tc: etree._Element, tag: str) -> str | None:
    el = tc.find(f"{_W}tcPr/{_W}{tag}")
    return el.get(_W + "val") if el is not None else None


def _grid(trpr: etree._Element | None, tag: str) -> int:
    if trpr is None:
        return 0
    el = trpr.find(_W + tag)
    return max(0, min(_int(el.get(_W + "val"), 0), 1000)) if el is not None else 0


# ---------------------------------------------------------------- package checks

def _check_package(data: bytes, name: str) -> None:
    if not data.startswith(b"PK"):
        what = "an OLE file (.doc/.wps: read it with read_office)" if data.startswith(b"\xd0\xcf\x11\xe0") else "not a ZIP archive"
        raise BulletinError("not_docx", f"{name}: this is {what}, not a DOCX")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            main = _main_part(zf, names)
            if main is None:
                hint = " (an XLSX workbook)" if "xl/workbook.xml" in names else " (a PPTX presentation)" if "ppt/presentation.xml" in names else ""
                raise BulletinError("not_docx", f"{name}: a ZIP archive without word/document.xml{hint}, not a DOCX")
            bad = zf.testzip()
            if bad is not None:
                raise BulletinError("corrupt_docx", f"{name}: the DOCX is damaged (CRC error in {bad})")
    except zipfile.BadZipFile as err:
        raise BulletinError("corrupt_docx", f"{name}: the DOCX is not a readable ZIP archive (truncated or damaged: {err})") from err
    except (EOFError, OSError, zlib.error, zipfile.LargeZipFile, NotImplementedError) as err:
        raise BulletinError("corrupt_docx", f"{name}: the DOCX cannot be unpacked ({err})") from err


def _main_part(zf: zipfile.ZipFile, names: set[str]) -> str | None:
    if "word/document.xml" in names:
        return "word/document.xml"
    if "_rels/.rels" not in names or "[Content_Types].xml" not in names:
        return None
    try:
        rels = etree.fromstring(zf.read("_rels/.rels"))
        types = etree.fromstring(zf.read("[Content_Types].xml"))
    except (etree.XMLSyntaxError, KeyError, zipfile.BadZipFile):
        return None
    overrides = {o.get("PartName", "").lstrip("/"): o.get("ContentType", "") for o in types if str(o.tag).endswith("Override")}
    for rel in rels:
        if str(rel.get("Type", "")).endswith("/officeDocument"):
            target = posixpath.normpath(rel.get("Target", "").lstrip("/"))
            if target in names and _WORD_MAIN.match(overrides.get(target, "")):
                return target
    return None


# ---------------------------------------------------------------- reader

def read_docx(data: bytes, name: str) -> ReadText:
    """The paragraphs and table rows of a DOCX, in document order, one line each."""
    _check_package(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
        body_el = document.element.body
        reader = _Body(_Numbering.of(document))
        reader.blocks(body_el)
    except BulletinError:
        raise
    except Exception as err:  # lxml's XMLSyntaxError, KeyError of a missing part, python-docx's own errors …
        raise BulletinError("corrupt_docx", f"{name}: the DOCX cannot be read ({type(err).__name__}: {err})") from err
    flags = ["docx_numbering"] if reader.numbering.used else []
    return ReadText(
        lines=[SourceLine(t, None) for t in reader.lines],
        format="docx",
        reader=READER,
        encoding=None,
        metadata={},
        flags=flags,
    )

