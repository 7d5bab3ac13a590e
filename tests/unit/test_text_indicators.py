"""Indicators stated in sentences, on real lines of the real files, grouped by source.

Each case names a file, a quote copied from it (found in the file's own lines, whitespace
ignored), the value as extracted (decreases negative) and the fields expected of that row.
Files are located by quote rather than line number, so the cases hold while readers change
how a PDF or a web page is cut into lines.
"""
import re
import unicodedata

import pytest

from tests.conftest import RAW


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@pytest.fixture(scope="module")
def bulletins():
    from parsing.bulletin import parse_bulletin
    from parsing.reading import read_file
    from parsing.text.lines import split_lines

    cache = {}

    def get(name: str):
        if name not in cache:
            data = (RAW / name).read_bytes()
            lines = split_lines(read_file(data, name).text)
            cache[name] = (parse_bulletin(data, name), [_fold(ln.norm) for ln in lines])
        return cache[name]

    return get


def rows_near(bulletins, name: str, quote: str) -> list[dict]:
    parsed, lines = bulletins(name)
    q = _fold(quote)
    hits = [i + 1 for i, text in enumerate(lines) if q in text]
    if not hits:  # a quote broken over two lines
        hits = [i + 1 for i in range(len(lines) - 1) if q in lines[i] + lines[i + 1]]
    assert hits, f"{quote!r} not in {name}"
    rows = parsed.tables["indicators"]
    return [r for r in rows if r["source"] == "text" and any(abs(r["line"] - h) <= 1 for h in hits)]


def rows_of(bulletins, name: str, quote: str, value: float) -> list[dict]:
    found = [r for r in rows_near(bulletins, name, quote) if r["value"] is not None and abs(r["value"] - value) < 1e-9]
    assert found, f"no row of value {value} near {quote!r} in {name}"
    return found


