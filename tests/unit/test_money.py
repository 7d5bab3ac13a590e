"""Budgets and subsidies (parsing/numbers/money.py, fiscal.py), one case per rule, on real lines
of the real files: the text samples by line, the published originals (PDF, web page, Word file)
by the text their readers give, copied verbatim and grouped by source."""
from decimal import Decimal

import pytest

from parsing.numbers.money import money_rows
from parsing.numbers.quantities import find_mentions
from parsing.numbers.sentences import DocContext
from parsing.structure.prose import document_prose
from parsing.text.lines import split_lines
from tests.conftest import sample_line

LVLIANG = "关于吕梁市2018年全市和市本级预算执行情况与2019年全市和市本级预算草案的报告"
CHENGDE = "关于承德市2025年市本级预算和市总预算执行情况与2026年市本级预算和市总预算草案的报告（书面）"
SJZ = "关于石家庄市2018年预算执行情况和2019年预算草案的报告"
AKSU = "阿克苏地区2025年国民经济和社会发展统计公报"


def money(text: str, title: str | None, wrapped: bool = False):
    lines = split_lines(text)
    prose = document_prose(lines, 1, len(lines), wrapped, set())
    return money_rows(prose, find_mentions(prose.text), DocContext(title=title, year=None))


def budgets(text, title, wrapped=False):
    return [(r["amount_text"], r["purpose"], r["funder"], r["period"], r["part_of_index"])
            for r in money(text, title, wrapped)[0]]


def subsidies(text, title):
    return [(r["amount_text"], r["program"], r["beneficiary"], r["per"], r["frequency"], r["is_cap"])
            for r in money(text, title)[1]]


