"""OCR of scanned PDF pages: which pages need it, and their lines read by Tesseract.

Why these tools
    * Tesseract (Apache-2.0; Debian `tesseract-ocr` + `tesseract-ocr-chi-sim`, language
      `chi_sim`) is the free engine with a maintained simplified-Chinese model that runs
      without a GPU or model download at run time; it is called through pytesseract
      (Apache-2.0) `image_to_data`, which gives every word's box and confidence, so lines
      can be rebuilt with the same geometry rules as the PDF text layer.
    * Pages are rendered with pypdfium2 (BSD-3/Apache-2.0), the library that already reads
      the text layer (PyMuPDF is AGPL and is not used), at 300 dpi, Tesseract's preferred
      resolution for body text.

Which pages (`looks_scanned`, `page_needs_ocr`)
    A page needs OCR when its text layer has (almost) no characters, fewer than
    `MIN_TEXT_CHARS` visible ones, and its ink is not text: images covering at least
    `MIN_IMAGE_SHARE` of the page (a scan), or many vector paths and no characters at all
    (text converted to outlines). A page with nothing at all is blank, not scanned; a page
    with a short heading and no image (a section divider) is text.

Lines (`ocr_page`)
    Tesseract's words are grouped by its (block, paragraph, line) numbers. A line's text
    follows the spacing rule of the PDF reader (`furniture.join_pieces`) adapted to
    Tesseract: it separates every Chinese character by a space, and those spaces (between
    CJK characters, and between a CJK character and a digit or Latin letter) are dropped;
    spaces between two non-CJK words are kept; a gap of at least `OCR_WIDE_GAP_EM` times
    the line's character height is kept as one space (Tesseract's boxes of CJK words are
    loose, so the text layer's one-font-size threshold would turn every gap after a
    full-width comma into a space). Table rules read as `|` become column gaps, and a
    number split after its decimal point (`244. 2`) is rejoined. Lines of at most
    `NOISE_MAX_CHARS` characters with a mean confidence under `NOISE_MAX_CONF` (specks,
    page-number ornaments read as `.机`) are dropped. Boxes are converted to PDF points
    with the origin at the bottom left of the page as displayed, so the reader applies its
    indentation and joining rules to OCR lines too. The mean word confidence (0-100) is
    reported per page; a page with no words is returned empty and the reader flags it.

Engine (`find_engine`)
    The `tesseract` binary is taken from the argument, else the `GONGBAO_TESSERACT`
    environment variable, else `PATH`; it must run and have the `chi_sim` language.
    Otherwise `OcrUnavailable` says why, and the reader raises `needs_ocr`.
"""
from __future__ import annotations

import os
import re
import shutil
import threading
import time
from dataclasses import dataclass, field
from statistics import median
from typing import TYPE_CHECKING, Any

from parsing.reading.furniture import is_cjk

if TYPE_CHECKING:
    import pypdfium2
    from PIL.Image import Image

ENV_TESSERACT = "GONGBAO_TESSERACT"
DEFAULT_LANG = "chi_sim"
DEFAULT_DPI = 300
MIN_TEXT_CHARS = 16  # fewer visible text-layer characters than this: "almost no text"
MIN_IMAGE_SHARE = 0.25  # images covering this share of the page make it a scan
MIN_OUTLINE_PATHS = 200  # vector paths on a page with no characters: outlined text
PAGE_TIMEOUT_S = 300
OCR_WIDE_GAP_EM = 2.5  # Tesseract's CJK word boxes are loose: only a gap this wide is a space
NOISE_MAX_CHARS = 3  # a line this short ...
NOISE_MAX_CONF = 20.0  # ... with a mean confidence below this is a speck or an ornament

_lock = threading.Lock()  # pytesseract reads its binary path from a module global


class OcrUnavailable(RuntimeError):
    """No usable OCR engine; the message says what is missing."""


@dataclass(frozen=True, slots=True)
class OcrEngine:
    cmd: str  # path of the tesseract binary
    lang: str
    version: str  # e.g. "5.3.0"

    @property
    def label(self) -> str:
        return f"tesseract {self.version}"


