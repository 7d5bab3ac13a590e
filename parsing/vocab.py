r"""The one vocabulary of patterns the parsers share: years, CJK characters, comparator
words and money scales. A word or pattern is written here once; the extractors build
their regular expressions from it.

A pattern that scans a whole text (`finditer`, `search` or `sub` over a document or its
paragraphs) opens with a character class or a literal character: Python's engine then skips
to the characters a match can start with. One that opens with a repeat (`\d+`, `[…]{3,}`), a
lookaround, or alternatives that do not each open with a literal, is tried at every character
of the text: `\d\d*` finds what `\d+` finds, twice as fast over a bulletin's text
(tests/unit/test_fast_paths.py holds each such pattern to its plain form).
"""
from __future__ import annotations

import re

YEAR = r"(?:19|20)\d\d"  # a four-digit year of the PRC era's documents (1900-2099)
PERIOD = rf"^{YEAR}(?:-{YEAR})?$"  # a period column's value: 2015, 2011-2015
CJK = "\u4e00-\u9fff"  # the CJK Unified Ideographs block, for character classes: f"[{CJK}]"
HAN = re.compile(f"[{CJK}]")  # one Han character
HAN_OR_LATIN = re.compile(f"[{CJK}A-Za-z]")  # one Han character or Latin letter: a word's, not a number's

# Comparator words and signs written before a number, and what they mean. One table for
# the cells of indicator tables and for sentences.
COMPARATORS = {
    "不少于": ">=", "不低于": ">=", "≥": ">=", ">=": ">=",
    # a rule's bound: `…的比例不得低于60%` is at least 60%
    "不得低于": ">=", "不应低于": ">=", "不能低于": ">=", "不得少于": ">=", "不应少于": ">=",
    "不得超过": "<=", "不应超过": "<=", "不能超过": "<=", "不宜超过": "<=", "不得高于": "<=",
    "超过": ">", "超": ">", "高于": ">", "大于": ">", "突破": ">", "逾": ">", ">": ">",
    "不超过": "<=", "不高于": "<=", "≤": "<=", "<=": "<=",
    "低于": "<", "小于": "<", "<": "<",
    "约": "~", "近": "~",
}
# Words after a number (`75%左右`, `491万余人`).
POST_COMPARATORS = {"以上": ">=", "以内": "<=", "以下": "<=", "左右": "~", "余": ">", "多": ">"}


def alternatives(words) -> str:
    """A regex alternation of literal words, longest first (so `不少于` wins over `少于`)."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# Money: the scale of a unit's prefix (万元 → 10⁴ yuan).
SCALE = {"万亿": 10**12, "亿": 10**8, "万": 10**4, "千": 10**3, "": 1}


def last_match(pattern: re.Pattern, text: str) -> re.Match | None:
    """The last match of a pattern: the one nearest the number that follows the text."""
    found = None
    for found in pattern.finditer(text):
        pass
    return found


# Measure words after a number. Things counted (`个`, `所`, `人次`) and physical measures
# (`公顷`, `亿立方米`, `微克/立方米`); either may carry a scale prefix (`万`, `亿`, `万亿`)
# and a time base (`吨/日`). Words that also write durations and ages (`年`, `天`, `岁`)
# count only after a word that makes them a measure (DURATION_MEASURES).
COUNT_WORDS = ("人次", "人", "户次", "户", "个", "项", "名", "所", "条", "张", "套", "种", "家", "块", "处", "座",
               "台", "辆", "床", "间", "册", "件", "篇", "部", "场", "批", "支", "门", "片", "栋", "幢", "枚", "笔",
               "份", "头", "艘", "架次", "宗", "例", "届", "位", "棵", "株")
MEASURE_WORDS = ("平方公里", "平方米", "公里", "千米", "米", "毫米", "公顷", "亩", "吨公里", "人公里", "吨", "公斤",
                 "千克", "立方米", "千瓦时", "千瓦", "兆瓦", "斤", "标准箱", "微克/立方米", "毫克/立方米", "分贝",
                 "℃", "太字节")
TIME_WORDS = ("年", "天", "岁")
DURATION_MEASURES = r"寿命|年限|天数|日数|年龄"  # `人均预期寿命提高1岁`, `受教育年限11.3年`, `优良天数161天`
SCALE_PREFIXES = ("万亿", "亿", "万", "千", "百")

# Words of change before a number: `增长5%` is a change of the measure, `下降21.7%` a negative
# one. Followed by 到/至/为 they state the level reached instead (`降到5.2%`, `提高到65%`).
CHANGE_UP = ("增长", "增加", "提高", "提升", "上升", "上涨", "扩大", "增多", "增", "涨")
CHANGE_DOWN = ("下降", "降低", "减少", "缩小", "下跌", "回落", "压减", "压缩", "降")
CHANGE_NOUNS = ("增速", "增幅", "涨幅", "降幅")  # nouns that name a rate of change (`增长率` is a level)
# What a change is measured against: `比上年`, `同比`, `比2018年预算`, `较上年实际完成`.
COMPARISON_BASE = (r"(?:同比|环比|同口径|(?:比|较|与)\s*(?:上年|去年|上一年|前一年|年初|上年同期|同期|上期|"
                   + YEAR + r"\s*年)(?:末|底|度)?(?:实际)?(?:完成数?|预算数?|执行数?|决算数?|实际数?)?(?:相比)?)")

# Genres of documents that matter for numbers, recognised from their titles.
COMMUNIQUE_TITLE = r"统计公报|统计公告"
REPORT_TITLE = r"报告(?:[（(][^)）]{1,6}[)）])?\s*$"

# Short forms written for the names of measures, and the names a reader looks for.
ABBREVIATIONS = {"社保基金": "社会保险基金"}
# Heads that name a part of something counted just before them (`高等院校5所，在校生4.27万人`).
DEPENDENT_HEADS = ("在校生", "在园幼儿", "毕业生", "招生", "教职工", "专任教师", "从业人员")
# Kinds of place a measure is stated for, one after another (`城市和农村家庭宽带接入能力…，部分发达城市达到…`).
PLACE_KINDS = ("城市", "农村", "城镇", "乡村", "城区", "郊区", "地区", "县城", "乡镇")
# Statistical scopes that open a communiqué's sentence and hold for every measure in it
# (`全年规模以上工业原煤产量…；原油产量…；发电量…`).
STATISTICAL_SCOPES = ("规模以上工业企业", "规模以上工业", "规模以上服务业企业", "限额以上单位", "限额以上批发和零售业",
                      "规上工业")
