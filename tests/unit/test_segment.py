"""The one segmenter (rjieba with jieba's dictionary and the project dictionary) cuts and tags
exactly as jieba 0.42.1 does: on real lines of the samples and the published files, on the
phrases the extractors hand it, and for search queries and bodies alike."""
import logging
from functools import lru_cache

import pytest

from parsing.index import search_terms, segment
from parsing.index.search_terms import is_term, query_terms, term_counts
from parsing.reading import read_file
from parsing.text.lines import fold_width, to_simplified
from tests.conftest import RAW


@pytest.fixture(scope="module")
def jieba_tok():
    """jieba itself, loaded as the project loaded it before the switch."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.load_userdict(str(segment.DICTIONARY))
    return tok, jieba.posseg.POSTokenizer(tok)


def jieba_words(tok, text):
    return tok[0].lcut(text, HMM=False)


def jieba_posseg(tok, text):
    return [(p.word, p.flag) for p in tok[1].cut(text, HMM=False)]


def norm(text: str) -> str:
    return to_simplified(fold_width(text))


@lru_cache(maxsize=None)
def _lines(key: str) -> tuple[str, ...]:
    path = next(p for p in sorted(RAW.iterdir()) if p.name.startswith(key))
    return tuple(line.text for line in read_file(path.read_bytes(), path.name).lines)


def raw_line(key: str, needle: str) -> str:
    """The first line of a file in raw/ holding `needle` (as printed or normalized)."""
    for text in _lines(key):
        if needle in text or needle in norm(text):
            return text
    raise AssertionError(f"no line of {key} holds {needle!r}")


# (file in raw/, a piece of the line): lines where jieba_fast_dat, the body segmenter before,
# cut otherwise than jieba (国/发 vs 国发, 企业/职工 vs 企业职工, 年/金, 外/包, 可/支配, 生/均 ...),
# Traditional lines, table rows, domain words, Latin letters and digits.
LINES = [
    ("000", "国发〔2012〕17号"),
    ("000", "2015 年企业职工基本养老保险参保人数"),
    ("000", "大力发展补充保险"),  # 年/金
    ("000", "服务外包、信息安全"),  # 外/包
    ("000", "逐步实现新农保和城镇居民养老保险制度全覆盖"),  # 老年人/力/资源
    ("000", "江油中坝职中"),
    ("000", "毛入园率"),  # a domain word
    ("000", "失业保险金"),  # a domain word
    ("000", "低保"),  # a domain word jieba's dictionary tags v
    ("001", "国发〔2015〕50"),
    ("001", "我省外来企业"),  # 我/省外/来
    ("001", "银行间"),
    ("001", "立德树人"),
    ("002", "國發"),  # Traditional as printed
    ("002", "鄉鎮人才"),
    ("002", "R&D"),
    ("003", "60%以上"),  # 可/支配
    ("003", "一主七副两驱"),
    ("003", "家家幸"),  # 最/美军/嫂
    ("003", "巩固率"),
    ("003", "建档立卡"),
    ("004", "国发〔2013〕30号"),
    ("004", "2006-2020年国家信息化发展战略"),
    ("004", "3G/LTE"),
    ("hebei_shijiazhuang", "企业职工基本养老保险基金收入\t"),  # a PDF table row
    ("hebei_shijiazhuang", "企业职工基本养老保险基金利息收入"),
    ("hebei_chengde", "生均"),  # a Word document
    ("shanxi_lvliang", "超收"),  # a web page
    ("shanxi_lvliang", "低保"),
    ("statecouncil_2018", "国发〔2018〕39号"),
    ("statecouncil_2018", "困难企业可组织开展职工在岗培训"),
    ("statecouncil_2021", "人民军队在维护国家安全"),  # 展示/出
    ("statecouncil_2021", "可支配收入"),
    ("xinjiang_aksu", "货物进出口总额"),
    ("xinjiang_aksu", "PM2.5"),
    ("xinjiang_aksu", "GDP"),
    ("jiangxi_xinyu", "绿色建筑"),
]
IDS = [f"{key}-{needle.strip()}" for key, needle in LINES]


@pytest.mark.parametrize("key,needle", LINES, ids=IDS)
def test_words_are_jiebas(jieba_tok, key, needle):
    text = raw_line(key, needle)
    for variant in (text, norm(text)):
        assert segment.words(variant) == jieba_words(jieba_tok, variant)


@pytest.mark.parametrize("key,needle", LINES, ids=IDS)
def test_tags_are_jiebas(jieba_tok, key, needle):
    text = raw_line(key, needle)
    for variant in (text, norm(text)):
        assert segment.posseg(variant) == jieba_posseg(jieba_tok, variant)


@pytest.mark.parametrize("key", ["000", "003", "statecouncil_2018", "xinjiang_aksu"])
def test_a_whole_body_is_cut_like_its_lines(jieba_tok, key):
    body = "\n".join(norm(t) for t in _lines(key))
    assert segment.words(body) == jieba_words(jieba_tok, body)


@pytest.mark.parametrize("text,cut", [
    ("国发〔2018〕39号", ["国", "发", "〔", "2018", "〕", "39", "号"]),  # jieba_fast_dat: 国发
    ("企业职工基本养老保险", ["企业", "职工", "基本养老保险"]),  # jieba_fast_dat: 企业职工
    ("学前教育两年毛入园率", ["学前教育", "两年", "毛入园率"]),  # the project dictionary
    ("领取失业保险金", ["领取", "失业保险金"]),
])
def test_known_cuts(text, cut):
    assert segment.words(text) == cut


# Phrases the extractors tag (parsing/numbers/text_indicators.py reads v, p, d): what jieba.posseg
# gives them, pinned. rjieba's own `tag` says m for digits, keeps jieba's dictionary tag of a word
# the project dictionary re-tags (低保: v) and guesses tags for unknown (Traditional) characters.
@pytest.mark.parametrize("phrase,tags", [
    ("在全国选择有代表性", [("在", "p"), ("全国", "n"), ("选择", "v"), ("有", "v"), ("代表性", "n")]),
    ("其余区县由市、区县财政各承担",
     [("其余", "r"), ("区县", "n"), ("由", "p"), ("市", "n"), ("、", "x"), ("区县", "n"), ("财政", "n"),
      ("各", "r"), ("承担", "v")]),
    ("每所城镇中心学校至少建设",
     [("每", "zg"), ("所", "c"), ("城镇", "ns"), ("中心", "n"), ("学校", "n"), ("至少", "d"), ("建设", "vn")]),
    ("不少于15名核定", [("不少", "d"), ("于", "p"), ("15", "eng"), ("名", "q"), ("核定", "n")]),
    ("壮大销售收入超100亿元的龙头企业",
     [("壮大", "a"), ("销售收入", "n"), ("超", "v"), ("100", "eng"), ("亿元", "m"), ("的", "uj"), ("龙头企业", "n")]),
    ("3G/LTE用户普及率", [("3G", "eng"), ("/", "x"), ("LTE", "eng"), ("用户", "n"), ("普及率", "n")]),
    ("超收", [("超收", "v")]),
    ("低保", [("低保", "n")]),
    ("建档立卡贫困人口", [("建档立卡", "n"), ("贫困人口", "n")]),
    ("巩固率", [("巩固率", "n")]),
    ("勞動就業", [("勞", "x"), ("動", "x"), ("就", "d"), ("業", "x")]),
])
def test_tags_the_extractors_read(jieba_tok, phrase, tags):
    assert segment.posseg(phrase) == tags
    assert jieba_posseg(jieba_tok, phrase) == tags


@pytest.mark.parametrize("key", ["000", "statecouncil_2021", "hebei_chengde"])
def test_every_phrase_the_extractors_cut_is_cut_like_jieba(jieba_tok, monkeypatch, key):
    """Parse a bulletin, keep every phrase handed to words/posseg/tail_words/head_words, and cut
    and tag each with jieba."""
    import parsing.numbers.money as money
    import parsing.numbers.text_indicators as text_indicators
    from parsing.bulletin import parse_bulletin

    seen: dict[str, set[str]] = {"words": set(), "posseg": set()}

    def recording(name, kind):
        fn = getattr(segment, name)

        def wrapper(phrase, *rest):
            seen[kind].add(phrase)
            return fn(phrase, *rest)
        return wrapper

    for module in (text_indicators, money):
        for name, kind in (("words", "words"), ("posseg", "posseg"), ("tail_words", "words"), ("head_words", "words")):
            if hasattr(module, name):
                monkeypatch.setattr(module, name, recording(name, kind))
    path = next(p for p in sorted(RAW.iterdir()) if p.name.startswith(key))
    parse_bulletin(path.read_bytes(), path.name)
    assert seen["words"] and seen["posseg"]
    assert [p for p in sorted(seen["words"]) if segment.words(p) != jieba_words(jieba_tok, p)] == []
    assert [p for p in sorted(seen["posseg"]) if segment.posseg(p) != jieba_posseg(jieba_tok, p)] == []


@pytest.mark.parametrize("key,needle", [
    ("000", "国发〔2012〕17号"),
    ("000", "2015 年企业职工基本养老保险参保人数"),
    ("002", "國發"),
    ("hebei_shijiazhuang", "企业职工基本养老保险基金收入\t"),
    ("statecouncil_2018", "困难企业可组织开展职工在岗培训"),
    ("xinjiang_aksu", "货物进出口总额"),
])
def test_query_and_body_are_cut_alike(jieba_tok, key, needle):
    text = raw_line(key, needle)
    body = term_counts(norm(text))
    assert query_terms(text) == list(body)
    assert set(body) == {w.lower() for w in jieba_words(jieba_tok, norm(text)) if is_term(w)}


def test_bodies_and_phrases_share_the_segmenter():
    assert search_terms.words is segment.words


@pytest.mark.parametrize("text", ["了在", "是他", "了人", "了到"])
def test_frequencies_and_total_are_jiebas(jieba_tok, text):
    """`suggest_freq` of a text cut in two words is int(f(a)·f(b)/total) + 1 in both libraries: these
    agree only if the frequencies and the total do (without the word that pads it, rjieba's total
    would be 3,004 short of jieba's and each of these one higher)."""
    assert segment.segmenter().suggest_freq(text) == jieba_tok[0].suggest_freq(text)


@pytest.mark.parametrize("key", ["000", "003", "statecouncil_2021", "shanxi_lvliang"])
def test_several_words_only_where_the_cut_gives_several(key):
    """`several_words` answers without cutting: wherever it says several, the cut gives several;
    on every window of 2-12 characters of every Han run of a file's lines (dictionary words,
    single characters and runs the dictionary does not hold alike), and on what it leaves to the
    cut (digits, Latin letters, punctuation, a character outside jieba's block)."""
    import re

    says = cut = 0
    for text in _lines(key):
        for run in re.findall("[\u4e00-\u9fff]+", norm(text)):
            for i in range(len(run)):
                for n in range(2, min(12, len(run) - i) + 1):
                    phrase = run[i:i + n]
                    several = len(segment.words(phrase)) > 1
                    if segment.several_words(phrase):
                        says += 1
                        assert several, phrase
                    cut += several
    assert says > 0.9 * cut  # and it says so for nearly all of them
    for phrase in ["低保", "失业保险金", "毛入园率", "超收", "GDP增长", "2015年", "增长、下降", "中", "鿖鿗"]:
        assert not segment.several_words(phrase), phrase
