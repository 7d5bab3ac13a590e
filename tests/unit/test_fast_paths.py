"""The cheaper ways of computing the same thing (issue 17) give what the plain ways gave:
width folding by kind of character, the script share and the mojibake check over the whole
text, prose lines filtered once, the text hash's NFKC after folding full-width forms, keywords
ranked on tuples, sentences found by bisecting their ends, and the patterns that scan whole
texts in the forms the engine can skip through."""
from __future__ import annotations

import hashlib
import heapq
import random
import re
import unicodedata

import pytest

from gongbao.extraction.run import text_sha256
from parsing.index.keywords import _idf, top_keywords
from parsing.index.search_terms import is_term, term_counts
from parsing.index.segment import words
from parsing.structure.layout import is_noise
from parsing.structure.prose import document_prose, prose_pieces
from parsing.text.lines import _FULLWIDTH, _simplified_share_by_line, fold_width, is_traditional, split_lines
from parsing.text.mojibake import _GBK_OF_UTF8, _LOST, is_garbled, mojibake_lines
from tests.conftest import RAW

TEXTS = sorted(RAW.glob("*.txt"))
_SPACE = re.compile(r"\s+")


def _texts():
    return [p.read_text(encoding="utf-8") for p in TEXTS]


def test_fold_width_is_the_translation():
    chars = [chr(c) for c in range(0xFF00, 0xFF70)] + ["\u3000", "\u00a0", "\u2002", "\u2003", "\u200b",
                                                       "\ufeff", "\t", "\n", "\r", "中", "A", "1", "，"]
    rng = random.Random(17)
    for _ in range(3000):
        pool = chars[:rng.randint(1, len(chars))]
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 120)))
        assert fold_width(text) == text.translate(_FULLWIDTH)
    for text in _texts():
        assert fold_width(text) == text.translate(_FULLWIDTH)


def _split_lines_by_line(text):
    """split_lines as it was: each line folded on its own."""
    from parsing.text.lines import _MD_HEADING, Line, to_simplified
    raws = text.split("\n")
    folded = [r.rstrip("\r").translate(_FULLWIDTH) for r in raws]
    simplified = to_simplified("\n".join(folded)).split("\n")
    out = []
    for i, (raw, norm) in enumerate(zip(raws, simplified), start=1):
        m = _MD_HEADING.match(norm)
        if m:
            norm = " " * m.end() + norm[m.end():]
        out.append(Line(i, raw.rstrip("\r"), norm))
    return out


@pytest.mark.parametrize("text", _texts() + ["a\r\nｂ\r\n# 標題\r\n", "## 國務院\n\u3000內容，１２３\n"])
def test_lines_and_script_share_as_line_by_line(text):
    lines = split_lines(text)
    assert lines == _split_lines_by_line(text)
    for share in (0.0, 0.001, 0.05, 0.5):
        assert is_traditional(lines, share) == (_simplified_share_by_line(lines) > share)


def test_script_decided_as_by_the_whole_share():
    """Samples with a growing part of their lines in Traditional characters, around the
    threshold and past the first pieces counted: the decision is the whole share's."""
    from opencc import OpenCC

    s2t = OpenCC("s2t").convert
    rng = random.Random(9704)
    for text in _texts():
        rows = text.split("\n")
        for part in (0.0, 0.01, 0.03, 0.05, 0.08, 0.3, 1.0):
            mixed = "\n".join(s2t(r) if rng.random() < part else r for r in rows)
            lines = split_lines(mixed)
            share = _simplified_share_by_line(lines)
            for threshold in (0.0, 0.01, 0.05, share, 0.2):
                assert is_traditional(lines, threshold) == (share > threshold), (part, threshold)
    late = "中文内容，" * 3000 + "\n" + s2t("国务院关于进一步做好就业工作的通知") * 40  # the changed ones at the end
    lines = split_lines(late)
    assert _simplified_share_by_line(lines) > 0.01 and is_traditional(lines, 0.01)
    assert not is_traditional(lines, 0.05)
    outside = split_lines("㑯㑳\n")  # OpenCC changes them, but they are outside the block counted
    assert _simplified_share_by_line(outside) == 0.0 and not is_traditional(outside, 0.0)


