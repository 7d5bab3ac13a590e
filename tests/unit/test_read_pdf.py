"""The PDF reader (parsing/reading/pdf.py, ocr.py, furniture.py) on the real budget report
raw/hebei_shijiazhuang_2018_budget_report.pdf (51 pages: cover, blank page, 18 pages of
text, two divider pages, 28 pages of ruled tables), on PDFs made from it (scanned,
encrypted, truncated) and on small PDFs written here."""
from __future__ import annotations

import ctypes
import io
import re
import shutil
import subprocess
import time
from collections import Counter

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest

from parsing.errors import BulletinError
from parsing.reading.base import ReadText
from parsing.reading.furniture import (
    breaks_number,
    drop_cjk_spaces,
    find_furniture,
    fold_line,
    is_page_number,
    join_pieces,
    strip_furniture,
)
from parsing.reading.pdf import read_pdf
from tests.wild_keys import WILD_KEYS, coverage, fold, missing, wild_file
from tests.scans import scanned_pdf

STEM = "hebei_shijiazhuang_2018_budget_report"
PDF = wild_file(STEM)


@pytest.fixture(scope="module")
def data() -> bytes:
    return PDF.read_bytes()


@pytest.fixture(scope="module")
def read(data: bytes) -> ReadText:
    return read_pdf(data, PDF.name)


def page_lines(read: ReadText, page: int) -> list[str]:
    return [line.text for line in read.lines if line.page == page]


def tesseract_ready() -> bool:
    from parsing.reading.ocr import OcrUnavailable, find_engine

    try:
        find_engine()
    except OcrUnavailable:
        return False
    return True


# ---------------------------------------------------------------------------------------
# the real file


def test_the_result(read: ReadText) -> None:
    assert read.format == "pdf"
    assert re.fullmatch(r"pypdfium2 \d+\.\d+\.\d+", read.reader)
    assert read.page_count == 51
    assert read.flags == [] and read.ocr_pages == [] and read.ocr_confidence is None
    assert all(line.text.strip() and "\n" not in line.text and line.text == line.text.strip(" ") for line in read.lines)
    pages = [line.page for line in read.lines]
    assert pages == sorted(pages) and set(pages) <= set(range(1, 52))
    assert 2 not in pages  # the blank page after the cover


@pytest.mark.parametrize(
    ("page", "text"),
    [
        (1, "石家庄市财政局局长 王东华"),  # the 1.1-em gap is printed: kept as a space
        (3, "关于石家庄市2018年预算执行情况和"),
        (3, "各位代表:"),
        # two PDF lines joined; "2018 年" (digit, CJK) spacing dropped
        (3, "受市政府委托,现将2018年预算执行情况和2019年预算草案提请大会审议,并请市政协委员和列席人员提出意见。"),
        (3, "一、2018年预算执行情况"),  # a heading: not joined to the paragraph after it
        # PDFium's " 994.7 亿元,占 调 整 预 算 的 98%" (justified line) without its spaces
        (4, "转移支付、一般债券、调入资金等,全年支出预算调整为1014.5亿元,实际支出994.7亿元,占调整预算的98%,增长23.3%。"),
        (4, "市级收入完成136.5亿元,占预算的101.8%,下降36%。"),
        (4, "主要原因是受土地出让收入市与区分享体制政策变化影响。"),
        # PDFium splits one printed line of it at a closing quote (“天花板”): rejoined
        (20, "(五)加强政府债务管控,防范化解运行风险。坚决落实中央防范化解风险重大决策部署,严格债务管理。"
             "有效管控政府债务规模,牢牢守住债务限额“天花板”,确保债务余额控制在限额之内。严格规范举债融资行为,"
             "依法合规举借债务,用足用好国家较大幅度增加专项债券规模政策,优先保障重点项目需求。"),
        (21, "石家庄市2018年全市及"),
        (22, "表1"),
        (22, "单位:万元"),
        (36, "市级预算草案"),
        (51, "石家庄市十四届人大四次会议秘书处 2019年1月20日印"),
    ],
)
def test_real_lines_on_their_pages(read: ReadText, page: int, text: str) -> None:
    assert text in page_lines(read, page)


def test_519_7_rejoined(read: ReadText) -> None:
    (line,) = [line for line in read.lines if line.page == 3 and "519.7" in line.text]
    assert line.page == 3
    assert "全市收入完成519.7亿元,占预算的102.5%" in line.text


