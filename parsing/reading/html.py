"""Read a web page: the text of its main content, one line per block, tables as tab rows.

`read_html(data, name)` decodes the page, takes the portal's metadata block out of it,
finds the main content and renders it as lines. The rules and why:

Charset. A BOM decides (UTF-8, UTF-16); else the page's own declaration (`<meta charset>`
or the `http-equiv` Content-Type) in its first 8 KB; else strict UTF-8; else GB18030.
GB2312, GBK and their aliases are decoded as GB18030, their superset (portals label GBK
pages "gb2312" all the time). A declaration that does not decode the bytes strictly is
ignored and the ladder goes on; a page declared in a legacy charset whose bytes are
valid UTF-8 with non-ASCII text is read as UTF-8 (GB text is practically never valid
UTF-8; flag `charset_mismatch`). A character cut off at the very end is dropped (flag
`truncated_last_char`). `ReadText.encoding` is the Python codec used.

Metadata block. Government portals print a block of label/value pairs above the body
(索引号, 主题分类, 发文机关, 成文日期, 标题, 发文字号, 发布日期 …): a `<table>` of label and
value cells (gov.cn), `<span>label</span><span>：</span><span>value</span>` cells
(Lüliang), `<li>`/`<p>`/`<div>` lines. A block is the outermost element holding at least
three known labels (two with a value) whose other lines are all page controls or at most
four characters ("字体大小：大 中 小", "关闭"), so a container that also holds the title or
the body never qualifies. Its pairs go to `ReadText.metadata`: key = the label as
printed, without its colon and without the letter-spacing whitespace portals pad labels
with ("索 引 号" → "索引号"); value stripped, "" when printed empty. The block is removed
from the page before the body is looked for, so it never becomes body lines. `<title>`
goes to metadata["title_tag"].

Main content: lxml, cross-checked by trafilatura. On the real pages trafilatura 2.3.1
(Apache-2.0; `include_tables=True, favor_recall=True`) keeps all of the text but also
keeps furniture on every one of them: breadcrumb and "字体大小" on the Lüliang portal,
"扫一扫在手机打开当前页" on gov.cn, breadcrumb, copyright notice, "【关闭窗口】" and footer
on the table-laid-out Aksu page (it takes the whole layout table as content); it also
drops the Lüliang headline `<h2>` (taken as the page title) and the linked 附件 lines.
So the lines come from lxml. The main block is the element that collects the most
paragraph text outside links (readability-style: a block's text counts for itself, its
parent, and half for its grandparent; the choice then descends into a child container,
not a paragraph, that holds ≥ 90% of it). The content runs from the page's headline (the
last element before the block whose text is the `<title>` or the metadata 标题, else a
nearby preceding `<h1>`–`<h3>`) to the end of the block. Between headline and block,
link text and page controls (print, close, font size, share) are dropped; the
date/source line under a title stays, as long as that gap holds at most 3 lines and 120
characters (more is a sidebar or a teaser: only the headline is kept). trafilatura is
the check: when more than 20% of its text lies outside that region, the block choice is
taken as wrong or incomplete (content split over several containers) and trafilatura's
lines are used instead (flag `html_trafilatura`, else `html_main_block`), without
link-dominated lines at the edges and with the headline put back when it dropped it.
Both paths then drop furniture lines at the edges (breadcrumbs with two or more ">"/"»"
separators, copyright/ICP/备案/主办/技术支持 lines, 打印/关闭/分享/扫一扫 controls) and
remove the page numbers of a PDF flattened into the page ("—1—" between spaces, or
alone on a line; flag `inline_page_numbers`). html2text (GPL) is not used.

Lines. Every block element (p, div, li, h1–h6, tr, …) and `<br>` ends a line; whitespace
runs collapse to one space; a line is stripped (including the ideographic indent "　　");
empty lines are not emitted. Hidden elements (`display:none`, `visibility:hidden`,
`hidden`), scripts, styles and form controls are skipped.

Tables. A data table gives one line per row, cells joined by "\\t" (tabs and breaks
inside a cell become spaces). A merged cell's text is written once, at its top-left grid
position; the other positions it spans (colspan to the right, rowspan below) are empty
cells, so columns stay aligned (the table parser fills empty header cells from the
left). Rows are padded to the table's width; grid columns in which no cell with text
starts are dropped (tables glued one under another are compacted each on its own, as in
the DOCX reader); rows without text are dropped. A layout table (a nested table inside,
a single column, or a cell of more than 300 characters in two or more blocks) is not a
data table: its cells are read as blocks.

A page with no main text (fewer than 20 characters left) raises
`BulletinError("no_main_text")`.
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field

import lxml
import lxml.etree as etree
import lxml.html
import trafilatura
from lxml.html import HtmlElement

from parsing.errors import BulletinError
from parsing.reading.grid import compact_grid
from parsing.reading.base import ReadText, SourceLine

__all__ = ["read_html", "decode_html"]

READER = f"lxml {lxml.__version__} + trafilatura {trafilatura.__version__}"

# ---------------------------------------------------------------- charset

_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "cp936", "x-gbk", "gb_2312-80", "csgb2312", "euc-cn", "hz-gb-2312", "936", "ms936"}


@dataclass
class _Decoded:
    text: str
    encoding: str
    flags: list[str] = field(default_factory=list)


def _codec(label: str) -> str | None:
    label = label.strip().lower()
    if label in _GB_FAMILY:
        return "gb18030"
    if label in ("big5", "big5-hkscs", "cp950", "x-x-big5"):
        return "big5hkscs"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _strict(data: bytes, codec: str) -> _Decoded | None:
    try:
        return _Decoded(data.decode(codec), codec)
    except UnicodeDecodeError as err:
        if err.start >= len(data) - 3 and codec != "utf-16":
            try:
                return _Decoded(data[: err.start].decode(codec), codec, ["truncated_last_char"])
            except UnicodeDecodeError:
                return None
        return None


def decode_html(data: bytes, name: str) -> tuple[str, str, list[str]]:
    """(text, codec, flags) of a web page's bytes, by the ladder in the module docstring."""
    if data.startswith(codecs.BOM_UTF8):
        got = _strict(data[3:], "utf-8")
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        got = _strict(data, "utf-16")
    else:
        got = None
        m = _META_CHARSET.search(data[:8192])
        declared = _codec(m.group(1).decode("ascii", "replace")) if m else None
        if declared and declared.startswith("utf-16"):
            declared = None  # a page that could be read as ASCII to find the tag is not UTF-16
        if declared:
            got = _strict(data, declared)
            if got is not None and declared != "utf-8" and not data.isascii():
                as_utf8 = _strict(data, "utf-8")
                if as_utf8 is not None and not as_utf8.flags:
                    as_utf8.flags.append("charset_mismatch")
                    got = as_utf8
        if got is None:
            got = _strict(data, "utf-8") or _strict(data, "gb18030")
    if got is None:
        raise BulletinError("undecodable", f"{name}: the page is neither valid UTF-8 nor GB18030 nor its declared charset")
    return got.text, got.encoding, got.flags