def test_mojibake_whole_text_check_as_line_by_line():
    for text in _texts() + ["正常的一行\n锟斤拷乱码\n中?文", "ㄏㄏ中文ㄖ\n好"]:
        lines = split_lines(text)
        plain = [ln.no for ln in lines
                 if _LOST.search(ln.norm) or _GBK_OF_UTF8.search(ln.norm) or is_garbled(ln.raw)]
        assert mojibake_lines(lines) == plain


def test_prose_from_pieces_is_the_prose():
    for text in _texts():
        lines = split_lines(text)
        pieces = prose_pieces(lines)
        for first, last, skip in ((1, len(lines), set()), (3, len(lines) // 2, {5, 6, 7})):
            for wrapped in (False, True):
                assert document_prose(lines, first, last, wrapped, skip, pieces) == \
                    document_prose(lines, first, last, wrapped, skip)
        assert [p is None for p in pieces] == [ln.blank or is_noise(ln.text) or
                                               bool(re.match(r"^[\s—－-]*$", ln.text)) for ln in lines]


def test_nfkc_is_unicodedatas():
    """The folds before NFKC change nothing NFKC would not: full-width forms next to combining
    marks (`Ａ\u0301` is `Á`), compatibility characters that stay for NFKC to do (①, ℃, …),
    the zero-width space and BOM that NFKC keeps, and random mixes of them."""
    from parsing.text.lines import nfkc
    chars = [chr(c) for c in range(0xFF01, 0xFF5F)] + ["\u3000", "\u00a0", "\u2002", "\u2003", "\u200b",
                                                       "\ufeff", "\u0301", "\u0308", "\u3099", "\u1161", "\u11a8",
                                                       "①", "℃", "…", "ｶ", "가", "e", "中", "，", "\n", " "]
    rng = random.Random(15)
    for _ in range(5000):
        text = "".join(rng.choice(chars) for _ in range(rng.randint(0, 40)))
        assert nfkc(text) == unicodedata.normalize("NFKC", text), ascii(text)
    for text in _texts() + ["Ａ\u0301\n\u0301Ｂ\n①\u200b\ufeff\n"]:
        assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_text_hash_as_line_by_line():
    # every kind of white space NFKC keeps or makes (\x1c-\x1f, NEL, the line and paragraph
    # separators, NBSP and the ideographic space made plain spaces) and one it is not (ZWSP)
    for text in _texts() + ["e\u0301\n\u0301x\nＡ　Ｂ\n", "a\x1cb\x1fc\x85d\u2028e\u2029f\xa0g\u200bh\u205fi\t\r\n"]:
        rows = [{"text": t} for t in text.split("\n")]
        digest = hashlib.sha256()
        for row in rows:
            digest.update(_SPACE.sub("", unicodedata.normalize("NFKC", row["text"])).encode("utf-8"))
        assert text_sha256(rows) == digest.hexdigest()


def test_terms_and_keywords_as_before():
    from collections import Counter
    idf, median = _idf()
    for text in _texts():
        norm = "\n".join(ln.norm for ln in split_lines(text))
        plain: Counter[str] = Counter()
        for word, n in Counter(words(norm)).items():
            if is_term(word):
                plain[word.lower()] += n
        terms = term_counts(norm)
        assert list(terms.items()) == list(dict(plain).items())
        total = sum(terms.values())
        scored = ((w, n / total * idf.get(w, median)) for w, n in terms.items() if len(w) >= 2)
        ranked = [(w, round(s, 6)) for w, s in heapq.nsmallest(10, scored, key=lambda x: (-x[1], x[0]))]
        assert top_keywords(terms) == ranked


def test_the_idf_trie_holds_jiebas_table_exactly():
    """Every word of jieba's idf.txt has its value in the trie, to the last bit; other words
    (and the reserved key's neighbours) get the default; the median is the table's."""
    import statistics

    from parsing.index.keywords import IDF_FILE

    table = {w: float(v) for w, v in (ln.split(" ", 1) for ln in IDF_FILE.read_text(encoding="utf-8").splitlines())}
    idf, median = _idf()
    assert all(idf.get(w, -1.0) == v for w, v in table.items())
    assert median == statistics.median(table.values())
    assert idf.get("没有这个词语的词典", -1.0) == -1.0 and idf.get("", -1.0) == -1.0


def test_a_corrupt_idf_cache_is_built_again(tmp_path, monkeypatch):
    import parsing.index.keywords as kw

    monkeypatch.setattr(kw, "CACHE_DIR", tmp_path)
    kw._idf.cache_clear()
    try:
        first, median = kw._idf()
        [cache] = tmp_path.glob("idf-*.marisa")
        broken = tmp_path / "broken"
        broken.write_bytes(cache.read_bytes()[:1000])  # a cache cut short (a full disk, a copy)
        broken.replace(cache)  # a new file: the first table's mapping stays on the old one
        kw._idf.cache_clear()
        again, median_again = kw._idf()
        assert median_again == median and again.get("中国", -1.0) == first.get("中国", -1.0) > 0
        assert cache.stat().st_size > 1_000_000
    finally:
        kw._idf.cache_clear()


def _sentence_span_walked(text, pos):
    """sentence_span as it was: a walk character by character each way."""
    from parsing.numbers.sentences import _SENTENCE_END
    a = pos
    while a > 0 and text[a - 1] not in _SENTENCE_END:
        a -= 1
    b = pos
    while b < len(text) and text[b] not in _SENTENCE_END:
        b += 1
    return a, b


def test_sentence_span_bisects_what_the_walk_found():
    """Every offset of every sample's prose (and texts that start or end on a sentence end,
    or have none), asked in turns of two texts, so the one text remembered is replaced."""
    from parsing.numbers.sentences import sentence_span
    lines = [split_lines(t) for t in _texts()]
    proses = [document_prose(ls, 1, len(ls), False, set()).text for ls in lines]
    odd = ["", "。", "无句号的一段话", "。开头", "结尾；", "两个。。句号\n换行"]
    for text in proses + odd:
        for pos in range(len(text) + 1):
            assert sentence_span(text, pos) == _sentence_span_walked(text, pos)
    first, second = proses[0], proses[1]
    for pos in range(0, min(len(first), len(second)), 97):  # alternating texts
        assert sentence_span(first, pos) == _sentence_span_walked(first, pos)
        assert sentence_span(second, pos) == _sentence_span_walked(second, pos)


# Patterns that scan whole texts open with a character class or a literal (parsing.vocab):
# each such form against the plain one it replaced, on every line of raw/'s text files and on
# strings drawn from the characters the pattern reads.
_ARABIC_PLAIN = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CHINESE_PLAIN = (r"(?=[零一二两三四五六七八九十百千〇]*[零一二两三四五六七八九〇])[零一二两三四五六七八九十百千〇]+"
                  r"(?:点[零一二三四五六七八九]+)?")


def _raw_lines() -> list[str]:
    return [line for text in _texts() for line in text.split("\n")]


def _drawn(pieces, longest: int, n: int = 20000) -> list[str]:
    """n strings of 1 to `longest` pieces (characters of a string, or words of a list), drawn
    with one seed, so every run tests the same strings."""
    rng = random.Random(9704)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, longest))) for _ in range(n)]


