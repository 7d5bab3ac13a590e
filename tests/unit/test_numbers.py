"""Numbers in running text: text indicators, budgets and subsidies, on real lines of the samples."""
import pytest

from parsing.numbers.periods import period_for, plan_years, title_period
from parsing.numbers.quantities import find_mentions
from tests.conftest import GOLD, SAMPLES, sample_line


def rows_at(parsed, prefix, table, line, source=None):
    rows = [r for r in parsed[prefix].tables[table] if r["line"] == line]
    return [r for r in rows if source is None or r["source"] == source]


def mentions(text):
    return [(m.value, m.unit, m.comparator, m.is_money) for m in find_mentions(text)]


@pytest.mark.parametrize("text, expected", [
    ("城镇基本养老保险参保人数达到 3.57 亿人", [(3.57, "亿人", None, False)]),
    ("培养 100 名左右掌握社会保险政策", [(100.0, "名", "~", False)]),
    ("基本医疗保险参保达491万余人。", [(491.0, "万人", ">", False)]),
    ("人口自然增长率控制在3%以内", [(3.0, "%", "<=", False)]),
    ("企业职工基本养老保险参保人数不少于 3.07 亿人。", [(3.07, "亿人", ">=", False)]),
    ("北川投入 380 万元资金用于", [(380.0, "万元", None, True)]),
    ("今年投资217万新建2个教师周转房项目", [(217.0, "万元", None, True), (2.0, "个", None, False)]),
    ("市财政投入五亿元", [(5.0, "亿元", None, True)]),
    # numbers that only date, order, bound or name something
    ("城市地区宽带用户中20Mbps宽带接入能力覆盖比例达到80%", [(80.0, "%", None, False)]),
    ("逐步推进3岁以下婴幼儿照护", []),
    ("整合1200人以下的“空、小、散、弱”中等职业学校", []),
    ("自收到之日起30个工作日内", []),
    ("对符合条件的高新技术企业减按15%的税率", []),
    ("切实做到以企业的大发展带动10个优势高新技术产业的大发展", []),
    ("每3—10万居民规划设置1所社区卫生服务中心", [(1.0, "所", None, False)]),
    ("“城市15分钟、乡村10公里”公共文化服务圈", []),
    # measures of statistical communiqués and plans (real phrases of raw/)
    ("全年浮尘影响天数141.2天，平均气温11.7℃,年平均降水量48.3毫米。",
     [(141.2, "天", None, False), (11.7, "℃", None, False), (48.3, "毫米", None, False)]),
    ("城镇污水处理规模达到 2 亿立方米/日以上", [(2.0, "亿立方米/日", ">=", False)]),
    ("粮食综合生产能力保持在1.3万亿斤以上", [(1.3, "万亿斤", ">=", False)]),
    ("1000多万高中毕业生顺利完成高考", [(1000.0, "万", ">", False)]),
    ("带动全市50余家限额以上商贸流通企业", [(50.0, "家", ">", False)]),
    ("用2.5亿财政资金撬动了151亿社会资本投入", [(2.5, "亿元", None, True), (151.0, "亿元", None, True)]),
    ("受教育年限提高到11.3年", [(11.3, "年", None, False)]),
    ("社会保障制度经过20多年的发展", []),
    ("全年货物进出口总额28.02亿美元，比上年增长19.3%", [(19.3, "%", None, False)]),
    ("城市地区宽带用户中 20Mbps 宽带接入能力覆盖比例达到 80%", [(80.0, "%", None, False)]),
    # a ratio or an index has no unit
    ("学生用计算机生机比达到14:1，", [(14.0, "", None, False)]),
    ("城乡收入比(以农村居民人均收入为1)1.91:1,", [(1.91, "", None, False)]),
    ("三次产业结构比为 22.7:32.4:44.9。", []),
])
def test_mentions(text, expected):
    assert mentions(text) == expected


def test_five_year_plans_and_periods():
    assert plan_years("十二") == (2011, 2015) and plan_years("十四") == (2021, 2025)
    assert title_period("绵阳市全民健身实施计划(2011-2015年)2012年实施计划") == "2012"
    assert title_period("国务院关于批转社会保障“十二五”规划纲要的通知") is None
    assert period_for("参保人数达到", "“十二五”期末，城镇基本养老保险参保人数达到", "target", None) == "2015"
    assert period_for("参保率在 2010 年基础上提高", "城乡基本医疗保险参保率在 2010 年基础上提高", "change",
                      None) is None
    assert period_for("留绵率由“十二五”末的", "x", "actual", None) is None


