"""The keys of the real published documents (tests/gold/wild) and how much of them a reader's text holds.

The check of the issue on published forms: a key's quotes must be found in the text the
parser reads (NFKC-folded, whitespace dropped), and a PDF quote on the page the key gives.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WILD_GOLD = Path(__file__).resolve().parent / "gold" / "wild"
WILD_KEYS = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(WILD_GOLD.glob("*.json"))}


def wild_file(stem: str) -> Path:
    """The original file of a key, as its publisher released it (copied into raw/)."""
    return ROOT / "raw" / WILD_KEYS[stem]["source"]


def fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def quotes(key: dict) -> list[tuple[str, int | None]]:
    """Every (quote, page) of a key: items' quotes and documents' first quotes."""
    out = [(d["first_quote"], d.get("page")) for d in key.get("documents", []) if d.get("first_quote")]
    for table in ("indicators", "budgets", "subsidies"):
        out += [(x["quote"], x.get("page")) for x in key.get(table, []) if x.get("quote")]
    return out


@dataclass
class Coverage:
    total: int
    found: int
    paged: int  # quotes with a page
    on_page: int  # of those, found on their page

    @property
    def share(self) -> float:
        return self.found / self.total if self.total else 1.0

    @property
    def page_share(self) -> float:
        return self.on_page / self.paged if self.paged else 1.0


def coverage(lines, key: dict) -> Coverage:
    """How many of the key's quotes a list of SourceLine holds (and on the right page)."""
    whole = fold("".join(line.text for line in lines))
    pages: dict[int, list[str]] = {}
    for line in lines:
        if line.page is not None:
            pages.setdefault(line.page, []).append(line.text)
    page_text = {p: fold("".join(t)) for p, t in pages.items()}
    qs = quotes(key)
    found = sum(1 for q, _ in qs if fold(q) in whole)
    paged = [(q, p) for q, p in qs if p is not None]
    on_page = sum(1 for q, p in paged if fold(q) in page_text.get(p, ""))
    return Coverage(len(qs), found, len(paged), on_page)


def missing(lines, key: dict) -> list[tuple[str, int | None]]:
    whole = fold("".join(line.text for line in lines))
    return [(q, p) for q, p in quotes(key) if fold(q) not in whole]