# ---- budget reports: fiscal prose --------------------------------------------------------
BUDGET_CASES = {
    # shanxi_lvliang_2018_budget_report.html
    "a total names its budget, level and year (the chapter's)": (LVLIANG, (
        "一、2018年全市和市本级预算执行情况\n"
        "2018年全市一般公共预算收入完成1748028万元，为预算的110.91%（与汇总预算相比，下同），增长25.96%"),
        [("1748028万元", "一般公共预算收入", "全市", "2018", None)]),
    "a 其中 part links to its total and keeps its level": (LVLIANG, (
        "2、市本级一般公共预算执行情况\n"
        "——税收收入完成251322万元，为预算的112.7%，增长4.72%。其中：增值税完成118700万元，为预算的100.68%"),
        [("251322万元", "税收收入", "市本级", "2018", None), ("118700万元", "增值税", "市本级", "2018", 0)]),
    "a level alone is a part of the total before it": (LVLIANG,
        "2018年全市政府债务限额2445000万元，其中市本级798500万元，各县（市、区）1646500万元。",
        [("2445000万元", "政府债务限额", "全市", "2018", None), ("798500万元", "政府债务限额", "市本级", "2018", 0),
         ("1646500万元", "政府债务限额", "各县(市、区)", "2018", 0)]),
    "由…变动为…: a bare 支出预算 gets the budget of its heading": (LVLIANG, (
        "（一）一般公共预算执行情况\n"
        "2018年全市预算经市三届人大五次会议审查批准后，各县（市、区）人民代表大会相继批准了本级预算。经汇总，"
        "全市一般公共预算收入为1576040万元，年底无变动。支出预算由3190691万元变动为4202408万元，"
        "主要是上级转移支付和地方政府债券增加所致。"),
        [("1576040万元", "一般公共预算收入", "全市", "2018", None), ("3190691万元", "一般公共预算支出", "全市", "2018", None),
         ("4202408万元", "一般公共预算支出", "全市", "2018", None)]),
    "the giver before 对 is the funder": (LVLIANG,
        "2018年中央和省对我市转移支付2076723万元，增长10.41%。其中：一般性转移支付1296093万元，增长10.3%；",
        [("2076723万元", "中央和省对我市转移支付", "中央和省", "2018", None),
         ("1296093万元", "一般性转移支付", "中央和省", "2018", 0)]),
    "a distribution (市本级留用) is named after the amount before it; parts keep the giver": (LVLIANG,
        "2018年，省财政厅转贷我市地方政府债券461616万元，其中：新增债券331446万元，市本级留用90000万元，"
        "转贷县（市、区）241446万元。",
        [("461616万元", "省财政厅转贷我市地方政府债券", "省财政厅", "2018", None),
         ("331446万元", "新增债券", "省财政厅", "2018", 0), ("90000万元", "新增债券市本级留用", "市本级", "2018", 0),
         ("241446万元", "转贷县(市、区)", "省财政厅", "2018", 0)]),
    "a change (比上年预算减少) is a change of the line before it, not its total": (LVLIANG,
        "2019年市本级行政事业单位使用财政拨款安排的“三公”经费预算3890万元，比上年预算减少422万元。",
        [("3890万元", "“三公”经费预算", "市本级", "2019", None),
         ("422万元", "“三公”经费预算比上年减少", "市本级", "2019", None)]),
    "a bare flow after a named line is that line's (预备费支出)": (LVLIANG,
        "2018年市本级一般公共预算安排预备费10000万元，支出6790万元。",
        [("10000万元", "预备费", "市本级", "2018", None), ("6790万元", "预备费支出", "市本级", "2018", None)]),
    # hebei_chengde_2025_budget_report.docx
    "an inline heading names the budget; 社保基金 is the 社会保险基金": (CHENGDE, (
        "（二）市本级预算执行情况\n"
        "4.社会保险基金预算收支完成情况。2025年，市本级社保基金预算收入完成70.1亿元，占调整预算的101%，同比增长7.2%。"
        "社保基金预算支出完成61亿元，占调整预算的97%，同比下降2.8%。"),
        [("70.1亿元", "社会保险基金预算收入", "市本级", "2025", None),
         ("61亿元", "社会保险基金预算支出", "市本级", "2025", None)]),
    "收入总计 and 加上… of a budget": (CHENGDE, (
        "二、2026年预算安排情况\n（二）全市预算草案（代编）\n"
        "2.政府性基金预算。收入预算安排97.8亿元，加上上级转移支付收入、债务转贷收入等106.2亿元，收入总计204亿元。"),
        [("97.8亿元", "政府性基金预算收入", "全市", "2026", None),
         ("106.2亿元", "上级转移支付收入、债务转贷收入等", "全市", "2026", None),
         ("204亿元", "政府性基金预算收入总计", "全市", "2026", None)]),
    "a heading that names a line item is the item of `安排48亿元`": (CHENGDE, (
        "（三）市本级预算草案\n①基本支出。安排48亿元，占比67.7%。其中，人员经费支出安排45.7亿元，占比64.5%。"),
        [("48亿元", "基本支出", "市本级", "2026", None), ("45.7亿元", "人员经费支出", "市本级", "2026", 0)]),
    "a fund of the social insurance budget names its own lines": (CHENGDE, (
        "4.社保基金预算\n（2）职工医疗保险基金收支预算。2026年承德市职工医保基金预算总收入安排31.2亿元，总支出安排23.2亿元，"
        "年度收支结余8亿元，年末滚存结余51.4亿元。"),
        [("31.2亿元", "职工医疗保险基金收入", None, "2026", None), ("23.2亿元", "职工医疗保险基金支出", None, "2026", None),
         ("8亿元", "职工医疗保险基金年度收支结余", None, "2026", None),
         ("51.4亿元", "职工医疗保险基金年末滚存结余", None, "2026", None)]),
    "近年 spans years: no period": (CHENGDE,
        "加强基层应急管理能力建设，近年累计拨付增发国债资金16.2亿元，拨付“两重”领域超长期特别国债资金8亿元，进一步筑牢民生安全屏障。",
        [("16.2亿元", "增发国债资金", None, None, None), ("8亿元", "“两重”领域超长期特别国债资金", None, None, None)]),
    "a fiscal line of pay (绩效工资) is no measure of the economy": (CHENGDE,
        "主要包括：在职人员经费307624万元（包括基本工资及津贴补贴188399万元，年度考核奖和年终一次性奖励等奖金18285万元，"
        "绩效工资31118万元）",
        [("307624万元", "在职人员经费", None, None, None), ("188399万元", "基本工资及津贴补贴", None, None, 0),
         ("18285万元", "年度考核奖和年终一次性奖励等奖金", None, None, 0), ("31118万元", "绩效工资", None, None, 0)]),
    # xinjiang_aksu_2025_statistical_communique.html (not a budget report)
    "a communiqué's fiscal lines are budgets": (AKSU,
        "八、财政金融 全年一般公共预算收入205.40亿元，增长10.1%,其中，税收收入111.80亿元，下降8.8%;非税收入93.60亿元，增长46.4%。",
        [("205.40亿元", "一般公共预算收入", None, "2025", None), ("111.80亿元", "税收收入", None, "2025", 0),
         ("93.60亿元", "非税收入", None, "2025", 0)]),
    "a generic 征缴基金 is named by the clause before it": (AKSU,
        "参加失业保险人数27.58万人，征缴基金2.33亿元。",
        [("2.33亿元", "失业保险", None, "2025", None)]),
    "deposits, their change and a market's investment are the economy": (AKSU,
        "年末金融机构本外币各项存款余额2760.58亿元，比年初增加285.54亿元，增长11.5%,其中，住户存款余额1767.76亿元。"
        "全年房地产开发投资148.09亿元，比上年增长11.6%,其中，住宅投资94.40亿元，增长12.6%。",
        []),
}


