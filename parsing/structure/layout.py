"""Classify lines by the role they play in a printed bulletin's layout."""
from __future__ import annotations

from parsing.vocab import CJK

import re
from functools import lru_cache

# Document types (文种) that end a title, longest first so 实施意见 reads as 意见's owner.
DOC_TYPES = (
    "通知", "意见", "决定", "通报", "公告", "通告", "报告", "请示", "批复", "议案", "纪要", "决议",
    "命令", "公报", "规定", "办法", "方案", "规划", "细则", "条例", "计划", "要点", "规则", "制度",
    "函", "令",
)
_TITLE_END = re.compile(rf"(?:{'|'.join(DOC_TYPES)})[》”\"]?$")
_PAGE_NUMBER = re.compile(r"^[-—－\s]*\d{1,4}[-—－\s]*$|^第\s*\d{1,4}\s*页")
_SECTION = re.compile(
    r"^[【\[〔]?(?!关于)[" + CJK + r"]{0,6}(?:文件|政府令|任免|讲话|信息|动态|大事记|规章|公告栏)[】\]〕]?$"
)
# 第一篇：<title> opens a piece of a compilation; a plan's own parts (第二篇 总体要求) have no colon.
_COMPILATION = re.compile(r"^第[一二三四五六七八九十百零〇\d]{1,4}篇\s*[:：]\s*")
_TOC = re.compile(r"^目\s*录$")
_ENDS_SENTENCE = re.compile(r"[。；;：:，,！!？?]$")
# A note in brackets printed after a title: 关于…的报告（书面）, …（草案）, …（摘要）.
TITLE_NOTE = r"[(（][" + CJK + r"]{2,6}[)）]"
_TITLE_NOTE_END = re.compile(TITLE_NOTE + r"$")
# A running header or footer that names the bulletin and its issue (text sources keep them;
# the PDF reader drops them): 深圳市人民政府公报 2026年第10期, 2026年第10期（总第1409期）, 第 3 期.
_ISSUE_TAIL = (r"\s*(?:[(（]\s*总\s*第?\s*\d{1,5}\s*[期号]?\s*[)）])?\s*(?:[-—－·\s]*\d{1,4}[-—－·\s]*)?$")
_RUNNING_HEADER = re.compile(
    r"^(?:[" + CJK + r"]{2,30}(?:公报|公報)\s*(?:(?:19|20)\d\d\s*年)?\s*第\s*\d{1,3}\s*[期号]"
    r"|(?:(?:19|20)\d\d\s*年)?\s*第\s*\d{1,3}\s*期)" + _ISSUE_TAIL
)
# The line a congress packet prints above each of its papers: 石家庄市十四届人大四次会议文件(16).
_PACKET_MARKER = re.compile(r"^[" + CJK + r"0-9]{0,40}次会议(?:文件|材料)\s*(?:[(（]\s*[" + CJK + r"0-9]{1,4}\s*[)）])?$")


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text))


def is_section_marker(text: str) -> bool:
    return len(text) <= 10 and bool(_SECTION.match(text))


def compilation_marker(text: str) -> re.Match | None:
    return _COMPILATION.match(text)


def is_toc_heading(text: str) -> bool:
    return bool(_TOC.match(text))


def strip_title_note(title: str) -> str:
    """A title without the bracketed note after it (…的报告（书面） → …的报告)."""
    return _TITLE_NOTE_END.sub("", title.rstrip())


def doc_type(title: str) -> str | None:
    """The 文种 that ends a title (实施意见 and 指导意见 are 意见; …的报告（书面） is 报告)."""
    t = strip_title_note(title).rstrip("》”\" ")
    for kind in DOC_TYPES:
        if t.endswith(kind):
            return kind
    return None


def ends_like_title(text: str) -> bool:
    return bool(_TITLE_END.search(text))


def ends_sentence(text: str) -> bool:
    return bool(_ENDS_SENTENCE.search(text))


def is_running_header(text: str) -> bool:
    """A bulletin's running header or footer with its issue number (深圳市人民政府公报 2026年第10期)."""
    return len(text) <= 60 and bool(_RUNNING_HEADER.match(text))


def is_packet_marker(text: str) -> bool:
    """The label of a paper in a congress packet (…人大四次会议文件（16）): not part of a title."""
    return len(text) <= 50 and bool(_PACKET_MARKER.match(re.sub(r"\s+", "", text)))


# The caption or label of an appended table (附表1, 表2, 2025年…完成情况表) and a table's rows.
_TABLE_LABEL = re.compile(r"^(?:附表|附件|续表|表)\s*[0-9一二三四五六七八九十]*\s*[:：]?$|(?<!代)表$")


def is_table_line(text: str) -> bool:
    """A table's row (cells joined by tabs or pipes) or its caption: never part of a title."""
    return "\t" in text or text.count("|") >= 2 or bool(_TABLE_LABEL.search(text.strip()))


@lru_cache(maxsize=16384)  # asked of every line by the segmenter, the heads and the prose alike
def is_noise(text: str) -> bool:
    """Page furniture: page numbers, running section headers, running issue headers
    (`is_page_number`, `is_section_marker`, `is_running_header` in one call: it is asked of
    every line, several times)."""
    n = len(text)
    return bool(_PAGE_NUMBER.match(text) or (n <= 10 and _SECTION.match(text))
                or (n <= 60 and _RUNNING_HEADER.match(text)))
