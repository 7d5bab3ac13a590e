"""Money in running text: budgets (public money spent, invested, allocated or reported) and
subsidies (a standard paid per beneficiary).

An amount paid per head (`每生每年 1000 元`, `每人每月300元`, `给予每人 100 万元`) is a
subsidy; the amount a standard was raised *from* (`由每人每月380元提高到420元`) is superseded
and no item. An amount in a sentence about spending (`投入`, `投资`, `资金`, `发放`) or one
that names a fiscal line (`一般公共预算收入`, `转移支付`, `征缴基金`) is a budget, and in a
budget report every amount that is not a subsidy is one. An amount that measures the economy
or people's income (产值, 销售收入, 存款余额, 可支配收入) is neither, and so is a part of it
(`其中，住宅投资…`) and a threshold (`总投资1亿元以上的项目`).

Budgets of a report read their context from `fiscal.py`: the line item of the clause, the
level of government that is the subject (`全市`, `市本级`), the fiscal year of the chapter,
and the total a `其中` / `包括` part belongs to (`part_of_index`: the index of the total in
the returned budgets).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from parsing.index.segment import head_words, tail_words
from parsing.numbers import fiscal
from parsing.numbers.periods import period_for
from parsing.numbers.quantities import Mention
from parsing.numbers.sentences import (BOUNDARY, DocContext, clause_start, kind_of, paragraph_before, review_spans,
                                       sentence_span)
from parsing.structure.prose import Prose
from parsing.vocab import CJK, REPORT_TITLE, YEAR, last_match

_PER_HEAD = re.compile(r"(?:平均)?(每(?:人|生|户|名|位|床|对|个团队|个|家|所|村|亩|套)(?:每(?:年|月|天|次))?"
                       r"|(?:年)?人均(?:每(?:年|月))?)")
_PER_TIME = re.compile(r"(每(?:年|月))")
_SUBSIDY_WORD = r"(?:补贴|补助|资助|奖励|救助|津贴|助学金|奖学金|保险金|低保|生活费|抚恤金?|慰问金|奖补|保障金|养老金)"
_SUBSIDY = re.compile(_SUBSIDY_WORD)
_SPENDING = re.compile(r"投入|投资|安排|拨付|下达|筹集|筹措|资金|经费|支出|发放|预算|出资|列支|兑现|划拨")
# What measures the economy, people's income or the markets, not public money.
_ECONOMY = re.compile(
    r"产值|交易额|增加值|营业额|销售额|零售额|营业收入|销售收入|业务收入|可支配收入|人均收入|纯收入|工资性收入|经营性收入"
    r"|利润|GDP|生产总值|市值|存款|贷款余额|贷款|融资|保费|赔付|成交|花费|消费品|工资|价格|房价|房地产|住宅|办公楼"
    r"|商业营业用房|业务总量|交易|转账|证券|股票|拉动|带动|撬动|效益|总产出|出口|进口|外贸|实际利用|外资|消费支出|生活消费"
    r"|授信|信贷")
# 收入 of people and firms is the economy; 收入 of a budget is fiscal.
_INCOME = re.compile(r"收入")
_FISCAL_INCOME = re.compile(r"预算|税收|非税|财政|基金|专项收入|罚没|收费|转移支付|补助|上解|债务|转贷|有偿使用|其他收入"
                            r"|国有资本|出让|公益金|股息|股利|利润收入|结余收入|彩票|处理费|配套费")
_CAP = re.compile(r"最高|不超过|最多|上限|封顶")
_BENEFICIARY = (
    re.compile(r"对([^，。；,;]{2,70}?)[，,]?(?:给予|发放|按|实行)"),
    re.compile(r"为([^，。；,;]{2,60}?)(?:发放|提供)"),
    re.compile(r"资助\s*[\d.]*\s*万?\s*[名人]?([^，。；,;\d]{2,40}?)[，,]"),
)
_BOUND_AFTER = re.compile(r"[、\d.万亿元\s]*(?:以上|以下|以内)的")
# `1200亿元授信额度`: what a bank offers to lend is not public money spent
_CREDIT_AFTER = re.compile(r"\s*(?:的)?(?:授信|信贷|贷款|融资)")
_NOT_A_FUNDER = re.compile(r"^(?:对|为|在|从|按|向|由|完成|大力|推广|争取|其中|预计|计划|共|累计|今年|全年|每年|全市|全省)")
# a place or a level that pays: 北川县, 市财政, 省政府; not the 市 of 市场 or 市民, the 区 of 区域
_FUNDER = re.compile(r"^(?:\d+[、.．]\s*)?([" + CJK + r"]{2,8}?(?:省|市|州|县|区|镇|乡|财政|政府))(?![场民值区域域级内外])")
_NOT_A_PLACE = re.compile(r"(?:棚户区|小区|社区|片区|景区|街区|城区|矿区|山区|灾区|库区|辖区|园区|校区|新区)$")
_PLACE_VERB = re.compile(r"^([" + CJK + r"]{2,6}?)(?:\d+年)?(?:投入|投资|安排|拨付|下达|筹集|出资)")
_MARKER = re.compile(r"^(?:\s|[—-]+|[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d{1,2}[、.．](?!\d)|\(\d{1,2}\))+")
# A standard raised: the amounts before the raise are superseded (`由每人每月380元提高到420元`).
_RAISE = re.compile(r"(?:由|从)([^，。；,;]*?)(?:提高|提升|上调|增加|增长)(?:到|至|为)")
_HARD = ",，;；:：。!?！？\n"
_SENTENCE = "。!?！？\n"
_PART = re.compile(r"其中|主要包括|包括|\(含")
_CHANGE = re.compile(r"^(?:同比|比上年(?:预算)?|比年初|较上年|比去年)?(?:增加|减少|增支|减收|超收|短收|增收|节支|下降|增长)$")


# `2.5亿财政资金`, `100亿中期票据`: money written without 元, named by what follows it.
_BARE_MONEY = re.compile(r"\s*(?:财政资金|资金|中期票据|政府债券|专项债券|债券|社会资本)")


def _as_money(m: Mention) -> Mention:
    return replace(m, unit=m.unit + "元", is_money=True)


@dataclass
class _Seen:
    mention: Mention
    status: str  # "budget", "economy", "subsidy", "skip"
    row: dict | None = None
    index: int | None = None  # index in budgets
    change: bool = False  # a change of the amount before it (`比上年预算减少422万元`)


def money_rows(prose: Prose, mentions: list[Mention], ctx: DocContext) -> tuple[list[dict], list[dict]]:
    prose, mentions = _with_breaks(prose, mentions)
    text, raw = prose.text, prose.raw
    money = [_as_money(m) if not m.is_money and _BARE_MONEY.match(text, m.end) and m.unit in ("万", "亿", "万亿")
             else m for m in mentions]
    money = [m for m in money if m.is_money]
    is_fiscal = fiscal.is_fiscal_report(ctx.title, text)
    is_report = is_fiscal or bool(ctx.title and re.search(REPORT_TITLE, ctx.title))
    plan = fiscal.outline(prose, ctx.title) if is_report else None
    levels = _level_events(text, plan) if is_fiscal else []
    superseded = _superseded(text, money)
    reviews = review_spans(prose)
    budgets: list[dict] = []
    subsidies: list[dict] = []
    seen: list[_Seen] = []
    for i, m in enumerate(money):
        if i in superseded:
            seen.append(_Seen(m, "skip"))
            continue
        if _BOUND_AFTER.match(text, m.end) or (m.text.endswith(("以上", "以下", "以内")) and text[m.end:m.end + 1] == "的"):
            seen.append(_Seen(m, "skip"))
            continue  # `总投资1亿元以上的项目`: a threshold for something else
        s_start, s_end = sentence_span(text, m.start)
        before = text[s_start:m.start]
        c_start = _hard_start(text, m.start, 0)
        hard_clause = text[c_start:m.start]
        common = {"amount_yuan": m.amount_yuan, "amount_max_yuan": m.amount_max_yuan,
                  "amount_text": raw[m.start:m.end], "line": prose.line_at(m.num_start)}
        per = last_match(_PER_HEAD, hard_clause)
        if per is None and _SUBSIDY.search(text[s_start:s_end]) and m.unit == "元":
            per = last_match(_PER_TIME, hard_clause)  # `每月966元`; `每年安排2000万元` is a budget
        if per is not None and not _ECONOMY.search(hard_clause[per.start():] + text[c_start:m.start]) \
                and not _is_income(hard_clause):
            subsidies.append({**common, **_subsidy_fields(text, c_start, s_start, s_end, m, per, money)})
            seen.append(_Seen(m, "subsidy"))
            continue
        if per is not None:
            seen.append(_Seen(m, "economy"))
            continue
        award = _award(text, c_start, m)
        if award is not None:
            subsidies.append({**common, **_award_fields(text, c_start, s_start, m, award)})
            seen.append(_Seen(m, "subsidy"))
            continue
        item_start = _item_start(text, m, money, c_start)
        lead = text[item_start:m.start]
        total = _total_of(text, m, seen)
        if total is not None and total.status == "economy":
            seen.append(_Seen(m, "economy"))
            continue
        level, rest, local = fiscal.lead_level(lead)
        if not is_fiscal:
            place = _PLACE_VERB.match(rest.strip())
            if place and _funder(text, s_start, m, hard_clause) == place[1]:
                rest = rest.strip()[len(place[1]):]  # `北川投入 380 万元…`: the funder is not the purpose
        item = fiscal.strip_item(rest)
        prev = _previous_in_sentence(text, m, seen)
        if (_CHANGE.match(item) or not item) and prev is not None and total is None:
            if prev.status == "economy":
                seen.append(_Seen(m, "economy"))
                continue
        if _economy(item, is_fiscal):
            seen.append(_Seen(m, "economy"))
            continue
        if is_fiscal:
            accept = True
        else:
            accept = bool(_SPENDING.search(text[s_start:min(s_end, m.end + 8)]) or fiscal.FISCAL_LINE.search(lead)
                          or (total is not None and total.status == "budget"))
            accept = accept and not _ECONOMY.search(hard_clause) and not _is_income(hard_clause) \
                and not _CREDIT_AFTER.match(text, m.end)
        if not accept:
            seen.append(_Seen(m, "skip"))
            continue
        scope = plan.scope_at(m.start) if plan else fiscal.Scope()
        purpose = _budget_purpose(text, m, item, level, local, prev, total, scope, s_end, money, is_fiscal)
        if is_fiscal:
            upper = "上级" if re.search(r"争取", lead) and item.startswith("上级") else None
            named = fiscal.LEVEL.match(item) if not re.search(r"补助|转移支付|上解", item) else None
            given = fiscal.giver(item) or upper
            inherited = total.row["funder"] if total and total.row else None
            funder = (given or level or (named[0] if named else None) or inherited or _level_at(levels, m.start))
            period = _fiscal_period(text, m, total, scope, ctx)
        else:
            paragraph = paragraph_before(text, m.start)
            kind = kind_of(before, m.start, reviews, ctx)
            funder = _funder(text, s_start, m, hard_clause) or _public_funder(item, text[m.end:m.end + 8])
            period = period_for(text[clause_start(text, m.start, s_start):m.start], paragraph, kind, ctx.title)
            if period is None and is_report and scope.year and kind != "change":
                period = scope.year
        row = {**common, "purpose": purpose, "funder": funder, "period": period, "part_of": None,
               "part_of_index": total.index if total is not None and total.status == "budget" else None}
        seen.append(_Seen(m, "budget", row, len(budgets), bool(_CHANGE.match(item))))
        budgets.append(row)
    return budgets, subsidies


# ---- clauses ---------------------------------------------------------------------------
_LINE_END = re.compile(r"[。；;!?！？:：]\s*$")
_LINE_MARKER = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d{1,2}(?:[、．]|\.(?!\d))|\(\d{1,2}\)|[①-⑳]|[—-]{2,3})")


def _with_breaks(prose: Prose, mentions: list[Mention]) -> tuple[Prose, list[Mention]]:
    """Hard-wrapped PDF prose joins its lines directly; a line that ends a sentence, a heading
    and a line that opens an outline item still end where they end. A line break is put
    back there (a copy of the prose, offsets of the mentions shifted)."""
    text = prose.text
    cuts = []
    for k in range(1, len(prose.starts)):
        a = prose.starts[k]
        if a == 0 or text[a - 1] == "\n":
            continue
        prev = text[prose.starts[k - 1]:a]
        if _LINE_END.search(prev) or _LINE_MARKER.match(text[a:a + 6]) or (
                _LINE_MARKER.match(prev) and len(prev.strip()) <= 34 and not re.search(r"[。:：]", prev)):
            cuts.append(a)
    if not cuts:
        return prose, mentions

    def shift(pos: int) -> int:
        return pos + bisect.bisect_right(cuts, pos)

    pieces_t, pieces_r, last = [], [], 0
    for c in cuts:
        pieces_t += [text[last:c], "\n"]
        pieces_r += [prose.raw[last:c], "\n"]
        last = c
    pieces_t.append(text[last:])
    pieces_r.append(prose.raw[last:])
    starts = [shift(a) for a in prose.starts]
    new = Prose("".join(pieces_t), "".join(pieces_r), starts, list(prose.line_nos))
    moved = [replace(m, start=shift(m.start), num_start=shift(m.num_start), end=shift(m.end - 1) + 1) for m in mentions]
    return new, moved


def _hard_start(text: str, pos: int, floor: int) -> int:
    """Start of the clause a number stands in: after the last comma, semicolon, colon or
    sentence end, or after a `（含` that opens a part."""
    i = pos
    while i > floor:
        c = text[i - 1]
        if c in _HARD:
            return i
        if c == "(" and re.match(r"含|不含|包括|其中", text[i:i + 2]):
            return i
        i -= 1
    return i


def _item_start(text: str, m: Mention, money: list[Mention], c_start: int) -> int:
    """The item of `…支出148.7亿元、交通运输支出13.3亿元` starts after the amount before it."""
    i = _at(money, m)
    if i > 0 and c_start <= money[i - 1].end <= m.start:
        return money[i - 1].end
    return c_start


def _at(money: list[Mention], m: Mention) -> int:
    """Index of a mention in the amounts (sorted by offset)."""
    return bisect.bisect_left(money, m.start, key=lambda x: x.start)


def _sentence_start(text: str, pos: int) -> int:
    i = pos
    while i > 0 and text[i - 1] not in _SENTENCE:
        i -= 1
    return i


def _previous_in_sentence(text: str, m: Mention, seen: list[_Seen]) -> _Seen | None:
    start = _sentence_start(text, m.start)
    for s in reversed(seen):
        if s.mention.start < start:
            break
        if s.mention.end <= m.start and s.status in ("budget", "economy"):
            between = text[s.mention.end:m.start]
            if between.count(")") > between.count("("):
                continue  # inside a （…） that closed before the amount: a part, not the subject
            return s
    return None


# Words after which a 其中 list is over: an amount added to the total, or a new (grand) total.
_PARTS_END = re.compile(r"加上|再加|合计|总计|共计")


def _total_of(text: str, m: Mention, seen: list[_Seen]) -> _Seen | None:
    """The total an amount is a part of: the last amount before the `其中` / `包括` / `（含` of its
    sentence, in its paragraph (a change of an amount, `比上年减少…`, is no total)."""
    s_start = _sentence_start(text, m.start)
    segment = text[s_start:m.start]
    marker = None
    for found in _PART.finditer(segment):
        pos = s_start + found.start()
        between = text[pos:m.start]
        if between.count(")") > between.count("(") - (1 if found[0].startswith("(") else 0):
            continue  # a closed （包括…） scopes only the amounts inside it
        marker = pos
    if marker is None:
        return None
    after = text[marker:m.start]
    if re.search(r"[;；]", after) and fiscal.VERB_BEFORE.match(re.split(r"[;；]", after)[-1]).group(0):
        return None  # `其中…专项债券48亿元；发行再融资债券20亿元`: a new line, not a part
    if _PARTS_END.search(after):
        return None  # `其中…，加上…2.5亿元，收入总计56.8亿元`: what is added to the whole is no part of it
    para = text.rfind("\n", 0, marker) + 1
    for s in reversed(seen):
        if s.mention.start < para:
            break
        if s.mention.end <= marker and s.status in ("budget", "economy") and not s.change:
            between = text[s.mention.end:marker]
            if between.count(")") > between.count("("):
                continue  # a part inside a closed （…） is not the total
            return s
    return None


def _superseded(text: str, money: list[Mention]) -> set[int]:
    out = set()
    for found in _RAISE.finditer(text):
        a, b = found.span(1)
        out.update(i for i, m in enumerate(money) if a <= m.num_start < b)
    return out


def _is_income(clause: str) -> bool:
    """`城乡居民人均可支配收入` is income; `一般公共预算收入` is a budget's."""
    return bool(_INCOME.search(clause)) and not _FISCAL_INCOME.search(clause)