def test_periods_in_reports_and_communiques():
    from parsing.numbers.periods import period_in_scope, plan_mentions

    assert plan_mentions("二、“十三五”时期发展成就和“十四五”时期主要目标任务") == ["2016-2020", "2021-2025"]
    title = "阿克苏地区2025年国民经济和社会发展统计公报"
    assert period_in_scope("比上年增长", "全年…生产总值2042.98亿元，比上年增长", "change", title, None, "communique") == "2025"
    assert period_in_scope("在校生", "2025—2026学年，地区有高等院校5所，在校生", "actual", title, None,
                           "communique") == "2025-2026"
    # a report's section gives the year; a base year (`比2018年预算增长`) is not the period
    assert period_in_scope("比2018年预算增长", "2019年全市一般公共预算支出安排…比2018年预算增长", "change",
                           "关于吕梁市2018年…与2019年…预算草案的报告", "2019", "report") == "2019"


def test_outline_of_a_report():
    from parsing.numbers.sentences import DocContext, Outline
    from parsing.structure.prose import document_prose
    from parsing.text.lines import split_lines

    text = ("一、2018年预算执行情况\n———一般公共预算完成情况。全市收入完成519.7亿元。\n"
            "二、2019年财政预算草案\n(一)一般公共预算安排情况\n全市一般公共预算收入安排559亿元。")
    lines = split_lines(text)
    prose = document_prose(lines, 1, len(lines), False, set())
    outline = Outline(prose, DocContext("关于石家庄市2018年预算执行情况和2019年预算草案的报告", 2019))
    first = outline.scope(prose.text.index("519.7"))
    assert (first.period, first.mood, first.topic) == ("2018", "review", "一般公共预算")
    second = outline.scope(prose.text.index("559"))
    assert (second.period, second.mood) == ("2019", "plan")


def test_sentence_targets_take_period_and_nature_from_their_paragraph(parsed):
    # 000:105 “十二五”期末，城镇基本养老保险参保人数达到 3.57 亿人，其中企业职工基本养老保险达到 3.07 亿人…
    got = {r["value"]: r for r in rows_at(parsed, "000", "indicators", 105, "text")}
    assert got[3.57]["name"] == "城镇基本养老保险参保人数" and got[3.57]["period"] == "2015"
    assert got[3.57]["kind"] == "target" and got[3.57]["unit"] == "亿人"
    assert got[3.0]["kind"] == "change" and got[3.0]["unit"] == "个百分点"
    # 000:418 人口自然增长率控制在3%以内，人口总量控制在545万左右 (sorted 约束性 by line 428)
    pop = {r["value"]: r for r in rows_at(parsed, "000", "indicators", 418, "text")}
    assert (pop[3.0]["name"], pop[3.0]["comparator"], pop[3.0]["nature"]) == ("人口自然增长率", "<=", "约束性")
    assert (pop[545.0]["unit"], pop[545.0]["comparator"], pop[545.0]["period"]) == ("万", "~", "2012")
    assert {r["nature"] for r in rows_at(parsed, "000", "indicators", 420, "text")} == {"预期性"}


def test_counts_named_by_what_they_count(parsed):
    # 000:213 培养 100 名左右掌握社会保险政策、精通经办业务的管理人才 (a 专栏 row read as text)
    row = next(r for r in rows_at(parsed, "000", "indicators", 213, "text") if r["value"] == 100.0)
    assert row["name"] == "培养掌握社会保险政策、精通经办业务的管理人才" and row["comparator"] == "~"


def test_achievements_in_a_review_chapter_are_actual(parsed):
    # 003:13, under 第一章 发展基础: 学前三年毛入园率达97.22%,…公办园在园幼儿占比由33.36%提高到52.49%
    rows = rows_at(parsed, "003", "indicators", 13, "text")
    first = rows[0]
    assert (first["name"], first["value"], first["kind"], first["period"]) == ("学前三年毛入园率", 97.22, "actual", None)
    share = [r for r in rows if r["value"] in (33.36, 52.49)]
    assert [r["name"] for r in share] == ["公办园在园幼儿占比"] * 2
    # 003:100, a target chapter: 新建、改扩建公办幼儿园50所以上
    target = next(r for r in rows_at(parsed, "003", "indicators", 100, "text") if r["value"] == 50.0)
    assert (target["kind"], target["comparator"], target["unit"]) == ("target", ">=", "所")


def test_hard_wrapped_pdf_text_joins_sentences_across_lines(parsed):
    # 001:105-107 …依托现有资源建成１００个区域 / 临床医学数据示范中心 (wrapped, full-width digits)
    row = rows_at(parsed, "001", "indicators", 107, "text")[0]
    assert (row["value"], row["value_text"], row["period"]) == (100.0, "１００个", "2020")
    assert row["name"].endswith("临床医学数据示范中心")