@dataclass(frozen=True, slots=True)
class OcrLine:
    text: str
    x0: float  # PDF points, origin bottom-left of the displayed page
    x1: float
    bottom: float
    top: float
    em: float  # estimated font size in points
    confidence: float  # mean word confidence of the line
    wide_gaps: int = 0  # gaps kept as spaces for their width or a rule: the cells of a table row


@dataclass
class OcrPage:
    page: int  # 1-based
    lines: list[OcrLine] = field(default_factory=list)
    confidence: float | None = None  # mean word confidence, None when no words
    words: int = 0
    seconds: float = 0.0


_engines: dict[tuple[str, str], OcrEngine] = {}


def find_engine(tesseract_cmd: str | None = None, lang: str = DEFAULT_LANG) -> OcrEngine:
    """The Tesseract engine to use, or `OcrUnavailable` with the reason."""
    try:
        import pytesseract
    except ImportError as e:  # pragma: no cover - pinned dependency
        raise OcrUnavailable("pytesseract is not installed") from e
    cmd = tesseract_cmd or os.environ.get(ENV_TESSERACT) or "tesseract"
    path = shutil.which(cmd) or (cmd if os.path.isfile(cmd) and os.access(cmd, os.X_OK) else None)
    if path is None:
        raise OcrUnavailable(f"no tesseract binary at {cmd!r}")
    key = (path, lang)
    if key in _engines:
        return _engines[key]
    with _lock:
        saved = pytesseract.pytesseract.tesseract_cmd
        pytesseract.pytesseract.tesseract_cmd = path
        try:
            version = str(pytesseract.get_tesseract_version())
            langs = set(pytesseract.get_languages(config=""))
        except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, OSError) as e:
            raise OcrUnavailable(f"tesseract at {path!r} does not run: {e}") from e
        finally:
            pytesseract.pytesseract.tesseract_cmd = saved
    if lang not in langs:
        raise OcrUnavailable(f"tesseract at {path!r} has no {lang!r} language (has {sorted(langs)})")
    engine = OcrEngine(path, lang, version.split()[0])
    _engines[key] = engine
    return engine


def looks_scanned(visible_chars: int, image_share: float, path_count: int) -> bool:
    """The page's ink is not in its text layer (see the module docstring)."""
    if visible_chars >= MIN_TEXT_CHARS:
        return False
    if image_share >= MIN_IMAGE_SHARE:
        return True
    return visible_chars == 0 and path_count >= MIN_OUTLINE_PATHS


def page_needs_ocr(page: pypdfium2.PdfPage) -> bool:
    """`looks_scanned` for a pypdfium2 page, measuring it (the PDF reader measures pages
    while it reads them and calls `looks_scanned` itself)."""
    import pypdfium2.raw as pdfium_c

    textpage = page.get_textpage()
    try:
        n = pdfium_c.FPDFText_CountChars(textpage.raw)
        visible = 0
        for i in range(max(n, 0)):
            u = pdfium_c.FPDFText_GetUnicode(textpage.raw, i)
            if u > 32 and not chr(u).isspace():
                visible += 1
    finally:
        textpage.close()
    width, height = page.get_size()
    area = max(width * height, 1.0)
    image_area = 0.0
    paths = 0
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_PATH]):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
            paths += 1
            continue
        left, bottom, right, top = obj.get_bounds()
        image_area += max(0.0, min(right, width) - max(left, 0.0)) * max(0.0, min(top, height) - max(bottom, 0.0))
    return looks_scanned(visible, min(image_area / area, 1.0), paths)


def render_page(page: pypdfium2.PdfPage, dpi: int = DEFAULT_DPI) -> Image:
    """The page as displayed (its /Rotate applied), grey, at `dpi`."""
    bitmap = page.render(scale=dpi / 72.0, grayscale=True)
    return bitmap.to_pil()