_SPENT_LINE = re.compile(r"支出|补贴|补助|贴息|资金|经费|奖补|工资|预算|财政|债券|基金|上缴|利润收入|注资|增资")


def _economy(item: str, is_fiscal: bool) -> bool:
    if _ECONOMY.search(item):
        # a budget report's lines name what money pays for (`绩效工资`, `创业担保贷款贴息`)
        return not (is_fiscal and _SPENT_LINE.search(item))
    if not is_fiscal and _is_income(item):
        return True
    return False


# ---- budgets ---------------------------------------------------------------------------
_AFTER_STOP = re.compile(r"^(?:增长|下降|同比|占|比|较|为预算|为年|左右|以上|以下|的比重|惠及|受益|涉及|带动|撬动|直接)")


def _budget_purpose(text: str, m: Mention, item: str, level: str | None, local: bool, prev: _Seen | None,
                    total: _Seen | None, scope: fiscal.Scope, s_end: int, money: list[Mention],
                    is_fiscal: bool) -> str | None:
    """What the money is for, a reader's phrase. In order: a change names the line before it
    (`比上年减少`); a distribution names the amount before it (`市本级留用`); a clause that
    names nothing takes what the money is used for (`用于…`), what follows it, its total's or
    the amount's before it, its heading's line item; a generic `资金` takes its use or the
    clause before it; a line item is made canonical (`fiscal.canonical_item`)."""
    fund = _fund_at(text, m, scope)
    use = re.match(r"[^，。；,;]{0,12}?(?:[,，](?:主要|重点|专项)?)?用于(?:\d+[个项])?([^，。；,;]{2,40})", text[m.end:s_end])
    following = _after_phrase(text, m, s_end, money)
    base = (total.row["purpose"] if total is not None and total.row else None) or (
        prev.row["purpose"] if prev is not None and prev.row else None)
    if _CHANGE.match(item) and prev is not None and prev.row:
        return (prev.row["purpose"] or "") + re.sub(r"预算", "", item)  # `同比增加`: of the line before
    if local and level:
        near = prev.row["purpose"] if prev is not None and prev.row else base
        return (near or "") + level + item  # `新增债券331446万元，市本级留用90000万元`
    if not item:
        if text[m.end:m.end + 1] == "的" and following:
            return following
        if use:
            if base and len(use[1]) < 7:
                return re.sub(r"资金$", "", base) + "用于" + use[1]
            return use[1]
        if following and re.match(r"\s*(?:资金)?\s*[" + CJK + r"]", text[m.end:m.end + 4]):
            return following  # `平武投入 20 万元资金配备和完善教学仪器设备`
        if base:
            return base
        if scope.topic and scope.heading_end <= m.start:
            return scope.topic
        return following or _topic_before(text, m)
    if fiscal.GENERIC_MONEY.match(item):
        if use:
            return use[1]
        if following:
            return following
        topic = _topic_before(text, m)
        if topic:
            return topic
        return item or None
    if text[m.end:m.end + 1] == "的" and following and re.search(r"投资$|投入$", text[:m.start]):
        return re.sub(r"投资$|投入$", "", item) + following  # `2个投资468万元的教师周转房项目`
    if not is_fiscal:
        return fiscal.canonical_names(item)
    if fiscal.flow_of(re.sub(r"^实际", "", item)) and prev is not None and prev.row and prev.row["purpose"] \
            and not re.search(r"收入|支出|预算|基金|转移支付|财力", prev.row["purpose"]) and total is None:
        return prev.row["purpose"] + item  # `安排预备费10000万元，支出6790万元`
    return fiscal.canonical_item(item, fund)


