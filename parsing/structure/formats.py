"""Which family of source layout a bulletin text comes from (recorded, and used in reports)."""
from __future__ import annotations

import re
from statistics import median

from parsing.structure.layout import compilation_marker
from parsing.text.lines import Line

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s")


def detect_format(lines: list[Line]) -> str:
    content = [ln for ln in lines if ln.text]
    if not content:
        return "empty"
    if sum(1 for ln in content if _MD_HEADING.match(ln.raw)) >= 3:
        return "markdown"
    if sum(1 for ln in content if compilation_marker(ln.text)) >= 2:
        return "compilation"
    if len(content) > 200 and median(len(ln.text) for ln in content) <= 26:
        return "pdf_text"
    if sum(1 for ln in content if ln.raw.count("|") >= 2) >= 3:
        return "web_page"
    return "plain_text"