def _plain_forms():
    from parsing.numbers import quantities
    from parsing.text import lines, mojibake
    from parsing.vocab import CJK

    return [
        ("MENTION", quantities.MENTION, quantities.MENTION.pattern.replace(quantities._ARABIC, _ARABIC_PLAIN),
         "0123456789,.—~至 万亿元个人%以上下左右余多米吨户的"),
        ("CHINESE_MONEY", quantities.CHINESE_MONEY,
         quantities.CHINESE_MONEY.pattern.replace(quantities._CHINESE, _CHINESE_PLAIN),
         "零一二两三四五六七八九十百千〇点万亿元以上下的是"),
        ("_BARE", quantities._BARE,
         quantities._BARE.pattern.replace(f"比(?<=[{CJK}]比)", f"(?<=[{CJK}])比"),
         "系数指比值为达到:：1.0123 （）性别生机a"),
        ("_GBK_OF_UTF8", mojibake._GBK_OF_UTF8, f"{mojibake._GBK_RUN_CHAR}{{3,}}", "鍙鏈缁浠涓鐨银中文 "),
        ("_CJK_RUN", lines._CJK_RUN, f"[{CJK}]+", "中文國語 a1，"),
    ]


@pytest.mark.parametrize("name,fast,plain,alphabet", _plain_forms(), ids=[f[0] for f in _plain_forms()])
def test_scanning_patterns_find_what_their_plain_forms_find(name, fast, plain, alphabet):
    plain = re.compile(plain)
    assert plain.pattern != fast.pattern

    def found(p, s):
        return [m.span() + m.groups() for m in p.finditer(s)]

    hits = 0
    for s in _raw_lines() + _drawn(alphabet, 16):
        matches = found(fast, s)
        assert matches == found(plain, s), s
        hits += len(matches)
    assert hits > 300  # the strings hold matches, not only misses


