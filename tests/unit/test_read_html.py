"""read_html on the real portal pages of tests/gold/wild and on small pages built to the rules."""
from __future__ import annotations

import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

from parsing.errors import BulletinError
from parsing.reading.base import ReadText
from parsing.reading.html import decode_html, read_html
from tests.wild_keys import WILD_KEYS, coverage, fold, missing, wild_file

LVLIANG = "shanxi_lvliang_2018_budget_report"
GUOFA = "statecouncil_2018_guofa39_employment"
AKSU = "xinjiang_aksu_2025_statistical_communique"
CHENGDE = "hebei_chengde_2025_budget_report"
PAGES = (LVLIANG, GUOFA, AKSU)


@cache
def read(stem: str) -> ReadText:
    path = wild_file(stem)
    return read_html(path.read_bytes(), path.name)


def texts(stem: str) -> list[str]:
    return [line.text for line in read(stem).lines]


# ---------------------------------------------------------------- real pages


@pytest.mark.parametrize("stem", PAGES)
def test_key_quote_coverage(stem):
    lines = read(stem).lines
    cov = coverage(lines, WILD_KEYS[stem])
    assert cov.share >= 0.98, missing(lines, WILD_KEYS[stem])[:20]


@pytest.mark.parametrize(
    ("stem", "line"),
    [
        # the headline is outside the Lüliang body <div>; it opens the text
        (LVLIANG, "关于吕梁市2018年全市和市本级预算执行情况与2019年全市和市本级预算草案的报告"),
        (LVLIANG, "——2019年2月日在吕梁市第三届人民代表大会"),
        (LVLIANG, "吕梁市财政局局长耿万林"),
        (LVLIANG, "各位代表："),
        (LVLIANG, "一、2018年全市和市本级预算执行情况"),
        (LVLIANG, "（一）一般公共预算执行情况"),
        (LVLIANG, "4、社会保险基金预算"),
        (LVLIANG, "附件2：2019年三公经费"),  # a linked attachment line inside the body is kept
        (GUOFA, "国务院关于做好当前和今后一个时期"),
        (GUOFA, "促进就业工作的若干意见"),
        (GUOFA, "国发〔2018〕39号"),
        (GUOFA, "各省、自治区、直辖市人民政府，国务院各部委、各直属机构："),
        (GUOFA, "一、支持企业稳定发展"),
        (GUOFA, "国务院"),
        (GUOFA, "2018年11月16日"),
        (GUOFA, "（此件公开发布）"),
        (AKSU, "阿克苏地区2025年 国民经济和社会发展统计公报"),
        (AKSU, "2026-05-28\u3000\u3000出处：阿克苏地区统计局"),  # the date under the title stays
    ],
)
def test_real_lines(stem, line):
    assert line in texts(stem)


@pytest.mark.parametrize(
    ("stem", "first"),
    [
        (LVLIANG, "关于吕梁市2018年全市和市本级预算执行情况与2019年全市和市本级预算草案的报告"),
        (GUOFA, "国务院关于做好当前和今后一个时期"),
        (AKSU, "阿克苏地区2025年 国民经济和社会发展统计公报"),
    ],
)
def test_text_opens_with_the_headline(stem, first):
    assert texts(stem)[0] == first


@pytest.mark.parametrize(
    ("stem", "start", "end"),
    [
        (LVLIANG, "受市人民政府委托，我向大会提出", "并请市政协委员和其他列席会议的人员提出意见。"),
        (GUOFA, "（三）加大创业担保贷款贴息及奖补政策支持力度。", "（财政部、人力资源社会保障部、人民银行、银保监会负责）"),
        (AKSU, "一、综合 经自治区统一初步核算，全年阿克苏地区生产总值(GDP)2042.98亿元", "其他类下降0.6%。"),
        (AKSU, "七、对外经济 全年货物进出口总额28.02亿美元", "年末金融机构本外币各项存款余额2760.58亿元"),
    ],
)
def test_paragraph_is_one_line(stem, start, end):
    line = next(t for t in texts(stem) if t.startswith(start))
    assert end in line


