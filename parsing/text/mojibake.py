"""Find lines damaged by a wrong decoding upstream (mojibake), to flag rather than trust.

Three signs: a lost character (`?` touching Han text, U+FFFD, 锟斤拷); UTF-8 read as GBK
(runs of 鍙鏈缁…); and bytes of another encoding read as GB18030 (Big5, EUC-KR: Han text
salted with kana, bopomofo, Hangul, private-use and rare Extension-A characters, which
Chinese government text does not use). `garbled_share` measures the last on a whole text,
so the decoder can try the encoding the bytes were really written in.
"""
from __future__ import annotations

import re

from parsing.text.lines import Line
from parsing.vocab import CJK

# A half-width "?" touching a CJK character is a lost character in Chinese text (the
# full-width ？ is the real question mark); U+FFFD and 锟斤拷 are decoder replacement marks.
_LOST = re.compile(r"[" + CJK + r"]\?|\?[" + CJK + r"]|\ufffd|锟斤拷|烫烫|屯屯")
_LOST_MARKS = ("?", "\ufffd", "锟斤拷", "烫烫", "屯屯")  # a text with none of these has no _LOST
# UTF-8 bytes read as GBK give runs of these rarely used characters.
_GBK_RUN_CHAR = "[鍙鏈缁浠涓鐨銆锛瀹璁绠璇鎴鍥闂]"
_GBK_OF_UTF8 = re.compile(f"{_GBK_RUN_CHAR}{_GBK_RUN_CHAR}{{2,}}")  # three or more; opens with one (parsing.vocab)
# Characters another encoding's bytes turn into when read as GB18030: kana (but the middle
# dot ・ and the long mark ー), bopomofo, Hangul, private use, CJK Extension A, circled
# numbers, box drawing, half-width katakana.
_FOREIGN = re.compile("[\u3040-\u30fa\u3100-\u312f\u3400-\u4dbf\uac00-\ud7af\ue000-\uf8ff"
                      "\u2460-\u24ff\u2500-\u257f\uff61-\uff9f]")
_WIDE = re.compile("[\u3040-\u30ff\u3100-\u312f\u3400-\u9fff\uac00-\ud7af\ue000-\uf8ff]")


def is_garbled(text: str) -> bool:
    """Han text with foreign characters mixed in: two or more, and 8% of the wide characters
    (or one in a short line, 15%)."""
    if not _FOREIGN.search(text):  # nearly every line: one scan, no list built
        return False
    foreign = len(_FOREIGN.findall(text))
    wide = len(_WIDE.findall(text))
    return (foreign >= 2 and foreign >= 0.08 * wide) or (wide <= 8 and foreign >= 0.15 * wide)


def garbled_share(text: str) -> float:
    """Share of a text's non-blank lines that look garbled."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    return sum(map(is_garbled, lines)) / len(lines) if lines else 0.0


# The most frequent characters of Chinese official text (function words, government and
# budget vocabulary): two thirds of the Han characters of a bulletin, Simplified or (after
# OpenCC) Traditional, and under a sixth of Korean or Japanese bytes read as GB18030.
COMMON = frozenset(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而"
    "方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好"
    "应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向"
    "道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特"
    "件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处府"
    "研信议院改治省市县镇乡村财预算收支增元亿万划执况报告通措施推快服务项目金投安排补助标准每")
_HAN = re.compile("[\u3400-\u9fff]")
_KANA = re.compile("[\u3040-\u30fa]")
_HANGUL = re.compile("[\uac00-\ud7af]")


def han_coherence(text: str) -> tuple[float, int]:
    """(share of the Han characters that are among COMMON, number of Han characters)."""
    han = _HAN.findall(text)
    return (sum(c in COMMON for c in han) / len(han) if han else 1.0), len(han)


def script_shares(text: str) -> tuple[float, float]:
    """(kana, Hangul) as shares of a text's wide characters: Japanese or Korean text."""
    wide = max(1, len(_WIDE.findall(text)))
    return len(_KANA.findall(text)) / wide, len(_HANGUL.findall(text)) / wide


def mojibake_lines(lines: list[Line]) -> list[int]:
    # No sign can span a line break, so a text none of the three finds anywhere has no bad
    # line: three searches of the whole text clear nearly every bulletin at once.
    norm = "\n".join(ln.norm for ln in lines)
    lost = any(mark in norm for mark in _LOST_MARKS) and _LOST.search(norm)  # `in` first: a plain scan
    if not (lost or _GBK_OF_UTF8.search(norm) or _FOREIGN.search("\n".join(ln.raw for ln in lines))):
        return []
    return [ln.no for ln in lines
            if _LOST.search(ln.norm) or _GBK_OF_UTF8.search(ln.norm) or is_garbled(ln.raw)]
