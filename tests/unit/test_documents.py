"""Document segmentation and GB/T 9704 elements on the real sample bulletins."""
import datetime as dt
import difflib
import json
import re
import unicodedata

import pytest

from parsing.text.lines import to_simplified
from tests.conftest import GOLD, SAMPLES


def fold(s):
    return to_simplified(re.sub(r"\s+", "", unicodedata.normalize("NFKC", s or "")))


def docs(parsed, prefix):
    return parsed[prefix].tables["documents"]


@pytest.mark.parametrize("key", sorted(p.stem for p in GOLD.glob("*.json")))
def test_documents_agree_with_answer_key(parsed, key):
    gold = json.loads((GOLD / f"{key}.json").read_text(encoding="utf-8"))
    got = docs(parsed, key[:3])
    assert len(got) == len(gold["documents"])
    for g in gold["documents"]:
        p = max(got, key=lambda d: difflib.SequenceMatcher(None, fold(g["title"]), fold(d["title"])).ratio())
        assert fold(p["title"]) == fold(g["title"])
        assert fold(p["doc_number"]) == fold(g["doc_number"])
        assert sorted(map(fold, p["issuers"])) == sorted(map(fold, g["issuers"]))
        assert str(p["signed_date"]) == str(g["signed_date"])
        assert fold(p["section"]) == fold(g["section"])
        assert fold(p["recipients"]) == fold(g["recipients"])
        assert p["doc_type"] == g["doc_type"]
        assert abs(p["line_start"] - g["line_start"]) <= 2 and abs(p["line_end"] - g["line_end"]) <= 3
    b = parsed[key[:3]].tables["bulletins"][0]
    for field in ("publisher", "year", "issue_no", "cumulative_no", "script"):
        assert b[field] == gold["bulletin"][field], field
    assert (str(b["issue_date"]) if b["issue_date"] else None) == gold["bulletin"]["issue_date"]


def test_pdf_text_titles_split_over_lines_and_running_headers(parsed):
    d = docs(parsed, "001")
    assert [x["doc_number"] for x in d] == ["国办发〔2016〕47号", "川府发〔2016〕30号", "川办发〔2016〕41号",
                                            "绵府办发〔2016〕35号"]
    # lines 3-4: a title wrapped in two lines
    assert d[0]["title"] == "国务院办公厅关于促进和规范健康医疗大数据应用发展的指导意见"
    assert d[0]["line_start"] == 3
    # lines 1466, 1467, 1469: issuer, and a title wrapped over a blank line
    assert d[3]["title"] == "绵阳市人民政府办公室关于印发绵阳市推进供给侧结构性改革５个专项工作方案的通知"
    assert d[3]["line_start"] == 1466 and d[2]["line_end"] == 1465
    # recipients wrapped over lines 8-10
    assert d[0]["recipients"] == "各省、自治区、直辖市人民政府，国务院各部委、各直属机构"
    # the running header 本级文件 (line 1561) names the section of the page document 4 starts on
    assert [x["section"] for x in d] == ["上级文件", "上级文件", "上级文件", "本级文件"]
    # page number "６１" (line 1557) and running header are page furniture, not body
    body_lines = d[3]["body"].split("\n")
    assert "６１" not in body_lines and "本级文件" not in body_lines
    assert d[3]["enclosed_titles"] == ["去产能专项工作方案", "去库存专项工作方案", "去杠杆专项工作方案",
                                       "降成本专项工作方案", "补短板专项工作方案"]
    assert d[1]["signed_date"] == dt.date(2016, 6, 25)


def test_traditional_compilation_with_mojibake(parsed):
    b = parsed["002"].tables["bulletins"][0]
    assert b["script"] == "traditional" and b["detected_format"] == "compilation"
    assert 24 in b["mojibake_lines"] and 3 in b["mojibake_lines"]
    d = docs(parsed, "002")
    assert len(d) == 5 and [x["line_start"] for x in d] == [1, 7, 62, 98, 138]
    # canonical in Simplified (so citations resolve), the printed form beside it
    assert d[0]["doc_number"] == "渝委办发〔2006〕7号"
    assert d[1]["doc_number"] == "渝委办发〔2008〕17号" and d[1]["doc_number_prefix"] == "渝委办发"
    assert [x["doc_number_as_written"] for x in d] == ["渝委辦發?2006?7號", "渝委辦發[2008]17號", None, None,
                                                      "渝府辦發〔2016〕239號"]
    assert d[1]["issuers"] == ["中共重慶市委辦公廳", "重慶市人民政府辦公廳"]  # joint, two signature lines
    assert d[1]["signed_date"] == dt.date(2008, 5, 13)
    assert d[2]["issuers"] == ["中共廣州市委", "廣州市人民政府"]  # joint name written without a separator
    assert d[3]["title"] == "江西省人民政府關于科技創新“六個一”工程的實施意見"  # lines 99-100
    assert d[4]["doc_type"] == "意见" and d[4]["signed_date"] == dt.date(2016, 11, 10)
    assert "mojibake" in d[1]["quality_flags"] and "mojibake" not in d[3]["quality_flags"]


def test_web_page_title_printed_twice_and_debris_dropped(parsed):
    (d,) = docs(parsed, "003")
    assert d["title"] == "绵阳市人民政府关于印发绵阳市“十四五”基本公共服务体系规划的通知"
    assert d["line_start"] == 1 and d["line_end"] == 300  # lines 301-307 are page navigation
    assert "〔4〕" not in (d["doc_number"] or "")
    assert parsed["003"].tables["toc_entries"] == []  # "目 录" with no entries


def test_markdown_title_over_heading_levels_and_toc(parsed):
    d = docs(parsed, "004")
    assert d[3]["title"] == "四川省人民政府关于改革完善市（州）、县（市、区）食品药品监督管理体制的实施意见"
    toc = parsed["004"].tables["toc_entries"]
    assert [t["page"] for t in toc] == [2, 9, 19, 22, 25, 28, 31]
    assert all(t["document_id"] for t in toc)
    assert [t["section"] for t in toc] == ["上级文件"] * 6 + ["本级文件"]


def test_every_row_carries_lineage(parsed):
    """The parser's rows name their bulletin, file and parser; the run stamps the file's hash
    and the run id on whole frames (frame(..., source_sha256=..., run_id=...))."""
    import hashlib

    from quality.schemas import frame

    for prefix, p in parsed.items():
        sha = hashlib.sha256(SAMPLES[prefix].read_bytes()).hexdigest()
        documents = {d["document_id"] for d in p.tables["documents"]}
        for table, rows in p.tables.items():
            for row in rows:
                assert row["bulletin_id"] == p.bulletin_id
                if table in ("document_terms", "bulletin_lines"):  # keyed to the bulletin or document only
                    assert table == "bulletin_lines" or row["document_id"] in documents
                    continue
                assert row["source_file"] == SAMPLES[prefix].name and row["parser_version"]
                assert "source_sha256" not in row and "run_id" not in row
            if rows and table not in ("document_terms", "bulletin_lines"):
                df = frame(table, rows, source_sha256=sha, run_id="test-run")
                assert df["source_sha256"].unique().to_list() == [sha] and df["run_id"].unique().to_list() == ["test-run"]