def _fund_at(text: str, m: Mention, scope: fiscal.Scope) -> tuple[str, str] | None:
    """The budget an amount belongs to: the one named last in its paragraph (after its
    heading), else its heading's."""
    para = text.rfind("\n", 0, m.start) + 1
    named = fiscal.budget_of(fiscal.canonical_names(text[max(para, scope.heading_end):m.start]), subject=True)
    fund = scope.fund
    if named and not (fund and fund[0] not in (b[1] for b in fiscal.BUDGETS) and fund[0].startswith(named[0])):
        return named
    return fund


_TOPIC_LEAD = re.compile(r"^(?:“?[十一二三四五六七八九]+五”?(?:期间|时期)?|今年|明年|计划|预计|力争|大力|积极|持续|加大|加快"
                         r"|扎实|着力|深入|全面|继续|进一步|不断|切实|重点|有序|稳步|坚决)*"
                         r"(?:推进|支持|推动|实施|落实|开展|做好|保障|加强|促进|助力|抓好|增加)?")


def _topic_before(text: str, m: Mention) -> str | None:
    """What a generic `专项资金2300万元` is for: the clause before it (`大力推进国企国资改革`,
    `实施各级科技计划项目195项`), else its sentence's subject (`全市老旧小区改造累计开工…`)."""
    c = _hard_start(text, m.start, 0)
    s = _sentence_start(text, m.start)
    candidates = []
    if c > s and text[c - 1] in ",，;；":
        p = _hard_start(text, c - 1, 0)
        candidates.append(text[p:c - 1])
    end = s
    while end < len(text) and text[end] not in _HARD:
        end += 1
    if end < c:
        candidates.append(re.split(r"累计|开工|完成|实现|达到|共计|新增|投入", text[s:end])[0])
    for clause in candidates:
        clause = re.split(r"\s+", clause.strip())[-1]
        level, rest, _ = fiscal.lead_level(clause)
        rest = fiscal.strip_lead(rest)
        rest = re.sub(r"\s*(?:约|近|超过)?\d[\d.,]*\s*(?:万|亿)?(?:人次|户次|人|户|个|项|笔|家|所|套|辆|台|亩)(?:\([^)]{1,4}\))?[^" + CJK + r"]*$", "", rest)
        rest = re.sub(r"人数$", "", re.sub(r"^(?:年末|年底)?参加", "", rest))
        if re.search(r"\d", rest) or len(rest) > 24:
            continue
        topic = _TOPIC_LEAD.sub("", rest.strip())
        if len(topic) >= 2:
            return topic
    return None