@pytest.mark.parametrize("title, text, expected", BUDGET_CASES.values(), ids=BUDGET_CASES.keys())
def test_budgets(title, text, expected):
    assert budgets(text, title) == expected


def test_wrapped_pdf_lines_keep_their_headings():
    # hebei_shijiazhuang_2018_budget_report.pdf, p.4: hard-wrapped text is joined; a line that
    # ends a sentence still ends its clause, and the inline heading names the budget.
    text = ("一、2018年预算执行情况\n"
            "———政府性基金预算完成情况。全市收入完成560.9亿元,占预算的92%,增长8.3%。全市支出完成636.2亿元,占调整预算的93.8%,增长12.7%。\n"
            "市级收入完成136.5亿元,占预算的101.8%,下降36%。\n"
            "市级支出完成184.9亿元,占调整预算的93.7%,下降33.9%。")
    assert budgets(text, SJZ, wrapped=True) == [
        ("560.9亿元", "政府性基金预算收入", "全市", "2018", None), ("636.2亿元", "政府性基金预算支出", "全市", "2018", None),
        ("136.5亿元", "政府性基金预算收入", "市级", "2018", None), ("184.9亿元", "政府性基金预算支出", "市级", "2018", None)]


@pytest.mark.parametrize("text, expected", [
    # hebei_shijiazhuang_2018_budget_report.pdf, p.13: 当年收入加上级补助 → the 上级补助 of the fund
    ("(二)政府性基金预算安排情况\n1.全市政府性基金预算\n当年收入加上级补助10亿元、上年结余结转27.8亿元,减去上解支出1281万元,"
     "调出资金36.4亿元,按照收支平衡和专款专用原则,相应安排支出631.6亿元,比上年预算下降5.7%。",
     ["政府性基金上级补助", "政府性基金上年结余结转", "政府性基金上解支出", "政府性基金调出资金", "政府性基金预算支出"]),
    # p.7: a generic 资金 is named by what it is used for
    ("市级财政落实奖补资金1.2亿元,用于化解水泥、焦炭等行业过剩产能,支持工业企业结构调整。", ["化解水泥、焦炭等行业过剩产能"]),
])
def test_budget_purposes(text, expected):
    assert [b[1] for b in budgets(text, SJZ)] == expected


