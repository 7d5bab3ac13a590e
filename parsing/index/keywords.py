"""Top keywords of a document: TF-IDF over its terms, with jieba's IDF table.

The IDF comes with jieba (jieba/analyse/idf.txt, from a large general corpus), so a
document's keywords do not depend on which other bulletins are in the warehouse; words it
does not know (often domain terms from the project dictionary) get its median IDF, as
jieba.analyse does. Only the file is read: jieba is not imported (its folder is found by
`importlib`), the terms come from `search_terms.term_counts`.
"""
from __future__ import annotations

import heapq
import importlib.util
import os
import statistics
from functools import lru_cache
from pathlib import Path

IDF_FILE = Path(importlib.util.find_spec("jieba").origin).with_name("analyse") / "idf.txt"
CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gongbao"
TOP = 10


class IdfTable:
    """jieba's IDF table in a marisa-trie (MIT; the marisa library BSD-2/LGPL), memory-mapped from
    a cache file: 1.3 MB shared by every process that maps it, where the same table as a Python
    dict took 46 MB in each parsing worker. The values are the file's, as doubles (exact)."""

    def __init__(self, trie) -> None:
        self._get = trie.get

    def get(self, word: str, default: float) -> float:
        found = self._get(word)
        return found[0][0] if found else default


_MEDIAN_KEY = "\uffffmedian"  # the table's median IDF, kept in the trie (U+FFFF is no character; a NUL key breaks a saved trie)


@lru_cache(maxsize=1)
def _idf() -> tuple[IdfTable, float]:
    """jieba's IDF table and its median, from a trie built once into the user's cache folder
    (parsing the 270,000-line text took 0.4 s, a tenth of `gongbao ingest` of one bulletin;
    building the trie 1.3 s)."""
    import marisa_trie

    stat = IDF_FILE.stat()
    cache = CACHE_DIR / f"idf-{stat.st_size}-{stat.st_mtime_ns}.marisa"
    trie = marisa_trie.RecordTrie("<d")
    try:
        trie.mmap(str(cache))
        return IdfTable(trie), trie[_MEDIAN_KEY][0][0]
    except Exception:  # noqa: BLE001 - missing, or left half-written or corrupt: built again
        pass
    pairs = [line.split(" ", 1) for line in IDF_FILE.read_text(encoding="utf-8").splitlines()]
    values = [float(value) for _, value in pairs]
    records = [(word, (value,)) for (word, _), value in zip(pairs, values)]
    trie = marisa_trie.RecordTrie("<d", records + [(_MEDIAN_KEY, (statistics.median(values),))])
    try:
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        trie.save(str(tmp))
        os.replace(tmp, cache)
        trie = marisa_trie.RecordTrie("<d")
        trie.mmap(str(cache))
    except OSError:
        pass  # a read-only cache folder only costs the time: the trie stays in memory
    return IdfTable(trie), trie[_MEDIAN_KEY][0][0]


def top_keywords(terms: dict[str, int], top: int = TOP) -> list[tuple[str, float]]:
    """(keyword, weight) best first, from a document's term counts; single characters are left out."""
    total = sum(terms.values())
    if not total:
        return []
    idf = _known_idf(terms)
    # (-weight, word) pairs order best first, ties by word, as plain tuples: no key function
    # called per term (that call was most of the ranking)
    scored = [(-(n / total * idf[w]), w) for w, n in terms.items() if len(w) >= 2]
    return [(w, round(-s, 6)) for s, w in heapq.nsmallest(top, scored)]


# term → its IDF, for the terms this process has ranked: a small table that the terms
# (the same string objects each time: search_terms keeps them) are found in at once, where a
# look-up in jieba's 350,000-word table missed the CPU's caches (~5× slower)
_IDF_OF: dict[str, float] = {}
_IDF_CACHE_MAX = 100_000  # ~10 MB at most: a worker's memory bounded by it, not by the corpus's vocabulary


def _known_idf(terms: dict[str, int]) -> dict[str, float]:
    known = _IDF_OF
    new = [w for w in terms if w not in known]
    if new:
        if len(known) + len(new) > _IDF_CACHE_MAX:
            known.clear()
            new = list(terms)
        idf, median = _idf()
        get = idf.get
        for w in new:
            known[w] = get(w, median)
    return known
