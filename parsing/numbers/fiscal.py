"""The vocabulary and the outline of fiscal prose: which budget, which level of government and
which fiscal year a money amount in a report belongs to, and the line item it names.

A budget report (关于…预算执行情况…预算草案的报告, 决算报告) states its totals in sentences
that lean on their context: `全市收入完成519.7亿元` under the heading `一般公共预算完成情况`
is the 一般公共预算收入 of 全市 for the year of the chapter it stands in (`一、2018年预算执行
情况`); `其中市本级798500万元` is a part of the total before it. This module reads that
context:

* `Outline`: the report's headings (`一、` `（一）` `1.` `（1）` `①` `——`, ranked by their
  first appearance) and what each names: a fiscal year, a level (`全市`, `市本级`, a zone), a
  budget (一般公共预算, 政府性基金, 国有资本经营, 社会保险基金 or one of its funds);
* `lead_level`, `strip_item`, `canonical_item`: a clause's subject level and the line item
  it names, made a reader's phrase (`社保基金预算总收入` → `社会保险基金预算收入`; a bare `收入`
  or `结转` gets the budget it belongs to).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from parsing.numbers.periods import CLAUSE_YEAR
from parsing.structure.prose import Prose
from parsing.vocab import CJK, YEAR

# ---- budgets ---------------------------------------------------------------------------
# (pattern, short name, full name): the four budgets of the 预算法. A fund of the social
# insurance budget (`机关事业养老保险基金`) is a budget of its own for its lines.
BUDGETS = (
    (r"一般公共预算", "一般公共预算", "一般公共预算"),
    (r"政府性基金(?:预算)?", "政府性基金", "政府性基金预算"),
    (r"国有资本经营(?:预算)?", "国有资本经营", "国有资本经营预算"),
    (r"(?:社会保险|社保)基金(?:预算)?", "社会保险基金", "社会保险基金预算"),
)
_BUDGET = re.compile("|".join(f"(?P<b{i}>{p})" for i, (p, _, _) in enumerate(BUDGETS)))
_SUBFUND = re.compile(rf"[{CJK}]{{2,12}}?(?:保险|医保)基金|[{CJK}]{{0,8}}?长期护理保险")
# A budget named by a fiscal report; a report that names three of the four is a fiscal report.
FISCAL_TITLE = re.compile(r"预算|决算")
_REPORT = re.compile(r"报告|草案")

# Money words that make a clause fiscal in any document (a communiqué's 财政 section).
FISCAL_LINE = re.compile(
    r"预算|决算|财政|税收收入|非税收入|转移支付|债务|债券|预备费|基金|公益金|征缴|资金|经费|拨款|补助|奖补"
    r"|国债|专项|财力|上解|结转|结余|一般性支出|民生支出|三保|三公")


def budget_of(text: str, subject: bool = False) -> tuple[str, str] | None:
    """(short, full) name of the last budget named in `text`; with `subject`, of the last one
    named as a subject (not `调入一般公共预算`, `占一般公共预算支出的比重`)."""
    found = None
    for m in _BUDGET.finditer(text):
        if subject and re.search(r"(?:调入|调出|转入|补充|用于|占|入|充)$", text[max(0, m.start() - 2):m.start()]):
            continue
        found = m
    if found is None:
        return None
    i = int(found.lastgroup[1:])
    return BUDGETS[i][1], BUDGETS[i][2]


def is_fiscal_report(title: str | None, text: str) -> bool:
    """A budget or final-accounts report: its title says so, or its prose reports on at least
    three of the four budgets (a report whose head was not recognised)."""
    if title and FISCAL_TITLE.search(title) and _REPORT.search(title):
        return True
    if text.count("预算") < 20:  # counted first: one pass of str.count, not of the regex
        return False
    return len({m.lastgroup for m in _BUDGET.finditer(text)}) >= 3


def canonical_names(item: str) -> str:
    """The names readers search for: 社保基金 and 社会保障基金 are the 社会保险基金."""
    item = re.sub(r"社保基金|社会保障基金", "社会保险基金", item)
    return re.sub(r"医保基金", "医疗保险基金", item)


# ---- levels of government -------------------------------------------------------------
_ZONE = rf"[{CJK}]{{2,12}}?(?:开发区|工业园区|化工园区|园区|管理区|新区|示范区|试验区|合作区)|高新区|经开区"
LEVEL = re.compile(
    r"全(?:国|省|市|州|盟|县|区|旗)(?!上下|各级|人民)"
    r"|中央和省|中央、省|中央财政|省财政厅|(?:省|市|县|区|州)级财政"
    r"|(?:中央|省|市|州|盟|县|区|旗)本级|(?:省|市|州|县|区)级(?![" + CJK + r"]{0,2}(?:部门|单位|项目|医院|学校|以上|示范|名牌))"
    r"|各县\((?:市|区)、(?:区|市)\)|县\((?:市|区)、(?:区|市)\)|各县(?:市区|区)|县市区|县区"
    r"|" + _ZONE)
# After a level word: a distribution (`市本级留用`, `转贷县`) names the level of one amount only.
_LOCAL_VERB = re.compile(r"^(?:留用|分配|转贷|使用|承担|下达)")
_LEAD_NOISE = re.compile(
    r"^(?:\s|、|[—-]+|[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d{1,2}[、.．](?!\d)|\(\d{1,2}\)|[①-⑳]"
    r"|其中[:,]?|包括[:,]?|主要包括[:,]?|不含|含|另外|此外|同时|经汇总[,]?|" + YEAR + r"\s*年(?:度|底|末|初)?"
    r"|截至|截止|每年|[一二三四五两]年|全年|当年(?!新增)|本年|年初|年末(?!滚存)|今年|去年|上年(?!结)|累计|共(?!计)|近年来?|主要是|主要|和|及|以及|与"
    r"|\d{1,2}\s*[-—~至]\s*\d{1,2}\s*月份?|[" + CJK + r"]{2,4}市(?=[" + CJK + r"]{2,12}?(?:预算|基金|保险)))")


def lead_level(clause: str) -> tuple[str | None, str, bool]:
    """The level a clause starts with, the clause after it, and whether the level is local
    (a distribution: `市本级留用90000万元`)."""
    rest = strip_lead(clause)
    m = LEVEL.match(rest)
    if not m or re.match(r"[和及、与]", rest[m.end():m.end() + 1]):
        return None, rest, False
    after = rest[m.end():]
    if re.match(r"对|向|转贷", after):
        return None, rest, False  # `省财政厅转贷我市…`: a giver (see `giver`), who stays in the item
    return m[0], after, bool(_LOCAL_VERB.match(after))


def strip_lead(clause: str) -> str:
    rest = clause.strip()
    while True:
        m = _LEAD_NOISE.match(rest)
        if not m or not m.group(0):
            return rest
        rest = rest[m.end():]


# `中央和省对我市转移支付`, `市对县（市、区）转移支付`: the giver before 对.
_GIVER = re.compile(r"^(中央和省|中央、省|中央|省|市|县|上级|省财政厅|省财政)(?:对|向|转贷)")


def giver(item: str) -> str | None:
    m = _GIVER.match(item)
    return m[1] if m else None


# ---- line items ------------------------------------------------------------------------
VERB_BEFORE = re.compile(
    r"^(?:(?:多渠道|积极|全力|继续|进一步|着力|大力|共|累计|全年|实际|预计|拟|相应|已|先后|统筹)+)?"
    r"(?:争取到位|争取|安排下达|筹集下达|下达|安排|拨付|投入|筹集|筹措|落实|统筹|设立|整合|盘活|兑现|发放|支付|征缴"
    r"|动用|调用|使用|用|获得|提供|完成|实现|执行|调整|发行|控制在)?")
_VERB_AFTER = re.compile(
    r"(?:预计|实际|累计|共|全年|相应|分别|已|拟)?(?:完成|执行|实现|达到|达|为|是|安排|共计|预计|调整为|变动为|"
    r"总额为|规模为|规模达|由|从|约)?(?:决算数|调整预算数|预算数|执行数|完成数)?(?:为|是|达)?$")
_COUNT = re.compile(r"\s*\d[\d.,]*\s*(?:万|亿)?(?:人次|户次|人|户|个|项|笔|家|所|套|辆|台|万亩|亩)\s*[、,]?\s*$")
# Words that carry no line item of their own: the budget of the context supplies it.
_FLOWS = ("收入", "支出", "总收入", "总支出", "收入预算", "支出预算", "预算收入", "预算支出", "预算总收入",
          "预算总支出", "总收入预算", "总支出预算", "实际支出", "收支", "财力")
_OWN_FUND_WORDS = re.compile(r"结转|结余|总计|合计|总量")
GENERIC_MONEY = re.compile(r"^(?:[专财]项?|财政|专项工作|工作|各类|相关|配套|改造|支持|固定资产|奖补|财政补助|补助|扶持|引导)?(?:资金|经费|投入|投资|款项|款|基金)?$")


def strip_item(clause: str) -> str:
    """The line item a clause names before its amount: `全市一般公共预算收入完成` →
    `一般公共预算收入`, `其中：增值税完成` → `增值税`, `2026年共安排支出预算` → `支出预算`."""
    item = re.split(rf"(?<=[{CJK}])\s+(?=[{CJK}])", clause.strip())[-1]  # `财政金融 全年…`: a heading run in
    item = strip_lead(item)
    item = re.sub(r"^(?:加上(?!级)|加|减去|减|扣除|再加上|另加|对|向|将|把|用)", "", item)
    item = re.sub(r"^(?:年初)?预算安排(?=支出|收入)", "", item)
    joined = re.search(r"(?:收入|财力|支出|结转)(?:再)?(?:加上(?!级)|加|减去|减)(?!少|税|负|免|收)", item)
    if joined:
        item = item[joined.end():]  # `当年收入加上级补助` → 上级补助
    item = _COUNT.sub("", item)
    item = _VERB_AFTER.sub("", item).strip()
    bare = VERB_BEFORE.sub("", item, count=1).strip()
    if len(bare) >= 2 and not re.match(r"[外内后中]", bare) or not bare or re.fullmatch(r"新增|偿还|消化|再", item):
        item = "" if re.fullmatch(r"新增|偿还|消化|再", item) else bare  # not `统筹外待遇等` → `外待遇等`
    item = _VERB_AFTER.sub("", item).strip()
    inner = re.search(r"(?:安排的|安排|用于)(?=[^安用]{2,})", item)
    if inner and inner.start() > 0 and not re.match(r"支出|收入", item[inner.end():]):
        item = item[inner.end():]  # `一般公共预算安排预备费`, `全市财政用于民生方面的支出`
    return item.strip("、,:，：")


def canonical_item(item: str, fund: tuple[str, str] | None) -> str:
    """A line item as a reader writes it. A bare flow (`收入`, `支出预算`, `结转`) gets the
    budget it belongs to; an item that names its budget keeps its words, the total's `总`
    aside (`社保基金预算总收入` → `社会保险基金预算收入`, `职工医保基金预算总收入` →
    `职工医疗保险基金收入`)."""
    item = canonical_names(item)
    own = _BUDGET.match(item)
    name = _SUBFUND.match(item)
    if own or name:
        if name and not own:
            rest = re.sub(r"^预算", "", item[name.end():])
            rest = re.sub(r"^总(收入|支出)", r"\1", rest)
            rest = re.sub(r"^(收入|支出)预算$", r"\1", rest)
            return name[0] + rest
        return re.sub(r"预算总(收入|支出)|总(收入|支出)预算", r"预算\1\2", item)
    if fund is None:
        return item
    short, full = fund
    flow = flow_of(item)
    if flow:
        return (full if short in (b[1] for b in BUDGETS) else short) + flow
    if _OWN_FUND_WORDS.search(item) and len(item) <= 8 and "、" not in item:
        prefix = full if re.search(r"总计|合计|总量", item) else short
        return item if item.startswith(short) else prefix + item
    if short != "一般公共预算" and len(item) <= 4 and re.search(r"补助|转移支付|上解|调出|调入|结转|结余|还本|转贷", item):
        return short + item
    return item


def flow_of(rest: str) -> str | None:
    """`收入` or `支出` when an item is a bare flow of a budget (`支出预算`, `实际支出`, `总收入`)."""
    rest = re.sub(r"^(?:实际|当年|本年|年度)", "", rest)
    if rest in _FLOWS:
        return "收入" if "收入" in rest else "支出" if "支出" in rest else None
    return None


# ---- the outline -----------------------------------------------------------------------
_MARKERS = (
    ("cn", re.compile(r"^[一二三四五六七八九十]+、")),
    ("pcn", re.compile(r"^\([一二三四五六七八九十]+\)")),
    ("ar", re.compile(r"^\d{1,2}(?:[、．]|\.(?!\d))")),
    ("par", re.compile(r"^\(\d{1,2}\)")),
    ("circ", re.compile(r"^[①-⑳]")),
    ("dash", re.compile(r"^[—-]{2,3}")),
)
_HEADING_MAX = 34
_EXECUTION = re.compile(r"执行|决算|完成情况|回顾")
_DRAFT = re.compile(r"草案|预算安排|安排情况|预算编制|预算\s*$")


@dataclass
class Heading:
    start: int  # offset of the heading in the prose
    end: int  # offset where its text ends
    rank: int
    text: str
    year: str | None
    level: str | None
    fund: tuple[str, str] | None
    topic: str | None  # a line item the heading names (`①基本支出。安排48亿元`)


@dataclass
class Scope:
    """What the headings around an offset say: the innermost heading naming each wins."""
    year: str | None = None
    level: str | None = None
    fund: tuple[str, str] | None = None
    topic: str | None = None
    heading_end: int = -1


@dataclass
class Outline:
    headings: list[Heading] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list)
    _scopes: list[Scope] = field(default_factory=list)

    def scope_at(self, offset: int) -> Scope:
        i = bisect.bisect_right(self._starts, offset) - 1
        return self._scopes[i] if i >= 0 else Scope()


def outline(prose: Prose, title: str | None) -> Outline:
    """The headings of a document's prose and the scope each opens. Lines are recovered from
    the prose's line starts, so hard-wrapped PDF text is read line by line as well."""
    text = prose.text
    title_years = sorted({int(y) for y in re.findall(r"(" + YEAR + r")\s*年", title or "")})
    ranks: dict[str, int] = {}
    out = Outline()
    stack: list[Heading] = []
    bounds = list(prose.starts) + [len(text)]
    for k in range(len(prose.starts)):
        a, b = bounds[k], bounds[k + 1]
        line = text[a:b].strip()
        lead = len(text[a:b]) - len(text[a:b].lstrip())
        kind = next((name for name, pat in _MARKERS if pat.match(line)), None)
        if kind is None or "\t" in line:
            continue  # a table's row (`一、税收收入\t927210\t…`) is no heading
        first = re.split(r"[。:]", line, maxsplit=1)[0]
        head = first if len(first) < len(line) else line
        body = _MARKERS[[n for n, _ in _MARKERS].index(kind)][1].sub("", head).strip()
        if len(body) > _HEADING_MAX or re.search(r"\d[\d.]*\s*(?:万|亿)?元|%", body) or not body:
            continue
        rank = ranks.setdefault(kind, len(ranks))
        years = re.findall(r"(" + YEAR + r")\s*年", body)
        year = years[0] if len(years) == 1 else None
        if year is None and len(title_years) == 2 and rank == 0:
            if _EXECUTION.search(body):
                year = str(title_years[0])
            elif _DRAFT.search(body):
                year = str(title_years[1])
        level, after_level, _ = lead_level(re.sub(r"^(?:" + YEAR + r"\s*年)", "", body))
        fund = budget_of(body)
        sub = _SUBFUND.match(canonical_names(after_level if level else body))
        if sub and sub[0].endswith("社会保险基金"):
            sub = None
        if sub and not fund:
            fund = (sub[0], sub[0])
        elif sub and fund and len(sub[0]) > len(fund[0]) + 1:
            fund = (sub[0], sub[0])
        topic = body if len(head) < len(line) and re.search(r"支出|收入|资金|经费", body) else None
        h = Heading(a + lead, a + lead + len(head), rank, body, year, level, fund, topic)
        while stack and stack[-1].rank >= rank:
            stack.pop()
        stack.append(h)
        scope = Scope(heading_end=h.end)
        for s in stack:
            scope.year = s.year or scope.year
            scope.level = s.level or scope.level
            scope.fund = s.fund or scope.fund
        scope.topic = h.topic
        out.headings.append(h)
        out._starts.append(h.start)
        out._scopes.append(scope)
    return out


def clause_year(clause: str) -> str | None:
    years = CLAUSE_YEAR.findall(clause)
    return years[-1] if years else None
