"""Layout clean-up shared by the readers of paged forms (PDF text layer, OCR, and any other
reader that sees a file as pages of lines): page furniture, spacing, and paragraph joining.

Everything here is a pure function over plain strings, or over a list of pages each a
list of lines, so a reader with its own line type passes a `text` accessor and gets back
indices or filtered lists. Nothing here knows about a publisher; every rule is written
for what printed Chinese government bulletins do in general.

Page furniture (`find_furniture`, `strip_furniture`)
    Text that the printer repeats on pages, not part of any document: running headers and
    footers (`深圳市人民政府公报 2026年第10期`, a document's title on every page top), page
    numbers, and the editorial office's imprint block (编辑/出版/地址/邮编/电话 ...).

    * Page numbers: a line that is only a page number in one of the printed forms
      (`— 15 —`, `·3·`, `- 2 -`, `第 3 页`, `第3页 共10页`, `3 / 51`, `Page 3 of 9`, a bare
      `15`), when it stands among the first or last `edge` lines of a page. A bare number
      counts only there, never inside the page.
    * Running headers and footers: the first and last `edge` lines of every page are
      compared after NFKC folding and dropping whitespace. A line is furniture when the
      same text stands there on at least `min_repeats` pages and either on a `min_share`
      of the pages with text or on `min_run` consecutive pages (a document title repeated
      over one document's pages of a long issue). Lines that differ only in their digits
      (`深圳市人民政府公报 — 15 —` / `— 16 —`) are compared with digit runs replaced by `#`
      and are furniture when one of their numbers tracks the page index (number minus page
      index constant on at least 80% of them), which is what a page number does and a
      caption's number (`表1`, `表2`) does not; captions (表/图/附表/附件/续表 + number) are
      never furniture.
    * Lines are peeled from the page edge inwards: a line is only furniture when all the
      lines between it and the edge are furniture too, so a repeated phrase inside the
      page (a table's `单位:万元` under its title) is never touched. Lines the caller
      protects (table rows) are never furniture and stop the peeling.
    * Imprint block: on the first two or last two pages with text, a run of at least three
      consecutive lines that each start with an imprint label (主办, 编辑, 出版, 地址, 邮编,
      电话, 传真, 网址, 刊号, ISSN ...), at least one of them an editorial label (主管, 主办,
      编辑, 出版, 发行, 刊号 ...), so that a notice's own contact lines (联系人/电话/地址)
      are left alone.

Spacing (`join_pieces`)
    Every PDF tool (and Tesseract) puts spaces between Chinese characters and digits
    (`2013 年第 13 号`), and justified Chinese lines come out with a space between every
    character. The rule, the same for the PDF text layer and OCR words: between two
    visible pieces of one line a space is written when the visual gap is at least
    `WIDE_GAP_EM` of the font size (a deliberate gap: `局长  王东华`, the columns of an
    unruled table); a narrower space is dropped when a character on either side is CJK
    (ideograph, CJK punctuation, full-width form), and kept as one space between two
    non-CJK pieces (English words, `Word 2019`). The downstream parser folds whitespace
    in its checks, so this only makes the text read as printed.

Paragraph joining (`ends_paragraph`, `starts_paragraph`, `breaks_number`, `join_text`)
    The text-only halves of the rule the PDF reader applies with geometry: a line
    continues the previous one unless the previous ends a sentence or a heading
    (。！？；：… possibly followed by a closing quote or bracket) or the line starts a
    new one (a heading `一、`, `（一）`, `1.`, `第三条`, a bullet, a leading dash). A number
    broken over a line or page break (`519` / `.7亿元`, `12.` / `8%`, `12.8` / `%`) is
    always rejoined.
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

WIDE_GAP_EM = 1.0  # a gap at least this many font sizes wide is a deliberate space

# ---------------------------------------------------------------------------------------
# characters and spacing


def is_cjk(ch: str) -> bool:
    """An ideograph, a CJK punctuation mark or a full-width form: a character that is not
    separated from its neighbours by spaces in Chinese text."""
    if not ch:
        return False
    o = ord(ch[0])
    return (
        0x4E00 <= o <= 0x9FFF  # unified ideographs
        or 0x3400 <= o <= 0x4DBF  # extension A
        or 0x20000 <= o <= 0x3FFFF  # extensions B-H
        or 0xF900 <= o <= 0xFAFF  # compatibility ideographs
        or 0x2E80 <= o <= 0x2FDF  # radicals
        or 0x3000 <= o <= 0x303F  # CJK symbols and punctuation 、。〈〉《》「」【】〔〕
        or 0xFF00 <= o <= 0xFFEF  # full-width forms （）：；，！？
        or 0x3200 <= o <= 0x33FF  # enclosed CJK, compatibility (㈠ ㎡)
        or 0xFE30 <= o <= 0xFE4F  # CJK compatibility forms
    )


def join_pieces(pieces: Sequence[tuple[str, float, float, bool]], em: float) -> str:
    """Write one line from its visible pieces in reading order.

    Each piece is `(text, x0, x1, space_before)`: a character (PDF) or a word (OCR), its
    horizontal extent, and whether the source put a space before it. See the module
    docstring for the rule.
    """
    out: list[str] = []
    prev: tuple[str, float, float, bool] | None = None
    wide = WIDE_GAP_EM * em if em > 0 else float("inf")
    for piece in pieces:
        text, x0, _x1, space_before = piece
        if not text:
            continue
        if prev is not None:
            gap = x0 - prev[2]
            if gap >= wide:
                out.append(" ")
            elif space_before and not (is_cjk(prev[0][-1]) or is_cjk(text[0])):
                out.append(" ")
        out.append(text)
        prev = piece
    return "".join(out)


def wide_gaps(pieces: Sequence[tuple[str, float, float, bool]], em: float) -> int:
    """How many gaps of at least `WIDE_GAP_EM` font sizes a line has: two or more make it a
    row of an unruled table (its cells), not a line of a paragraph."""
    wide = WIDE_GAP_EM * em if em > 0 else float("inf")
    return sum(1 for a, b in zip(pieces, pieces[1:]) if b[1] - a[2] >= wide)


_CJK_SPACE = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")


def drop_cjk_spaces(text: str) -> str:
    """Remove spaces that have a CJK character on either side (the text-only form of the
    spacing rule, for text without geometry)."""
    if not text:
        return text

    def keep(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        return "" if (is_cjk(before) or is_cjk(after)) else " "

    return re.sub(r"[ \u3000\u00a0]+", keep, text).strip()


# ---------------------------------------------------------------------------------------
# paragraph joining, text-only rules

_CLOSERS = "'\"”’」』)）】》〕〉]"
SENTENCE_END = re.compile(r"[。！？；：!?;:…][" + re.escape(_CLOSERS) + r"]*\s*$")
HEADING = re.compile(
    r"""^\s*(?:
      [一二三四五六七八九十百零〇]+\s*[、.．]            # 一、  二.
    | [（(]\s*[一二三四五六七八九十百零〇\d]+\s*[）)]    # （一） (1)
    | \d{1,3}\s*[、．.](?!\d)                         # 1、 2. (not 3.5)
    | [①-⑳⑴-⒇⒈-⒛㈠-㈩]                               # ① ⑴ ⒈ ㈠
    | 第[一二三四五六七八九十百千零〇\d]+[章节条款部分编篇]  # 第三条
    | 附[件表]\s*\d*\s*[：:]?\s*$                       # 附件2
    | [—－\-─―]{2,}                                   # ——一般公共预算...
    | [●■◆▲★•○□◇◎※√]                                 # bullets
    )""",
    re.X,
)
_NUMBER_TAIL = re.compile(r"\d$")
_NUMBER_HEAD_AFTER_DIGIT = re.compile(r"^[.．]\d|^[%％‰]")
_DECIMAL_TAIL = re.compile(r"\d[.．]$")


def ends_paragraph(text: str) -> bool:
    """The line ends a sentence, a lead-in or a heading: nothing is joined after it."""
    return bool(SENTENCE_END.search(text))


def starts_paragraph(text: str) -> bool:
    """The line opens a heading, a numbered item or a bulleted one."""
    return bool(HEADING.match(text))


def breaks_number(prev: str, cur: str) -> bool:
    """`cur` continues a number that `prev` ends: `519` / `.7亿元`, `12.` / `8%`, `12.8` / `%`."""
    p, c = prev.rstrip(), cur.lstrip()
    if not p or not c:
        return False
    if _NUMBER_TAIL.search(p) and _NUMBER_HEAD_AFTER_DIGIT.match(c):
        return True
    return bool(_DECIMAL_TAIL.search(p) and c[0].isdigit() and not p.endswith("。"))


def join_text(prev: str, cur: str) -> str:
    """Join two lines of one paragraph: no separator in Chinese, a space between two Latin
    letters (an English word wrapped), none after a hyphen."""
    p, c = prev.rstrip(), cur.lstrip()
    if p and c and p[-1].isascii() and p[-1].isalpha() and c[0].isascii() and c[0].isalpha():
        return p + " " + c
    return p + c


def looks_like_table_row(text: str) -> bool:
    """A table row as a reader without geometry sees it: tab-separated cells, or three or
    more space-separated cells of which at least two, and a third, are numbers."""
    if "\t" in text:
        return True
    cells = [c for c in re.split(r"\s+", text.strip()) if c]
    numbers = sum(1 for c in cells if re.fullmatch(r"[-—－+]?[\d,.，]+%?", c))
    return len(cells) >= 3 and numbers >= 2 and numbers >= len(cells) / 3


# ---------------------------------------------------------------------------------------
# page furniture

_DECOR = r"[—–\-－―─~～·•．.。*\s]"
PAGE_NUMBER = re.compile(
    rf"""^(?:
      {_DECOR}*\d{{1,4}}{_DECOR}*                                  # — 15 —  ·3·  - 2 -  15
    | {_DECOR}+[ivxlcdmIVXLCDM]{{1,7}}{_DECOR}+                    # — iv —
    | 第\s*\d{{1,4}}\s*页(?:\s*[,，/、]?\s*共\s*\d{{1,4}}\s*页)?      # 第 3 页 (共 10 页)
    | 共\s*\d{{1,4}}\s*页\s*[,，/、]?\s*第\s*\d{{1,4}}\s*页           # 共10页 第3页
    | \d{{1,4}}\s*[/／]\s*\d{{1,4}}                                 # 3 / 51
    | (?:page|p\.)\s*\d{{1,4}}(?:\s*(?:of|/)\s*\d{{1,4}})?           # Page 3 of 9
    )$""",
    re.X | re.I,
)
CAPTION = re.compile(r"^(?:续?表|图|附表|附件|附图|续)\s*#")
IMPRINT_LABEL = re.compile(
    r"^(?:主管|主办|承办|协办|编辑|编印|编辑出版|编辑部|出版|出版发行|发行|印刷|承印|地址|社址|邮编|邮政编码"
    r"|电话|联系电话|传真|网址|网站|电子邮箱|邮箱|投稿邮箱|E-?mail|定价|刊号|国内统一连续出版物号"
    r"|国际标准连续出版物号|ISSN|CN|准印证号?|内部资料|责任编辑|主编|副主编|总编辑?|出版日期|印数)"
    r"\s*(?:单位)?\s*[：:\s]",
    re.I,
)
EDITORIAL_LABEL = re.compile(
    r"^(?:主管|主办|编辑|编印|出版|发行|刊号|国内统一连续出版物号|国际标准连续出版物号|ISSN|CN|准印证|主编|责任编辑|总编)",
    re.I,
)


def fold_line(text: str) -> str:
    """NFKC, whitespace dropped: the form in which repeated lines are compared."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def digit_key(text: str) -> str:
    """`fold_line` with every run of digits replaced by `#` (so `— 15 —` ~ `— 16 —`)."""
    return re.sub(r"\d+", "#", fold_line(text))