def _after_phrase(text: str, m: Mention, s_end: int, money: list[Mention]) -> str | None:
    """What follows an amount when the clause before it names nothing: `投入 90 万元为…提供免费卧具`;
    past a list of amounts (`北川投入 40 万元、平武投入 30 万元进行师资培训`)."""
    end = m.end
    for other in money[_at(money, m) + 1:]:
        if not re.fullmatch(r"[、和及与]?[" + CJK + r"]{0,6}?(?:投入|投资|安排)?\s*", text[end:other.start]):
            break
        end = other.end
    after = re.match(r"(?:资金|的)?\s*([^，。；,;:\n]{2,40})", text[end:s_end])
    if not after or not re.match(r"[" + CJK + r"“]", after[1]) or _AFTER_STOP.match(after[1]):
        return None
    phrase = re.sub(r"^(?:进行|用于|主要用于|重点用于|用来)", "", after[1])
    phrase = re.sub(r"的资金$|资金$|的$", "", phrase).strip()
    return phrase or None


def _level_events(text: str, plan: fiscal.Outline | None) -> list[tuple[int, str | None, bool]]:
    """Where a clause names the level of government that is its subject (`全市收入完成…`),
    and where a heading resets it: (offset, level, is_heading)."""
    events: list[tuple[int, str | None, bool]] = []
    if plan:
        events += [(h.start, plan.scope_at(h.start).level, True) for h in plan.headings]
    start = 0
    for found in re.finditer(r"[" + re.escape(_HARD) + r"]|$", text):
        clause = text[start:found.start()]
        level, _, local = fiscal.lead_level(clause)
        if level and not local:
            s_start = _sentence_start(text, start)
            in_part = _PART.search(text[s_start:start]) is not None
            if not in_part and not re.match(r"\d", fiscal.strip_lead(clause)[len(level):len(level) + 1] or "x"):
                events.append((start, level, False))
        start = found.end()
    events.sort(key=lambda e: (e[0], not e[2]))
    return events