# ---------------------------------------------------------------- text helpers

_WS = re.compile(r"[ \t\n\r\f\v\xa0\u200b\ufeff]+")
_ANY_WS = re.compile(r"\s+")


def _collapse(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _fold(text: str) -> str:
    return _ANY_WS.sub("", unicodedata.normalize("NFKC", text))


def _tag(el: object) -> str:
    tag = getattr(el, "tag", None)
    return tag if isinstance(tag, str) else ""  # lxml's HTML parser gives lower-case names


_BLOCK = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hgroup", "hr", "html", "legend", "li", "listing", "main", "menu", "nav", "ol",
    "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "xmp",
}
_SKIP = {
    "script", "style", "noscript", "template", "head", "title", "select", "option", "button", "input",
    "textarea", "iframe", "svg", "object", "embed", "canvas", "map", "area", "img", "video", "audio",
    "source", "meta", "link", "base", "frameset", "frame", "math",
}
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def _hidden(el: HtmlElement) -> bool:
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    return bool(style and _HIDDEN.search(style))


# ---------------------------------------------------------------- rendering

class _Sink:
    """Collects lines; `active` gates what is kept (used to cut a region out of a page)."""

    def __init__(self, active: bool = True) -> None:
        self.lines: list[tuple[str, bool]] = []  # (text, in_gap)
        self.buf: list[str] = []
        self.active = active
        self.gap = False  # between headline and main block: links and controls dropped

    def text(self, s: str | None) -> None:
        if s and self.active:
            self.buf.append(s)

    def flush(self) -> None:
        if self.buf:
            t = _collapse("".join(self.buf))
            self.buf = []
            if t:
                self.lines.append((t, self.gap))

    def row(self, t: str) -> None:
        self.flush()
        if self.active and t.strip():
            self.lines.append((t, self.gap))