def is_page_number(text: str) -> bool:
    """The line is only a page number, in one of its printed forms."""
    t = unicodedata.normalize("NFKC", text).strip()
    return bool(t) and bool(PAGE_NUMBER.match(t))


def is_imprint_line(text: str) -> bool:
    return bool(IMPRINT_LABEL.match(unicodedata.normalize("NFKC", text).strip()))


@dataclass(frozen=True, slots=True)
class Furniture:
    page: int  # index into the pages given
    line: int  # index into that page's lines
    reason: str  # "page_number", "running_header", "running_footer", "imprint"
    text: str


def _longest_run(indices: Sequence[int], text_pages: Sequence[int]) -> int:
    """Longest run of consecutive pages-with-text among `indices` (blank pages skipped)."""
    rank = {p: i for i, p in enumerate(text_pages)}
    ranks = sorted({rank[p] for p in indices})
    best = run = 0
    last = None
    for r in ranks:
        run = run + 1 if last is not None and r == last + 1 else 1
        best = max(best, run)
        last = r
    return best


def _tracks_page(occ: Sequence[tuple[int, str]]) -> bool:
    """Whether one digit run of these lines (same digit key) behaves like a page number."""
    numbers = [(p, [int(n) for n in re.findall(r"\d+", fold_line(t))]) for p, t in occ]
    width = min(len(ns) for _, ns in numbers)
    for k in range(width):
        offsets: dict[int, int] = defaultdict(int)
        for p, ns in numbers:
            offsets[ns[k] - p] += 1
        if max(offsets.values()) >= 0.8 * len(numbers) and len({ns[k] for _, ns in numbers}) > 1:
            return True
    return False