def ocr_image(image: Image, engine: OcrEngine, *, dpi: int, page: int = 1) -> OcrPage:
    """Tesseract's lines of one page image (`dpi` converts its pixels to PDF points)."""
    import pytesseract

    started = time.perf_counter()
    with _lock:
        saved = pytesseract.pytesseract.tesseract_cmd
        pytesseract.pytesseract.tesseract_cmd = engine.cmd
        try:
            data: dict[str, list[Any]] = pytesseract.image_to_data(
                image,
                lang=engine.lang,
                config="--psm 3",
                output_type=pytesseract.Output.DICT,
                timeout=PAGE_TIMEOUT_S,
            )
        except RuntimeError:  # pytesseract's timeout
            data = {"text": []}
        finally:
            pytesseract.pytesseract.tesseract_cmd = saved
    scale = 72.0 / dpi
    height_pt = image.height * scale
    groups: dict[tuple[int, int, int], list[tuple[str, float, float, float, float, float]]] = {}
    order: list[tuple[int, int, int]] = []
    for i, raw_text in enumerate(data.get("text", [])):
        text = (raw_text or "").strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        if key not in groups:
            groups[key] = []
            order.append(key)
        left, top = float(data["left"][i]), float(data["top"][i])
        width, height = float(data["width"][i]), float(data["height"][i])
        groups[key].append((text, left * scale, (left + width) * scale, height_pt - (top + height) * scale,
                            height_pt - top * scale, conf))
    result = OcrPage(page=page)
    confidences: list[float] = []
    for key in order:
        words = groups[key]
        heights = [w[4] - w[3] for w in words if any(is_cjk(c) for c in w[0])] or [w[4] - w[3] for w in words]
        em = median(heights) if heights else 0.0
        text, gaps = _line_text(words, em)
        confs = [w[5] for w in words]
        if not text or (len(text) <= NOISE_MAX_CHARS and sum(confs) / len(confs) < NOISE_MAX_CONF):
            continue
        confidences += confs
        result.lines.append(OcrLine(
            text=text,
            x0=min(w[1] for w in words),
            x1=max(w[2] for w in words),
            bottom=min(w[3] for w in words),
            top=max(w[4] for w in words),
            em=em,
            confidence=sum(confs) / len(confs),
            wide_gaps=gaps,
        ))
    result.words = len(confidences)
    result.confidence = sum(confidences) / len(confidences) if confidences else None
    result.seconds = time.perf_counter() - started
    return result


_RULE_CHARS = "|｜丨"


def _line_text(words: list[tuple[str, float, float, float, float, float]], em: float) -> tuple[str, int]:
    """One OCR line's text: Tesseract's words joined by the spacing rule (see the module
    docstring), table rules read as `|` turned into column gaps, and a number that
    Tesseract split after its decimal point (`244. 2`) rejoined."""
    out: list[str] = []
    last_x1: float | None = None
    rule_pending = False  # a table rule was read just before this word
    gaps = 0
    wide = OCR_WIDE_GAP_EM * em if em > 0 else float("inf")
    for text, x0, x1, _b, _t, _c in words:
        core = text.strip(_RULE_CHARS)
        if not core:
            rule_pending = True
            continue
        rule_before = rule_pending or core[0] != text[0]
        if out and last_x1 is not None:
            if rule_before or x0 - last_x1 >= wide:
                out.append(" ")
                gaps += 1
            elif not (is_cjk(out[-1][-1]) or is_cjk(core[0])):
                out.append(" ")
        out.append(core)
        last_x1 = x1
        rule_pending = core[-1] != text[-1]
    joined = "".join(out).strip()
    return _SPLIT_DECIMAL.sub("", joined), gaps


_SPLIT_DECIMAL = re.compile(r"(?<=\d[.．])\s+(?=\d)")


def ocr_page(page: pypdfium2.PdfPage, engine: OcrEngine, *, page_no: int, dpi: int = DEFAULT_DPI) -> OcrPage:
    """Render one pypdfium2 page at `dpi` and read it with Tesseract."""
    started = time.perf_counter()
    result = ocr_image(render_page(page, dpi), engine, dpi=dpi, page=page_no)
    result.seconds = time.perf_counter() - started
    return result