def _cell_text(cell: HtmlElement) -> str:
    sink = _Sink()
    _walk(cell, sink, tables_as_blocks=True)
    sink.flush()
    return " ".join(t for t, _ in sink.lines).replace("\t", " ")


def _own_rows(table: HtmlElement) -> list[HtmlElement]:
    rows = []
    for tr in table.iter("tr"):
        anc = tr.getparent()
        while anc is not None and _tag(anc) != "table":
            anc = anc.getparent()
        if anc is table:
            rows.append(tr)
    return rows


def _cells(tr: HtmlElement) -> list[HtmlElement]:
    return [c for c in tr if _tag(c) in ("td", "th") and not _hidden(c)]


def _is_layout(table: HtmlElement) -> bool:
    if table.find(".//table") is not None:
        return True
    rows = _own_rows(table)
    if not rows or max((len(_cells(r)) for r in rows), default=0) <= 1:
        return True
    for r in rows:
        for c in _cells(r):
            text = c.text_content()
            if len(_collapse(text)) > 300:
                blocks = [b for b in c.iter() if _tag(b) in _BLOCK and b is not c and _collapse(b.text_content())]
                if len(blocks) >= 2:
                    return True
    return False


def _span(cell: HtmlElement, attr: str, cap: int) -> int:
    try:
        return max(1, min(cap, int(re.sub(r"\D", "", cell.get(attr, "1")) or "1")))
    except ValueError:
        return 1


def _table_rows(table: HtmlElement) -> list[str]:
    grid: list[list[tuple[str, bool]]] = []  # (text, a cell starts here) per grid column
    below: dict[int, int] = {}  # grid column -> rows still covered by a rowspan from above
    for tr in _own_rows(table):
        if _hidden(tr):
            continue
        row: list[tuple[str, bool]] = []

        def covered() -> None:
            while below.get(len(row), 0) > 0:
                below[len(row)] -= 1
                row.append(("", False))

        for cell in _cells(tr):
            covered()
            col = len(row)
            cs, rs = _span(cell, "colspan", 100), _span(cell, "rowspan", 1000)
            row.append((_cell_text(cell), True))
            row.extend([("", False)] * (cs - 1))
            if rs > 1:
                for k in range(col, col + cs):
                    below[k] = rs - 1
        rest = [k for k, v in below.items() if k >= len(row) and v > 0]
        while rest and len(row) <= max(rest):
            if below.get(len(row), 0) > 0:
                below[len(row)] -= 1
            row.append(("", False))
        grid.append(row)
    return ["\t".join(r) for r in compact_grid(grid) if any(c.strip() for c in r)]




def _walk(el: HtmlElement, sink: _Sink, tables_as_blocks: bool = False,
          hooks: dict[int, tuple[str, ...]] | None = None) -> None:
    tag = _tag(el)
    if not tag or tag in _SKIP or _hidden(el):
        return
    hook = hooks.get(id(el), ()) if hooks else ()
    if "start" in hook:
        sink.flush()
        sink.lines.clear()
        sink.active = True
    if "gap" in hook:
        sink.flush()
        sink.gap = True
    if "block" in hook:
        sink.flush()
        sink.gap = False
    if tag == "br":
        sink.flush()
    elif tag == "a" and sink.gap:
        pass
    elif tag == "table" and not tables_as_blocks and not _is_layout(el) and not (
        hooks and any(id(d) in hooks for d in el.iterdescendants())
    ):
        sink.flush()
        for r in _table_rows(el):
            sink.row(r)
    else:
        block = tag in _BLOCK
        if block:
            sink.flush()
        sink.text(el.text)
        for child in el:
            _walk(child, sink, tables_as_blocks, hooks)
            sink.text(child.tail)
        if block:
            sink.flush()
    if "end" in hook:
        sink.flush()
        sink.active = False