def test_paragraph_over_a_page_break_starts_a_new_line(read: ReadText) -> None:
    assert page_lines(read, 3)[-1].endswith("当年收入加上级")
    assert page_lines(read, 4)[0].startswith("转移支付、一般债券")
    # p20 goes on from p19 mid-sentence: its first line is on p20, not glued to p19's
    assert page_lines(read, 20)[0].startswith("资金分配,打破“基数加增长”")


def test_no_page_furniture_left(read: ReadText) -> None:
    # every page of text and tables has its printed number (— 1 — on p3 ... — 49 — on p51)
    assert not [line for line in read.lines if is_page_number(line.text)]
    printed = {f"—{n}—" for n in range(1, 50)}
    assert not [line for line in read.lines if fold_line(line.text) in printed]
    assert not [line for line in read.lines if re.search(r"—\s*\d+\s*—$", line.text)]


def test_ruled_table_rows(read: ReadText) -> None:
    rows = [t for t in page_lines(read, 22) if "\t" in t]
    assert len(rows) == 24 and {r.count("\t") for r in rows} == {4}
    assert rows[0] == "科目名称\t年初预算\t实际完成\t占年初预算(%)\t比上年增长(%)"  # a 3-text-row header merged
    assert "一、税收收入\t3537000\t3599292\t101.8\t16" in rows
    assert "营业税\t\t4672\t\t184" in rows  # empty cells kept in their columns
    assert rows[-1] == "合 计\t5068000\t5196779\t102.5\t12.8"
    rows26 = [t for t in page_lines(read, 26) if "\t" in t]
    assert "使用历年结余\t180688\t\t\t" in rows26 and "总 计\t4751696\t\t\t" in rows26
    # every table page: one table, all rows with the same number of cells
    for page in [*range(22, 36), *range(37, 51)]:
        widths = Counter(t.count("\t") for t in page_lines(read, page) if "\t" in t)
        assert len(widths) == 1 and min(widths) in (2, 4), (page, widths)
    assert not [line for line in read.lines if line.page < 21 and "\t" in line.text]


def test_key_quote_coverage(read: ReadText) -> None:
    key = WILD_KEYS[STEM]
    cov = coverage(read.lines, key)
    assert cov.share >= 0.98, missing(read.lines, key)[:20]
    assert cov.page_share >= 0.95


def test_speed(data: bytes) -> None:
    read_pdf(data, PDF.name)
    started = time.perf_counter()
    read_pdf(data, PDF.name)
    per_second = 51 / (time.perf_counter() - started)
    print(f"read_pdf: {per_second:.0f} pages/s")
    assert per_second > 20  # measured 150-250 pages/s; a loose bar for slow CI machines


def turned(data: bytes, pages: list[int], rotation: int) -> bytes:
    """The pages drawn turned inside a form XObject, with a /Rotate that shows them upright
    again (how landscape and scanned-sideways pages come)."""
    src, dst = pdfium.PdfDocument(data), pdfium.PdfDocument.new()
    for n in pages:
        w, h = src[n - 1].get_size()
        page = dst.new_page(h, w) if rotation in (90, 270) else dst.new_page(w, h)
        form = src.page_as_xobject(n - 1, dst).as_pageobject()
        matrix = {90: (0, 1, -1, 0, h, 0), 180: (-1, 0, 0, -1, w, h), 270: (0, -1, 1, 0, 0, w)}[rotation]
        form.transform(pdfium.PdfMatrix(*matrix))
        page.insert_obj(form)
        page.gen_content()
        page.set_rotation(rotation)
    out = io.BytesIO()
    dst.save(out)
    return out.getvalue()


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_rotated_pages_read_as_displayed(data: bytes, read: ReadText, rotation: int) -> None:
    again = read_pdf(turned(data, [3, 22], rotation), "turned.pdf")
    assert page_lines(again, 1) == page_lines(read, 3)
    assert page_lines(again, 2) == page_lines(read, 22)  # the table's rules found inside the form


# ---------------------------------------------------------------------------------------
# scanned pages




def blank_scan() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (1654, 2339), 255).save(out, "PDF", resolution=200)
    return out.getvalue()


