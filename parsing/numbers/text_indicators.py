"""Indicators stated in sentences: achieved values, changes and targets (`学前三年毛入园率达97.22%`,
`固定资产投资下降21.7%`, `到2015年…力争达到50%`, `全年新培训各级社会体育指导员2000人`).

Each count or rate mention (parsing.numbers.quantities) becomes a row; money does not (it
goes to budgets and subsidies). What the row says comes from the clause before the number:

* its *role*: a change of the measure when a word of change stands right before the number
  (`增长5.4%`, `下降21.7%` → -21.7, `提高2个百分点`; not `提高到65%`, which is a level), a
  completion share (`占预算的102.5%` → `…完成预算比例`), a share of a whole (`占总支出的32.8%`),
  else a level;
* its *name*: the noun phrase the number quantifies, without the verb, the unit, the year,
  the comparison base (`比上年`, `同比`) or the comparator. A clause that states no subject
  (`…2042.98亿元，比上年增长5.4%`, `占预算的102.5%`) takes it from the clauses before it in the
  sentence; a list after `分别` gives each value its own item of the list; a bare fiscal
  subject (`全市收入`) is completed by the section it stands in (`一般公共预算完成情况`).
* its *kind*: `change` for a change; in a statistical communiqué every level is `actual`;
  in a report, `actual` in a section that reviews the past (`一、2018年预算执行情况`,
  `过去五年，…`) and `target` in one that plans (`二、2019年预算草案`, `“十四五”时期…`);
  elsewhere `actual` in a review chapter (`发展基础`) or for an earlier year, else `target`.
* its *period*, *nature* (约束性 / 预期性, from a statement that sorts the targets or a list
  headed `主要预期目标：`) and, for a `其中` value, the row of its total (`part_of_index`).
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache

from parsing.index.segment import posseg, several_words, tail_words, words
from parsing.numbers.periods import period_in_scope
from parsing.numbers.quantities import Mention
from parsing.numbers.sentences import (BOUNDARY, DocContext, Outline, clause_start, kind_of, paragraph_before,
                                       review_spans, sentence_span)
from parsing.structure.prose import Prose
from parsing.vocab import (HAN, ABBREVIATIONS, PLACE_KINDS, POST_COMPARATORS, CHANGE_DOWN, CHANGE_NOUNS, CHANGE_UP, CJK, COMPARISON_BASE, DEPENDENT_HEADS,
                           STATISTICAL_SCOPES, YEAR, alternatives)

_MAX_NAME = 40
_CLAUSE_BOUNDARY = BOUNDARY.replace("、", "")  # `粮油、食品类零售额` is one name; a list of values is cut by the numbers

_LEAD = re.compile(r"^(?:[—\-－·•]+|[（(]\d{1,2}[)）]|\d{1,2}[、.．](?!\d)|[一二三四五六七八九十]是|其中|同时|并且?|力争|争取|确保|使|以及|和|及|、|此外|另外|按[^，。]{1,6}分|分[^，。]{1,4}看"
                   r"|累计|(?:对|向)(?=[" + CJK + r"]{2})|截至\s*" + YEAR + r"\s*年(?:底|末)?|到\s*" + YEAR + r"\s*年(?:底|末)?|"
                   + YEAR + r"\s*年(?:底|末|的|度|全年|以后|以来)?|以后|此后|今后|之后|“?十[一二三四五]五”?(?:期末|期间|时期)?|全年|每年|当年|今年|去年|年末|年底"
                   r"|年初|上年末)+")
_LINK = re.compile(r"(?:达到|达|(?:提高|提升|增长|增加|下降|降低|减少|调整|扩大|上升)(?:到|至)?|降至|降到|控制在|保持在"
                   r"|稳定在|维持在|分别为|分别|为|突破|超过|不少于|不低于|不超过|不高于|低于|高于|约|近|总计|共计|合计|力争"
                   r"|争取|要|将|应当?|需要?|须|不得|不应|不宜|各|可以|(?<![许认])可|能够|基本上?|实现|由|从|在|是|占|的|已|均|完成|执行|安排|拟按|拟|再|又|年均|平均|等|共|累计|全部|都|一般|原则上)+$")
_EXISTS = re.compile(r"^(?:全市|全区|全县|全省|全国|地区|本市|我市|共)*(?:共有|拥有|现有|有)(?=[" + CJK + r"]{2})")
_FROM = re.compile(r"(?<=\S)(?:由|从)(?:[^由从，]{0,16}?(?:的|末|年|底)|现在?)$")  # 占比由“十二五”末的 → 占比
_REMARK = re.compile(r"[（(][^（）()\n]{0,30}(?:下同|简称|以下|相比|下称|为准|以[^（）()\n]{1,16}为\d)[^（）()\n]{0,30}[)）]")
_ABBREVIATION = re.compile(r"[（(][A-Za-z0-9.·/ ]{2,12}[)）]$")  # a trailing (GDP), (CPI)
# `第三代移动通信及其长期演进技术（3G/LTE）用户普及率` → 3G/LTE用户普及率: the name as the text abbreviates it
_NAMED_BY_ABBREVIATION = re.compile(rf"^[{CJK}]{{6,}}[（(]([A-Za-z0-9.·/]{{2,12}})[)）](?=[{CJK}])")
# `重点水库（克孜尔水库）`, `监测断面（水库库心和水库出口）`: the things meant, named in brackets, are not
# the measure's name; a bracket that sets its scope (`（不含邮政集团包裹业务）`, `（中药饮片除外）`), a
# formula or an abbreviation (`（PM2.5）`) and a list of kinds (`县（市、区）`) are kept
_BRACKET_REMARK = re.compile(rf"(?:(?<=[{CJK}]{{2}})|^)[（(](?![^（）()]*(?:含|包括|除外|以外|不计))[{CJK}]{{4,30}}[)）]")
_BASE = re.compile(COMPARISON_BASE)
# A run of spaces before a word, taken only after a word's end (`_GAP_AFTER`, checked on the one
# character before the run): opening with that lookbehind, or with a repeat, the pattern was
# tried at every character of the text (parsing.vocab).
_WORD_GAP = re.compile(rf"[ \u3000][ \u3000]*(?=[{CJK}（(“■])")
_GAP_AFTER = re.compile(rf"[{CJK}）)”%]")
_LIGHT_VERB = re.compile(rf"(?<=[{CJK}]{{2}})(?:实现|取得|获得)(?=[{CJK}]{{2}})")  # 国有控股企业实现利润 → 国有控股企业利润
_EXAMPLES = re.compile(rf"^[^，。；]*、[^，。；]*?等(?=[{CJK}]{{2}})")  # `信息技术、新能源…等重大科技成果转化专项`
_SHARE_OF = re.compile(r"(?:达到|为|相当于)([^，。；]{2,20})的$")  # `设施能力达到无害化处理总能力的35%`
_DURATION = re.compile(r"(?<![\d.])\d{1,2}\s*年(?:内|来|间|中)?(?![\d度]|生存率|存活率)")
_RUN_IN_NUMBERS = re.compile(r"^.*\d\.\d+(?=[\u4e00-\u9fff])")  # `…贷款1684.8811.2年末共有证券公司营业部`
_SPACE = re.compile(rf"(?<=[{CJK}）)”])\s+|\s+(?=[{CJK}（(“])")

_VERB_UP, _VERB_DOWN = alternatives(CHANGE_UP), alternatives(CHANGE_DOWN)
_CHANGE_END = re.compile(rf"(?<!新)(?:(?P<down>{_VERB_DOWN})|(?P<up>{_VERB_UP}))了?\s*$")
_CHANGE_NOUN_END = re.compile(rf"等?(?P<noun>{alternatives(CHANGE_NOUNS)})(?:均|分别)?(?:为|达到?|在|是|保持在)?\s*$")
_CHANGE_CONTEXT = re.compile(r"年均|基础上|年递增|年增长")
_PLAN_SHARE = re.compile(r"(?:占|为|达到?|相当于)\s*(?P<base>(?:年初|全年|年度)?(?:调整)?(?:后的?)?(?:预算|年计划|计划)"
                         r"[^，。；、的]{0,6}?)的?\s*$")
_SHARE_START = re.compile(r"^占(?!比)")
_NOT_A_SUBJECT = re.compile(r"^(?:占|为|相当于|比|较|同比|环比|其中|主要|用于|包括|加|减|经)")
_BARE_FISCAL = re.compile(r"^(?:实际|全年|当年|相应)?(?:安排)?(.{0,12}?(?:市|级|县|省|(?<!社)区))?(收入|支出)(?:预算)?(?:安排)?$")
_SCOPE_WORD = re.compile(r"^(?:全市|市级|市本级|全省|省级|全县|县级|全区|区级|本级)")
_LEVEL = re.compile(r"^[省市县区乡镇]$")  # `市、县分别增长…` → 市级…, 县级…
_SPEND_VERB = re.compile(r"^.*(?:下达|安排|投入|筹集|拨付|争取|累计|统筹|整合)(?=.{3})")
_PER_UNIT = re.compile(r"^(?:单位|每|人均)")
_MEASURE_HEAD = re.compile(r"(?:率|比例|比重|数|量|额|面积|收入|支出|规模|水平|能力|指数|系数)$")

_NATURE_RULE = re.compile(r"(\S{2,12}?)(?:目标|指标)为(约束性|预期性)(?:目标|指标)")
_NATURE_OTHERS = re.compile(r"其[他它余](?:目标|指标)为(约束性|预期性)")
# (`主要预期目标是：`: a leading 主要 changes neither the match's end nor its group, and an
# optional group first would make the regex try every position of the text)
_NATURE_LIST = re.compile(r"(预期|约束)性?(?:目标|指标)(?:是|为|有)?[：:]")

# The thing counted after a count: up to a boundary or the next number, though a name may
# start with one (`3个以上24小时图书馆`, `5G基站`; not a year, `2020年`).
_TAIL = re.compile(r"(?:\d+(?=[A-Za-z" + CJK + r"])(?![年月日号]))?[^\d，。；：！？,;:\n\t|（(]*")
_NOT_A_NOUN = re.compile(r"^(?:的|和|及|与|或|等|以|提高|提升|增长|增加|下降|降|达(?!标)|为|分别|连续|左右|以上|以下|以内|目标|任务"
                         r"|核定|确定|核准|配备)")


def _no_remarks(text: str) -> str:
    """The text with remarks in brackets (`（以下简称增长）`, `（与汇总预算相比，下同）`) blanked,
    offsets kept: their commas do not cut clauses and their words do not name measures. A space
    between words (`…提质工程 规划建设`, a web page's `…社会保障 全年城镇居民…`) parts them like a
    comma: no name runs over it."""
    work = _REMARK.sub(lambda m: " " * len(m[0]), text)

    def gap(m: re.Match) -> str:
        at = m.start()
        if not at or not _GAP_AFTER.match(work, at - 1):
            return m[0]  # no word ends before the run
        # `第三产业 投资下降1.4%`: a short noun at the start of a clause, broken by a line, is one name
        before = work[max(0, at - 8):at]
        lead = re.search(r"(?:[，,；;：:。]|(?<![一二三四五六七八九十])、)([^，,、；;：:。\s]{1,5})$", before)
        return m[0] if lead else "|" * len(m[0])

    return _WORD_GAP.sub(gap, work)


@lru_cache(maxsize=4096)  # a function of its clause alone, asked again for one clause (lists, their verbs)
def clean_name(clause: str) -> str:
    """The measure a clause names: `全年阿克苏地区生产总值(GDP)` → 阿克苏地区生产总值,
    `城镇调查失业率降到` → 城镇调查失业率, `比上年增长` → ''."""
    name = _REMARK.sub("", clause)
    name = _SPACE.sub("", _BASE.sub("", name)).strip()
    name = _RUN_IN_NUMBERS.sub("", name)
    name = _DURATION.sub("", name)  # `5年共计4505人`: a span of time is not the measure
    if re.match(r"^[（(][^)）]*$", name):
        name = name[1:]  # the clause began inside brackets: `（占到期政府债券本金的90%）`
    for _ in range(3):
        before = name
        name = _LEAD.sub("", name).strip()
        name = _EXISTS.sub("", name).strip()
        name = _FROM.sub("", name).strip()
        name = _CHANGE_NOUN_END.sub("", name).strip()
        name = _CHANGE_END.sub("", name).strip()
        name = _LINK.sub("", name).strip()
        if name == before:
            break  # a round that took nothing: the next would take nothing either
    name = _LIGHT_VERB.sub(_light_verb, name)
    name = _after_preposition(_at_least(name))
    name = _ABBREVIATION.sub("", name)
    name = _NAMED_BY_ABBREVIATION.sub(r"\1", name)
    name = _BRACKET_REMARK.sub("", name)
    for short, full in ABBREVIATIONS.items():
        name = name.replace(short, full)
    name = _part_named(name)
    return tail_words(name.strip("、，,：: "), _MAX_NAME)


def _light_verb(m: re.Match) -> str:
    """`国有控股企业实现利润` → 国有控股企业利润; not `实现再就业`, where an adverb opens the verb's object."""
    after = posseg(m.string[m.end():m.end() + 6])
    return m[0] if after and after[0][1] == "d" else ""


def _part_named(name: str) -> str:
    """`城镇基本医疗保险实际参保人数中包括职工基本医疗保险` → 职工基本医疗保险实际参保人数: the part, measured
    as the whole is."""
    found = re.fullmatch(r"(.{4,}?)中(?:包括|包含)(.{2,})", name)
    if not found:
        return name
    whole, part = found[1], found[2]
    for n in range(len(part), 1, -1):
        at = whole.find(part[-n:])
        if at >= 0 and len(whole) - at - n >= 2:
            return part + whole[at + n:]
    return part


def _at_least(name: str) -> str:
    """`每所城镇中心学校至少建设` → 每所城镇中心学校: the bound is the comparator, the verb after
    it only links the unit to the thing counted."""
    found = re.search(r"(?:至少|最少)", name)
    if not found:
        return name
    rest = name[found.end():]
    tagged = posseg(rest)
    while tagged and tagged[0][1].startswith("v") and len(tagged) > 1 or tagged and tagged[0][0] in ("和", "及"):
        rest = rest[len(tagged[0][0]):]
        tagged = tagged[1:]
    if tagged and len(tagged) == 1 and tagged[0][1].startswith("v"):
        rest = ""
    return re.sub(r"^实现", "", name[:found.start()]) + rest


def _after_preposition(name: str) -> str:
    """A name that opens with a prepositional phrase (`在各级机关和教科文卫系统创建节约型公共机构`)
    starts at the verb after it (创建节约型公共机构)."""
    if re.match(r"^在每", name):
        return name[1:]
    if not re.match(r"^(?:在|通过|依托|围绕|按照|结合)", name) or len(name) < 8:
        return name
    tagged = posseg(name)
    if not tagged or tagged[0][1] != "p" or len(tagged) > 1 and tagged[1][1] == "ns":
        return name  # `在绵学生…受益面`: 在 and a place name the scope of the measure
    offset = len(tagged[0][0])
    for word, flag in tagged[1:]:
        if flag.startswith("v") and offset >= 2 and len(name) - offset >= 4:
            return name[offset:]
        offset += len(word)
    return name


_GROUP_AFTER = re.compile(r"[（(][^（）()，。；\d]{1,8}[)）]")
_LIST_COMMA_END = re.compile(r"、\s*$")
_DIGIT_START = re.compile(r"\s*\d")
_DE_PHRASE_END = re.compile(r"\S的[" + CJK + r"]{2,}$")
_THING_START = re.compile(r"[\d" + CJK + r"“]")


def counted_thing(text: str, end: int) -> str:
    """The noun right after a count (`培养 100 名` + `掌握…的管理人才`, `60 项以上的重大突破`), or ''."""
    found = _TAIL.match(text, end)
    tail = found[0]
    after = text[found.end():found.end() + 10]
    group = _GROUP_AFTER.match(after)
    if group and tail.strip() and not _BRACKET_REMARK.fullmatch(group[0]):
        tail += group[0]  # `大学生创业孵化园区(基地)`; not `重点水库（克孜尔水库）`
        more = _TAIL.match(text, found.end() + len(group[0]))[0]
        if HAN.match(more) and _predicate_first(tail + more) != tail + more:
            tail += more  # `9个县(市、区)均在社会福利院设立了儿童部`: what the things did goes on
    if _LIST_COMMA_END.search(tail) and _DIGIT_START.match(after):
        tail = tail.rstrip()[:-1]  # `3265个农家书屋、429个职工书屋`: the next count starts a new thing
    tail = tail.strip()
    if tail.endswith("中") and len(tail) > 2 and words(tail)[-1] == "中":
        tail = tail[:-1]  # `18个考核断面中，…`: among them (not 普通高中)
    if tail.startswith("的") and len(tail) > 2:
        tail = tail[1:]
    if tail and len(tail) <= 4 and all(flag.startswith("v") for _, flag in posseg(tail)):
        return ""  # `…不少于15名核定`: a verb, not a thing counted
    if _DE_PHRASE_END.search(tail) and not tail.startswith(("的", "和", "及", "与", "或", "等")):
        return tail  # `30个左右达到二级综合医院标准的县域医疗卫生次中心`: a 的-phrase names the thing
    return "" if not tail or _NOT_A_NOUN.match(tail) or not _THING_START.match(tail) else tail


_NOUNISH = ("n", "s", "b", "f", "zg", "j", "x", "m", "q", "vn")
_PREDICATE_LEAD = re.compile(r"^(?:均|都|全部|已|已经|也)+")


def _predicate_first(thing: str) -> str:
    """The things counted, then what they did (`1000多万高中毕业生顺利完成高考`, `29项医疗康复服务
    纳入医保范围`): the measure names them by it, `顺利完成高考的高中毕业生`. A noun phrase alone,
    or one whose verb is part of a noun (`教师周转房建设项目`), is kept as it is."""
    tagged = posseg(thing)
    offset = 0
    for j, (word, flag) in enumerate(tagged):
        if not flag.startswith(_NOUNISH) or flag == "x" and re.match(rf"[{CJK}]", word):
            break
        offset += len(word)
    else:
        return thing
    noun, rest = thing[:offset], thing[offset:]
    flags = [f for _, f in tagged[j:]]
    if len(noun) < 2 or len(rest) < 3 or not flags[0].startswith(("v", "d", "p", "l", "i", "ad")) \
            or flags[0] == "vn" \
            or re.search(r"[和及与、的“”\"()（）]", rest) \
            or not any(f.startswith("v") and f != "vn" and not (k == len(flags) - 2 and flags[-1].startswith("n"))
                       for k, f in enumerate(flags)) \
            or len(tagged[-1][0]) == 1 and tagged[-1][1].startswith("v"):
        return thing  # `农业转移人口和其他常住人口…`, `双创示范基地`: a verb inside a noun
    rest = _PREDICATE_LEAD.sub("", rest).replace("了", "")
    return f"{rest}的{noun}" if len(rest) >= 2 else thing


def _role(clause: str) -> tuple[str, int, str | None]:
    """(role, sign, what) of the clause before a number: ('change', ±1, None), ('plan_share', 1,
    the plan: 预算, 调整预算, 年计划), ('share', 1, None) or ('level', 1, None)."""
    tail = clause.rstrip()
    if _PLAN_SHARE.search(tail):
        return "plan_share", 1, _PLAN_SHARE.search(tail)["base"]
    found = _CHANGE_END.search(tail)
    if found:
        return "change", -1 if found["down"] else 1, None
    noun = _CHANGE_NOUN_END.search(tail)
    if noun:
        return "change", -1 if noun["noun"] == "降幅" else 1, None
    if _CHANGE_CONTEXT.search(tail[-14:]):
        return "change", 1, None
    if _SHARE_OF.search(tail):
        return "share_of", 1, _SHARE_OF.search(tail)[1]
    return "level", 1, None


def _is_subject(name: str, head: str) -> bool:
    return bool(name) and bool(re.search(f"[{CJK}]", name)) and not _NOT_A_SUBJECT.match(head.strip())


_YEAR_WORD = re.compile(YEAR + r"\s*年")


def _carried_subject(work: str, pos: int, s_start: int, words_only: int = 20) -> str | None:
    """The subject stated by an earlier clause of the sentence: the words before its first number
    (a year is not that number: `2018年全市一般公共预算收入完成1748028万元`)."""
    fallback = None
    while pos > s_start:
        a = clause_start(work, pos - 1, s_start, _CLAUSE_BOUNDARY)
        segment = work[a:pos - 1]
        digit = re.search(r"\d", _YEAR_WORD.sub(lambda y: "年" * len(y[0]), segment))
        head = segment[:digit.start()] if digit else segment
        if not digit and len(head) > words_only:
            pos = a
            continue  # a clause of words only is not the subject of the numbers after it
        name = clean_name(head)
        if _is_subject(name, _LEAD.sub("", head.strip())):
            if not _lone_verb(name) or _BARE_FISCAL.match(name):
                return name
            fallback = fallback or name
        pos = a
    return fallback


# `积极开展…学校少年宫创建活动` → 学校少年宫: the activity's object
_ACTIVITY = re.compile(r"^(?:积极|大力|加快|全面|深入|扎实|有序)?(?:开展|推进|实施|推动|扩大)|(?<=.{4})(?:创建|建设)?(?:活动|工作|试点|行动)$")
_BARE_RATE = re.compile(rf"[{CJK}]{{1,2}}(?:率|面)")


def _rate_of(name: str, before: str | None, subject: str | None) -> str:
    """A bare rate (`开通率`, `覆盖面`) is the rate of what was just counted or named: `开通站点1510个，开通率
    100%` → 站点开通率; `大力推进…科普知识进村（居）入户，覆盖面达90%以上` → …入户覆盖面."""
    verb = name[:-1]
    if before and len(verb) == 2 and before.startswith(verb) and len(before) > 3:
        return before[2:] + name
    if not before and subject and not _lone_verb(subject):
        topic = _ACTIVITY.sub("", _ACTIVITY.sub("", subject))
        if 4 <= len(topic) <= 26:
            return topic + name
    return name


def _lone_verb(name: str) -> bool:
    """`超收`, `跨越`: a verb alone names no measure."""
    if several_words(name):
        return False  # most names: not one word, so not one verb (and no tagging needed)
    tagged = list(posseg(name))
    return len(tagged) == 1 and tagged[0][1][:1] in ("v", "d", "p")


def _list_items(phrase: str) -> list[str]:
    """`单位国内生产总值能耗和二氧化碳排放` → the two measures, each named in full."""
    items, current = [], ""
    for w in words(phrase):  # split at the conjunctions, not inside words (`普及率`)
        if w in ("、", "和", "及", "与", "以及", "或"):
            items.append(current)
            current = ""
        else:
            current += w
    items = [x for x in items + [current] if x]
    if len(items) < 2:
        return items
    first, last = items[0], items[-1]
    if _PER_UNIT.match(first):  # a per-unit measure: its modifier applies to every head
        modifier = "".join(words(first)[:-1])
        items = [first] + [x if _PER_UNIT.match(x) else modifier + x for x in items[1:]]
    else:  # `城镇居民、农村居民人均可支配收入`: the heads of the last apply to the others
        out = []
        lead = words(last)[0]
        for x in items[:-1]:
            cut = last.find(x[-1]) if len(x) <= 4 else -1
            parallel = len(x) if len(words(last[:len(x)])) == 1 else len(lead)
            if 0 <= cut < len(last) - 2:
                out.append(x + last[cut + 1:])
            elif len(x) <= 4 and len(x) == parallel and len(last) > parallel + 1 and len(words(x)) == 1:
                out.append(x + last[parallel:])  # `城市和农村家庭宽带接入能力` → 城市家庭宽带接入能力
            elif not _MEASURE_HEAD.search(x) and _MEASURE_HEAD.search(last) and len(lead) < len(last) - 2:
                out.append(x + last[len(lead):])  # `城镇居民医保和新农合政策范围内住院费用支付比例`
            else:
                out.append(x)
        items = out + [last]
    return items


def _natures(text: str) -> list[tuple[int, str | None, str]]:
    """(offset, keyword or None for `the others`, nature) of statements that sort targets."""
    out: list[tuple[int, str | None, str]] = []
    tails = [i for i in (text.find("为约束性"), text.find("为预期性"), text.rfind("为约束性"), text.rfind("为预期性"))
             if i >= 0]
    if not tails:
        return out
    # Every statement ends in `为约束性指标` or the like: the regex, slow to try at every
    # position, runs from 14 characters before the first to the end of the last.
    for m in _NATURE_RULE.finditer(text, max(0, min(tails) - 14), max(tails) + 6):
        if not m[1].startswith("其"):
            out.append((m.start(), re.sub(r"^.*[，,。；]|^上述目标中|控制$", "", m[1]), m[2]))
    out += [(m.start(), None, m[1]) for m in _NATURE_OTHERS.finditer(text)]
    return out


def _nature_of(text: str, offset: int, rules: list[tuple[int, str | None, str]]) -> str | None:
    # A statement sorts the targets stated shortly before it (within ~1,500 characters).
    near = [r for r in rules if 0 < r[0] - offset < 1500]
    if not near:
        return None
    para_start = text.rfind("\n", 0, offset) + 1
    para = text[para_start:offset]
    for _, key, nature in near:
        if key and key in para:
            return nature
    return next((nature for _, key, nature in near if key is None), None)


def _nature_lists(text: str) -> list[tuple[int, int, str]]:
    """Spans of lists headed `主要预期目标是：…`, up to the end of their sentence, and their nature."""
    out = []
    for m in _NATURE_LIST.finditer(text):
        end = min([i for i in (text.find("。", m.end()), text.find("\n", m.end())) if i >= 0] or [len(text)])
        out.append((m.end(), end, m[1] + "性"))
    return out


def text_indicators(prose: Prose, mentions: list[Mention], ctx: DocContext) -> list[dict]:
    text, raw = prose.text, prose.raw
    work = _no_remarks(text)
    outline = Outline(prose, ctx)
    reviews = review_spans(prose)
    natures = _natures(text)
    listed = _nature_lists(text)
    rows: list[dict] = []
    offsets: list[int] = []  # where each row's number starts
    prev_end, prev_row = 0, None
    last_place: tuple[int, str] | None = None  # (section, place) of the last row named after a place
    seen: dict[tuple, int] = {}
    for i, m in enumerate(mentions):
        if m.is_money or _in_table_row(prose, m):
            if not (m.is_money and re.match(r"(?:以上|以下)?的", text[m.end:m.end + 3])):
                prev_end = m.end  # a threshold (`销售收入突破10亿元的重点产品`) is part of a name
            continue  # money goes to budgets; a table's cells are the table's
        s_start, s_end = sentence_span(text, m.start)
        s_start = max(s_start, outline.heading_end(m.start))
        if _chart_label(text, m, s_start) or _threshold(text, m, s_start, s_end):
            prev_end = m.end
            continue
        floor = max(prev_end, s_start) if prev_end <= m.start else s_start
        c_start = clause_start(work, m.start, floor, _CLAUSE_BOUNDARY)
        clause = work[c_start:m.start]
        gap = work[prev_end:m.start] if prev_end <= m.start else "x"
        in_list = prev_row is not None and prev_end > s_start and re.fullmatch(r"\s*[、和及与]\s*", gap)
        role, sign, plan = _role(clause)
        if in_list and role == "level" and not clean_name(clause):
            role, sign, plan = prev_row["_role"]  # `分别降低13.5%、18%`: the second value shares the verb
        name = clean_name(clause)
        if "按" in work[s_start:m.start] and m.unit and not m.unit.endswith(("%", "‰")):
            name = _by_items(work, c_start, clause, s_start) or name
        if role == "share_of" and m.unit == "%":
            subject_part = clean_name(clause[:_SHARE_OF.search(clause.rstrip()).start()])
            name = f"{subject_part}占{plan}" if subject_part else "占" + plan
        thing = counted = counted_thing(text, m.end)
        key = (m.value, m.unit, thing[:4])
        seen[key] = seen.get(key, 0) + 1
        if thing and seen[key] > 2:
            prev_end = m.end
            continue  # the same count of the same things, over and over: a reference, not a new value
        scope = outline.scope(m.start)
        section = outline.heading_end(m.start)
        place = last_place[1] if last_place and last_place[0] == section else None
        subject, bare_rate = None, False
        respectively = work.rfind("分别", s_start, m.start)
        if respectively >= 0 and (respectively >= c_start or not name.strip("、")):
            name = _respective(work, mentions, i, respectively, s_start) or ""
        else:
            name = _in_turn(work, mentions, i, s_start) or name
        average = _AVERAGE.search(clause.rstrip())
        if average and re.match(r"\s*的?平均水平", text[m.end:]):
            # `高中阶段毛入学率达97.2%以上,高于全国91.2%的平均水平` → 全国高中阶段毛入学率平均水平
            subject = _carried_subject(work, c_start, s_start)
            name, thing = f"{average[1]}{subject or ''}平均水平", ""
        elif (not name and not thing) or _SHARE_START.match(name) or role == "plan_share" \
                or name in ("占比", "比重", "比例") or _LEVEL.match(name):
            subject = (_carried_subject(work, c_start, s_start) or (prev_row["name"] if in_list and prev_row else None)
                       or clean_name(outline.lead_before(s_start) or "") or None)
            subject = _completed(subject, scope.topic, place) if subject else None
            if role == "plan_share":
                name = f"{subject or ''}完成{plan}比例"
            elif _LEVEL.match(name):
                # `…下达财政专项扶贫资金22.77亿元，市、县分别同比增长…`: the subject is before the list
                listed_at = clause_start(work, respectively, s_start, _CLAUSE_BOUNDARY) if respectively >= 0 else c_start
                subject = _completed(_carried_subject(work, listed_at, s_start) or "", scope.topic, place)
                name = name + "级" + _SPEND_VERB.sub("", subject) if subject else ""
            elif name and subject and not name.startswith(subject):
                name = subject + _whole_named(work, name, c_start, scope.topic, place)
                if m.unit == "%" and name.startswith(subject + "占") and not name.endswith(("比重", "比例", "占比")):
                    name += "比重"  # `…采购金额96.9亿元，占政府采购规模的92%`: a share of the whole
            elif not name:
                name = subject or ""
        else:
            name = _completed(name, scope.topic, place)
            if not thing and _lone_verb(name):
                # `积极开展特色乡村(社区)学校少年宫创建活动，2012 年建成 20 所`: built what the clause before names
                subject = _carried_subject(work, c_start, s_start, words_only=40)
                if subject and not _lone_verb(subject):
                    name = name + _ACTIVITY.sub("", subject)
            elif not thing and _BARE_RATE.fullmatch(name):
                bare_rate = True
                name = _rate_of(name, prev_row["name"] if prev_row is not None and prev_end > s_start else None,
                                _carried_subject(work, c_start, s_start, words_only=40))
        if name in DEPENDENT_HEADS and prev_row is not None and prev_end > s_start and prev_row["name"] != name:
            name = prev_row["name"] + name  # `高等院校5所，在校生4.27万人` → 高等院校在校生
        elif prev_row is not None and text.rfind("\n", 0, m.start) < offsets[-1] and not bare_rate:
            name = _elliptic(prev_row["name"], name)
            if not thing and prev_end > s_start and re.fullmatch(r"\s*[、，,；;]?\s*", work[prev_end:c_start]):
                name = _sibling(prev_row["name"], name)
        if thing:
            if m.unit == "%" and re.match(r"\s*的", text[m.end:]) and _predicate_first(thing) != thing:
                thing = _predicate_first(thing) + "比例"  # `90%的村卫生室能够提供中医药服务`: the share of them
            else:
                thing = _THING_END.split(thing, maxsplit=1)[0] or thing
            thing = _predicate_first(_thing_in_chain(text, mentions, i, thing))
            if prev_row is not None and prev_row.get("_thing") and name and prev_row["_thing"].startswith(name):
                name = ""  # `1个国家级、15个省级…`: the words before this count are the last count's thing
            if _FOR_WHOM.search(clause) or re.search(r"等\s*$", clause):
                name = ""  # `对34家挂牌上市企业给予奖补`, `以岭健康城等8家离境退税商店`: the things counted name it
            if len(thing) == 1 and not name and in_list:
                name = prev_row["name"]  # `改造城镇老旧小区15个、42栋楼`: the parts of what was just counted
            if name.startswith("每"):
                name = _without_last_verb(name)  # `每个建制乡镇设置1所达标卫生院` → 每个建制乡镇达标卫生院
            name = tail_words(name + thing, _MAX_NAME)
        name = _in_statistical_scope(work, m.start, name).strip("、，,：:；; ")
        prev_end = m.end
        if not name or not HAN.search(name):
            continue
        sentence = text[s_start:m.start]
        paragraph = paragraph_before(text, m.start)
        flattened = max(paragraph.rfind("。 "), paragraph.rfind("。\u3000"))
        if flattened >= 0:  # a web page that ran its paragraphs together with spaces
            paragraph = paragraph[flattened + 2:]
        kind = _kind(role, sentence, m.start, scope, outline, reviews, ctx)
        value = m.value * sign if role == "change" else m.value
        value_max = m.value_max * sign if role == "change" and m.value_max is not None else m.value_max
        if value_max is not None and value_max < value:
            value, value_max = value_max, value
        total = _total_of(text, m.start, s_start, rows, offsets, m.unit or None, kind)
        if total is not None:
            name = _with_scope_of(rows[total]["name"], name)
        nature = _nature_of(text, m.start, natures) or next((n for a, b, n in listed if a <= m.start < b), None)
        row = {
            "source": "text",
            "table_title": None,
            "name": name,
            "unit": m.unit or None,
            "period": period_in_scope(clause, paragraph, kind, ctx.title, scope.period, outline.genre),
            "kind": kind,
            "value": value,
            "value_max": value_max,
            "value_text": raw[m.start:m.end],
            "comparator": m.comparator or (">=" if re.search(r"至少|最少", clause) else None)
            or _chain_comparator(text, mentions, i),
            "nature": nature,
            "part_of": None,
            "part_of_index": total,
            "line": prose.line_at(m.num_start),
        }
        rows.append(row)
        offsets.append(m.num_start)
        named = _NAMED_PLACE.match(name)
        if named:
            last_place = (section, named[0])
        prev_row = {**row, "_role": (role, sign, plan), "_thing": counted}
    return rows


_THING_END = re.compile(r"(?<=[" + CJK + r"]{2})(?:给予|进行|兑现了?|提供|办理|通过|全部|均已|积极参与)")
_FOR_WHOM = re.compile(r"(?:^|累计|全市|全年)(?:对|为|向)\s*$")
_AVERAGE = re.compile(r"(?:高于|低于|超过|优于|好于)(全国|全省|全市|全区|全州)$")
_PART_FRAME = re.compile(r"^([^，,。；]{2,24}?)中[，,]")
_STAT_SCOPE = re.compile(rf"^(?:全年|年末|年底|全市|全区|全地区)?({alternatives(STATISTICAL_SCOPES)})")


def _chain_comparator(text: str, mentions: list[Mention], i: int) -> str | None:
    """`分别达到 50%、40% 以上`: a bound written after the last value of a list holds for all of them."""
    j = i
    while j + 1 < len(mentions) and re.fullmatch(r"\s*[、和及与]\s*", text[mentions[j].end:mentions[j + 1].start]):
        j += 1
    last = mentions[j]
    if j == i or not last.text.endswith(("以上", "以下", "以内", "左右")):
        return None
    return POST_COMPARATORS[next(w for w in ("以上", "以下", "以内", "左右") if last.text.endswith(w))]


def _by_items(work: str, c_start: int, clause: str, s_start: int) -> str | None:
    """`各市（州）食品药品监管局机关行政编制按成都市不少于100名、其余市（州）不少于40名核定`: the
    subject before 按 is named for each item after it (成都市食品药品监管局机关行政编制, …)."""
    own = re.search(r"^(.{4,40}?)按([^按，。；]{2,12})$", clause.strip())
    if own:
        subject, item = own[1], own[2]
    else:  # a later item of the list: `、其余市（州）不少于40名`
        item = clause.strip().lstrip("、")
        first = work.rfind("按", s_start, c_start)
        if first < 0 or not re.fullmatch(r"[^，。；按]{2,12}", item) or not re.search(r"\d", work[first:c_start]):
            return None
        subject = work[clause_start(work, first, s_start, _CLAUSE_BOUNDARY):first]
    subject = re.sub(r"^(?:各|全省各级|全市各级)?(?:[市县区][（(][^)）]{1,6}[)）])?", "", clean_name(subject))
    subject = _REMARK.sub("", re.sub(r"[（(][^)）]*[)）]", "", subject)) if len(subject) > 20 else subject
    return clean_name(item) + subject if subject and clean_name(item) else None


def _in_turn(work: str, mentions: list[Mention], i: int, s_start: int) -> str | None:
    """`城镇居民医保和新农合政策范围内住院费用支付比例稳定在70%和75%以上`: as many values joined by 和 or 、
    as the measures listed before them, each the value of its measure in turn (a `分别` left unsaid)."""
    def joined(j: int) -> bool:
        a, b = mentions[j], mentions[j + 1]
        return not a.is_money and not b.is_money and re.fullmatch(r"[\s|]*[、和及与][\s|]*", work[a.end:b.start]) is not None

    first, last = i, i
    while first > 0 and joined(first - 1):
        first -= 1
    while last + 1 < len(mentions) and joined(last):
        last += 1
    if first == last:
        return None
    at = mentions[first].start
    items = _list_items(clean_name(work[clause_start(work, at, s_start, _CLAUSE_BOUNDARY):at]))
    return items[i - first] if len(items) == last - first + 1 else None


def _thing_in_chain(text: str, mentions: list[Mention], i: int, thing: str) -> str:
    """`建成1个国家级、15个省级、26个市级大学生创业孵化园区(基地)`: counts joined by 、 share the
    head of the last thing (国家级大学生创业孵化园区(基地))."""
    chain, j = [thing], i
    while j + 1 < len(mentions) and re.fullmatch(r"[^，。；、\d]{0,12}、\s*", text[mentions[j].end:mentions[j + 1].start]):
        j += 1
        chain.append(counted_thing(text, mentions[j].end))
    if len(chain) < 2 or not chain[-1]:
        return thing
    items = _list_items("、".join(chain))
    return items[0] if len(items) == len(chain) else thing


def _elliptic(before: str, name: str) -> str:
    """`3G/LTE 用户超过 3.3 亿户，用户普及率达到 25%`: a name that opens with the head of the
    measure just named refers to it (3G/LTE用户普及率)."""
    tagged = words(before)
    head = tagged[-1] if tagged else ""
    if len(head) >= 2 and name.startswith(head) and len(before) > len(head) and name != before \
            and not name.startswith(before):
        return before[:-len(head)] + name
    return name


def _sibling(before: str, name: str) -> str:
    """A short name in a list of counts, read against the name before it: `示范基地1个、示范县1个`
    (国家级综合减灾示范基地 → 国家级综合减灾示范县), `金牌44枚、银牌56枚` (自治区级比赛银牌),
    `城市家庭宽带接入能力…，部分发达城市达到100Mbps` (部分发达城市家庭宽带接入能力), `…实际参保人数中包括
    职工基本医疗保险23735万人、城镇居民基本医疗保险19528万人` (城镇居民基本医疗保险实际参保人数)."""
    if not name or _MEASURE_HEAD.search(name) or len(before) <= len(name) + 1 \
            or before.startswith(name) or before.endswith(name):
        return name
    ws, heads = words(name), words(before)
    shared = before.find(ws[-1]) if len(ws) > 1 and len(ws[-1]) >= 3 else -1
    if shared > 0 and len(before) - shared - len(ws[-1]) >= 2 and _MEASURE_HEAD.search(before):
        return name + before[shared + len(ws[-1]):]  # another kind of the same, measured as it is
    if len(name) > 6:
        return name
    k = before.rfind(name[:2]) if len(name) <= 4 else -1
    if k > 0:
        return before[:k] + name  # the same kind of thing, another head
    if len(ws) > 1 and (before.startswith(ws[-1]) and len(ws[-1]) >= 2 or ws[-1] in PLACE_KINDS and heads[0] in PLACE_KINDS):
        return name + before[len(heads[0]) if ws[-1] in PLACE_KINDS else len(ws[-1]):]  # a part of the same subject
    if len(name) == len(heads[-1]) == 2 and name[-1] == heads[-1][-1]:
        return before[:-2] + name  # a sibling head
    return name


def _without_last_verb(name: str) -> str:
    tagged = posseg(name)
    if len(tagged) > 1 and tagged[-1][1].startswith("v"):
        return name[:-len(tagged[-1][0])]
    return name


def _in_statistical_scope(work: str, offset: int, name: str) -> str:
    """A measure in a sentence that opens with a statistical scope (`全年规模以上工业原煤产量…；原油产量…`)
    is of that scope: 规模以上工业原油产量."""
    start = max(work.rfind("。", 0, offset), work.rfind("\n", 0, offset), work.rfind("|", 0, offset)) + 1
    opening = work[start:offset].lstrip()
    frame = _PART_FRAME.match(opening)
    if frame and name.endswith("占比") and len(name) > 3 and frame[1] not in name:
        return f"{name[:-2]}占{frame[1]}比重"  # `一般公共预算收入中，税收收入占比达到69.3%`
    if frame:  # `全年限额以上单位商品零售额中，粮油、食品类零售额…，饮料类增长7.0%` → 饮料类零售额
        head = words(frame[1])[-1]
        return name + head if name.endswith("类") and len(head) >= 2 else name
    scope = _STAT_SCOPE.match(opening)
    if scope and scope[1] not in name and not name.startswith(("规模以上", "限额以上", "规上")) \
            and "其中" not in opening:
        return scope[1] + name
    return name


_ENTITY_AFTER = re.compile(r"\s*(?:以上|以下|以内)?的[^，。；\d]{0,6}?(?:企业|单位|学校|项目|地区|人员|家庭|城市|建筑|标准)")
_CONDITION_AFTER = re.compile(r"的[，,]\s*(?:可|可以|均可|给予|享受|按)")
_RULE_RATE = re.compile(r"可返还|可申请|可按|返还|给予|补贴|补助|减免|奖励")


def _threshold(text: str, m: Mention, s_start: int, s_end: int) -> bool:
    """Numbers that set a rule rather than measure something: a bound of what a rule applies to
    (`超过100人的企业`, `（单体建筑面积2万平方米以上）`, `…达到职工人数25%…的，可申请`) and a rate
    the rule pays (`可返还其上年度实际缴纳失业保险费的50%`)."""
    if _ENTITY_AFTER.match(text, m.end) and not re.search(r"(?:取得|实现|完成)\s*$", text[max(0, m.start - 4):m.start]):
        return True
    bracket = text.rfind("（", s_start, m.start), text.rfind("(", s_start, m.start)
    opened = max(bracket)
    if opened >= 0 and m.text.endswith(("以上", "以下")) and not re.search(r"[)）]", text[opened:m.start]):
        return True
    if _CONDITION_AFTER.search(text, m.end, s_end):
        return True
    clause = text[max(s_start, m.start - 20):m.start]
    clause = clause[max(clause.rfind("，"), clause.rfind(","), -1) + 1:]
    return m.unit == "%" and clause.rstrip().endswith("的") and bool(_RULE_RATE.search(clause))


_SPACED_AFTER = re.compile(r"\s+(\S)")
_HAN_OR_DIGIT = re.compile(rf"[{CJK}\d]")
_SPACED_LABEL = re.compile(rf"[{CJK}%\d]\s+[{CJK}]")
_LABEL_STOP = re.compile(r"[，,、：:]")


def _chart_label(text: str, m: Mention, s_start: int) -> bool:
    """A value of a chart that a web page ran into its text (`…比重 第一产业6.6% 第三产业40.1% 第二…`):
    labels and values separated by spaces, with no punctuation of a sentence."""
    after = _SPACED_AFTER.match(text, m.end, m.end + 4)
    if not after or not _HAN_OR_DIGIT.match(after[1]) or after[1] in "和及与或、":
        return False
    before = text[max(s_start, m.start - 40):m.start]
    return bool(_SPACED_LABEL.search(before)) and not _LABEL_STOP.search(before[-12:])


def _in_table_row(prose: Prose, m: Mention) -> bool:
    """A number that fills a cell of a table row on its own (`一、税收收入	3537000	101.8`): the
    table's, not a sentence's. A cell of words with a number in it (`培养 100 名…`) is prose."""
    i = bisect.bisect_right(prose.starts, m.num_start) - 1
    start = prose.starts[i] if i >= 0 else 0
    end = prose.starts[i + 1] if i + 1 < len(prose.starts) else len(prose.text)
    line = prose.text[start:end]
    if "\t" not in line:
        return False
    a = prose.text.rfind("\t", start, m.num_start) + 1 or start
    b = prose.text.find("\t", m.end, end)
    cell = prose.text[max(a, start):b if b >= 0 else end]
    return not HAN.search(cell.replace(m.text, ""))


def _respective(work: str, mentions: list[Mention], i: int, at: int, s_start: int) -> str | None:
    """The item of `A、B和C分别为x、y、z` that the i-th mention gives the value of."""
    a = clause_start(work, at, s_start, _CLAUSE_BOUNDARY)
    items = _list_items(clean_name(work[a:at]))
    values = [j for j, x in enumerate(mentions) if at < x.start < at + 400 and not x.is_money]
    # the values of the list: the first after 分别 and those joined to it by 、 or 和
    chain = [values[0]] if values else []
    for j in values[1:]:
        if re.fullmatch(r"\s*[、和及与]\s*", work[mentions[chain[-1]].end:mentions[j].start]):
            chain.append(j)
        else:
            break
    if i not in chain:
        return None
    k = chain.index(i)
    pair = _PAIRED.get(items[0][:2]) if len(items) == 1 and len(chain) == 2 and len(items[0]) > 3 else None
    if pair:
        # `城乡居民人均可支配收入…分别增长7.9%、9.3%`: 城乡 is 城镇 and 农村, in that order
        return pair[k] + items[0][2:]
    if len(items) > 1 and k < len(items):
        return items[k]
    return items[0] if len(items) == 1 else None


_PAIRED = {"城乡": ("城镇", "农村"), "新旧": ("新建", "既有"), "中外": ("中方", "外方")}


def _whole_named(work: str, share: str, pos: int, topic: str | None, place: str | None = None) -> str:
    """`占总支出` after `…支出安排279.6亿元。其中，基本支出…`: the whole is the total stated before
    其中 (占市级一般公共预算总支出)."""
    whole = re.match(r"占总(\S{2,6})$", share)
    lead = work.rfind("其中", max(0, pos - 200), pos)
    if not whole or lead < 0:
        return share
    s_start = sentence_span(work, max(0, lead - 2))[0]
    total = _carried_subject(work, lead, s_start)
    total = _completed(total, topic, place) if total else None
    named = _NAMED_PLACE.match(total or "")
    if named:
        return f"占{named[0]}总{whole[1]}"  # 占高新技术产业开发区总支出
    if total and total.endswith(whole[1]):
        return "占" + total[:-len(whole[1])] + "总" + whole[1]
    return share


def _completed(subject: str, topic: str | None, place: str | None = None) -> str:
    """A bare fiscal subject completed by its section: `全市收入` under `一般公共预算完成情况` →
    全市一般公共预算收入; a bare `支出` after `高新技术产业开发区收入完成37.3亿元…` is that
    place's (高新技术产业开发区一般公共预算支出)."""
    bare = _BARE_FISCAL.match(subject)
    if bare and topic and topic not in subject:
        if bare[1]:
            topic = _SCOPE_WORD.sub("", topic)  # the subject's own scope (`市级收入`) wins
        elif place:
            topic = place + _SCOPE_WORD.sub("", topic)
        return (bare[1] or "") + topic + bare[2]
    if place and topic and re.fullmatch(re.escape(_SCOPE_WORD.sub("", topic)) + r"(?:收入|支出)", subject):
        return place + subject  # `一般公共预算支出安排21.8亿元` in the paragraph of 高新技术产业开发区
    return subject


_NAMED_PLACE = re.compile(r"^(?:(?![占的和及为])[" + CJK + r"]){2,10}?(?:开发区|园区|管理区|新区|高新区)(?=.{2})")
_PLACE = re.compile(r"^(?:全市|市级|市本级|全省|省级|全县|县级|[" + CJK + r"]{2,10}?(?:开发区|园区|管理区|新区|高新区))(?=.{2})")


def _with_scope_of(total: str, part: str) -> str:
    """A part (`其中，税收收入…`) of a total named with its place (`高新技术产业开发区一般公共预算收入`)
    belongs to that place too: 高新技术产业开发区税收收入."""
    place = _PLACE.match(total)
    if place and not part.startswith(place[0]) and not _PLACE.match(part):
        return place[0] + part
    return part


def _kind(role: str, sentence: str, offset: int, scope, outline: Outline, reviews, ctx: DocContext) -> str:
    if role == "change":
        return "change"
    if outline.genre == "communique":
        return "actual"  # a communiqué states what was observed; it sets no targets
    if outline.genre == "report" and scope.mood == "review":
        return "target" if re.search(r"到\s*" + YEAR + r"|力争", sentence) else "actual"
    if outline.genre == "report" and scope.mood == "plan":
        return "target"
    return kind_of(sentence, offset, reviews, ctx)


def _total_of(text: str, offset: int, s_start: int, rows: list[dict], offsets: list[int], unit: str | None,
              kind: str) -> int | None:
    """For a value after `其中` or `包括`, the index of the row of its total: the last row before
    that word, in the same paragraph, with the same unit and kind."""
    para_start = text.rfind("\n", 0, offset) + 1
    start = max(text.rfind("。", 0, offset) + 1, para_start)  # a 其中 list runs over 、 ; and ；
    lead = max(text.rfind("其中", start, offset), text.rfind("包括", s_start, offset))
    if lead < 0:
        return None
    for j in range(len(rows) - 1, -1, -1):
        if offsets[j] < para_start or offsets[j] < lead - 400:
            break
        if offsets[j] < lead and rows[j]["unit"] == unit and rows[j]["kind"] == kind:
            return j
    return None
