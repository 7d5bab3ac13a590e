"""Top keywords of a document: TF-IDF over its terms, with jieba's IDF table.

The IDF comes with jieba (jieba/analyse/idf.txt, from a large general corpus), so a
document's keywords do not depend on which other bulletins are in the warehouse; words it
does not know (often domain terms from the project dictionary) get its median IDF, as
jieba.analyse does.
"""
from __future__ import annotations

import heapq
import statistics
from functools import lru_cache
from pathlib import Path

import jieba

IDF_FILE = Path(jieba.__file__).with_name("analyse") / "idf.txt"
TOP = 10


@lru_cache(maxsize=1)
def _idf() -> tuple[dict[str, float], float]:
    pairs = (line.split(" ", 1) for line in IDF_FILE.read_text(encoding="utf-8").splitlines())
    table = {word: float(value) for word, value in pairs}
    return table, statistics.median(table.values())


def top_keywords(terms: dict[str, int], top: int = TOP) -> list[tuple[str, float]]:
    """(keyword, weight) best first, from a document's term counts; single characters are left out."""
    total = sum(terms.values())
    if not total:
        return []
    idf, median = _idf()
    scored = ((w, n / total * idf.get(w, median)) for w, n in terms.items() if len(w) >= 2)
    return [(w, round(s, 6)) for w, s in heapq.nsmallest(top, scored, key=lambda x: (-x[1], x[0]))]