def _render(el: HtmlElement, tables_as_blocks: bool = False) -> list[str]:
    sink = _Sink()
    _walk(el, sink, tables_as_blocks)
    sink.flush()
    return [t for t, _ in sink.lines]


# ---------------------------------------------------------------- metadata block

_KNOWN_LABELS = (
    "索引号", "主题分类", "发文机关", "成文日期", "标题", "发文字号", "发布日期", "主题词", "关键字", "关键词",
    "文号", "发文单位", "发布机构", "发布单位", "公开方式", "公开范围", "公开时限", "公开时间", "公开形式",
    "公开日期", "公开属性", "信息来源", "来源", "出处", "组配分类", "体裁分类", "服务对象", "信息分类", "文种",
    "公文种类", "有效性", "效力状态", "时效性", "生效日期", "实施日期", "施行日期", "废止日期", "失效日期",
    "发布时间", "成文时间", "印发日期", "内容分类", "所属主题", "统一编号", "规范性文件编号", "登记号",
    "信息名称", "名称", "责任部门", "所属机构", "生成日期", "文件编号", "体裁", "作者", "责任编辑", "浏览次数",
    "点击数", "阅读次数", "题名", "内容概述", "摘要", "主办单位", "公开责任部门", "信息类别", "主题类别",
    "主题词分类", "索取号", "编号", "发布文号", "制发机关", "发文时间", "发文日期", "有效期", "所属类别",
)
_PAD = "[\\s\u3000\xa0]*"
_LABEL_RE = re.compile(
    "(?:^|(?<=[^\u3400-\u9fff\uf900-\ufaff]))[【\\[]?("
    + "|".join(_PAD.join(map(re.escape, lab)) for lab in sorted(_KNOWN_LABELS, key=len, reverse=True))
    + ")" + _PAD + "[】\\]]?" + _PAD + "([:：])?"
)
_KNOWN = set(_KNOWN_LABELS)
_MAX_BLOCK_TEXT = 3000  # a metadata block is short; larger containers are not parsed for pairs


def _label(text: str) -> str:
    return _ANY_WS.sub("", text).strip("【】[]:：")


@dataclass
class _Pairs:
    pairs: list[tuple[str, str]]
    extra: list[str]  # lines that are not part of a pair
    chars: int


def _parse_pairs(lines: list[str]) -> _Pairs:
    pairs: list[tuple[str, str]] = []
    extra: list[str] = []
    chars = 0
    pending: str | None = None  # a label whose value is the next line
    for line in lines:
        chars += len(line)
        found = [m for m in _LABEL_RE.finditer(line) if m.group(2) or _label(line) == _label(m.group(1))]
        # a bare label (no colon) only counts when it is the whole line: <th>索引号</th>
        starts_with_label = bool(found) and not line[: found[0].start()].strip(" 【[")
        if pending is not None:
            if starts_with_label:
                pairs.append((pending, ""))
            else:
                pairs.append((pending, line.strip()))
                pending = None
                continue
            pending = None
        if not found:
            extra.append(line)
            continue
        head = line[: found[0].start()].strip()
        if head:
            extra.append(head)
        for i, m in enumerate(found):
            end = found[i + 1].start() if i + 1 < len(found) else len(line)
            value = line[m.end(): end].strip()
            key = _label(m.group(1))
            if value or i + 1 < len(found):
                pairs.append((key, value))
            else:
                pending = key
    if pending is not None:
        pairs.append((pending, ""))
    return _Pairs(pairs, extra, chars)


