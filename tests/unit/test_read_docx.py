"""read_docx on the real Chengde budget report, on Word files built to the rules, and read_office via LibreOffice."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from functools import cache
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml

from parsing.errors import BulletinError
from parsing.reading import office
from parsing.reading.base import ReadText
from parsing.reading.docx import read_docx
from parsing.reading.office import convert_with_libreoffice, read_office
from tests.wild_keys import WILD_KEYS, coverage, missing, wild_file

CHENGDE = "hebei_chengde_2025_budget_report"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


@cache
def read() -> ReadText:
    path = wild_file(CHENGDE)
    return read_docx(path.read_bytes(), path.name)


def texts() -> list[str]:
    return [line.text for line in read().lines]


# ---------------------------------------------------------------- the real file


def test_key_quote_coverage():
    cov = coverage(read().lines, WILD_KEYS[CHENGDE])
    assert cov.share >= 0.98, missing(read().lines, WILD_KEYS[CHENGDE])[:20]


@pytest.mark.parametrize(
    "line",
    [
        "承德市十五届人大",
        "七次会议文件（19）",
        "关于承德市2025年市本级预算和",  # the title, printed over three paragraphs
        "市总预算执行情况与2026年市本级预算和",
        "市总预算草案的报告（书面）",
        "——2026年2月6日在承德市第十五届",
        "人民代表大会第七次会议上",
        "承德市财政局局长 林国华",  # the run of spaces collapses
        "各位代表：",
        "一、2025年预算执行情况",
        "（一）全市预算执行情况",
        "二、2026年预算安排情况",
        "1.一般公共预算",
        "承德市十五届人大七次会议秘书处 2026年2月5日印",  # a one-cell table: a frame, read as a line
    ],
)
def test_real_lines(line):
    assert line in texts()


def test_a_paragraph_is_one_line():
    line = next(t for t in texts() if t.startswith("1.一般公共预算收支完成情况。2025年，全市一般公共预算收入完成144.8亿元"))
    assert line.endswith("一般公共预算支出完成515.6亿元，占调整预算的83.1%，同比增长5.1%。")


@pytest.mark.parametrize(
    "row",
    [
        # 附表1: 20 grid columns in Word, 5 logical ones; a merged cell is written once
        "附表1\t\t\t\t",
        "2025年全市一般公共预算收入完成情况表\t\t\t\t",
        "\t\t\t单位:万元\t",
        "预 算 科 目\t预算数\t完成数\t占预算(%)\t比上年 增长(%)",  # a line break inside a cell: a space
        "本年收入合计\t1448485\t1448177\t100\t3",
        "一、税收收入\t927210\t848910\t91.6\t0.5",
        "增值税\t362300\t274175\t75.7\t-0.9",
        # 附表2, glued under 附表1 in the same Word table with its own columns
        "预 算 科 目\t调整 预算数\t完成数\t占调整 预算(%)\t比上年 增长(%)",
        "本年支出合计\t6204053\t5156196\t83.1\t5.1",
        # 附表13, thirteen columns
        "合计\t1269101\t1281260\t101\t1145133\t1135758\t99\t695190\t701066\t101\t627016\t609823\t97",
        "四、居民基本养老保险基金\t220626\t225822\t102\t174161\t174161\t100\t\t\t\t\t\t",
    ],
)
def test_real_table_rows(row):
    assert row in texts()


def test_document_order_prose_then_tables():
    lines = texts()
    assert lines.index("各位代表：") < lines.index("附表1\t\t\t\t") < lines.index("附表13\t\t\t\t\t\t\t\t\t\t\t\t")
    assert lines.index("本年收入合计\t1448485\t1448177\t100\t3") < lines.index("本年支出合计\t6204053\t5156196\t83.1\t5.1")
    assert lines[-1] == "承德市十五届人大七次会议秘书处 2026年2月5日印"


def test_rows_of_a_table_have_one_width():
    lines = texts()
    start = lines.index("附表1\t\t\t\t")
    end = lines.index("附表2\t\t\t\t")
    assert {t.count("\t") for t in lines[start:end]} == {4}


def test_lines_are_clean():
    r = read()
    assert r.format == "docx" and r.reader == "python-docx 1.2.0" and r.encoding is None
    assert all(line.page is None for line in r.lines)
    assert all(line.text.strip() and "\n" not in line.text for line in r.lines)  # no blank lines
    assert not any("— 1 —" in t for t in texts())  # the footer's page number is not read


# ---------------------------------------------------------------- Word files built to the rules


def docx_bytes(document: docx.document.Document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def lines_of(document: docx.document.Document) -> list[str]:
    return [line.text for line in read_docx(docx_bytes(document), "built.docx").lines]


def test_merged_cells_are_written_once():
    d = docx.Document()
    t = d.add_table(rows=4, cols=4)
    t.cell(0, 0).merge(t.cell(0, 3)).text = "表1 项目资金"
    t.cell(1, 0).merge(t.cell(2, 0)).text = "项目"
    t.cell(1, 1).merge(t.cell(1, 2)).text = "2025年"
    t.cell(1, 3).merge(t.cell(2, 3)).text = "备注"
    t.cell(2, 1).text, t.cell(2, 2).text = "预算", "完成"
    for j, v in enumerate(["收入", "100", "110", ""]):
        t.cell(3, j).text = v
    assert lines_of(d) == ["表1 项目资金\t\t\t", "项目\t2025年\t\t备注", "\t预算\t完成\t", "收入\t100\t110\t"]


def test_paragraphs_tables_blank_lines_and_tabs():
    d = docx.Document()
    d.add_paragraph("第一段")
    d.add_paragraph("")
    d.add_paragraph("   ")
    p = d.add_paragraph("甲")
    p.add_run("\t乙")
    p.add_run().add_break()
    p.add_run("丙")
    t = d.add_table(rows=1, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "a\tb", "c"
    frame = d.add_table(rows=1, cols=1)
    frame.cell(0, 0).text = "框内第一段"
    frame.cell(0, 0).add_paragraph("框内第二段")
    d.add_paragraph("末段")
    assert lines_of(d) == ["第一段", "甲 乙 丙", "a b\tc", "框内第一段", "框内第二段", "末段"]


def test_list_numbers_are_rendered():
    d = docx.Document()
    d.add_paragraph("第一项", style="List Number")
    d.add_paragraph("第二项", style="List Number")
    d.add_paragraph("要点", style="List Bullet")  # bullets are not rendered
    numbering = d.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {W} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        '<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
        '<w:lvlText w:val="（%2）"/></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {W} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for text, level in [("总体情况", 0), ("收入", 1), ("支出", 1), ("主要措施", 0), ("加强管理", 1)]:
        p = d.add_paragraph(text)
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {W}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))
    r = read_docx(docx_bytes(d), "n.docx")
    assert [x.text for x in r.lines] == ["1. 第一项", "2. 第二项", "要点", "一、总体情况", "（一）收入", "（二）支出",
                                         "二、主要措施", "（一）加强管理"]
    assert "docx_numbering" in r.flags


def test_content_controls_insertions_deletions_and_fields():
    d = docx.Document()
    body = d.element.body
    sect = body[-1]
    sect.addprevious(parse_xml(
        f'<w:sdt {W}><w:sdtContent><w:p><w:r><w:t>控件里的段落</w:t></w:r></w:p></w:sdtContent></w:sdt>'))
    sect.addprevious(parse_xml(
        f'<w:p {W}><w:r><w:t>保留</w:t></w:r><w:ins w:id="1" w:author="a"><w:r><w:t>插入的</w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="a"><w:r><w:delText>删除的</w:delText></w:r></w:del>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>7</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t>文字</w:t></w:r></w:p>'))
    assert lines_of(d) == ["控件里的段落", "保留插入的7文字"]


# ---------------------------------------------------------------- bad input


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        zip_bytes({"hello.txt": b"not a word file", "[Content_Types].xml": b"<Types/>"}),
        zip_bytes({"xl/workbook.xml": b"<workbook/>", "[Content_Types].xml": b"<Types/>"}),
        b"%PDF-1.7 not a zip at all",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,  # an OLE .doc given as .docx
    ],
    ids=["zip-without-document-xml", "xlsx", "not-a-zip", "ole-doc"],
)
def test_not_docx(data):
    with pytest.raises(BulletinError) as err:
        read_docx(data, "x.docx")
    assert err.value.kind == "not_docx"
    assert err.value.message.startswith("x.docx: ")


def _bad_crc() -> bytes:
    data = bytearray(zip_bytes({"word/document.xml": b"<w:document/>" * 200, "[Content_Types].xml": b"<Types/>"}))
    data[60] ^= 0xFF  # inside the deflated document.xml
    return bytes(data)


@pytest.mark.parametrize(
    "data",
    [
        wild_file(CHENGDE).read_bytes()[: len(wild_file(CHENGDE).read_bytes()) // 2],
        wild_file(CHENGDE).read_bytes()[:-100],
        zip_bytes({"word/document.xml": b"<w:document><w:body><w:p>", "[Content_Types].xml": b"<Types/>"}),
        _bad_crc(),
    ],
    ids=["truncated-half", "truncated-end", "broken-xml", "crc"],
)
def test_corrupt_docx(data):
    with pytest.raises(BulletinError) as err:
        read_docx(data, "x.docx")
    assert err.value.kind == "corrupt_docx"
    assert err.value.message.startswith("x.docx: ")


def test_needs_libreoffice(monkeypatch):
    monkeypatch.setattr(office.shutil, "which", lambda _name: None)
    with pytest.raises(BulletinError) as err:
        convert_with_libreoffice(b"{\\rtf1 hello}", "old.rtf", ".rtf")
    assert err.value.kind == "needs_libreoffice"
    assert err.value.message.startswith("old.rtf: ")


def test_read_office_formats():
    with pytest.raises(ValueError):
        read_office(b"x", "a.pdf", "pdf")


# ---------------------------------------------------------------- LibreOffice (slow)


def _require_soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        reason = "LibreOffice (soffice) is not installed: Debian package libreoffice-writer-nogui"
        if os.environ.get("GONGBAO_REQUIRE_SYSTEM_TOOLS"):
            pytest.fail(reason)
        pytest.skip(reason)
    return exe


def _convert(tmp_path: Path, target: str) -> bytes:
    """The real Chengde DOCX saved by LibreOffice as a .doc or .rtf, made for real."""
    exe = _require_soffice()
    src = tmp_path / "chengde.docx"
    src.write_bytes(wild_file(CHENGDE).read_bytes())
    subprocess.run([exe, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", target, "--outdir", str(tmp_path / "out"), str(src)],
                   capture_output=True, timeout=300, check=True)
    return (tmp_path / "out" / f"chengde.{target}").read_bytes()


@pytest.mark.slow
def test_doc_made_by_libreoffice(tmp_path):
    data = _convert(tmp_path, "doc")
    assert data.startswith(b"\xd0\xcf\x11\xe0")  # an OLE Word 97 file
    r = read_office(data, "chengde.doc", "doc")
    assert r.format == "doc"
    assert r.reader.startswith("LibreOffice ") and r.reader.endswith(" + python-docx 1.2.0")
    assert "converted_by_libreoffice" in r.flags
    lines = [line.text for line in r.lines]
    for row in ["预 算 科 目\t预算数\t完成数\t占预算(%)\t比上年 增长(%)", "本年收入合计\t1448485\t1448177\t100\t3",
                "合计\t1269101\t1281260\t101\t1145133\t1135758\t99\t695190\t701066\t101\t627016\t609823\t97"]:
        assert row in lines
    assert lines[:3] == ["承德市十五届人大", "七次会议文件（19）", "关于承德市2025年市本级预算和"]
    assert coverage(r.lines, WILD_KEYS[CHENGDE]).share >= 0.98
    assert len(set(lines) ^ set(texts())) <= 0.02 * len(lines)  # the round trip keeps the lines


@pytest.mark.slow
def test_rtf_made_by_libreoffice(tmp_path):
    r = read_office(_convert(tmp_path, "rtf"), "chengde.rtf", "rtf")
    assert r.format == "rtf"
    assert "本年收入合计\t1448485\t1448177\t100\t3" in [line.text for line in r.lines]
    assert coverage(r.lines, WILD_KEYS[CHENGDE]).share >= 0.98


@pytest.mark.slow
def test_conversion_failed_carries_stderr():
    _require_soffice()
    with pytest.raises(BulletinError) as err:
        read_office(b"PK\x03\x04" + bytes(range(256)) * 20, "broken.doc", "doc")
    assert err.value.kind == "conversion_failed"
    assert err.value.message.startswith("broken.doc: ")
    assert "stderr: " in err.value.message and "could not be loaded" in err.value.message


@pytest.mark.slow
def test_conversion_timeout(tmp_path):
    data = _convert(tmp_path, "doc")
    with pytest.raises(BulletinError) as err:
        convert_with_libreoffice(data, "slow.doc", ".doc", timeout=0.2)
    assert err.value.kind == "conversion_failed" and "did not finish" in err.value.message