CASES = {
    # A plan (text sample): targets sorted by a statement of 约束性 targets; lists after 分别
    # share their verb, bound and head; counts joined by 、 share the head of the last thing.
    "000_69ce87b22548801c.txt": [
        ("人口自然增长率控制在3%以内", 3.0,
         {"name": "人口自然增长率", "kind": "target", "comparator": "<=", "nature": "约束性", "period": "2012"}),
        ("全市出生人口性别比下降到110左右", 110.0, {"name": "全市出生人口性别比", "unit": None, "comparator": "~"}),
        ("学生用计算机生机比达到14:1", 14.0, {"name": "学生用计算机生机比", "value_text": "14:1"}),
        # the part of a whole (`…中包括`), and the next part measured as it is
        ("实际参保人数中包括职工基本医疗保险23735万人", 23735.0, {"name": "职工基本医疗保险实际参保人数"}),
        ("城镇居民基本医疗保险19528万人", 19528.0, {"name": "城镇居民基本医疗保险实际参保人数"}),
        # a bare verb takes the object of the activity before it; a bare rate names what it is of
        ("学校少年宫创建活动，2012 年建成 20 所", 20.0, {"name": "建成特色乡村(社区)学校少年宫"}),
        ("生殖健康科普知识进村(居)入户，覆盖面达90%以上", 90.0,
         {"name": "计划生育、优生优育和生殖健康科普知识进村(居)入户覆盖面", "comparator": ">="}),
    ],
    "003_6ffefe78dc09de8d.txt": [
        ("学前三年毛入园率达97.22%", 97.22, {"name": "学前三年毛入园率", "kind": "actual", "period": None}),
        ("高于全国91.2%的平均水平", 91.2, {"name": "全国高中阶段毛入学率平均水平", "kind": "actual"}),
        ("26个市级大学生创业孵化园区(基地)", 15.0, {"name": "省级大学生创业孵化园区(基地)"}),
        ("26个市级大学生创业孵化园区(基地)", 26.0, {"name": "市级大学生创业孵化园区(基地)"}),
        # 城乡 over two values is 城镇 and 农村; things, then what they did, read as a 的-phrase
        ("年均增长7.9%、9.3%", 7.9, {"name": "城镇居民人均可支配收入", "kind": "change"}),
        ("年均增长7.9%、9.3%", 9.3, {"name": "农村居民人均可支配收入", "kind": "change"}),
        ("9个县(市、区)均在社会福利院设立了儿童部", 9.0, {"name": "在社会福利院设立儿童部的县(市、区)"}),
        ("29项医疗康复服务纳入医保范围", 29.0, {"name": "纳入医保范围的医疗康复服务"}),
        ("90%的村卫生室、社区卫生服务站能够提供中医药服务", 90.0,
         {"name": "能够提供中医药服务的村卫生室、社区卫生服务站比例"}),
        ("每个建制乡镇设置1所达标卫生院", 1.0, {"name": "每个建制乡镇达标卫生院"}),
        # siblings in a list of counts
        ("创建国家级综合减灾示范基地1个、示范县1个、示范学校1所", 1.0, {"name": "创建国家级综合减灾示范学校"}),
        ("全市总体癌症5年生存率不低于44%", 44.0, {"name": "全市总体癌症5年生存率", "comparator": ">="}),
    ],
    "004_357ce20f33c7d160.txt": [
        ("高血压、糖尿病患者规范化管理率分别达到 50%、40% 以上", 50.0,
         {"name": "高血压患者规范化管理率", "comparator": ">="}),
        ("高血压、糖尿病患者规范化管理率分别达到 50%、40% 以上", 40.0,
         {"name": "糖尿病患者规范化管理率", "comparator": ">="}),
        ("3G/LTE 用户超过 3.3 亿户，用户普及率达到 25%", 25.0, {"name": "3G/LTE用户普及率", "period": "2013"}),
        # the name as the text abbreviates it; a unit written out; places one after another
        ("（3G/LTE）用户普及率达到 32.5%", 32.5, {"name": "3G/LTE用户普及率"}),
        ("基本达到 20 兆比特每秒（Mbps）和 4Mbps", 20.0, {"name": "城市家庭宽带接入能力", "unit": "Mbps"}),
        ("基本达到 20 兆比特每秒（Mbps）和 4Mbps", 4.0, {"name": "农村家庭宽带接入能力", "unit": "Mbps"}),
        ("部分发达城市达到 100Mbps", 100.0, {"name": "部分发达城市家庭宽带接入能力"}),
        # a list of values in turn for a list of measures (a 分别 left unsaid)
        ("政策范围内住院费用支付比例稳定在 70% 和 75% 以上", 70.0, {"name": "城镇居民医保政策范围内住院费用支付比例"}),
        ("政策范围内住院费用支付比例稳定在 70% 和 75% 以上", 75.0,
         {"name": "新农合政策范围内住院费用支付比例", "comparator": ">="}),
        ("其余市（州）不少于40名核定", 40.0, {"name": "其余市(州)食品药品监管局机关行政编制", "comparator": ">="}),
    ],
    # A Traditional-script bulletin nobody keyed: later years of the same share take its name.
    "002_77d8cd99f05e537c.txt": [
        ("招录的比例不得低于60%,以后每年提高10%", 60.0, {"name": "招录的比例", "comparator": ">="}),
        ("招录的比例不得低于60%,以后每年提高10%", 10.0, {"name": "招录的比例", "kind": "change"}),
    ],
    # A budget report (PDF): completion shares, growth named after the line, the section's
    # budget completing a bare 全市收入, the review chapter's year, the plan chapter's targets.
    "hebei_shijiazhuang_2018_budget_report.pdf": [
        ("全市收入完成519.7亿元,占预算的102.5%", 102.5,
         {"name": "全市一般公共预算收入完成预算比例", "kind": "actual", "period": "2018"}),
        ("比上年增长(以下简称增长)12.8%", 12.8, {"name": "全市一般公共预算收入", "kind": "change", "period": "2018"}),
        ("市级收入完成136.5亿元,占预算的101.8%,下降36%", -36.0,
         {"name": "市级政府性基金预算收入", "kind": "change", "value_text": "36%"}),
        ("基本支出91.8亿元,占总支出的32.8%", 32.8,
         {"name": "基本支出占市级一般公共预算总支出比重", "kind": "target", "period": "2019"}),
        ("一般公共预算收入中,税收收入占比达到69.3%", 69.3, {"name": "税收收入占一般公共预算收入比重"}),
        ("全市一般公共预算收入安排559亿元,增长7.5%左右", 7.5,
         {"name": "全市一般公共预算收入", "kind": "change", "comparator": "~", "period": "2019"}),
    ],
    # A budget report (web page): 其中 parts linked to their total, 分别 over government levels.
    "shanxi_lvliang_2018_budget_report.html": [
        ("其中：增值税完成661233万元，为预算的96.4%，增长13.11%", 96.4, {"name": "增值税完成预算比例", "kind": "actual"}),
        ("市、县分别同比增长122.81%、71.32%", 122.81, {"name": "市级财政专项扶贫资金", "kind": "change"}),
        ("市、县分别同比增长122.81%、71.32%", 71.32, {"name": "县级财政专项扶贫资金", "kind": "change"}),
    ],
    # A budget report (Word): a short form expanded, the plan chapter's year for next year's shares.
    "hebei_chengde_2025_budget_report.docx": [
        ("全市社保基金预算收入完成128.1亿元，占调整预算的101%", 101.0,
         {"name": "全市社会保险基金预算收入完成调整预算比例", "period": "2025"}),
        ("全市政府性基金预算收入完成27.2亿元，占调整预算的55.4%，同比下降41.5%", -41.5,
         {"name": "全市政府性基金预算收入", "kind": "change", "period": "2025"}),
    ],
    # A statistical communiqué (web page): every level is actual, the title's year, growth and
    # decline after money named after the money's subject, a school year opening a paragraph.
    "xinjiang_aksu_2025_statistical_communique.html": [
        ("全年阿克苏地区生产总值(GDP)2042.98亿元，比上年增长5.4%", 5.4,
         {"name": "阿克苏地区生产总值", "kind": "change", "period": "2025"}),
        ("进口0.49亿美元，下降35.5%", -35.5, {"name": "进口", "kind": "change"}),
        ("城镇调查失业率控制在5.5%以内", 5.5, {"kind": "actual", "comparator": "<="}),
        ("地区有高等院校5所，在校生4.27万人", 4.27, {"name": "高等院校在校生", "period": "2025-2026"}),
        ("原油产量101.66万吨，下降1.5%", 101.66, {"name": "规模以上工业原油产量", "kind": "actual"}),
        ("灌溉水有效利用系数为0.581", 0.581, {"name": "灌溉水有效利用系数", "unit": None}),
        ("全年浮尘影响天数141.2天，平均气温11.7℃", 11.7, {"name": "平均气温", "unit": "℃"}),
        ("住户存款余额1767.76亿元，增长10.3%", 10.3, {"name": "住户存款余额", "kind": "change"}),
        # a table the page ran into its text; brackets naming the things meant; a rate of what was counted
        ("年末共有证券公司营业部5家", 5.0, {"name": "证券公司营业部"}),
        ("1个重点水库(克孜尔水库)", 1.0, {"name": "重点水库"}),
        ("开通站点1510个，开通率100%", 100.0, {"name": "站点开通率"}),
        ("已发现矿种83种", 83.0, {"name": "已发现矿种"}),
    ],
    # A government work report: the review of 2020, the 十四五 targets, the 2021 list of 预期目标.
    "statecouncil_2021_government_work_report.txt": [
        ("全年国内生产总值增长2.3％", 2.3, {"name": "国内生产总值", "kind": "change", "period": "2020"}),
        ("城镇新增就业1186万人", 1186.0, {"name": "城镇新增就业", "kind": "actual", "period": "2020"}),
        ("5575万农村贫困人口实现脱贫", 5575.0, {"name": "实现脱贫的农村贫困人口", "kind": "actual"}),
        ("1000多万高中毕业生顺利完成高考", 1000.0, {"name": "顺利完成高考的高中毕业生"}),
        ("城镇调查失业率控制在5.5%以内", 5.5, {"kind": "target", "period": "2021-2025"}),
        ("单位国内生产总值能耗和二氧化碳排放分别降低13.5%、18%", -18.0,
         {"name": "单位国内生产总值二氧化碳排放", "kind": "change", "period": "2021-2025"}),
        ("国内生产总值增长6%以上", 6.0, {"kind": "change", "nature": "预期性", "period": "2021", "comparator": ">="}),
        ("居民消费价格涨幅3%左右", 3.0, {"name": "居民消费价格", "kind": "change", "nature": "预期性"}),
    ],
}