def _level_at(events: list[tuple[int, str | None, bool]], offset: int) -> str | None:
    """The level named last before an offset (None after a heading that names none)."""
    i = bisect.bisect_right(events, offset, key=lambda e: e[0]) - 1
    return events[i][1] if i >= 0 else None


def _fiscal_period(text: str, m: Mention, total: _Seen | None, scope: fiscal.Scope, ctx: DocContext) -> str | None:
    """The fiscal year: the clause's own year, the total's, the year that opens the sentence
    (`2018年，…`, `截至2018年底`), the chapter's (`一、2018年预算执行情况`), the title's; none
    for `近年`."""
    s_start = _sentence_start(text, m.start)
    sentence = text[s_start:m.start]
    if re.search(r"近年|近几年|历年|多年来", sentence):
        return None
    year = fiscal.clause_year(text[_hard_start(text, m.start, s_start):m.start])
    if year:
        return year
    if total is not None and total.row and total.row["period"]:
        return total.row["period"]
    lead_year = re.match(r"\s*(?:截至|截止|到)?\s*(" + YEAR + r")\s*年", sentence)
    if lead_year:
        return lead_year[1]
    if scope.year:
        return scope.year
    years = sorted(set(re.findall(r"(" + YEAR + r")\s*年", ctx.title or "")))
    return years[0] if len(years) == 1 else None