def test_money_written_without_yuan():
    # hebei_shijiazhuang_2018_budget_report.pdf, p.9: `2.5亿财政资金`
    rows = money("用2.5亿财政资金撬动了151亿社会资本投入。", SJZ)[0]
    assert [(r["amount_text"], r["amount_yuan"]) for r in rows][:1] == [("2.5亿", Decimal("250000000.00"))]


# ---- subsidies --------------------------------------------------------------------------
SUBSIDY_CASES = {
    # shanxi_lvliang_2018_budget_report.html: the amount raised *to* is the standard; 最低 is no cap
    "由…提高到…: one item, the new standard": (LVLIANG,
        "城乡居民养老保险补助由人均每月85元提高到最低108元，基本医疗保险财政补助标准由年人均450元提高到490元。",
        [("108元", "城乡居民养老保险补助", "城乡居民养老保险", "人均每月", "month", False),
         ("490元", "基本医疗保险财政补助", "基本医疗保险参保人员", "年人均", "year", False)]),
    "A和B的N…分别由…提高到…: one beneficiary each": (LVLIANG,
        "将社会散居和福利机构供养的孤儿养育标准分别由每人每月600元、1000元提高到1000元、1500元。",
        [("1000元", "孤儿养育", "社会散居孤儿", "每人每月", "month", False),
         ("1500元", "孤儿养育", "福利机构供养孤儿", "每人每月", "month", False)]),
    # hebei_chengde_2025_budget_report.docx
    "A、B、C分别由…提高至X、Y、Z: one scheme each": (CHENGDE,
        "城乡居民养老保险基础养老金补助、困难残疾人生活补贴、重度残疾人护理补贴分别由每人每月151元、96元、90元提高至171元、106元、100元。",
        [("171元", "城乡居民养老保险基础养老金补助", "城乡居民养老保险", "每人每月", "month", False),
         ("106元", "困难残疾人生活补贴", "困难残疾人", "每人每月", "month", False),
         ("100元", "重度残疾人护理补贴", "重度残疾人", "每人每月", "month", False)]),
    "a public service's standard is paid for the residents it serves": (CHENGDE,
        "基本公共卫生服务补助由每人每年94元提高至99元，连续16年提标。",
        [("99元", "基本公共卫生服务补助", "城乡居民", "每人每年", "year", False)]),
    # a fixed award to the units that qualify, and a ceiling
    "给予一次性奖励 to units that qualify; 最高 is a cap": (None, (
        "对首次获得国家地理标志商标、中国地理标志保护产品的单位，市政府每件一次性奖励30万元；"
        "对新认定的高新技术企业，最高给予30万元奖励。"),
        [("30万元", "奖励", "首次获得国家地理标志商标、中国地理标志保护产品的单位", None, "once", False),
         ("30万元", "奖励", "新认定的高新技术企业", None, None, True)]),
}


@pytest.mark.parametrize("title, text, expected", SUBSIDY_CASES.values(), ids=SUBSIDY_CASES.keys())
def test_subsidies(title, text, expected):
    assert subsidies(text, title) == expected


def test_a_pot_of_money_for_a_scheme_is_a_budget():
    # hebei_chengde_2025_budget_report.docx: the standard is a subsidy, the money sent down a budget
    text = "提高高中阶段国家助学金资助标准至每生每年2300元，扩大中等职业学校国家助学金覆盖面，下达资助经费3.4亿元，惠及学生58万人次。"
    got_budgets, got_subsidies = money(text, CHENGDE)
    assert [(r["amount_text"], r["program"], r["per"]) for r in got_subsidies] == [("2300元", "高中阶段国家助学金", "每生每年")]
    assert [r["amount_text"] for r in got_budgets] == ["3.4亿元"]


