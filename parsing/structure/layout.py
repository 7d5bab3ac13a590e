"""Classify lines by the role they play in a printed bulletin's layout."""
from __future__ import annotations

from parsing.vocab import CJK

import re

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


def is_page_number(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text))


def is_section_marker(text: str) -> bool:
    return len(text) <= 10 and bool(_SECTION.match(text))


def compilation_marker(text: str) -> re.Match | None:
    return _COMPILATION.match(text)


def is_toc_heading(text: str) -> bool:
    return bool(_TOC.match(text))


def doc_type(title: str) -> str | None:
    """The 文种 that ends a title (实施意见 and 指导意见 are 意见)."""
    t = title.rstrip("》”\" ")
    for kind in DOC_TYPES:
        if t.endswith(kind):
            return kind
    return None


def ends_like_title(text: str) -> bool:
    return bool(_TITLE_END.search(text))


def ends_sentence(text: str) -> bool:
    return bool(_ENDS_SENTENCE.search(text))


def is_noise(text: str) -> bool:
    """Page furniture: page numbers and running section headers."""
    return is_page_number(text) or is_section_marker(text)