def _funder(text: str, s_start: int, m: Mention, clause: str) -> str | None:
    """Who spends the money in a document that is not a budget report: the place that leads
    the clause (`北川投入…`), the sentence, or the paragraph (`2、北川县…`)."""
    own = text[clause_start(text, m.start, s_start):m.start]
    lead = _PLACE_VERB.match(own.strip())
    if lead and not _NOT_A_FUNDER.match(lead[1]) and (len(lead[1]) <= 4 or _FUNDER.match(lead[1])) \
            and not _NOT_A_PLACE.search(lead[1]):
        return lead[1]
    for start in (s_start, text.rfind("\n", 0, m.start) + 1):
        head = _MARKER.sub("", text[start:m.start])
        first = re.split(f"[{BOUNDARY}]", head.strip(), maxsplit=1)[0]
        subject = _FUNDER.match(first)
        if subject and not _NOT_A_FUNDER.match(subject[1]) and not _NOT_A_PLACE.search(subject[1]):
            return subject[1]
    return None


_PUBLIC = re.compile(r"^(中央财政|中央预算内|中央|地方政府|各级财政|(?:省|市|县)级?财政)")


def _public_funder(item: str, after: str) -> str | None:
    """`地方政府专项债券`, `…2.8万亿元中央财政资金`: the public purse the item names."""
    found = _PUBLIC.match(item) or _PUBLIC.match(after.strip())
    if not found:
        return None
    return "中央" if found[1] == "中央预算内" else found[1]


# `给予一次性奖励50万元`, `市政府分别奖励企业50万元`, `最高给予30万元奖励`: a fixed award to
# each unit that qualifies, not a pot of money (`落实奖补资金1.2亿元`, `育儿补贴55万元`).
_AWARD_BEFORE = re.compile(r"(?:给予|一次性(?:给予)?)(?:[" + CJK + r"]{0,6}?(?:奖励|补助|补贴|资助|奖补|奖金))?\s*$"
                           r"|(?:分别|一次性|并|再)奖励(?:企业|单位|个人|团队)?\s*$")
_AWARD_AFTER = re.compile(r"\s*的?(?:一次性)?([" + CJK + r"]{0,6}?(?:奖励|补助|补贴|资助|奖补|奖金))")