def _is_block(p: _Pairs) -> bool:
    known = {k for k, _ in p.pairs if k in _KNOWN}
    valued = {k for k, v in p.pairs if k in _KNOWN and v}
    if len(known) < 3 or len(valued) < 2:
        return False
    extra = sum(len(x) for x in p.extra)
    return all(len(x) <= 4 or _is_furniture(x) for x in p.extra) and extra <= 0.25 * max(p.chars, 1)


def _take_metadata(body: HtmlElement) -> dict[str, str]:
    """Find the metadata blocks, return their pairs and remove them from the tree."""
    hits: list[HtmlElement] = []
    for el in body.iter():
        if not _tag(el) or _tag(el) in _SKIP:
            continue
        own = (el.text or "") + "".join(c.tail or "" for c in el)
        if not own.strip():
            continue
        # a label with its colon ("发文机关：") or a cell that is just a label ("<th>索引号</th>")
        if _label(own) in _KNOWN or any(m.group(2) for m in _LABEL_RE.finditer(own)):
            hits.append(el)
    counts: dict[int, int] = {}
    byid: dict[int, HtmlElement] = {}
    for el in hits:
        anc: HtmlElement | None = el
        while anc is not None:
            counts[id(anc)] = counts.get(id(anc), 0) + 1
            byid[id(anc)] = anc
            anc = anc.getparent()
    verdict: dict[int, tuple[bool, _Pairs | None]] = {}
    blocks: list[tuple[HtmlElement, _Pairs]] = []
    for el in hits:
        best: tuple[HtmlElement, _Pairs] | None = None
        anc = el
        while anc is not None:
            key = id(anc)
            if counts.get(key, 0) >= 3:
                if key not in verdict and len(anc.text_content()) > _MAX_BLOCK_TEXT:
                    verdict[key] = (False, None)
                if key not in verdict:
                    p = _parse_pairs(_render(anc, tables_as_blocks=True))
                    verdict[key] = (_is_block(p), p)
                ok, p = verdict[key]
                if ok and p is not None:
                    best = (anc, p)
                elif best is not None:
                    break
            anc = anc.getparent()
        if best is not None and all(best[0] is not b for b, _ in blocks):
            blocks.append(best)
    # keep the outermost blocks only
    outer = [(b, p) for b, p in blocks if not any(o is not b and b in o.iterdescendants() for o, _ in blocks)]
    meta: dict[str, str] = {}
    for b, p in outer:
        for k, v in p.pairs:
            meta.setdefault(k, v)
        if b.getparent() is not None:
            b.drop_tree()
    return meta


# ---------------------------------------------------------------- main block

_PARAGRAPH = {"p", "pre", "li", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}


def _link_free_len(text: str | None) -> int:
    return len(_collapse(text)) if text else 0


def _main_block(body: HtmlElement) -> HtmlElement | None:
    score: dict[int, float] = {}
    byid: dict[int, HtmlElement] = {}

    def add(el: HtmlElement | None, n: float) -> None:
        if el is not None:
            score[id(el)] = score.get(id(el), 0.0) + n
            byid[id(el)] = el

    def visit(el: HtmlElement, in_link: bool) -> None:
        tag = _tag(el)
        if not tag or tag in _SKIP or _hidden(el):
            return
        link = in_link or tag == "a"
        for text, owner in ((el.text, el), *((c.tail, el) for c in el)):
            if link or not text:
                continue
            n = _link_free_len(text)
            if n:
                block = owner
                while block is not None and _tag(block) not in _BLOCK:
                    block = block.getparent()
                if block is None:
                    continue
                parent = block.getparent()
                add(block, n)
                add(parent, n)
                add(parent.getparent() if parent is not None else None, n / 2)
        for c in el:
            visit(c, link)

    visit(body, False)
    if not score:
        return None
    best = byid[max(score, key=lambda k: score[k])]
    while True:
        kids = [(score.get(id(c), 0.0), c) for c in best if _tag(c)]
        if not kids:
            break
        top, child = max(kids, key=lambda x: x[0])
        if top >= 0.9 * score[id(best)] and top > 0 and _tag(child) not in _PARAGRAPH:
            best = child
        else:
            break
    return best