FURNITURE = {
    LVLIANG: ["首页", "政府信息公开 >", "市级财政预决算和三公经费", "字体大小", "大 中 小", "切换到繁体版", "无障碍浏览",
              "网站地图", "网站声明", "联系我们", "吕梁市人民政府办公室主办", "版权所有", "晋ICP备", "晋公网安备",
              "网站标识码", "索 引 号", "111423LL00100/2019-01010", "主题分类", "发布日期"],
    GUOFA: ["扫一扫", "索 引 号", "000014349/2018-00212", "主题分类", "劳动就业", "成文日期", "发布日期", "主 题 词"],
    AKSU: ["国信房地产信息网", "信息资料", "地产数据", "宏观数据", "我要咨询", "用户登录", "免费试用", "声明",
           "关闭窗口", "版权所有", "ICP证号", "本站域名", "crei.cn", "—1—", "—10—", "—16—"],
}


@pytest.mark.parametrize(("stem", "furniture"), [(s, f) for s, fs in FURNITURE.items() for f in fs])
def test_no_navigation_footer_or_metadata_line_left(stem, furniture):
    assert not [t for t in texts(stem) if furniture in t]


@pytest.mark.parametrize(
    ("stem", "key", "value"),
    [
        (GUOFA, "索引号", "000014349/2018-00212"),
        (GUOFA, "主题分类", "劳动、人事、监察\\劳动就业"),
        (GUOFA, "发文机关", "国务院"),
        (GUOFA, "成文日期", "2018年11月16日"),
        (GUOFA, "标题", "国务院关于做好当前和今后一个时期促进就业工作的若干意见"),
        (GUOFA, "发文字号", "国发〔2018〕39号"),
        (GUOFA, "发布日期", "2018年12月05日"),
        (GUOFA, "主题词", ""),
        (LVLIANG, "索引号", "111423LL00100/2019-01010"),
        (LVLIANG, "发文字号", ""),  # printed empty
        (LVLIANG, "成文日期", "2019年03月12日"),
        (LVLIANG, "发文机关", "吕梁市财政局"),
        (LVLIANG, "关键字", ""),
        (LVLIANG, "标题", "关于吕梁市2018年全市和市本级预算执行情况与2019年全市和市本级预算草案的报告"),
        (LVLIANG, "主题分类", "财政"),
        (LVLIANG, "发布日期", "2019年03月12日"),
        (LVLIANG, "title_tag", "关于吕梁市2018年全市和市本级预算执行情况与2019年全市和市本级预算草案的报告"),
        (AKSU, "title_tag", "阿克苏地区2025年 国民经济和社会发展统计公报"),
    ],
)
def test_metadata_block(stem, key, value):
    assert read(stem).metadata[key] == value


def test_no_metadata_block_where_none_is_printed():
    # the Aksu page has a date and 出处 under its title but no label/value block
    assert set(read(AKSU).metadata) == {"title_tag"}
    assert "title_tag" not in read(GUOFA).metadata  # a fragment without <title>


@pytest.mark.parametrize(("stem", "encoding"), [(LVLIANG, "utf-8"), (GUOFA, "utf-8"), (AKSU, "gb18030")])
def test_encoding(stem, encoding):
    assert read(stem).encoding == encoding


def test_gb2312_page_decoded_right():
    raw = wild_file(AKSU).read_bytes()
    assert b"charset=gb2312" in raw[:600]
    text = read(AKSU).text
    assert "\ufffd" not in text
    assert "全年阿克苏地区生产总值(GDP)2042.98亿元，比上年增长5.4%" in text
    assert "乡镇(街道)综合文化站107个" in text


def test_format_reader_and_lines():
    for stem in PAGES:
        r = read(stem)
        assert r.format == "html"
        assert r.reader.startswith("lxml ") and "trafilatura 2.3.1" in r.reader
        assert all(line.page is None for line in r.lines)
        assert all(line.text and line.text == line.text.strip() and "\n" not in line.text for line in r.lines)
        assert "html_main_block" in r.flags  # trafilatura agreed with the main block on every real page


def test_flattened_pdf_page_numbers_removed():
    r = read(AKSU)
    assert "inline_page_numbers" in r.flags
    # "包 —7— 裹业务" was one word cut by a page number
    assert "包裹业务1.82万件" in fold(r.text)


# ---------------------------------------------------------------- pages built to the rules

BODY = "<p>　　这是一段足够长的正文，用来检验主体内容的识别规则是否可靠，其中包括金额123万元和比例4.5%。</p>"