def test_remarks_and_word_gaps_blanked_as_by_the_lookbehind():
    from parsing.numbers.text_indicators import _REMARK, _no_remarks
    from parsing.vocab import CJK

    gap_pattern = re.compile(rf"(?<=[{CJK}）)”%])[ \u3000]+(?=[{CJK}（(“■])")  # the plain form

    def plain(text):
        work = _REMARK.sub(lambda m: " " * len(m[0]), text)

        def gap(m):
            before = work[max(0, m.start() - 8):m.start()]
            lead = re.search(r"(?:[，,；;：:。]|(?<![一二三四五六七八九十])、)([^，,、；;：:。\s]{1,5})$", before)
            return m[0] if lead else "|" * len(m[0])
        return gap_pattern.sub(gap, work)

    changed = 0
    for text in _texts() + _drawn("第三产业投资 \u3000，、。（）“”%■一二ab1", 30):
        blanked = _no_remarks(text)
        assert blanked == plain(text)
        changed += "|" in blanked
    assert changed > 100


def test_years_and_plans_of_a_paragraph_as_without_the_word_checks():
    from parsing.numbers.periods import (_PLAN_NAME, PLAN, SCOPE_YEAR, last_scope_year, plan_mentions, plan_period,
                                         plan_years)
    from parsing.vocab import last_match

    def mentions_plain(text):
        out = []
        for m in _PLAN_NAME.finditer(text):
            if m[0].endswith("五") and not (m[0].startswith("“") or "十" in m[1]):
                continue
            start, end = plan_years(m[1])
            if f"{start}-{end}" not in out:
                out.append(f"{start}-{end}")
        return out

    def plan_plain(text):
        m = last_match(PLAN, text)
        if m is None:
            return None
        start, end = plan_years(m[1])
        return str(end) if m[2] in ("期末", "末") else f"{start}-{end}"

    seen = 0
    for text in _raw_lines() + _drawn("“”十二三四五规划期末间到至在截力争底前年2019 0的基础上", 24):
        plain = last_match(SCOPE_YEAR, text)
        fast = last_scope_year(text)
        assert (fast and fast.span()) == (plain and plain.span()), text
        assert plan_period(text) == plan_plain(text), text
        assert plan_mentions(text) == mentions_plain(text), text
        seen += plain is not None
    assert seen > 20


def test_genre_titles_as_by_the_patterns_alone():
    from parsing.structure.heads import _ENUMERATED, _MAX_TITLE, _NEWS_VERB, COMMUNIQUE, REPORT, RESOLUTION, _genre_of

    def plain(title):
        if len(title) > _MAX_TITLE or _ENUMERATED.match(title):
            return None
        if RESOLUTION.match(title):
            return "resolution"
        if REPORT.match(title):
            return "report"
        if COMMUNIQUE.match(title) and not _NEWS_VERB.search(title):
            return "communique"
        return None

    pieces = ["关于", "2023年", "河北省", "国民经济和社会发展", "计划执行情况", "预算", "的", "报告", "工作报告", "决议",
              "决定", "统计", "公报", "（书面）", "一、", "发布", "人民代表大会", "草案"]
    titles = [line.strip() for line in _raw_lines()] + _drawn(pieces, 7)
    assert sum(plain(t) is not None for t in titles) >= 100
    for title in titles:
        assert _genre_of(title) == plain(title), title