def _headline(body: HtmlElement, block: HtmlElement, refs: list[str]) -> HtmlElement | None:
    els = list(body.iter())  # keeps the proxies alive, so ids stay unique
    start = next((i for i, el in enumerate(els) if el is block), len(els))
    ancestors = {id(a) for a in block.iterancestors()}
    refs = [r for r in (_fold(x) for x in refs) if len(r) >= 6]
    found: HtmlElement | None = None
    heading: HtmlElement | None = None
    for el in els[:start]:
        tag = _tag(el)
        if not tag or tag in _SKIP or id(el) in ancestors or tag in ("a", "html", "body") or _hidden(el):
            continue
        text = _fold(el.text_content())
        if not (6 <= len(text) <= 200):
            continue
        if refs and any(text == r or (text in r and len(text) >= 0.5 * len(r)) or (r in text and len(text) <= 1.3 * len(r)) for r in refs):
            found = el
        elif tag in ("h1", "h2", "h3"):
            heading = el
    if found is not None:
        return found
    if heading is not None:
        # only a heading near the block: they share an ancestor at most three levels up
        up = [block.getparent()]
        for _ in range(2):
            if up[-1] is not None:
                up.append(up[-1].getparent())
        if any(a is not None and heading in a.iterdescendants() for a in up):
            return heading
    return None


# ---------------------------------------------------------------- furniture

_BREADCRUMB_SEP = re.compile(r"-*>>|>|＞|»|›|→|/")
_SENTENCE = re.compile(r"[。；！？]")
_FOOTER = re.compile(
    r"版权所有|copyright|©|ICP[备证]|公网安备|网站标识码|主办单位|承办单位|技术支持|网站地图|联系我们|"
    r"本站域名|建议使用.{0,20}浏览器|分辨率|^(?:免责)?声明[:：]|^当前位置|^您(?:现在)?的位置|^你的位置",
    re.I,
)
_CONTROLS = re.compile(
    r"【|】|\[|\]|\||打印本?页?|关闭(?:窗口|本页)?|返回顶部|返回|收藏|保存|分享到?[:：]?|扫一扫[^，。]{0,12}|"
    r"字体大小[:：]?|字体[:：]?|字号[:：]?|(?<![\u4e00-\u9fff])[大中小](?![\u4e00-\u9fff])|默认|上一篇|下一篇|"
    r"相关链接|相关文章|责任编辑[:：]?\S{0,6}|(?:浏览|阅读|访问)(?:次数|量)[:：]?\s*\d*|[\s:：,，、·]"
)
_PAGE_NO = re.compile(r"(?:(?<=\s)|^)[—－]{1,2}\s?\d{1,3}\s?[—－]{1,2}(?=\s|$)")
_PAGE_LINE = re.compile(r"[—－\-]{1,2}\s?\d{1,3}\s?[—－\-]{1,2}")


def _is_furniture(line: str) -> bool:
    if _FOOTER.search(line):
        return True
    if len(line) <= 100 and not _SENTENCE.search(line) and len(_BREADCRUMB_SEP.findall(line)) >= 2 and ("首页" in line or ">" in line or "»" in line or "＞" in line):
        return True
    return not _CONTROLS.sub("", line)


def _trim_edges(lines: list[str]) -> list[str]:
    a, b = 0, len(lines)
    while a < b and _is_furniture(lines[a]):
        a += 1
    while b > a and _is_furniture(lines[b - 1]):
        b -= 1
    return lines[a:b]


def _page_numbers(lines: list[str], flags: list[str]) -> list[str]:
    out = []
    for line in lines:
        if "\t" not in line:
            if _PAGE_LINE.fullmatch(line.strip()):
                if "inline_page_numbers" not in flags:
                    flags.append("inline_page_numbers")
                continue
            new = _PAGE_NO.sub("", line)
            if new != line:
                if "inline_page_numbers" not in flags:
                    flags.append("inline_page_numbers")
                line = _collapse(new)
                if not line:
                    continue
        out.append(line)
    return out


# ---------------------------------------------------------------- trafilatura