def page(body: str, head: str = "", charset: str = "utf-8") -> str:
    return f'<html><head><meta charset="{charset}">{head}</head><body>{body}</body></html>'


PORTAL = page(
    head="<title>关于印发某某市绿色建筑管理办法的通知_某某市人民政府</title>",
    body=f"""
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li><li><a href="/fw">政务服务</a></li></ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; <a href="/tz">通知公告</a></div>
<div class="main">
  <table class="meta">
    <tr><th>索引号</th><td>11130800/2020-00001</td><th>发文机关</th><td>某某市人民政府办公室</td></tr>
    <tr><th>成文日期</th><td>2020年01月01日</td><th>发文字号</th><td>某政办发〔2020〕1号</td></tr>
  </table>
  <h1>关于印发某某市绿色建筑管理办法的通知</h1>
  <div class="info">发布时间：2020-01-02　来源：某某市住建局　【字体：<a>大</a> <a>中</a> <a>小</a>】【<a>打印</a>】【<a>关闭</a>】</div>
  <div id="zoom">{BODY * 4}
    <table border="1">
      <tr><td colspan="4">表1 绿色建筑项目资金</td></tr>
      <tr><td rowspan="2">项目</td><td colspan="2">2019年</td><td rowspan="2">备注</td></tr>
      <tr><td>预算</td><td>完成</td></tr>
      <tr><td><p>星级</p><p>奖励</p></td><td>100</td><td>110</td><td>按面积</td></tr>
      <tr><td></td><td></td><td></td><td></td></tr>
      <tr><td colspan="2">合计</td><td>110</td><td></td></tr>
    </table>
    <p>某某市人民政府办公室<br>2020年1月1日</p>
  </div>
  <div class="share">分享到：<a>微信</a><a>微博</a></div>
  <div class="related"><h3>相关链接</h3><ul><li><a href="/1">关于某某工作的通知一</a></li><li><a href="/2">关于某某工作的通知二</a></li></ul></div>
</div>
<div class="footer"><p>主办单位：某某市人民政府办公室　技术支持：某某信息中心</p><p>版权所有 某某市人民政府 冀ICP备12345678号</p></div>
""",
)


def test_portal_page_layout():
    r = read_html(PORTAL.encode("utf-8"), "portal.html")
    assert r.flags == ["html_main_block"]
    assert r.metadata == {
        "title_tag": "关于印发某某市绿色建筑管理办法的通知_某某市人民政府",
        "索引号": "11130800/2020-00001",
        "发文机关": "某某市人民政府办公室",
        "成文日期": "2020年01月01日",
        "发文字号": "某政办发〔2020〕1号",
    }
    assert [line.text for line in r.lines] == [
        "关于印发某某市绿色建筑管理办法的通知",
        "发布时间：2020-01-02\u3000来源：某某市住建局",  # the controls of the info bar are dropped
        *["这是一段足够长的正文，用来检验主体内容的识别规则是否可靠，其中包括金额123万元和比例4.5%。"] * 4,
        # merged cells: text once at the top-left position, empty cells where it spans
        "表1 绿色建筑项目资金\t\t\t",
        "项目\t2019年\t\t备注",
        "\t预算\t完成\t",
        "星级 奖励\t100\t110\t按面积",  # paragraphs inside a cell: one cell, joined by a space
        "合计\t\t110\t",  # the empty row is dropped
        "某某市人民政府办公室",
        "2020年1月1日",
    ]


def test_table_rows_have_the_table_width():
    r = read_html(PORTAL.encode("utf-8"), "portal.html")
    rows = [line.text.split("\t") for line in r.lines if "\t" in line.text]
    assert {len(row) for row in rows} == {4}


def test_columns_only_inside_spans_are_dropped():
    html = page(BODY * 3 + """<table>
      <tr><td colspan="3">科目</td><td colspan="2">预算数</td></tr>
      <tr><td colspan="3">一般公共预算收入</td><td colspan="2">1448485</td></tr>
      <tr><td colspan="3">税收收入</td><td colspan="2">927210</td></tr></table>""")
    rows = [line.text for line in read_html(html.encode(), "t.html").lines if "\t" in line.text]
    assert rows == ["科目\t预算数", "一般公共预算收入\t1448485", "税收收入\t927210"]


