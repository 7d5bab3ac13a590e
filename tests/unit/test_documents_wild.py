"""Documents of every kind (GUIDELINES-PUBLISHED-FORMS, "Which texts are documents"): reports to
a people's congress, resolutions, statistical communiqués, portal pages, issue mastheads, TOCs
with page numbers and congress packets, on the lines the real published files print.

The heads are copied from the originals in raw/ (tests/gold/wild), line for line as their
readers give them, so these tests do not depend on the PDF, HTML and Word readers; the last
tests parse the originals themselves and compare with their keys.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest

from parsing.structure.dates import any_date, is_date_line, iso_date
from parsing.structure.documents import segment
from parsing.structure.heads import genre_heads, is_address
from parsing.structure.layout import (
    doc_type,
    is_noise,
    is_packet_marker,
    is_running_header,
    is_table_line,
    strip_title_note,
)
from parsing.structure.masthead import read_masthead
from parsing.structure.orgs import genre_issuer, place_in, presenter_issuer, speaker
from parsing.structure.portal import apply_portal_metadata
from parsing.structure.toc import parse_toc
from parsing.text.lines import split_lines, to_simplified
from tests.wild_keys import WILD_KEYS, wild_file


def fold(s):
    return to_simplified(re.sub(r"\s+", "", unicodedata.normalize("NFKC", s or "")))


def docs_of(text: str):
    return segment(split_lines(text)).documents


# ------------------------------------------------------------- real heads, line for line

# statecouncil_2021_government_work_report.txt, lines 1-26: the title split 政府工作报 / 告,
# the meeting line, the speaker over two lines (国务院总理 / 　李克强), the address.
GOVERNMENT_WORK_REPORT = "\u200b\n\n\n\n\n\n\n政府工作报\n告\n\n\n\n\n——2021年3月5日在第十三届全国人民代表大会第四次会议上\n\n\n\n国务院总理\n\u3000李克强\n\n\n\n\n各位代表：\n\n现在，我代表国务院，向大会报告政府工作，请予审议，并请全国政协委员提出意见。\n"
# hebei_shijiazhuang_2018_budget_report.pdf, lines 1-13: the cover (p1: packet label, title over
# two lines, meeting line without its dash, speaker) and the head again at the text (p3).
BUDGET_REPORT_COVER = """石家庄市十四届人大四次会议文件(16)
关于石家庄市2018年预算执行情况和
2019年预算草案的报告
2019年1月21日在石家庄市第十四届
人民代表大会第四次会议上
石家庄市财政局局长 王东华
关于石家庄市2018年预算执行情况和
2019年预算草案的报告
———2019年1月21日在石家庄市第十四届
人民代表大会第四次会议上
石家庄市财政局局长 王东华
各位代表:
受市政府委托,现将2018年预算执行情况和2019年预算草案提请大会审议,并请市政协委员和列席人员提出意见。
一、2018年预算执行情况
"""
# hebei_chengde_2025_budget_report.docx, lines 1-11: the packet label over two paragraphs, a
# title over three with （书面）.
BUDGET_REPORT_WRITTEN = """承德市十五届人大
七次会议文件（19）
关于承德市2025年市本级预算和
市总预算执行情况与2026年市本级预算和
市总预算草案的报告（书面）
——2026年2月6日在承德市第十五届
人民代表大会第七次会议上
承德市财政局局长 林国华
各位代表：
受市人民政府委托，我向大会报告承德市2025年市本级预算和市总预算执行情况与2026年市本级预算和市总预算草案，请予审议，并请市政协委员和列席会议的同志提出意见。
一、2025年预算执行情况
"""
# shanxi_lvliang_2018_budget_report.html, lines 1-6: the meeting date printed without its day,
# the speaker's name run on to his post.
BUDGET_REPORT_NO_DAY = """关于吕梁市2018年全市和市本级预算执行情况与2019年全市和市本级预算草案的报告
——2019年2月日在吕梁市第三届人民代表大会
第六次会议上
吕梁市财政局局长耿万林
各位代表：
受市人民政府委托，我向大会提出2018年全市和市本级预算执行情况与2019年全市和市本级预算草案的报告，请予审议，并请市政协委员和其他列席会议的人员提出意见。
"""
# xinjiang_aksu_2025_statistical_communique.html, lines 1-3 (the third cut short).
COMMUNIQUE = """阿克苏地区2025年 国民经济和社会发展统计公报
2026-05-28\u3000\u3000出处：阿克苏地区统计局
一、综合 经自治区统一初步核算，全年阿克苏地区生产总值(GDP)2042.98亿元，比上年增长5.4%。其中，第一产业增加值463.71亿元，增长5.3%;第二产业增加值661.78亿元，增长4.5%;
"""
# A decision of the NPC Standing Committee as gov.cn and npc.gov.cn print it: title over two
# lines (a <br/> in the page), the adoption line under it.
NPC_DECISION = """全国人民代表大会常务委员会关于修改
《中华人民共和国消费者权益保护法》的决定
（2013年10月25日第十二届全国人民代表大会常务委员会第五次会议通过）
第十二届全国人民代表大会常务委员会第五次会议决定对《中华人民共和国消费者权益保护法》作如下修改：
一、第五条增加一款，作为第三款：“国家倡导文明、健康、节约资源和保护环境的消费方式，反对浪费。”
"""


@pytest.mark.parametrize("text,title,issuers,date,kind,start", [
    (GOVERNMENT_WORK_REPORT, "政府工作报告", ["国务院"], dt.date(2021, 3, 5), "报告", 8),
    (BUDGET_REPORT_COVER, "关于石家庄市2018年预算执行情况和2019年预算草案的报告", ["石家庄市财政局"],
     dt.date(2019, 1, 21), "报告", 2),
    (BUDGET_REPORT_WRITTEN, "关于承德市2025年市本级预算和市总预算执行情况与2026年市本级预算和市总预算草案的报告（书面）",
     ["承德市财政局"], dt.date(2026, 2, 6), "报告", 3),
    (BUDGET_REPORT_NO_DAY, "关于吕梁市2018年全市和市本级预算执行情况与2019年全市和市本级预算草案的报告",
     ["吕梁市财政局"], None, "报告", 1),
    (COMMUNIQUE, "阿克苏地区2025年国民经济和社会发展统计公报", ["阿克苏地区统计局"], dt.date(2026, 5, 28),
     "公报", 1),
    (NPC_DECISION, "全国人民代表大会常务委员会关于修改《中华人民共和国消费者权益保护法》的决定",
     ["全国人民代表大会常务委员会"], dt.date(2013, 10, 25), "决定", 1),
])
def test_heads_of_reports_resolutions_and_communiques(text, title, issuers, date, kind, start):
    (d,) = docs_of(text)
    assert fold(d.title) == fold(title)
    assert d.issuers == issuers and d.signed_date == date and d.doc_type == kind
    assert d.recipients is None  # 各位代表： is an address, not a 主送机关
    assert d.doc_number is None and d.line_start == start
    # the head (meeting line, speaker) is not body: the body starts with 各位代表 or the text
    body_first = split_lines(text)[d.head_end + 1].text
    assert not re.match(r"^[—-]|.*会议上$|.*局长", body_first)


def test_a_cover_repeating_the_title_is_one_document_from_its_first_printing():
    (d,) = docs_of(BUDGET_REPORT_COVER)
    assert d.line_start == 2  # the cover's title (the key wants page 1)
    assert d.head_end == 10  # the text's speaker line (0-based): the body starts at 各位代表
    assert d.line_end == 14


def test_a_cover_with_the_title_only_starts_the_document():
    text = BUDGET_REPORT_COVER.replace("2019年1月21日在石家庄市第十四届\n人民代表大会第四次会议上\n石家庄市财政局局长 王东华\n关于",
                                       "石家庄市财政局\n关于", 1)
    (d,) = docs_of(text)
    assert d.title == "关于石家庄市2018年预算执行情况和2019年预算草案的报告"  # not the cover's presenter line
    assert d.line_start == 2 and d.issuers == ["石家庄市财政局"] and d.signed_date == dt.date(2019, 1, 21)


def test_a_cover_then_a_toc_starts_the_document_at_its_second_printing():
    text = BUDGET_REPORT_COVER.replace("石家庄市财政局局长 王东华\n关于", "石家庄市财政局局长 王东华\n目录\n一、2018年预算执行情况 1\n关于", 1)
    seg = segment(split_lines(text))
    (d,) = seg.documents
    assert d.line_start == 9 and d.issuers == ["石家庄市财政局"]
    assert [e.title for e in seg.toc] == ["一、2018年预算执行情况"]


def test_no_day_in_the_meeting_line_leaves_the_date_to_the_portal_block():
    seg = segment(split_lines(BUDGET_REPORT_NO_DAY))
    assert seg.documents[0].signed_date is None and "no_day_in_meeting_date" in seg.documents[0].quality_flags
    meta = {"成文日期": "2019年03月12日", "发文机关": "吕梁市财政局",
            "标题": "关于吕梁市2018年全市和市本级预算执行情况与2019年全市和市本级预算草案的报告"}
    apply_portal_metadata(seg, split_lines(BUDGET_REPORT_NO_DAY), meta)
    d = seg.documents[0]
    assert d.signed_date == dt.date(2019, 3, 12) and "no_signed_date" not in d.quality_flags
    assert d.issuers == ["吕梁市财政局"]


# ------------------------------------------------------------- the rules one by one

@pytest.mark.parametrize("line,next_line,org,post,name", [
    ("石家庄市财政局局长 王东华", None, "石家庄市财政局", "局长", "王东华"),  # sjz PDF line 6
    ("吕梁市财政局局长耿万林", None, "吕梁市财政局", "局长", "耿万林"),  # lvliang line 4
    ("国务院总理", "\u3000李克强", "国务院", "总理", "李克强"),  # GWR lines 18-19
    ("承德市财政局局长 林国华", None, "承德市财政局", "局长", "林国华"),  # chengde line 8
    ("深圳市发展和改革委员会主任  郭子平", None, "深圳市发展和改革委员会", "主任", "郭子平"),
    ("市财政局局长 张晓明", None, "市财政局", "局长", "张晓明"),
    ("代市长 刘振", None, "", "代市长", "刘振"),
])
def test_speaker_lines(line, next_line, org, post, name):
    sp = speaker(line, next_line)
    assert (sp.org, sp.post, sp.name) == (org, post, name)


@pytest.mark.parametrize("line", ["各位代表：", "阿克苏地区统计局", "新华社记者 张三", "第六次会议上",
                                  "受市人民政府委托，现将2018年预算执行情况提请大会审议。"])
def test_not_speaker_lines(line):
    assert speaker(line, "李克强") is None


@pytest.mark.parametrize("org,post,place,issuer", [
    ("石家庄市财政局", "局长", "石家庄市", "石家庄市财政局"),
    ("市财政局", "局长", "石家庄市", "石家庄市财政局"),  # the place from the title or meeting line
    ("国务院", "总理", "全国", "国务院"),
    ("", "市长", "深圳市", "深圳市人民政府"),  # the mayor presents the 政府工作报告
    ("深圳市", "代市长", "深圳市", "深圳市人民政府"),
])
def test_the_presenter_is_the_body_the_speaker_heads(org, post, place, issuer):
    sp = speaker(f"{org}{post} 某某")
    assert presenter_issuer(sp, place) == issuer


@pytest.mark.parametrize("text,place", [
    ("关于石家庄市2018年预算执行情况和2019年预算草案的报告", "石家庄市"),
    ("——2021年3月5日在第十三届全国人民代表大会第四次会议上", "全国"),
    ("阿克苏地区2025年国民经济和社会发展统计公报", "阿克苏地区"),
    ("关于内蒙古自治区2025年预算执行情况的报告", "内蒙古自治区"),
    ("关于2025年国民经济和社会发展计划执行情况的报告", None),
])
def test_place_named_by_a_title_or_meeting_line(text, place):
    assert place_in(text) == place


@pytest.mark.parametrize("kind,place,issuer", [
    ("budget", "吕梁市", "吕梁市财政局"), ("budget", "河北省", "河北省财政厅"), ("budget", "全国", "财政部"),
    ("plan", "深圳市", "深圳市发展和改革委员会"), ("statistics", "阿克苏地区", "阿克苏地区统计局"),
    ("government", "深圳市", "深圳市人民政府"), ("government", "全国", "国务院"),
])
def test_issuer_of_a_genre_when_no_speaker_is_printed(kind, place, issuer):
    assert genre_issuer(kind, place) == issuer


def test_budget_report_without_speaker_line_gets_the_finance_bureau():
    text = ("关于深圳市2025年预算执行情况和2026年预算草案的报告\n"
            "——2026年1月20日在深圳市第七届人民代表大会第七次会议上\n"
            "各位代表：\n受市人民政府委托，现将深圳市2025年预算执行情况和2026年预算草案提请大会审议。\n")
    (d,) = docs_of(text)
    assert d.issuers == ["深圳市财政局"] and "issuers_from_genre" in d.quality_flags
    assert d.signed_date == dt.date(2026, 1, 20)


def test_city_government_work_report():
    text = ("政府工作报告\n——2026年1月20日在深圳市第七届人民代表大会第七次会议上\n深圳市市长 覃伟中\n"
            "各位代表：\n现在，我代表市人民政府，向大会报告工作，请予审议。\n")
    (d,) = docs_of(text)
    assert (d.title, d.issuers, d.signed_date, d.doc_type) == ("政府工作报告", ["深圳市人民政府"],
                                                               dt.date(2026, 1, 20), "报告")


@pytest.mark.parametrize("title,adoption,issuers", [
    ("深圳市第七届人民代表大会第七次会议关于深圳市2025年国民经济和社会发展计划执行情况与2026年计划的决议",
     "（2026年1月28日深圳市第七届人民代表大会第七次会议通过）", ["深圳市第七届人民代表大会第七次会议"]),
    # no session before 关于: the adoption line names it
    ("关于政府工作报告的决议", "（2026年1月28日深圳市第七届人民代表大会第七次会议通过）",
     ["深圳市第七届人民代表大会第七次会议"]),
    # npc.gov.cn, a decision adopted by the Standing Committee
    ("全国人民代表大会常务委员会关于加强网络信息保护的决定",
     "（2012年12月28日第十一届全国人民代表大会常务委员会第三十次会议通过）", ["全国人民代表大会常务委员会"]),
])
def test_resolutions_and_decisions(title, adoption, issuers):
    (d,) = docs_of(f"{title}\n{adoption}\n会议审查了市人民政府提出的报告，决定批准这个报告。\n")
    assert d.issuers == issuers and d.doc_type == title[-2:] and d.recipients is None
    assert d.signed_date == any_date(adoption)


def test_adoption_line_over_two_lines():
    text = ("深圳市第七届人民代表大会第七次会议关于\n深圳市2025年预算执行情况和2026年预算的决议\n"
            "（2026年1月28日深圳市第七届人民代表大会\n第七次会议通过）\n会议决定，批准市人民政府提出的报告。\n")
    (d,) = docs_of(text)
    assert d.title == "深圳市第七届人民代表大会第七次会议关于深圳市2025年预算执行情况和2026年预算的决议"
    assert d.signed_date == dt.date(2026, 1, 28) and d.head_end == 3


def test_a_resolution_title_without_its_adoption_line_is_no_head():
    assert docs_of("关于政府工作报告的决议\n会议决定，批准市人民政府提出的报告。\n") == []


def test_communique_with_the_bureaus_under_its_title():
    text = ("深圳市2025年国民经济和社会发展统计公报\n深圳市统计局\n国家统计局深圳调查队\n2026年3月20日\n"
            "一、综合\n初步核算，全年全市地区生产总值38000亿元，比上年增长5.5%。\n")
    (d,) = docs_of(text)
    assert d.issuers == ["深圳市统计局", "国家统计局深圳调查队"]
    assert d.signed_date == dt.date(2026, 3, 20) and d.doc_type == "公报"


def test_communique_signed_at_its_end():
    text = ("深圳市2025年国民经济和社会发展统计公报\n一、综合\n"
            "初步核算，全年全市地区生产总值38000亿元，比上年增长5.5%。\n深圳市统计局\n2026年3月20日\n")
    (d,) = docs_of(text)
    assert d.issuers == ["深圳市统计局"] and d.signed_date == dt.date(2026, 3, 20)


@pytest.mark.parametrize("line,kind", [
    ("关于承德市2025年市本级预算和市总预算执行情况与2026年市本级预算和市总预算草案的报告（书面）", "报告"),
    ("阿克苏地区2025年国民经济和社会发展统计公报", "公报"),
    ("关于政府工作报告的决议", "决议"),
])
def test_doc_type_ends_the_title_before_its_note(line, kind):
    assert doc_type(line) == kind
    assert strip_title_note("关于…的报告（书面）") == "关于…的报告"


def test_address_is_not_a_recipient():
    assert is_address("各位代表：") and is_address("主任、各位副主任、秘书长、各位委员：")
    assert not is_address("各省、自治区、直辖市人民政府，国务院各部委、各直属机构：")


@pytest.mark.parametrize("line,expected", [
    ("石家庄市十四届人大四次会议文件(16)", True),  # sjz PDF line 1
    ("七次会议文件（19）", True),  # chengde line 2 (the label over two paragraphs)
    ("承德市十五届人大七次会议秘书处 2026年2月5日印", False),
    ("关于召开会议文件", False),
])
def test_packet_labels(line, expected):
    assert is_packet_marker(line) == expected


@pytest.mark.parametrize("line,expected", [
    ("深圳市人民政府公报 2026年第10期", True),
    ("2026年第10期（总第1409期）", True),
    ("深圳市人民政府公报 2026年第10期 — 15 —", True),
    ("绵阳市人民政府公报", False),  # the masthead's name (sample 000, line 5)
    ("第 11 号(总号 367)2012 年 6 月 15 日", False),  # the masthead's issue line (sample 000, line 15)
    ("第11号", False),  # a 政府令's number
])
def test_running_issue_headers_are_furniture(line, expected):
    assert is_running_header(line) == expected and is_noise(line) == expected


@pytest.mark.parametrize("line,expected", [
    ("附表1\t\t\t\t", True), ("附表", True), ("2025年全市一般公共预算收入完成情况表", True),
    ("科目名称\t年初预算\t实际完成", True), ("各位人大代表", False), ("关于印发某某方案的通知", False),
])
def test_table_lines_stop_a_title_block(line, expected):
    assert is_table_line(line) == expected


def test_dates_in_figures_and_blank_days():
    assert iso_date("2026-05-28\u3000\u3000出处：阿克苏地区统计局") == dt.date(2026, 5, 28)
    assert any_date("（2026年1月28日深圳市第七届人民代表大会第七次会议通过）") == dt.date(2026, 1, 28)
    assert is_date_line("2019年2月日") and is_date_line("2026-05-28") and is_date_line("（2026年1月20日）")
    assert not is_date_line("2026-05-28 出处：阿克苏地区统计局")


# ------------------------------------------------------------- issues, TOCs, packets

PACKET = """深圳市人民政府公报
2026年第10期（总第1409期）
深圳市人民政府办公厅编

