"""Numbers with units in running text: the shared first step of text indicators, budgets
and subsidies.

A mention is a number (Arabic, or Chinese numerals for money), an optional range end, a
unit, and the comparator words around it (`不少于 3.07 亿人`, `75% 左右`, `491万余人`,
`1000多万`). Units are the measure words of parsing.vocab with a scale and a time base
(`亿立方米/日`, `万亿斤`, `℃`, `微克/立方米`); a ratio or an index needs none (`生机比达到14:1`,
`灌溉水有效利用系数为0.581`). Money written without 元 before 资金 or 资本 is money
(`2.5亿财政资金`); money in another currency (`28.02亿美元`) is no mention.
Numbers that only date, order or name something are not mentions: years and dates, ages
and durations (年, 天 and 岁 count only after 寿命, 年限, 天数), ordinals (`第4期`), numbers
inside 《titles》 or short “quotes”, and numbers that modify a noun (`20Mbps 宽带`,
`1200人以下的学校`) rather than count it.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import cn2an

from parsing.vocab import (CJK, COMPARATORS, HAN_OR_LATIN, COUNT_WORDS, DURATION_MEASURES, MEASURE_WORDS, POST_COMPARATORS,
                           SCALE, SCALE_PREFIXES, TIME_WORDS, alternatives)

CENT = Decimal("0.01")  # money is kept to the fen
_MONEY_UNIT = r"(?:万亿|亿|万|千)?元"
# Measure words after which a number is a count or a rate (parsing.vocab), with a scale
# prefix (`万人`, `亿立方米`) and a time base (`万吨/日`). 岁, 年 and 天 count only after a
# word that makes them a measure (`预期寿命`, `受教育年限`, `优良天数`).
_PREFIX = rf"(?:{alternatives(SCALE_PREFIXES)})?"
_WORD = alternatives(COUNT_WORDS + MEASURE_WORDS + TIME_WORDS)
_COUNT_UNIT = (rf"个百分点|百分点|%|‰|/10万|[余多]?{_PREFIX}[余多]?(?:{_WORD})(?:/(?:日|天|年|小时))?"
               r"|(?:兆比特每秒|兆位每秒)(?:\s*[（(]Mbps[)）])?|Mbps|Gbps|[余多]?(?:万亿|万|亿)")
_MORE = re.compile(r"^[余多]|(?<=[万亿千百])[余多]")  # 491万余人: more than 491万人
# Both open with a character class, for the engine to skip to (parsing.vocab; opening with \d+
# MENTION's pass over a document took twice as long): a number with one digit, then the rest
# (\d\d* matches as \d+ does, longest first); a Chinese numeral with one numeral character, then
# the check that its run holds a digit word (that character or a later one).
_ARABIC = r"\d\d*(?:,\d{3})*(?:\.\d+)?"
_NUMERAL = "[零一二两三四五六七八九十百千〇]"
_DIGIT_WORD = "[零一二两三四五六七八九〇]"  # a numeral that is not a power of ten
_CHINESE = rf"{_NUMERAL}(?:(?<={_DIGIT_WORD})|(?={_NUMERAL}*{_DIGIT_WORD})){_NUMERAL}*(?:点[零一二三四五六七八九]+)?"
# Comparator words before a number are looked up from the number back: a pattern that
# starts with optional words would be tried at every character of the text.
_PRE = re.compile(rf"({alternatives(COMPARATORS)})\s*$")
_POST = r"(?:\s*(?:[及或](?=以[上下]))?(?P<post>以上|以内|以下|左右|余|多))?"  # `90平方米及以下`
_RANGE = rf"(?:\s*[—–\-~～至到]\s*(?P<num2>{_ARABIC}))?"

MENTION = re.compile(rf"(?P<num>{_ARABIC}){_RANGE}\s*(?P<unit>{_MONEY_UNIT}|{_COUNT_UNIT}){_POST}")
CHINESE_MONEY = re.compile(rf"(?P<num>{_CHINESE})(?P<unit>{_MONEY_UNIT}){_POST}")


# An action before a count makes `培养 100 名…人才` a count even though a noun follows.
_ACTION = re.compile(r"(?:培养|培训|培育|新建|新增|建成|建设|建立|打造|创建|筛选|支持|设置|完成|改造|提供|开展|引进"
                     r"|招引|遴选|选派|推广|救助|资助|认定|争创|规划|筹集|实施|组织|举办|达到|达|为|有|约|近|共|超过"
                     r"|不少于|不低于|改扩建|整合|启动|发放|投入|投资|安排|下达|拨付|取得|等)\s*$")
_SPENT = re.compile(r"(?:投资|投入|资金|拨付|安排|筹集)\s*$")
_FUNDS_AFTER = re.compile(r"\s*(?:财政资金|资金|社会资本|资本金?|经费|投资)")
_YEAR_AFTER = re.compile(r"^\s*(?:年|月|日|时|周|天|小时|分钟|秒|届|期|号|批次)")


@dataclass
class Mention:
    start: int  # offset of the whole mention (comparator words included)
    num_start: int  # offset of the number
    end: int
    value: float
    unit: str
    comparator: str | None
    is_money: bool
    text: str  # the mention as normalized
    number: str = ""  # the number as written (Arabic digits, or Chinese numerals)
    value_max: float | None = None  # the upper end of a range (`3—5亿元`, `10-15个`)
    number_max: str = ""

    @property
    def amount_yuan(self) -> Decimal:
        """The amount in yuan, exact: `1.13亿元` is 113000000, never 112999999.99999999."""
        return _yuan(self.number, self.value, self._scale)

    @property
    def amount_max_yuan(self) -> Decimal | None:
        return _yuan(self.number_max, self.value_max, self._scale) if self.value_max is not None else None

    @property
    def _scale(self) -> int:
        return SCALE[self.unit[:-1] if self.unit.endswith("元") else ""]


def _yuan(number: str, value: float, scale: int) -> Decimal:
    """Exact yuan from the number as written (its decimal digits times the unit's scale)."""
    try:
        exact = Decimal(number.replace(",", ""))
    except InvalidOperation:  # Chinese numerals: cn2an gave the value
        exact = Decimal(repr(value))
    return (exact * scale).quantize(CENT)


def _number(span: str) -> float | None:
    try:
        return float(span.replace(",", ""))
    except ValueError:
        try:
            return float(cn2an.cn2an(span.replace("两", "二"), "smart"))
        except (ValueError, KeyError):
            return None


def _masked(text: str) -> list[tuple[int, int]]:
    """Spans inside 《…》 and short “…” quotes: numbers there name something."""
    out = [m.span() for m in re.finditer(r"《[^》\n]{0,80}》", text)]
    out += [m.span() for m in re.finditer(r"“[^”\n]{0,20}”|\"[^\"\n]{0,20}\"", text)]
    return sorted(out)


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    i = bisect.bisect_left(spans, (pos,)) - 1  # spans do not nest: only the one starting last before pos
    return i >= 0 and spans[i][0] < pos < spans[i][1]


# A number without a unit is a measure only after a word that names a ratio or an index:
# `生机比达到14:1`, `出生人口性别比下降到110左右`, `灌溉水有效利用系数为0.581`. Every branch opens with
# its word (比's check on the character before it comes after it), so the engine skips to the
# characters 系, 指 and 比 instead of trying the pattern at each character of a text.
_BARE = re.compile(rf"(?:系数|指数|比值|比(?<=[{CJK}]比))(?:[（(][^)）\n]{{0,20}}[)）])?\s*"
                   r"(?:为|是|达到|达|控制在|保持在|稳定在|下降到|降到|降至|提高到|提高至|提升到)?\s*"
                   rf"(?P<num>{_ARABIC})(?P<ratio>\s*[:：]\s*1(?![\d.]))?{_POST}")


def _bare_mentions(text: str, taken: list[tuple[int, int]], masked: list[tuple[int, int]]) -> list[Mention]:
    out = []
    for m in _BARE.finditer(text):
        num_start, end = m.start("num"), m.end()
        nxt = text[end:end + 1]
        if (nxt and (nxt.isdigit() or nxt in ".:：%‰" or HAN_OR_LATIN.match(nxt) and not m["post"])
                or _inside(num_start, masked) or any(a <= num_start < b for a, b in taken)):
            continue  # a longer ratio (`22.7:32.4:44.9`), a number with a unit, or a name
        value = _number(m["num"])
        post = m["post"]
        comparator = POST_COMPARATORS.get(post) if post else None
        out.append(Mention(num_start, num_start, end, value, "", comparator, False, text[num_start:end], m["num"]))
    return out


def find_mentions(text: str) -> list[Mention]:
    masked = _masked(text)
    found: list[Mention] = []
    money = CHINESE_MONEY.finditer(text) if "元" in text else ()
    for m in [*MENTION.finditer(text), *money]:
        num_start = m.start("num")
        unit = m["unit"]
        if _inside(num_start, masked) or _is_excluded(text, m, unit):
            continue
        value = _number(m["num"])
        if value is None:
            continue
        found_pre = _PRE.search(text, max(0, num_start - 5), num_start)
        pre, post = (found_pre[1] if found_pre else None), m["post"]
        start = found_pre.start() if found_pre else num_start
        comparator = COMPARATORS.get(pre) if pre else POST_COMPARATORS.get(post) if post else None
        if unit in ("万", "亿") and (_SPENT.search(text[max(0, start - 4):start]) or _FUNDS_AFTER.match(text, m.end())):
            unit += "元"  # `投资217万`, `2.5亿财政资金`: money written without 元
        if unit.startswith(("兆比特每秒", "兆位每秒")):
            unit = "Mbps"  # `20 兆比特每秒（Mbps）`: the unit's symbol, as the text gives it
        if _MORE.search(unit):
            unit, comparator = _MORE.sub("", unit), comparator or ">"
        second = m.groupdict().get("num2")
        found.append(Mention(start, num_start, m.end(), value, unit, comparator, unit.endswith("元"),
                             text[start:m.end()], m["num"], _number(second) if second else None, second or ""))
    if "比" in text or "系数" in text or "指数" in text:
        found += _bare_mentions(text, [(x.num_start, x.end) for x in found], masked)
    found.sort(key=lambda x: x.start)
    return found


_DURATION_AFTER = re.compile(r"\s*(?:工作日|自然日|月|季度|小时|年度|学时|课时)")
_RULE_BEFORE = re.compile(r"(?:减按|按|按照|税率)\s*$")
_BACK_REFERENCE = re.compile(r"(?:将|带动|向|负责|围绕|以上|上述|这|该|此|各|其)\s*$")
_TECH_UNIT = re.compile(rf"(?:{_PREFIX})[余多]?(?:Mbps|Gbps|米|公里|千米|平方米|吨|千瓦|兆瓦)(?:/.+)?")
_TIME_UNIT = re.compile(rf"(?:{_PREFIX})[余多]?(?:{alternatives(TIME_WORDS)})")
_FOREIGN_MONEY = re.compile(r"\s*(?:美元|港元|港币|欧元|日元|英镑)")


_NUMBER_END = re.compile(r"[\d.]$")
_DURATION_MEASURE = re.compile(DURATION_MEASURES)
_EACH_BEFORE = re.compile(r"每[^，。；,;]{0,3}$")


def _is_excluded(text: str, m: re.Match, unit: str) -> bool:
    before = text[max(0, m.start("num") - 12):m.start("num")]
    after = text[m.end():m.end() + 3]
    if before.endswith("第") or _NUMBER_END.search(before):
        return True  # ordinal, or the tail of a longer number
    if _TIME_UNIT.fullmatch(unit) and not _DURATION_MEASURE.search(before):
        return True  # a year, an age or a time limit; a life span or a count of days is a measure
    if _FOREIGN_MONEY.match(text, m.end()):
        return True  # `28.02亿美元`: money, but not in yuan
    if unit in ("万", "亿") and _YEAR_AFTER.match(after):
        return True
    if unit.endswith("个") and _DURATION_AFTER.match(text, m.end()):
        return True  # `30个工作日`, `12个月`: a time limit
    if _RULE_BEFORE.search(before):
        return True  # `减按15%`, `按20%`: a rate a rule applies, not a measure
    nxt = text[m.end():m.end() + 4].lstrip()[:1]  # `20Mbps 宽带`: a space does not part them
    if unit.endswith("元") or not nxt or not HAN_OR_LATIN.match(nxt):
        return False  # money is often followed by what it is (`3000 元生活补助`)
    # A word follows the number. It modifies that word (`20Mbps宽带`, `1200人以下的学校`,
    # `每3—10万居民`) unless something is done to a number of things (`培养 100 名…`).
    if _BACK_REFERENCE.search(before):
        return True  # `带动10个优势产业`, `围绕以上10个产业`: names counted elsewhere
    acted = bool(_ACTION.search(text[max(0, m.start("num") - 6):m.start("num")]))
    if _TECH_UNIT.fullmatch(unit) and nxt not in "、和及与或":
        return True
    if m["post"] in ("以上", "以下") and nxt == "的":
        return m["post"] == "以下" or not acted  # `取得 60 项以上的重大突破` counts; `1200人以下的学校` does not
    if _EACH_BEFORE.search(before):
        return True
    return False