def test_scanned_page_without_engine_needs_ocr(data: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    scan = scanned_pdf(data, [4])
    with pytest.raises(BulletinError) as e:
        read_pdf(scan, "scan.pdf", tesseract_cmd="/nonexistent/tesseract")
    assert e.value.kind == "needs_ocr"
    assert e.value.message.startswith("scan.pdf: page 1 has no text layer") and "/nonexistent/tesseract" in e.value.message
    monkeypatch.setenv("GONGBAO_TESSERACT", "/nonexistent/tesseract")
    with pytest.raises(BulletinError) as e:
        read_pdf(scan, "scan.pdf")
    assert e.value.kind == "needs_ocr"
    monkeypatch.delenv("GONGBAO_TESSERACT")
    with pytest.raises(BulletinError) as e:
        read_pdf(scan, "scan.pdf", ocr=False)
    assert e.value.kind == "needs_ocr"


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="no tesseract binary to wrap")
def test_tesseract_without_chi_sim_needs_ocr(data: bytes, tmp_path) -> None:
    """A tesseract that runs but has no simplified-Chinese model is no engine."""
    fake = tmp_path / "tesseract"
    fake.write_text(f'#!/bin/sh\nif [ "$1" = "--list-langs" ]; then echo "List of available languages (1):"; '
                    f'echo eng; exit 0; fi\nexec {shutil.which("tesseract")} "$@"\n')
    fake.chmod(0o755)
    with pytest.raises(BulletinError) as e:
        read_pdf(scanned_pdf(data, [4]), "scan.pdf", tesseract_cmd=str(fake))
    assert e.value.kind == "needs_ocr" and "chi_sim" in e.value.message


@pytest.mark.slow
@pytest.mark.skipif(not tesseract_ready(), reason="no tesseract binary with chi_sim")
def test_scanned_page_read_by_ocr(data: bytes) -> None:
    started = time.perf_counter()
    read = read_pdf(scanned_pdf(data, [4]), "scan.pdf")
    print(f"OCR: {time.perf_counter() - started:.1f} s/page, confidence {read.ocr_confidence}")
    assert "ocr" in read.flags
    assert read.ocr_pages == [1]
    assert re.fullmatch(r"pypdfium2 [\d.]+ \+ tesseract 5[\d.]*", read.reader)
    assert read.ocr_confidence is not None and read.ocr_confidence > 70
    text = fold(read.text)
    found = [q for q in ("1014.5亿元", "994.7亿元", "191.6亿元", "244.2亿元", "243.1亿元", "560.9亿元",
                         "636.2亿元", "136.5亿元", "184.9亿元", "440.1亿元", "427.5亿元", "279.9亿元",
                         "269.4亿元", "主要原因是受土地出让收入市与区分享体制政策变化影响",
                         "国有资本经营预算完成情况", "社会保险基金预算完成情况") if fold(q) in text]
    assert len(found) >= 13, found
    assert all(line.page == 1 for line in read.lines)
    assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", read.text)  # no spaces between CJK
    assert not [line for line in read.lines if is_page_number(line.text)]  # — 2 — is gone
    # lines of a paragraph joined, as in the text layer
    assert any(line.text.startswith("市级一般公共预算和城区分享收入完成191.6亿元") and "市级结转1.1亿元" in line.text
               for line in read.lines)


@pytest.mark.slow
@pytest.mark.skipif(not tesseract_ready(), reason="no tesseract binary with chi_sim")
def test_text_and_scanned_pages_mixed(data: bytes) -> None:
    """A scanned page between text pages: OCR for that page only, pages numbered right."""
    src = pdfium.PdfDocument(data)
    mixed = pdfium.PdfDocument.new()
    mixed.import_pages(src, [2])  # p3 text
    scan = pdfium.PdfDocument(blank_scan())
    mixed.import_pages(scan, [0])  # p2 scanned, nothing on it
    mixed.import_pages(src, [3])  # p4 text
    out = io.BytesIO()
    mixed.save(out)
    read = read_pdf(out.getvalue(), "mixed.pdf")
    assert read.ocr_pages == [2]
    assert "ocr" in read.flags and "ocr_unreadable:p2" in read.flags
    assert read.ocr_confidence is None
    assert {line.page for line in read.lines} == {1, 3}
    assert any("519.7亿元" in line.text and line.page == 1 for line in read.lines)