def find_furniture(
    pages: Sequence[Sequence[str]],
    *,
    edge: int = 3,
    min_repeats: int = 3,
    min_share: float = 0.25,
    min_run: int = 3,
    protected: Callable[[int, int], bool] | None = None,
) -> list[Furniture]:
    """The furniture lines of a file given as pages of line texts (see the module docstring).

    `protected(page_index, line_index)` marks lines that are never furniture (table rows).
    Returned in page and line order.
    """
    is_protected = protected or (lambda _p, _l: False)
    text_pages = [i for i, lines in enumerate(pages) if any(t.strip() for t in lines)]
    n_text = len(text_pages)

    def zone(lines: Sequence[str], where: str) -> list[int]:
        idx = [i for i, t in enumerate(lines) if t.strip()]
        return idx[:edge] if where == "top" else idx[-edge:][::-1]

    repeated: dict[str, set[str]] = {}
    for where in ("top", "bottom"):
        exact: dict[str, list[int]] = defaultdict(list)
        by_digits: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for p in text_pages:
            seen: set[str] = set()
            for i in zone(pages[p], where):
                if is_protected(p, i):
                    continue
                text = pages[p][i]
                key = fold_line(text)
                if key in seen:
                    continue
                seen.add(key)
                exact[key].append(p)
                by_digits[digit_key(text)].append((p, text))

        def enough(occurrences: Sequence[int]) -> bool:
            n = len(set(occurrences))
            return n >= min_repeats and (n >= min_share * n_text or _longest_run(occurrences, text_pages) >= min_run)

        keys = {k for k, ps in exact.items() if enough(ps)}
        digit_keys = {
            k
            for k, occ in by_digits.items()
            if "#" in k and not CAPTION.match(k) and enough([p for p, _ in occ]) and _tracks_page(occ)
        }
        repeated[where] = keys | {"#" + k for k in digit_keys}

    found: dict[tuple[int, int], Furniture] = {}
    for p in text_pages:
        lines = pages[p]
        for where in ("top", "bottom"):
            for i in zone(lines, where):
                if (p, i) in found:
                    break
                if is_protected(p, i):
                    break
                text = lines[i]
                if is_page_number(text):
                    reason = "page_number"
                elif fold_line(text) in repeated[where] or "#" + digit_key(text) in repeated[where]:
                    reason = "running_header" if where == "top" else "running_footer"
                else:
                    break
                found[(p, i)] = Furniture(p, i, reason, text)

    edge_pages = sorted(set(text_pages[:2] + text_pages[-2:]))
    for p in edge_pages:
        lines = pages[p]
        i = 0
        while i < len(lines):
            j = i
            while j < len(lines) and is_imprint_line(lines[j]) and not is_protected(p, j):
                j += 1
            block = range(i, j)
            if len(block) >= 3 and any(
                EDITORIAL_LABEL.match(unicodedata.normalize("NFKC", lines[k]).strip()) for k in block
            ):
                for k in block:
                    found.setdefault((p, k), Furniture(p, k, "imprint", lines[k]))
            i = max(j, i + 1)

    return [found[k] for k in sorted(found)]


def strip_furniture(
    pages: Sequence[Sequence[T]],
    text: Callable[[T], str],
    *,
    protected: Callable[[T], bool] | None = None,
    **options: int | float,
) -> tuple[list[list[T]], list[Furniture]]:
    """`pages` without their furniture lines, and what was removed.

    Works on any line type: `text(line)` gives a line's text, `protected(line)` marks lines
    that must stay (table rows). `options` go to `find_furniture`.
    """
    texts = [[text(line) for line in page] for page in pages]
    guard = None
    if protected is not None:
        flags = [[protected(line) for line in page] for page in pages]
        guard = lambda p, i: flags[p][i]  # noqa: E731
    removed = find_furniture(texts, protected=guard, **options)  # type: ignore[arg-type]
    drop = {(f.page, f.line) for f in removed}
    kept = [[line for i, line in enumerate(page) if (p, i) not in drop] for p, page in enumerate(pages)]
    return kept, removed