def _award(text: str, c_start: int, m: Mention) -> str | None:
    """The scheme of a fixed award (`一次性奖励`), or None when the amount is no award."""
    clause = text[c_start:m.start]
    before = _AWARD_BEFORE.search(clause)
    after = _AWARD_AFTER.match(text, m.end)
    s_start = _sentence_start(text, m.start)
    if "给予" not in clause and not re.search(r"对[^。]{2,70}的", text[s_start:m.start]):
        return None  # an award names whom it goes to; `年终一次性奖励等奖金18285万元` is a budget line
    if before and not re.search(r"(?:资金|经费)\s*$", clause):
        word = re.search(r"(?:一次性)?[" + CJK + r"]{0,6}?(?:奖励|补助|补贴|资助|奖补|奖金)", before[0])
        return word[0] if word else (after[1] if after else "")
    if after and re.search(r"给予", clause):
        return after[1]
    return None


def _award_fields(text: str, c_start: int, s_start: int, m: Mention, scheme: str) -> dict:
    before = text[s_start:m.start]
    beneficiary = None
    for pattern in (*_BENEFICIARY, re.compile(r"对([^，。；,;]{2,70}?的[" + CJK + r"]{1,12}?)[，,]")):
        found = last_match(pattern, before)
        if found:
            beneficiary = head_words(found[1].strip(), 70)
            break
    clause = text[c_start:m.start]
    once = "一次性" in clause or "一次性" in scheme
    return {"program": re.sub(r"^(?:一次性|给予|分别)+", "", scheme) or None, "beneficiary": beneficiary, "per": None,
            "frequency": "once" if once else None, "is_cap": bool(_CAP.search(clause))}


# ---- subsidies -------------------------------------------------------------------------
_SCHEME_CUT = re.compile(r"标准|水平|分别|由|从|提高|提升|调整|调至|达到|为|至|给予|按|每|平均|最高|最低|不超过|再增加|增加")
_SCHEME_LEAD = re.compile(r"^(?:将|把|继续|进一步|逐步|适当|全面|稳步|再次|连续|同步|提高|提升|调整|落实|对|为|给予|实行|实施|"
                          r"城乡居民中的)+")
_PERSON = re.compile(r"(?:人员|人才|对象|老人|孤儿|儿童|学生|居民|农民|职工|群众|家庭|医生|残疾人|军人|困难户|户|人|者|员|生|士)$")
# `困难残疾人生活补贴`, `农村家庭经济困难寄宿学生生活费补助`: the group, then what it is paid.
_PERSON_HEAD = re.compile(r"^(.{2,}(?:人员|人才|对象|老人|孤儿|儿童|学生|居民|农民|职工|群众|家庭|医生|残疾人|军人|困难户))"
                          r"(?:[" + CJK + r"]{0,4}?" + _SUBSIDY_WORD + r")$")
# Schemes whose beneficiaries their name does not say.
_SERVED = ((re.compile(r"公共卫生服务"), "城乡居民"), (re.compile(r"失业保险金"), "失业人员"))
_INSURED = re.compile(r"^(.*(?:医保|医疗保险|新农合))")
_PENSION = re.compile(r"^(.*?养老保险)")


def _subsidy_fields(text: str, c_start: int, s_start: int, s_end: int, m: Mention, per: re.Match,
                    money: list[Mention]) -> dict:
    clause = text[c_start:m.start]
    per_text = per[1]
    frequency = "year" if "年" in per_text else "month" if "月" in per_text else None
    if re.search(r"一次性", text[s_start:m.start]) or re.match(r"\s*(?:的|给予)?一次性", text[m.end:m.end + 6]):
        frequency = "once"
    program, beneficiary = _scheme(text, c_start, s_start, m, per, money)
    return {
        "program": program,
        "beneficiary": beneficiary,
        "per": per_text,
        "frequency": frequency,
        "is_cap": bool(_CAP.search(clause)),
    }