def test_layout_tables_are_read_as_blocks():
    html = page(f"""<table><tr><td><table><tr><td>站点导航</td></tr></table></td></tr>
      <tr><td class="content">{BODY * 3}</td></tr></table>""")
    lines = [line.text for line in read_html(html.encode(), "layout.html").lines]
    assert lines == ["这是一段足够长的正文，用来检验主体内容的识别规则是否可靠，其中包括金额123万元和比例4.5%。"] * 3


def test_hidden_and_script_text_is_skipped():
    html = page(BODY * 3 + '<p style="display:none">隐藏的文字不应出现</p><script>var x="脚本文字";</script>')
    text = read_html(html.encode(), "h.html").text
    assert "隐藏" not in text and "脚本" not in text


def test_one_long_paragraph_keeps_its_signature():
    one = BODY[3:-4]  # without <p> and the indent
    html = page(f'<div class="nav"><a href="/">首页</a><a href="/a">关于我们</a></div><div id="content">'
                f'<p>{(one + "<br>") * 8}</p><p>某某市财政局</p><p>2020年1月1日</p></div>'
                '<div class="foot">版权所有 某某市财政局</div>')
    lines = [line.text for line in read_html(html.encode(), "p.html").lines]
    assert lines[-2:] == ["某某市财政局", "2020年1月1日"] and len(lines) == 10


def test_text_between_a_far_headline_and_the_body_is_dropped():
    html = page(head="<title>某某市关于做好就业工作的通知</title>",
                body='<h1>某某市关于做好就业工作的通知</h1><div class="side"><p>'
                     + "侧边栏的介绍文字，和正文没有关系。" * 8 + f'</p></div><div class="c">{BODY * 12}</div>')
    lines = [line.text for line in read_html(html.encode(), "far.html").lines]
    assert lines[0] == "某某市关于做好就业工作的通知"
    assert not any("侧边栏" in t for t in lines) and len(lines) == 13


def test_a_title_beside_the_metadata_block_stays_in_the_body():
    html = page('<div class="head"><h1>关于印发某某办法的通知</h1><div class="meta"><p>发文机关：某某市政府</p>'
                '<p>发文字号：某政发〔2020〕1号</p><p>成文日期：2020年1月1日</p></div></div>'
                f'<div class="c">{BODY * 6}</div>')
    r = read_html(html.encode(), "t.html")
    assert r.lines[0].text == "关于印发某某办法的通知"
    assert r.metadata == {"发文机关": "某某市政府", "发文字号": "某政发〔2020〕1号", "成文日期": "2020年1月1日"}


def test_list_metadata_block_and_word_table_cells():
    html = page(head="<title>2020年预算_某某市</title>", body=f"""<div class="xxgk"><ul>
      <li><label>索引号：</label><span>0001/2020-01</span></li><li><label>发布机构：</label><span>某某市财政局</span></li>
      <li><label>生成日期：</label><span>2020-01-01</span></li><li><label>文号：</label><span></span></li></ul></div>
      <div class="TRS_Editor">{BODY * 4}<table border="1"><tbody>
      <tr><td><p><span>项目</span></p></td><td><p><span>金额</span></p></td></tr>
      <tr><td><p><span>收入</span></p></td><td><p style="text-align:right"><span>1,234</span></p></td></tr>
      </tbody></table></div>""")
    r = read_html(html.encode(), "l.html")
    assert r.metadata == {"title_tag": "2020年预算_某某市", "索引号": "0001/2020-01", "发布机构": "某某市财政局",
                          "生成日期": "2020-01-01", "文号": ""}
    assert [line.text for line in r.lines][-2:] == ["项目\t金额", "收入\t1,234"]


def test_content_split_over_containers_falls_back_to_trafilatura():
    second = BODY.replace("正文", "第二部分正文")
    html = page(f'<div class="a"><div class="p1">{BODY * 3}</div><div class="side"><a href="/x">链接一</a></div>'
                f'<div class="p2">{second * 3}</div></div>')
    r = read_html(html.encode(), "split.html")
    assert "html_trafilatura" in r.flags
    assert sum("第二部分正文" in line.text for line in r.lines) == 3
    assert sum("第二部分" not in line.text for line in r.lines) == 3


# ---------------------------------------------------------------- charsets