目  录

深圳市第七届人民代表大会第七次会议关于深圳市2025年国民经济和社会发展计划执行情况与2026年计划的决议 …………… 1
关于深圳市2025年国民经济和社会发展计划执行情况与
2026年计划草案的报告 …………………… 3
深圳市人民政府关于印发深圳市促进消费若干措施的通知 …… 20

深圳市第七届人民代表大会第七次会议关于深圳市2025年国民经济和社会发展计划执行情况与2026年计划的决议
（2026年1月28日深圳市第七届人民代表大会第七次会议通过）
深圳市第七届人民代表大会第七次会议审查了市人民政府提出的《关于深圳市2025年国民经济和社会发展计划执行情况与2026年计划草案的报告》，决定批准这个报告。
关于深圳市2025年国民经济和社会发展计划执行情况与
— 1 —
深圳市人民政府公报 2026年第10期
2026年计划草案的报告
——2026年1月20日在深圳市第七届人民代表大会第七次会议上
深圳市发展和改革委员会主任  郭子平
各位代表：
受市人民政府委托，现将深圳市2025年国民经济和社会发展计划执行情况与2026年计划草案提请大会审议。
一、2025年计划执行情况
全市地区生产总值增长5.5%，规模以上工业增加值增长6.2%。
附表
2025年主要指标完成情况表
指标\t单位\t2025年
地区生产总值\t亿元\t38000
深圳市人民政府关于印发深圳市促进消费若干措施的通知
深府〔2026〕5号
各区人民政府，市政府直属各单位：
现将《深圳市促进消费若干措施》印发给你们，请认真贯彻执行。
深圳市人民政府
2026年2月1日
深圳市促进消费若干措施
一、总体要求
到2026年，全市社会消费品零售总额增长5%以上。
"""


def test_packet_of_resolution_report_tables_and_a_notice():
    lines = split_lines(PACKET)
    seg = segment(lines)
    r, p, n = seg.documents
    assert r.doc_type == "决议" and r.issuers == ["深圳市第七届人民代表大会第七次会议"]
    assert (r.line_start, r.line_end) == (12, 14)
    # a report whose title starts at the foot of a page and goes on under the running header
    assert p.title == "关于深圳市2025年国民经济和社会发展计划执行情况与2026年计划草案的报告"
    assert p.issuers == ["深圳市发展和改革委员会"] and p.signed_date == dt.date(2026, 1, 20)
    assert p.line_start == 15 and p.line_end == 28  # the appended table belongs to the report
    # the notice's title block stops at the table above it; the 措施 it prints stays in it
    assert n.title == "深圳市人民政府关于印发深圳市促进消费若干措施的通知" and n.doc_number.canonical == "深府〔2026〕5号"
    assert (n.line_start, n.line_end) == (29, 37) and n.signed_date == dt.date(2026, 2, 1)
    # the TOC's printed pages, each entry matched to its document
    assert [(e.title, e.page) for e in seg.toc] == [
        ("深圳市第七届人民代表大会第七次会议关于深圳市2025年国民经济和社会发展计划执行情况与2026年计划的决议", 1),
        ("关于深圳市2025年国民经济和社会发展计划执行情况与2026年计划草案的报告", 3),
        ("深圳市人民政府关于印发深圳市促进消费若干措施的通知", 20)]
    assert seg.toc_documents == {1: 1, 2: 2, 3: 3}
    m = read_masthead(lines, r.line_start)
    assert (m.publisher, m.year, m.issue_no, m.cumulative_no) == ("深圳市人民政府", 2026, 10, 1409)
    assert m.editor == "深圳市人民政府办公厅"


def test_a_notice_whose_title_is_at_the_foot_of_a_page():
    text = ("深圳市人民政府关于做好春节期间安全生产工作的通知\n深府〔2026〕4号\n各区人民政府，市政府直属各单位：\n"
            "现就做好春节期间安全生产工作通知如下。\n深圳市人民政府\n2026年1月30日\n"
            "深圳市人民政府关于加强城市更新工作的意见\n— 3 —\n深圳市人民政府公报 2026年第10期\n深府〔2026〕6号\n"
            "各区人民政府，市政府直属各单位：\n为加强城市更新工作，提出如下意见。\n深圳市人民政府\n2026年2月3日\n")
    first, second = docs_of(text)
    assert (first.line_start, first.line_end) == (1, 6)  # two documents on one page
    assert second.title == "深圳市人民政府关于加强城市更新工作的意见" and second.line_start == 7
    assert second.doc_number.canonical == "深府〔2026〕6号" and second.signed_date == dt.date(2026, 2, 3)
    assert second.recipients == "各区人民政府，市政府直属各单位"


def test_reports_to_a_standing_committee_and_reports_signed_by_a_body():
    text = ("关于2025年度市级预算执行和其他财政收支的审计工作报告\n——2026年6月25日在市十七届人大常委会第二十次会议上\n"
            "深圳市审计局局长 王五\n主任、各位副主任、秘书长、各位委员：\n我受市人民政府委托，报告审计情况。\n")
    (d,) = docs_of(text)
    assert (d.issuers, d.signed_date, d.recipients) == (["深圳市审计局"], dt.date(2026, 6, 25), None)
    text = ("关于深圳市2025年预算执行情况和2026年预算草案的报告\n深圳市财政局\n（2026年1月20日）\n各位代表：\n"
            "受市人民政府委托，现将预算草案提请大会审议。\n")
    (d,) = docs_of(text)
    assert (d.issuers, d.signed_date) == (["深圳市财政局"], dt.date(2026, 1, 20))
    # a title with names under it but neither date, speaker nor address is not taken for a report
    assert docs_of("关于深圳市2025年预算执行情况的报告\n深圳市财政局\n现将有关情况报告如下。\n") == []


@pytest.mark.parametrize("title,issuer", [
    ("2014年闽侯县国民经济和社会发展统计公报", "闽侯县统计局"),
    ("中华人民共和国2025年国民经济和社会发展统计公报", "国家统计局"),
])
def test_communique_titles_with_the_year_first(title, issuer):
    (d,) = docs_of(f"{title}\n2026年2月28日\n一、综合\n初步核算，全年国内生产总值比上年增长5.0%。\n")
    assert d.issuers == [issuer] and d.doc_type == "公报" and "issuers_from_genre" in d.quality_flags


def test_toc_entries_matched_in_order_when_the_toc_rewords_a_title():
    text = ("目录\n政府工作报告（摘要） ·1·\n预算报告 ·9·\n\n"
            "政府工作报告\n——2026年1月20日在深圳市第七届人民代表大会第七次会议上\n深圳市市长 覃伟中\n各位代表：\n"
            "现在，我代表市人民政府，向大会报告工作。\n"
            "关于深圳市2025年预算执行情况和2026年预算草案的报告\n——2026年1月20日在深圳市第七届人民代表大会第七次会议上\n"
            "深圳市财政局局长 张三\n各位代表：\n受市人民政府委托，现将预算草案提请大会审议。\n")
    seg = segment(split_lines(text))
    assert [d.doc_type for d in seg.documents] == ["报告", "报告"]
    assert [(e.title, e.page) for e in seg.toc] == [("政府工作报告（摘要）", 1), ("预算报告", 9)]
    assert seg.toc_documents == {1: 1, 2: 2}


@pytest.mark.parametrize("text,publisher,year,issue,cumulative", [
    ("深圳市人民政府公报 2026年第10期（总第1409期）\n", "深圳市人民政府", 2026, 10, 1409),
    ("中华人民共和国国务院公报\n2025年第12号（总号1829）\n", "中华人民共和国国务院", 2025, 12, 1829),
    ("政府公报\n2024年第3期\n杭州市人民政府办公厅编\n", "杭州市人民政府办公厅", 2024, 3, None),  # named by its editor
    ("石家庄市十四届人大四次会议文件(16)\n", None, None, None, None),  # a packet label is no masthead
])
def test_mastheads_of_any_publisher(text, publisher, year, issue, cumulative):
    m = read_masthead(split_lines(text), None)
    assert (m.publisher, m.year, m.issue_no, m.cumulative_no) == (publisher, year, issue, cumulative)


@pytest.mark.parametrize("lines,expected", [
    (["关于深圳市2025年预算执行情况和2026年预算草案的报告", "（15）"],
     [("关于深圳市2025年预算执行情况和2026年预算草案的报告", 15)]),  # the page on a line of its own
    (["深圳市人民政府关于印发深圳市某某方案", "的通知 ·21·"], [("深圳市人民政府关于印发深圳市某某方案的通知", 21)]),
    (["政府工作报告", "关于政府工作报告的决议"], [("政府工作报告", None), ("关于政府工作报告的决议", None)]),
    (["绵阳市全民健身实施计划(2011-2015)"], [("绵阳市全民健身实施计划(2011-2015)", None)]),  # a year is no page
])
def test_toc_page_numbers(lines, expected):
    assert [(e.title, e.page) for e in parse_toc(split_lines("\n".join(lines)))] == expected


def test_a_notice_printing_a_communique_stays_one_document():
    text = ("深圳市统计局关于印发《深圳市2025年国民经济和社会发展统计公报》的通知\n深统〔2026〕3号\n"
            "各区统计局，市直各单位：\n现将《深圳市2025年国民经济和社会发展统计公报》印发给你们，请认真学习。\n"
            "深圳市统计局\n2026年3月20日\n深圳市2025年国民经济和社会发展统计公报\n2026年3月20日\n"
            "一、综合\n初步核算，全年全市地区生产总值38000亿元，比上年增长5.5%。\n")
    (d,) = docs_of(text)
    assert d.doc_type == "通知" and d.line_end == 10


# ------------------------------------------------------------- bad input stays bad

NEWS = """代表委员热议政府工作报告
2026-03-06 10:21 来源：人民网
本网北京3月6日电 （记者 张三）5日上午，十四届全国人大四次会议在人民大会堂开幕。
代表委员们认为，政府工作报告总结成绩实事求是，部署工作务实有力。
“报告提出的目标振奋人心。”一位来自基层的代表说。
"""
NEWS_ON_A_COMMUNIQUE = """国家统计局发布2025年国民经济和社会发展统计公报
2026-02-28 来源：新华社
新华社北京2月28日电 国家统计局28日发布2025年国民经济和社会发展统计公报。
公报显示，2025年国内生产总值比上年增长5%。
"""
NOVEL = """第三章
雨下了一整夜，镇上的石板路泛着青光。她撑着伞走过桥头，听见有人在茶馆里念一份报告，声音忽高忽低。
“关于今年收成的报告，”那人清了清嗓子，“大家都听好了。”
她没有停下，径直走向码头，船已经等在那里了。
"""


@pytest.mark.parametrize("text", [NEWS, NEWS_ON_A_COMMUNIQUE, NOVEL])
def test_unrelated_prose_has_no_document(text):
    assert docs_of(text) == []
    assert genre_heads(split_lines(text)) == []


@pytest.mark.parametrize("text", [NEWS, NOVEL])
def test_unrelated_prose_is_refused(text):
    from parsing.bulletin import parse_bulletin
    from parsing.errors import BulletinError

    with pytest.raises(BulletinError) as err:
        parse_bulletin(text.encode("utf-8"), "page.txt")
    assert err.value.kind == "no_document"


# ------------------------------------------------------------- the published originals

@pytest.mark.parametrize("stem", sorted(WILD_KEYS))
def test_wild_documents_agree_with_their_keys(stem):
    key = WILD_KEYS[stem]
    try:
        from parsing.bulletin import parse_bulletin

        got = parse_bulletin(wild_file(stem).read_bytes(), key["source"]).tables["documents"]
    except ModuleNotFoundError as missing:  # a reader not written yet
        pytest.skip(str(missing))
    assert len(got) == len(key["documents"])
    for g, p in zip(key["documents"], got):
        assert fold(p["title"]) == fold(g["title"])
        assert fold(p["doc_number"]) == fold(g["doc_number"])
        assert sorted(map(fold, p["issuers"])) == sorted(map(fold, g["issuers"]))
        assert (str(p["signed_date"]) if p["signed_date"] else None) == g["signed_date"]
        assert p["doc_type"] == g["doc_type"] and fold(p["recipients"]) == fold(g["recipients"])
