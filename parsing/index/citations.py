"""What a document cites: other documents by 发文字号 or by 《title》, with the raw line.

Its own number and title, and the titles it issues (《…》 in its title), are not citations.
A number's 机关代字 is read greedily up to twelve Han characters, so words before it in a
sentence (按照国发〔2013〕18号) are cut off by a list of leading verbs; what is left is
resolved to a document in SQL by suffix (view citation_graph).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from parsing.structure.doc_numbers import find_doc_numbers
from parsing.structure.prose import Prose

_TITLE = re.compile(r"《([^《》\n]{2,80})》")
_LEADING = re.compile(r"^(?:.*?(?:根据|按照|依据|依照|参照|执行|落实好|落实|贯彻|对照|结合|见|即|和|及|与|、|的|等))+")


@dataclass(frozen=True)
class Citation:
    doc_number: str | None
    title: str | None
    line: int


def _number_prefix(prefix: str) -> str:
    cut = _LEADING.sub("", prefix)
    return cut or prefix


def citations(prose: Prose, own_number: str | None, own_titles: set[str]) -> list[Citation]:
    """Citations in order of appearance, each number or title once per document."""
    found: list[tuple[int, Citation]] = []
    seen: set[str] = set()
    for dn in find_doc_numbers(prose.text):
        number = replace(dn, prefix=_number_prefix(dn.prefix)).canonical
        if number in seen or (own_number and (number == own_number or own_number.endswith(number)
                                              or number.endswith(own_number))):
            continue
        seen.add(number)
        found.append((dn.start, Citation(number, None, prose.line_at(dn.start))))
    for m in _TITLE.finditer(prose.text):
        title = re.sub(r"\s+", "", m[1])
        if title in seen or title in own_titles:
            continue
        seen.add(title)
        found.append((m.start(), Citation(None, title, prose.line_at(m.start()))))
    return [c for _, c in sorted(found, key=lambda x: x[0])]