GB_PAGE = page(BODY * 3, charset="gb2312")


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (GB_PAGE.encode("gbk"), "gb18030"),  # declared gb2312, decoded as its superset
        (page(BODY * 3, charset="GBK").encode("gbk"), "gb18030"),
        (page(BODY * 3, charset="utf-8").encode("utf-8"), "utf-8"),
        (("<html><head><meta http-equiv='Content-Type' content='text/html; charset=gbk'></head><body>"
          + BODY * 3 + "</body></html>").encode("gbk"), "gb18030"),
        (("<html><body>" + BODY * 3 + "</body></html>").encode("gbk"), "gb18030"),  # undeclared, not UTF-8
        (("<html><body>" + BODY * 3 + "</body></html>").encode("utf-8"), "utf-8"),  # undeclared, UTF-8
        (b"\xef\xbb\xbf" + GB_PAGE.encode("utf-8"), "utf-8"),  # the BOM beats the declaration
        (page(BODY * 3, charset="utf-8").encode("gbk"), "gb18030"),  # a wrong declaration that does not decode
        ("\ufeff".encode("utf-16-le") + page(BODY * 3).encode("utf-16-le"), "utf-16"),
    ],
)
def test_charset_ladder(data, encoding):
    r = read_html(data, "c.html")
    assert r.encoding == encoding
    assert "用来检验主体内容的识别规则" in r.text


def test_gb_declared_page_that_is_utf8():
    text, encoding, flags = decode_html(GB_PAGE.encode("utf-8"), "m.html")
    assert encoding == "utf-8" and "用来检验" in text


def test_truncated_last_character():
    data = (page(BODY * 3) + "尾").encode("utf-8")[:-1]
    r = read_html(data, "t.html")
    assert r.encoding == "utf-8" and "truncated_last_char" in r.flags


# ---------------------------------------------------------------- bad input

NAVIGATION_ONLY = page(
    head="<title>某某市人民政府门户网站</title>",
    body="""<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li>
    <li><a href="/fw">政务服务</a></li><li><a href="/hd">互动交流</a></li><li><a href="/zjmm">走进某某</a></li></ul></div>
    <div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a></div>
    <div class="footer"><p>主办单位：某某市人民政府办公室</p><p>版权所有 某某市人民政府 冀ICP备12345678号</p></div>""",
)


@pytest.mark.parametrize(
    "data",
    [
        NAVIGATION_ONLY.encode("utf-8"),
        page("").encode(),
        page("<script>document.write('只有脚本');</script><img src='a.png'>").encode(),
    ],
    ids=["navigation-only", "empty-body", "script-and-image"],
)
def test_no_main_text(data):
    with pytest.raises(BulletinError) as err:
        read_html(data, "nav.html")
    assert err.value.kind == "no_main_text"
    assert err.value.message.startswith("nav.html: ")


def test_empty_file():
    with pytest.raises(BulletinError) as err:
        read_html(b"  \n", "empty.html")
    assert err.value.kind == "empty_file" and err.value.message.startswith("empty.html: ")


# ---------------------------------------------------------------- a real table in HTML, made by LibreOffice


def _require_soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        reason = "LibreOffice (soffice) is not installed: Debian package libreoffice-writer-nogui"
        if os.environ.get("GONGBAO_REQUIRE_SYSTEM_TOOLS"):
            pytest.fail(reason)
        pytest.skip(reason)
    return exe


@pytest.mark.slow
def test_real_tables_of_a_word_file_saved_as_html(tmp_path: Path):
    """The Chengde report's 附表 as Word-exported HTML: the same rows as the DOCX reader gives."""
    exe = _require_soffice()
    src = tmp_path / "chengde.docx"
    src.write_bytes(wild_file(CHENGDE).read_bytes())
    subprocess.run([exe, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "html", "--outdir", str(tmp_path / "out"), str(src)],
                   capture_output=True, timeout=300, check=True)
    r = read_html((tmp_path / "out" / "chengde.html").read_bytes(), "chengde.html")
    lines = [line.text for line in r.lines]
    assert "预 算 科 目\t预算数\t完成数\t占预算(%)\t比上年 增长(%)" in lines
    assert "本年收入合计\t1448485\t1448177\t100\t3" in lines
    assert "增值税\t362300\t274175\t75.7\t-0.9" in lines
    assert coverage(r.lines, WILD_KEYS[CHENGDE]).share >= 0.98