@pytest.mark.parametrize("name, quote, value, expected",
                         [(n, q, v, e) for n, cases in CASES.items() for q, v, e in cases],
                         ids=lambda x: x if isinstance(x, str) and len(x) < 30 else None)
def test_sentence_indicators(bulletins, name, quote, value, expected):
    got = [{k: r[k] for k in expected} for r in rows_of(bulletins, name, quote, value)]
    assert expected in got  # a long line may hold the same value twice


def test_parts_link_to_their_total(bulletins):
    # 吕梁: ——税收收入完成1381835万元，为预算的109.5%，增长22.38%。其中：增值税…，增长13.11%
    parsed, _ = bulletins("shanxi_lvliang_2018_budget_report.html")
    rows = [r for r in parsed.tables["indicators"] if r["source"] == "text"]
    part = next(r for r in rows if r["value"] == 13.11)
    assert part["part_of"] and part["part_of"].startswith(part["document_id"])
    total = next(r for r in rows if r["indicator_id"] == part["part_of"])
    assert (total["value"], total["kind"]) == (22.38, "change")


NOT_INDICATORS = [
    # money is the budgets' and subsidies'; a rule's bounds and rates are not measures
    ("xinjiang_aksu_2025_statistical_communique.html", "全年阿克苏地区生产总值(GDP)2042.98亿元", 2042.98),
    ("statecouncil_2018_guofa39_employment.html", "超过100人的企业达到15%", 100.0),
    ("statecouncil_2018_guofa39_employment.html", "超过100人的企业达到15%", 15.0),
    ("jiangxi_xinyu_2012_green_building_measures.txt", "单体建筑面积2万平方米以上", 2.0),
    # a chart's labels and values that a web page ran into the text
    ("xinjiang_aksu_2025_statistical_communique.html", "第一产业6.6%", 6.6),
]