# ---------------------------------------------------------------------------------------
# bad input


def test_truncated_pdf(data: bytes) -> None:
    with pytest.raises(BulletinError) as e:
        read_pdf(data[: len(data) // 2], "half.pdf")
    assert e.value.kind == "corrupt_pdf" and e.value.message.startswith("half.pdf: ")


@pytest.mark.parametrize("blob", [b"", b"<html><body>404</body></html>", b"%PDF-1.7\n garbage"])
def test_not_a_pdf(blob: bytes) -> None:
    with pytest.raises(BulletinError) as e:
        read_pdf(blob, "bad.pdf")
    assert e.value.kind == "corrupt_pdf" and e.value.message.startswith("bad.pdf: ")


def zero_page_pdf() -> bytes:
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pdf_without_pages() -> None:
    with pytest.raises(BulletinError) as e:
        read_pdf(zero_page_pdf(), "empty.pdf")
    assert e.value.kind == "empty_pdf" and e.value.message.startswith("empty.pdf: ")


def encrypt(data: bytes, tmp_path, user: str) -> bytes:
    """The file encrypted (AES-256) by qpdf (Debian package `qpdf`), else pypdf if installed."""
    src, dst = tmp_path / "in.pdf", tmp_path / "out.pdf"
    src.write_bytes(data)
    if shutil.which("qpdf"):
        subprocess.run(["qpdf", "--encrypt", user, "owner-secret", "256", "--", str(src), str(dst)], check=True)
        return dst.read_bytes()
    pypdf = pytest.importorskip("pypdf", reason="neither qpdf nor pypdf is installed to make an encrypted PDF")
    writer = pypdf.PdfWriter(clone_from=str(src))
    writer.encrypt(user_password=user, owner_password="owner-secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_encrypted_pdf(data: bytes, tmp_path) -> None:
    with pytest.raises(BulletinError) as e:
        read_pdf(encrypt(data, tmp_path, "user-secret"), "locked.pdf")
    assert e.value.kind == "encrypted_pdf" and e.value.message.startswith("locked.pdf: ")


def test_owner_password_only_is_readable(data: bytes, tmp_path, read: ReadText) -> None:
    """Encrypted with permissions only (empty user password): opens like any PDF."""
    again = read_pdf(encrypt(data, tmp_path, ""), "restricted.pdf")
    assert [line.text for line in again.lines] == [line.text for line in read.lines]


# ---------------------------------------------------------------------------------------
# small PDFs written here (Latin text, standard font: the rules are the same)


def make_pdf(pages: list[list[tuple[float, float, str]]], size: float = 12.0) -> bytes:
    doc = pdfium.PdfDocument.new()
    for lines in pages:
        page = doc.new_page(595, 842)
        for x, y, text in lines:
            obj = pdfium_c.FPDFPageObj_NewTextObj(doc.raw, b"Helvetica", ctypes.c_float(size))
            buf = (text + "\0").encode("utf-16-le")
            pdfium_c.FPDFText_SetText(obj, ctypes.cast(ctypes.create_string_buffer(buf, len(buf)),
                                                       pdfium_c.FPDF_WIDESTRING))
            pdfium_c.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, y)
            pdfium_c.FPDFPage_InsertObject(page.raw, obj)
        pdfium_c.FPDFPage_GenerateContent(page.raw)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_number_broken_over_a_page_break_is_rejoined() -> None:
    data = make_pdf([
        [(72, 760, "Annual report"), (72, 700, "Revenue of the whole city reached a total of 519"), (290, 60, "- 1 -")],
        [(72, 760, ".7 billion yuan in the year, up 12.8 percent."), (72, 740, "A line of its own."),
         (290, 60, "- 2 -")],
    ])
    read = read_pdf(data, "synthetic.pdf")
    assert [(line.text, line.page) for line in read.lines] == [
        ("Annual report", 1),
        ("Revenue of the whole city reached a total of 519.7 billion yuan in the year, up 12.8 percent.", 1),
        ("A line of its own.", 2),
    ]


def test_running_header_and_paragraphs() -> None:
    def body(n: int) -> str:
        return " ".join(f"w{'abcde'[n]}{k}" for k in range(12))

    pages = []
    for n in range(5):
        tag = "ABCDE"[n]
        pages.append([
            (72, 800, "City Gazette 2026 No. 10"),  # running header, the same on every page
            (100, 740, f"Section {tag} heading"),
            (72, 720, body(n) + " goes"),
            (72, 706, f"on and ends on page {tag}."),
            (100, 692, f"An indented new paragraph {tag}."),
            (72, 678, f"Its second line {tag}."),
            (280, 60, f"- {n + 15} -"),  # printed page number, not the PDF page
        ])
    read = read_pdf(make_pdf(pages), "gazette.pdf")
    assert not [line for line in read.lines if "Gazette" in line.text or is_page_number(line.text)]
    assert page_lines(read, 3) == [
        "Section C heading",
        body(2) + " goes on and ends on page C.",
        "An indented new paragraph C.",  # a short line ends its paragraph
        "Its second line C.",
    ]


# ---------------------------------------------------------------------------------------
# furniture.py on plain pages of strings


@pytest.mark.parametrize("text", ["— 15 —", "·3·", "- 2 -", "第 3 页", "第3页 共10页", "3 / 51", "15", "Page 3 of 9", "－ 7 －"])
def test_page_numbers(text: str) -> None:
    assert is_page_number(text)


@pytest.mark.parametrize("text", ["2013年第13号", "表1", "1.5亿元", "一、总则", "第三条"])
def test_not_page_numbers(text: str) -> None:
    assert not is_page_number(text)


def test_find_furniture() -> None:
    def body(n: int) -> list[str]:
        return [f"第{k}页正文{'甲乙丙丁戊己'[n]}。" for k in range(4)]

    titles = ["关于印发某办法的通知", "关于某事项的批复", "关于某工作的意见", "某市某规定", "某市某办法", "关于某人任免的通知"]
    pages = [
        ["深圳市人民政府公报 2026年第10期", titles[n], "表1" if n < 3 else "单位:万元", *body(n),
         f"深圳市人民政府公报 — {n + 14} —"]
        for n in range(6)
    ]
    pages[5] += ["主办:深圳市人民政府办公厅", "编辑出版:深圳市人民政府公报编辑部", "地址:深圳市福田区市民中心",
                 "邮编:518035", "电话:0755-88100000"]
    removed = {(f.page, f.line): f.reason for f in find_furniture(pages)}
    assert all(removed[(p, 0)] == "running_header" for p in range(6))
    assert all(removed[(p, 7)] == "running_footer" for p in range(5))  # digits differ, tracking the page
    assert all(removed[(5, k)] == "imprint" for k in range(8, 13))
    assert (5, 7) not in removed  # no longer at the page edge: the imprint follows it
    assert not [k for k in removed if 1 <= k[1] <= 6]  # the text, 表1 and 单位:万元 stay
    kept, _ = strip_furniture(pages, str)
    assert kept[0] == ["关于印发某办法的通知", "表1", *body(0)]


def test_captions_and_contact_lines_are_not_furniture() -> None:
    # 表N at the top of every page, its number going up with the page: a caption
    pages = [[f"表{n + 1}", "科目名称 金额", f"{n}00"] for n in range(8)]
    assert not [f for f in find_furniture(pages) if f.line == 0]
    # a notice's own contact lines (no editorial label) stay
    notice = [["通知正文。"], ["联系人:张三", "电话:0311-1234567", "地址:石家庄市某路1号"]]
    assert find_furniture(notice) == []


def test_spacing_rule() -> None:
    # (text, x0, x1, space_before); em = 10
    pieces = [("2013", 0, 20, False), ("年", 22, 32, True), ("第", 32, 42, False), ("13", 44, 54, True),
              ("号", 56, 66, True), ("王", 80, 90, True), ("Word", 92, 112, False), ("2019", 115, 135, True)]
    assert join_pieces(pieces, 10) == "2013年第13号 王Word 2019"
    assert drop_cjk_spaces("2013 年 第 13 号 Word 2019") == "2013年第13号Word 2019"


@pytest.mark.parametrize(("prev", "cur", "broken"), [
    ("收入完成519", ".7亿元", True), ("增长12.", "8%", True), ("增长12.8", "%", True),
    ("收入完成519", "亿元", False), ("2019年。", "3月", False), ("一、", "二、", False),
])
def test_breaks_number(prev: str, cur: str, broken: bool) -> None:
    assert breaks_number(prev, cur) is broken