# ---- the text samples, by line ----------------------------------------------------------
@pytest.mark.parametrize("prefix, line, title, expected", [
    # 000:648 the place that spends is the funder, not the purpose
    ("000", 648, None, [("380 万元", "配备和完善中小学教学仪器设备", "北川", None, None),
                        ("20 万元", "配备和完善教学仪器设备", "平武", None, None)]),
    # 000:650 a list of amounts shares what follows it
    ("000", 650, None, [("40 万元", "师资培训", "北川", None, None), ("30 万元", "师资培训", "平武", None, None)]),
    # 003:17 a generic 投资 is named by the clause before it
    ("003", 17, None, [("207.37亿元", "改造各类危旧房棚户区", None, None, None), ("约5.61亿元", "老旧小区改造", None, None, None)]),
])
def test_sample_budgets(prefix, line, title, expected):
    assert budgets(sample_line(prefix, line).raw, title) == expected


@pytest.mark.parametrize("prefix, line, expected", [
    # 000:634 the group of the scheme, and the clause's own subject
    ("000", 634, [("1000 元", "生活费补助", "农村家庭经济困难寄宿学生（小学）", "每生每年", "year", False),
                  ("1250 元", "生活费补助", "农村家庭经济困难寄宿学生（初中）", "每生每年", "year", False)]),
    # 003:16 城乡…分别: 城市, then 农村; 调整至 states both standards (no raise)
    ("003", 16, [("300元", "城乡低保", "城市低保对象", "每人每月", "month", False),
                 ("180元", "城乡低保", "农村低保对象", "每人每月", "month", False),
                 ("610元", "城乡低保", "城市低保对象", "每人每月", "month", False),
                 ("410元", "城乡低保", "农村低保对象", "每人每月", "month", False),
                 ("972.62元", "临时救助", "临时救助对象", "人均", None, False)]),
    # 004:554 an insurance's subsidy is paid for the insured
    ("004", 554, [("280 元", "城镇居民医保和新农合政府补助", "城镇居民医保和新农合参保人员", "每人每年", "year", False)]),
])
def test_sample_subsidies(prefix, line, expected):
    assert subsidies(sample_line(prefix, line).raw, None) == expected


def test_income_is_no_money_of_the_budget():
    # 003:14 城乡居民人均可支配收入分别达到39680元、19303元
    got_budgets, got_subsidies = money(sample_line("003", 14).raw, None)
    assert 39680 not in {r["amount_yuan"] for r in got_budgets + got_subsidies}


def test_a_banks_credit_line_is_not_a_budget_and_市场_is_no_funder(parsed):
    """002:134 (Traditional) 在省政府與國家開發銀行簽署的1200億元授信額度中…: a loan offered, not
    money spent; and the paragraph's 2.建立和完善符合市場… names no funder (市 of 市場)."""
    rows = [r for r in parsed["002"].tables["budgets"] if r["line"] == 134]
    assert "1200億元" not in [r["amount_text"] for r in rows]
    assert all(not (r["funder"] or "").startswith("建立") for r in rows)


def test_the_scheme_after_标准为_is_the_program(parsed):
    """000:640 标准为国家助学金给予家庭经济困难学生平均每生每年 3000 元生活补助."""
    [row] = [r for r in parsed["000"].tables["subsidies"] if r["line"] == 640 and r["amount_text"] == "3000 元"]
    assert (row["program"], row["beneficiary"]) == ("国家助学金", "家庭经济困难学生")


def test_a_sum_after_the_parts_is_no_part():
    """承德 DOCX: `收入预算安排54.3亿元，其中，…，加上下级上解收入…2.5亿元，收入总计56.8亿元`:
    the parts are the 其中 amounts; the added 2.5亿 and the 收入总计 are not parts of 54.3亿."""
    from parsing.reading import read_file
    from parsing.bulletin import parse_text
    from tests.wild_keys import wild_file

    path = wild_file("hebei_chengde_2025_budget_report")
    rows = parse_text(read_file(path.read_bytes(), path.name), path.name, 1).tables["budgets"]
    ids = {r["budget_id"]: r for r in rows}
    for r in rows:
        if r["part_of"]:
            total = ids[r["part_of"]]
            assert total["amount_yuan"] >= r["amount_yuan"], (r["amount_text"], total["amount_text"])
    grand = [r for r in rows if r["amount_text"] == "56.8亿元"]
    assert grand and all(r["part_of"] is None for r in grand)