@pytest.mark.parametrize("name, quote, value", NOT_INDICATORS)
def test_not_indicators(bulletins, name, quote, value):
    assert not [r for r in rows_near(bulletins, name, quote) if r["value"] == value]


def test_names_are_measures_not_stray_words(bulletins):
    """Names of one character, durations and lone verbs (`年`, `县`, `5年`, `建成`) are not names."""
    for name in ("000_69ce87b22548801c.txt", "003_6ffefe78dc09de8d.txt", "004_357ce20f33c7d160.txt",
                 "xinjiang_aksu_2025_statistical_communique.html", "shanxi_lvliang_2018_budget_report.html"):
        parsed, _ = bulletins(name)
        names = [r["name"] for r in parsed.tables["indicators"] if r["source"] == "text"]
        bad = [n for n in names if len(n) < 2 or re.fullmatch(r"\d+年|年|县|比上年|同比", n)]
        assert len(bad) <= len(names) * 0.01, (name, bad)


@pytest.mark.parametrize("text,value,name", [
    # 003: a thing counted whose name starts with digits
    ("实施文化阵地提升行动。建成3个以上24小时图书馆,基本形成以市图书馆总馆", 3.0, "24小时图书馆"),
    # 003: the thing counted is a 的-phrase that starts with a verb
    ("1.基层医疗卫生服务体系提质工程 规划建设30个左右达到二级综合医院标准的县域医疗卫生次中心,每个建制乡镇",
     30.0, "达到二级综合医院标准的县域医疗卫生次中心"),
])
def test_the_thing_counted_after_a_count(text, value, name):
    from parsing.numbers.quantities import find_mentions
    from parsing.numbers.sentences import DocContext
    from parsing.numbers.text_indicators import text_indicators
    from parsing.structure.prose import document_prose
    from parsing.text.lines import split_lines

    lines = split_lines(text)
    prose = document_prose(lines, 1, len(lines), False, set())
    rows = text_indicators(prose, find_mentions(prose.text), DocContext("规划", 2021))
    [row] = [r for r in rows if r["value"] == value]
    assert row["name"].endswith(name), row["name"]