def test_garbled_lines_are_flagged_not_passed_as_clean(parsed):
    flagged = [r for r in parsed["002"].tables["indicators"] if r["quality_flags"]]
    bad_lines = set(parsed["002"].tables["bulletins"][0]["mojibake_lines"])
    assert flagged and {r["line"] for r in flagged} <= bad_lines
    assert all("mojibake" in r["quality_flags"] for r in parsed["002"].tables["budgets"] if r["line"] in bad_lines)


def test_budgets_with_funder_purpose_and_period(parsed):
    # 000:648 北川投入 380 万元资金用于配备和完善中小学教学仪器设备；平武投入 20 万元资金配备和完善教学仪器设备
    got = {r["amount_yuan"]: r for r in rows_at(parsed, "000", "budgets", 648)}
    assert got[3800000.0]["funder"] == "北川" and got[3800000.0]["purpose"] == "配备和完善中小学教学仪器设备"
    assert got[200000.0]["funder"] == "平武" and got[3800000.0]["period"] == "2012"
    assert got[3800000.0]["amount_text"] == "380 万元"
    # 000:762 今年投资217万新建2个教师周转房项目 (no 元)
    assert [r["amount_yuan"] for r in rows_at(parsed, "000", "budgets", 762)] == [2170000.0, 4680000.0]
    # 003:14 人均可支配收入…39680元 measures income: neither a budget nor a subsidy
    assert not rows_at(parsed, "003", "budgets", 14)
    assert 39680.0 not in {r["amount_yuan"] for r in rows_at(parsed, "003", "subsidies", 14)}
    # 001:1661 对总投资１亿元、５亿元以上的…项目: a threshold, not money spent
    assert not rows_at(parsed, "001", "budgets", 1661) and not rows_at(parsed, "001", "budgets", 1663)


def test_subsidies_per_beneficiary(parsed):
    # 000:634 提高农村家庭经济困难寄宿学生生活费补助标准：小学达到每生每年 1000 元，初中达到每生每年 1250 元。
    rows = rows_at(parsed, "000", "subsidies", 634)
    assert [(r["beneficiary"], r["amount_yuan"], r["per"], r["frequency"]) for r in rows] == [
        ("农村家庭经济困难寄宿学生（小学）", 1000.0, "每生每年", "year"),
        ("农村家庭经济困难寄宿学生（初中）", 1250.0, "每生每年", "year")]  # the group the clause is about
    assert "生活费" in rows[0]["program"]
    # 000:301 对经批准纳入…高层次领军型人才，给予每人 100 万元工作生活补助
    talent = rows_at(parsed, "000", "subsidies", 301)[0]
    assert (talent["amount_yuan"], talent["per"], talent["frequency"]) == (1000000.0, "每人", None)
    assert talent["beneficiary"].endswith("高层次领军型人才")
    # 003:14 失业保险金从每月966元调至1320元: both amounts, paid monthly
    assert [(r["amount_yuan"], r["per"]) for r in rows_at(parsed, "003", "subsidies", 14)] == [
        (966.0, "每月"), (1320.0, "每月")]


def test_every_number_row_lies_inside_its_document(parsed):
    for p in parsed.values():
        spans = {d["document_id"]: (d["line_start"], d["line_end"]) for d in p.tables["documents"]}
        for table in ("indicators", "budgets", "subsidies"):
            for r in p.tables[table]:
                a, b = spans[r["document_id"]]
                assert a <= r["line"] <= b, (table, r)


def test_answer_keys_agree_on_numbers(parsed):
    """The copied answer keys: every sure budget and subsidy is found at its line with its amount."""
    import hashlib
    import json

    for key_file in sorted(GOLD.glob("*.json")):
        key = json.loads(key_file.read_text(encoding="utf-8"))
        got = parsed[key["source"][:3]].tables
        for table in ("budgets", "subsidies"):
            found = {(r["line"], round(r["amount_yuan"], 2)) for r in got[table]}
            for item in key[table]:
                if not item["ambiguous"]:
                    assert (item["line"], round(item["amount_yuan"], 2)) in found, (key_file.name, item)
        text = [i for i in key["indicators"] if i["source"] == "text" and not i["ambiguous"]]
        found = {(r["line"], r["value"]) for r in got["indicators"] if r["source"] == "text"}
        hits = sum(1 for i in text if any((i["line"] + d, i["value"]) in found for d in (-2, -1, 0, 1, 2)))
        assert hits / len(text) >= 0.9, key_file.name
        # the key is about the file in raw/ byte for byte (the scorer ties them by this hash)
        assert hashlib.sha256(SAMPLES[key["source"][:3]].read_bytes()).hexdigest() == key["source_sha256"]