def _xml_is_layout(table: etree._Element) -> bool:
    rows = [r for r in table if r.tag == "row"]
    if max((len([c for c in r if c.tag == "cell"]) for r in rows), default=0) <= 1:
        return True
    return any(ch.tag in ("p", "list", "table", "head", "quote") for r in rows for c in r for ch in c)


class _XmlSink:
    """Lines of trafilatura's XML with the share of each line's characters that were link text."""

    def __init__(self) -> None:
        self.out: list[tuple[str, float]] = []
        self.buf: list[tuple[str, bool]] = []

    def flush(self) -> None:
        text = "".join(t for t, _ in self.buf)
        links = sum(len(_fold(t)) for t, link in self.buf if link)
        self.buf = []
        line = _collapse(text)
        if line:
            self.out.append((line, links / max(len(_fold(line)), 1)))


def _xml_lines(el: etree._Element, sink: _XmlSink, in_link: bool = False) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag == "lb":
        sink.flush()
    elif tag == "table" and not _xml_is_layout(el):
        sink.flush()
        rows = []
        for r in el:
            if r.tag != "row":
                continue
            cells = [_collapse(" ".join(c.itertext())).replace("\t", " ") for c in r if c.tag == "cell"]
            if any(cells):
                rows.append(cells)
        width = max((len(r) for r in rows), default=0)
        sink.out.extend(("\t".join(r + [""] * (width - len(r))), 0.0) for r in rows)
    elif tag in ("graphic", "comments"):
        pass
    else:
        link = in_link or tag == "ref"
        block = tag in ("p", "head", "item", "list", "quote", "table", "row", "cell", "code", "main", "doc", "div")
        if block:
            sink.flush()
        if el.text:
            sink.buf.append((el.text, link))
        for c in el:
            _xml_lines(c, sink, link)
            if c.tail:
                sink.buf.append((c.tail, in_link))
        if block:
            sink.flush()


def _link_share(line: str, links: list[str]) -> float:
    """The share of a line's characters that are the text of some link of the page."""
    folded = _fold(line)
    if not folded:
        return 0.0
    rest = folded
    for text in links:
        if text in rest:
            rest = rest.replace(text, "")
    return 1 - len(rest) / len(folded)


def _trafilatura_lines(tree: HtmlElement) -> list[tuple[str, float]]:
    """trafilatura's main text as (line, link share) pairs; [] when it finds none."""
    xml = trafilatura.extract(
        tree, output_format="xml", include_tables=True, favor_recall=True, include_comments=False,
        include_links=True, include_images=False, include_formatting=False, deduplicate=False,
        with_metadata=False,
    )
    if not xml:
        return []
    root = etree.fromstring(xml.encode("utf-8"))
    main = root.find("main")
    sink = _XmlSink()
    _xml_lines(main if main is not None else root, sink)
    sink.flush()
    return sink.out


# ---------------------------------------------------------------- reader

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_MIN_TEXT = 20
_MAX_GAP = (3, 120)  # lines, characters between headline and main block that are still kept
_OUTSIDE_SHARE = 0.20


def _region_lines(body: HtmlElement, block: HtmlElement, headline: HtmlElement | None) -> list[str]:
    hooks: dict[int, tuple[str, ...]] = {}
    if headline is not None and headline is not block and block not in headline.iterdescendants():
        hooks[id(headline)] = ("start",)
        hooks[id(block)] = ("block", "end")
        sink = _Sink(active=False)
        # the gap starts when the headline ends: mark it on the headline's following sibling path
        _walk_region(body, sink, hooks, headline)
    else:
        hooks[id(block)] = ("start", "end")
        sink = _Sink(active=False)
        _walk(body, sink, hooks=hooks)
    sink.flush()
    gap_lines = [g for g in (_strip_controls(t) for t, gap in sink.lines if gap) if g]
    if len(gap_lines) > _MAX_GAP[0] or sum(len(g) for g in gap_lines) > _MAX_GAP[1]:
        gap_lines = []  # a headline far from the body (a sidebar between): keep the headline only
    out = [t for t, gap in sink.lines if not gap]
    if gap_lines:
        # the gap lines follow the headline's lines and precede the block's
        first_gap = next(i for i, (_, gap) in enumerate(sink.lines) if gap)
        out[first_gap:first_gap] = gap_lines
    return out


