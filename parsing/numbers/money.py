"""Money in running text: budgets (public money spent, invested, allocated or reported) and
subsidies (a standard paid per beneficiary).

An amount paid per head (`每生每年 1000 元`, `每人每月300元`, `给予每人 100 万元`) is a
subsidy; an amount in a sentence about spending (`投入`, `投资`, `资金`, `发放`) is a
budget; an amount that measures the economy or people's income (产值, 销售收入, 可支配收入)
is neither and is left out.
"""
from __future__ import annotations

import re

from parsing.numbers.periods import period_for
from parsing.vocab import CJK, last_match
from parsing.structure.prose import Prose
from parsing.numbers.quantities import Mention
from parsing.numbers.sentences import (BOUNDARY, DocContext, clause_start, kind_of, paragraph_before, review_spans,
                                       sentence_span)
from parsing.index.segment import head_words, tail_words

_PER_HEAD = re.compile(r"(?:平均)?(每(?:人|生|户|名|位|床|对|个团队|个|家|所|村|亩)(?:每(?:年|月|天|次))?|人均)")
_PER_TIME = re.compile(r"(每(?:年|月))")
_SUBSIDY_WORD = r"(?:补贴|补助|资助|奖励|救助|津贴|助学金|奖学金|保险金|低保|生活费|抚恤金?|慰问金|奖补|保障金)"
_SUBSIDY = re.compile(_SUBSIDY_WORD)
_PROGRAM = re.compile(r"[" + CJK + r"]{0,10}?" + _SUBSIDY_WORD)
_SPENDING = re.compile(r"投入|投资|安排|拨付|下达|筹集|筹措|资金|经费|支出|发放|预算|出资|列支|兑现|划拨")
_ECONOMY = re.compile(r"产值|收入|交易额|增加值|营业额|销售额|GDP|生产总值|利润|税|融资|贷款|存款|市值|效益|带动|消费|工资|价格|房价")
_CAP = re.compile(r"最高|不超过|最多|上限|封顶")
_BENEFICIARY = (
    re.compile(r"对([^，。；,;]{2,40}?)[，,]?(?:给予|发放|按|实行)"),
    re.compile(r"为([^，。；,;]{2,40}?)(?:发放|提供)"),
    re.compile(r"资助\s*[\d.]*\s*万?\s*[名人]?([^，。；,;\d]{2,40}?)[，,]"),
)
_BOUND_AFTER = re.compile(r"[、\d.万亿元\s]*(?:以上|以下|以内)的")
_NOT_A_FUNDER = re.compile(r"^(?:对|为|在|从|按|向|由|完成|大力|推广|争取|其中|预计|计划|共|累计|今年|全年|每年|全市|全省)")
_FUNDER = re.compile(r"^(?:\d+[、.．]\s*)?([" + CJK + r"]{2,8}?(?:省|市|州|县|区|镇|乡|财政|政府))")
_PLACE_VERB = re.compile(r"^([" + CJK + r"]{2,6}?)(?:\d+年)?(?:投入|投资|安排|拨付|下达|筹集|出资)")
_SUBJECT_NOISE = re.compile(r"标准|分别|达到|提高到|提高至|调整至|调整到|为|由|从|平均|给予|按|的$|[\d.]+")


def money_rows(prose: Prose, mentions: list[Mention], ctx: DocContext) -> tuple[list[dict], list[dict]]:
    text, raw = prose.text, prose.raw
    reviews = review_spans(prose)
    budgets, subsidies = [], []
    for m in mentions:
        if not m.is_money:
            continue
        if _BOUND_AFTER.match(text, m.end) or (m.text.endswith(("以上", "以下", "以内")) and text[m.end:m.end + 1] == "的"):
            continue  # `总投资1亿元以上的项目`: a threshold for something else
        s_start, s_end = sentence_span(text, m.start)
        before = text[s_start:m.start]
        c_start = clause_start(text, m.start, s_start)
        clause = text[c_start:m.start]
        per = last_match(_PER_HEAD, before)
        if per is None and _SUBSIDY.search(text[s_start:s_end]):
            per = last_match(_PER_TIME, before)
        common = {"amount_yuan": m.amount_yuan, "amount_max_yuan": m.amount_max_yuan,
                  "amount_text": raw[m.start:m.end], "line": prose.line_at(m.num_start)}
        if per is not None and not _ECONOMY.search(before[per.start():] + clause):
            subsidies.append({**common, **_subsidy_fields(text, s_start, s_end, m, per, clause)})
        elif per is None and _SPENDING.search(text[s_start:min(s_end, m.end + 4)]) and not _ECONOMY.search(clause):
            paragraph = paragraph_before(text, m.start)
            kind = kind_of(before, m.start, reviews, ctx)
            budgets.append({**common, "purpose": _purpose(text, m, c_start, s_start, s_end),
                            "funder": _funder(text[s_start:m.start], clause),
                            "period": period_for(clause, paragraph, kind, ctx.title), "part_of": None})
    return budgets, subsidies


def _subsidy_fields(text: str, s_start: int, s_end: int, m: Mention, per: re.Match, clause: str) -> dict:
    sentence = text[s_start:s_end]
    per_text = per[1]
    frequency = "year" if "年" in per_text else "month" if "月" in per_text else None
    if re.search(r"一次性", sentence[:m.start - s_start]):
        frequency = "once"
    programs = [p[0] for p in _PROGRAM.finditer(sentence)]
    program = tail_words(_clean_program(programs[0]), 12) if programs else None
    return {
        "program": program or None,
        "beneficiary": _beneficiary(text[s_start:m.start], clause, per),
        "per": per_text,
        "frequency": frequency,
        "is_cap": bool(_CAP.search(clause)),
    }


def _clean_program(phrase: str) -> str:
    phrase = re.sub(r"^.*(?:标准为|给予|发放|提高|提供|为|对|的)", "", phrase)
    return phrase


def _beneficiary(before: str, clause: str, per: re.Match) -> str | None:
    for pattern in _BENEFICIARY:
        found = last_match(pattern, before)
        if found:
            return head_words(found[1].strip(), 40)
    # Else the clause's subject: `小学达到每生每年 1000 元` → 小学.
    subject = clause[:max(0, clause.find(per[1]))] if per[1] in clause else ""
    subject = _SUBJECT_NOISE.sub("", subject).strip()
    return subject or None


def _purpose(text: str, m: Mention, c_start: int, s_start: int, s_end: int) -> str | None:
    use = re.search(r"用于([^，。；,;]{2,40})", text[m.end:s_end])
    if use:
        return use[1]
    after = re.match(r"(?:资金|的)?([^，。；,;\n]{2,40})", text[m.end:s_end])
    if after and re.match(r"[" + CJK + r"]", after[1]):
        return re.sub(r"的资金$|资金$", "", after[1]).strip() or None
    # Nothing after the amount: the words before it say what it was for.
    start = c_start if c_start < m.start - 1 else clause_start(text, max(s_start, c_start - 1), s_start)
    phrase = text[start:m.start].strip("、，, ")
    return phrase or None


def _funder(before: str, clause: str) -> str | None:
    lead = _PLACE_VERB.match(clause.strip())
    if lead and not _NOT_A_FUNDER.match(lead[1]) and (len(lead[1]) <= 4 or _FUNDER.match(lead[1])):
        return lead[1]
    first = re.split(f"[{BOUNDARY}]", before.strip(), maxsplit=1)[0]
    subject = _FUNDER.match(first)
    return subject[1] if subject and not _NOT_A_FUNDER.match(subject[1]) else None