def _scheme(text: str, c_start: int, s_start: int, m: Mention, per: re.Match, money: list[Mention]):
    """(program, beneficiary) of a standard."""
    clause = text[c_start:m.start]
    before = text[s_start:m.start]
    # `国家助学金给予家庭经济困难学生平均每生每年3000元`: program, verb, beneficiary
    pvb = re.search(r"([" + CJK + r"]{2,12}?" + _SUBSIDY_WORD + r")(?:给予|资助)([^，,;；、由从]{2,40}?)(?:平均)?"
                    + re.escape(per[0]), clause)
    if pvb and not re.search(r"标准|水平", pvb[2]):
        return re.sub(r"^.*(?:标准为|标准是)", "", pvb[1]), pvb[2]  # `标准为国家助学金给予…`: the scheme
    explicit = None
    for pattern in _BENEFICIARY:
        found = last_match(pattern, before)
        if found:
            explicit = found[1].strip()
            break
    after = re.match(r"\s*(?:的|给予)?(?:一次性)?([" + CJK + r"]{0,8}?" + _SUBSIDY_WORD + r")", text[m.end:m.end + 18])
    phrase = _SCHEME_LEAD.sub("", _scheme_phrase(clause))
    subject = None
    if not phrase or not (_SUBSIDY.search(phrase) or "标准" in clause or "水平" in clause):
        # `小学达到每生每年1000元`: the clause has a subject; the scheme is named before it
        subject = phrase or None
        head = re.split(r"[:：]", before)
        phrase = _SCHEME_LEAD.sub("", _scheme_phrase(head[0])) if len(head) > 1 else ""
        if not phrase:
            found = last_match(re.compile(r"[" + CJK + r"]{2,12}?" + _SUBSIDY_WORD), before)
            phrase = _scheme_phrase(found[0]) if found and not explicit else ""
    given = re.search(r"(?:发放|给予|提供)([" + CJK + r"]{0,8}?" + _SUBSIDY_WORD + r")", before) if explicit else None
    if after and not (phrase and _SUBSIDY.search(phrase)):
        program = after[1]
    elif given and not (phrase and _SUBSIDY.search(phrase)):
        program = given[1]  # `为…学生发放生活补助，标准为…`
    else:
        program = phrase
    # `A、B、C分别由…提高至X、Y、Z`: one scheme per amount
    schemes = [p for p in re.split(r"、", program) if p] if "分别" in clause and "、" in program else [program]
    position = _position(text, c_start, m, money)
    if len(schemes) > 1:
        program = schemes[min(position, len(schemes) - 1)]
    program = re.sub(r"^.*(?:标准为|给予|发放|提供)", "", program)
    program = re.sub(r"(?:资助|补助|奖励|救助)$", "", program) if len(program) > 2 and re.search(
        r"(?:助学金|奖学金)(?:资助|补助)$", program) else program
    full = program
    group = _PERSON_HEAD.match(program or "")
    if group and not explicit and len(group[1]) >= 8:
        program = program[len(group[1]):]  # a long target group is not part of the scheme's name
    program = tail_words(program, 16) if program else None
    if program and re.fullmatch(_SUBSIDY_WORD, program):
        program = program if after and explicit else None
    beneficiary = head_words(explicit, 70) if explicit else _beneficiary(full, subject, clause, position)
    if program and "的" in program:
        program = program.rpartition("的")[2] or program  # `…供养的孤儿养育`: the scheme after 的
    if explicit and program and beneficiary.startswith(program):
        beneficiary = beneficiary[len(program):].lstrip("资助给予") or beneficiary
    return program or None, beneficiary


def _scheme_phrase(clause: str) -> str:
    phrase = re.sub(r"(?:平均)?(?:每(?:人|生|户|名|位|床|对|个团队|个|家|所|村|亩|套)(?:每(?:年|月|天|次))?|(?:年)?人均(?:每(?:年|月))?)",
                    "", _MARKER.sub("", clause.strip()), count=0)
    phrase = _SCHEME_LEAD.sub("", phrase)
    cut = _SCHEME_CUT.search(phrase)
    return (phrase[:cut.start()] if cut else phrase).strip("、,， ")


def _position(text: str, c_start: int, m: Mention, money: list[Mention]) -> int:
    """Which amount of its list (`提高至171元、106元、100元`) a mention is: the number of
    amounts joined to it by 、 or 和 before it."""
    k, cur = 0, m
    for other in reversed(money[:_at(money, m)]):
        if other.start < c_start or not re.fullmatch(r"\s*[、和及]\s*", text[other.end:cur.start]):
            break
        k, cur = k + 1, other
    return k


def _beneficiary(program: str | None, subject: str | None, clause: str, position: int) -> str | None:
    name = program or ""
    group = None
    # `社会散居和福利机构供养的孤儿养育标准分别…`: A和B的N → A N, B N
    if name and "的" in name:
        pre, _, post = name.rpartition("的")
        person = re.match(r"(孤儿|儿童|老人|学生|残疾人|人员|对象)", post)
        if person and "分别" in clause:
            groups = [g for g in re.split(r"[和、及与]", pre) if g]
            if len(groups) > 1:
                return groups[min(position, len(groups) - 1)] + person[1]
        group = pre + (person[1] if person else "")
    if subject:
        base = _beneficiary(program, None, "", position) if program else None
        return f"{base}（{subject}）" if base else subject  # as a reader writes it
    if not name:
        return group
    for pattern, who in _SERVED:
        if pattern.search(name):
            return who
    split = None
    if name.startswith("城乡") and "分别" in clause:
        split = ("城市", "农村")[position % 2]
    insured = _INSURED.match(name)
    if insured:
        return re.sub(r"(?:政府|财政)$", "", insured[1]) + "参保人员"
    pension = _PENSION.match(name)
    if pension:
        return pension[1]
    if "基础养老金" in name:
        return name.split("基础养老金")[0] or None  # `城乡居民基础养老金`: paid to the 城乡居民
    if re.search(r"救助|低保|特困", name):
        core = re.sub(r"^城乡", "", re.sub(r"(?:标准|水平)$", "", name))
        return (split or "") + core + "对象"
    person = _PERSON_HEAD.match(name)
    if person:
        return person[1]
    return group