_BRACKETED = re.compile(r"[【\[]([^】\]]*)[】\]]")
_TOKENS = re.compile(r"(\s+)")


def _strip_controls(line: str) -> str:
    """A line under the headline without its controls: "【字体：大 中 小】【打印】", a trailing "打印 关闭"."""
    if _is_furniture(line):
        return ""
    line = _BRACKETED.sub(lambda m: "" if _is_furniture(m.group(1)) else m.group(0), line)
    parts = _TOKENS.split(line)
    while parts and (not parts[-1].strip() or _is_furniture(parts[-1])):
        parts.pop()
    return _collapse("".join(parts))


def _walk_region(body: HtmlElement, sink: _Sink, hooks: dict[int, tuple[str, ...]], headline: HtmlElement) -> None:
    """Walk with the gap flag set from the end of the headline to the start of the block."""
    # the element right after the headline in document order opens the gap
    following = next(iter(headline.itersiblings()), None)
    anc = headline
    while following is None and anc.getparent() is not None:
        anc = anc.getparent()
        following = next(iter(anc.itersiblings()), None)
    if following is not None and id(following) not in hooks:
        hooks[id(following)] = ("gap",)
    _walk(body, sink, hooks=hooks)


def read_html(data: bytes, name: str) -> ReadText:
    """The main text of a web page as lines; its metadata block in `metadata`."""
    if not data.strip():
        raise BulletinError("empty_file", f"{name}: the file is empty")
    text, encoding, flags = decode_html(data, name)
    text = _CONTROL_CHARS.sub("", _XML_DECL.sub("", text, count=1))
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as err:
        raise BulletinError("no_main_text", f"{name}: the page cannot be parsed as HTML ({err})") from err
    metadata: dict[str, str] = {}
    title = root.find(".//title")
    if title is not None and _collapse(title.text_content()):
        metadata["title_tag"] = _collapse(title.text_content())
    etree.strip_elements(root, etree.Comment, etree.ProcessingInstruction, "script", "style", "noscript", "template", with_tail=False)
    body = root.find("body")
    if body is None:
        body = root
    for key, value in _take_metadata(body).items():
        metadata.setdefault(key, value)

    refs = [metadata[k] for k in ("标题", "题名", "title_tag") if metadata.get(k)]
    block = _main_block(body)
    headline = _headline(body, block, refs) if block is not None else None
    region = _trim_edges(_region_lines(body, block, headline)) if block is not None else []
    checked = _trafilatura_lines(root)

    lines, path = region, "html_main_block"
    if checked:
        inside = _fold("\n".join(region))
        folded = [_fold(t) for t, _ in checked]
        total = sum(len(f) for f in folded)
        outside = sum(len(f) for f in folded if f and f not in inside)
        if not region or outside > _OUTSIDE_SHARE * total:
            # trafilatura's lines, without navigation (link-dominated lines) at the edges
            links = sorted({f for a in body.iter("a") if len(f := _fold(a.text_content())) >= 2}, key=len, reverse=True)

            def nav(i: int) -> bool:
                text, share = checked[i]
                return max(share, _link_share(text, links)) >= 0.5 or _is_furniture(text)

            a, b = 0, len(checked)
            while a < b and nav(a):
                a += 1
            while b > a and nav(b - 1):
                b -= 1
            lines, path = [t for t, _ in checked[a:b]], "html_trafilatura"
            if lines and headline is not None:
                head = _collapse(headline.text_content())
                if head and _fold(head) not in _fold("\n".join(lines)):
                    lines.insert(0, head)
    lines = _page_numbers(lines, flags)
    if sum(len(_fold(t)) for t in lines) < _MIN_TEXT:
        raise BulletinError("no_main_text", f"{name}: the page has no main text (only navigation, furniture or nothing)")
    flags.append(path)
    return ReadText(
        lines=[SourceLine(t, None) for t in lines],
        format="html",
        reader=READER,
        encoding=encoding,
        metadata=metadata,
        flags=flags,
    )
