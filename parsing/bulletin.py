"""Entry point of the parsing core: one raw file in, the rows of every table out."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from . import PARSER_VERSION
from .citations import citations
from .decoding import decode_bytes
from .documents import match_toc_entry, segment
from .errors import BulletinError
from .formats import detect_format
from .indicators import table_indicators
from .ids import bulletin_id as make_bulletin_id
from .ids import document_id
from .keywords import top_keywords
from .lines import simplified_share, split_lines, squash, to_simplified
from .masthead import read_masthead, year_from_documents
from .mojibake import mojibake_lines
from .money import money_rows
from .prose import document_prose
from .quantities import find_mentions
from .search_terms import term_counts
from .tables import find_tables
from .text_indicators import DocContext, text_indicators

MAX_BYTES = 64 * 1024 * 1024  # larger files are refused: see docs/ingestion.md
TRADITIONAL_SHARE = 0.05  # share of CJK characters OpenCC changes above which a text is Traditional

Row = dict[str, Any]


@dataclass
class ParsedBulletin:
    bulletin_id: str
    tables: dict[str, list[Row]] = field(default_factory=dict)


def parse_bulletin(data: bytes, source_file: str, run_id: str = "") -> ParsedBulletin:
    """Parse one bulletin file's bytes. Raises BulletinError for input that is not a bulletin."""
    if len(data) > MAX_BYTES:
        raise BulletinError("too_large", f"{source_file}: {len(data)} bytes is over the {MAX_BYTES}-byte limit")
    decoded = decode_bytes(data, source_file)
    lines = split_lines(decoded.text)
    bad = mojibake_lines(lines)
    bad_lines = set(bad)
    seg = segment(lines, bad_lines)
    if not seg.documents:
        raise BulletinError("no_document", f"{source_file}: no official document (title with 发文字号 or "
                                           f"主送机关) was found; is this a bulletin?")

    bid = make_bulletin_id(source_file)
    lineage = {
        "bulletin_id": bid,
        "source_sha256": hashlib.sha256(data).hexdigest(),
        "source_file": source_file,
        "parser_version": PARSER_VERSION,
        "run_id": run_id,
    }
    mast = read_masthead(lines, seg.documents[0].line_start)
    year = mast.year or year_from_documents(
        [d.signed_date.year for d in seg.documents if d.signed_date]
        + [d.doc_number.year for d in seg.documents if d.doc_number])
    flags = list(decoded.flags)
    if bad:
        flags.append(f"mojibake:{len(bad)}_lines")

    docs = []
    for d in seg.documents:
        dn = d.doc_number
        docs.append({
            "document_id": document_id(bid, d.seq),
            **lineage,
            "seq": d.seq,
            "section": d.section,
            "title": d.title,
            "doc_number": dn.canonical if dn else None,
            "doc_number_prefix": dn.prefix if dn else None,
            "doc_number_year": dn.year if dn else None,
            "doc_number_serial": dn.serial if dn else None,
            "issuers": d.issuers,
            "signed_date": d.signed_date,
            "doc_type": d.doc_type,
            "recipients": d.recipients,
            "line_start": d.line_start,
            "line_end": d.line_end,
            "enclosed_titles": d.enclosed_titles,
            "body": d.body,
            "char_count": len(d.body),
            "quality_flags": d.quality_flags,
        })
    toc = []
    for e in seg.toc:
        match = next((d for d in seg.documents if match_toc_entry(d, [e]) is e), None)
        toc.append({
            **lineage,
            "seq": e.seq,
            "section": e.section,
            "title": e.title,
            "doc_number": e.doc_number,
            "page": e.page,
            "line": e.line,
            "document_id": document_id(bid, match.seq) if match else None,
        })
    fmt = detect_format(lines)
    indicators, cells, table_lines = _table_rows(lines, seg.documents, bid, lineage, bad_lines)
    sentence_rows = _sentence_rows(lines, seg.documents, bid, lineage, bad_lines, fmt == "pdf_text", table_lines)
    indicators += sentence_rows["indicators"]
    index_rows = _index_rows(lines, seg.documents, bid, lineage, bad_lines, fmt == "pdf_text")
    bulletin = {
        **lineage,
        "source_bytes": len(data),
        "publisher": mast.publisher,
        "year": year,
        "issue_no": mast.issue_no,
        "cumulative_no": mast.cumulative_no,
        "issue_date": mast.issue_date,
        "script": "traditional" if simplified_share(lines) > TRADITIONAL_SHARE else "simplified",
        "encoding": decoded.encoding,
        "detected_format": fmt,
        "char_count": len(decoded.text),
        "line_count": len(lines),
        "document_count": len(docs),
        "toc_entry_count": len(toc),
        "mojibake_lines": bad,
        "quality_flags": flags,
        "line_start": 1,
        "line_end": len(lines),
    }
    return ParsedBulletin(bid, {"bulletins": [bulletin], "documents": docs, "toc_entries": toc,
                                "indicators": indicators, "budgets": sentence_rows["budgets"],
                                "subsidies": sentence_rows["subsidies"], "table_cells": cells, **index_rows})


def _table_rows(lines, documents, bid, lineage, bad_lines):
    """Indicators from indicator tables, and every cell of every table as tidy rows."""
    def doc_of(line):
        return next((d for d in documents if d.line_start <= line <= d.line_end), None)

    indicators, cells, used = [], [], set()
    for t_no, table in enumerate(find_tables(lines), start=1):
        doc = doc_of(table.first_line)
        if doc is None:
            continue
        table_id = f"{bid}:t{t_no:02d}"
        doc_year = _doc_year(doc)
        for r, ((no, _), row) in enumerate(zip(table.rows, table.written), start=1):
            for c, text in enumerate(row):
                if text:
                    cells.append({**lineage, "document_id": document_id(bid, doc.seq), "table_id": table_id,
                                  "table_title": table.caption, "row": r, "col": c + 1,
                                  "header_path": table.header_paths[c] or None, "text": text, "line": no})
        found = table_indicators(table, doc_year)
        for n, ind in enumerate(found, start=1):
            indicators.append({"indicator_id": f"{table_id}:{n:03d}", "document_id": document_id(bid, doc.seq),
                               **lineage, **ind, "quality_flags": _flags(ind["line"], bad_lines)})
        if found:
            used.update(range(table.caption_line or table.first_line, table.last_line + 1))
    return indicators, cells, used


def _flags(line: int, bad_lines: set[int]) -> list[str]:
    return ["mojibake"] if line in bad_lines else []


def _doc_year(doc) -> int | None:
    return doc.signed_date.year if doc.signed_date else (doc.doc_number.year if doc.doc_number else None)


def _sentence_rows(lines, documents, bid, lineage, bad_lines, wrapped, table_lines) -> dict[str, list[Row]]:
    """Indicators, budgets and subsidies stated in the documents' sentences."""
    out: dict[str, list[Row]] = {"indicators": [], "budgets": [], "subsidies": []}
    for doc in documents:
        prose = document_prose(lines, max(doc.line_start, doc.head_end + 2), doc.line_end, wrapped, table_lines)
        mentions = find_mentions(prose.text)
        doc_id = document_id(bid, doc.seq)
        ctx = DocContext(title=doc.title, year=_doc_year(doc))
        budgets, subsidies = money_rows(prose, mentions, ctx)
        found = {"indicators": ("indicator_id", "s", text_indicators(prose, mentions, ctx)),
                 "budgets": ("budget_id", "b", budgets), "subsidies": ("subsidy_id", "p", subsidies)}
        for table, (id_col, tag, rows) in found.items():
            for n, row in enumerate(rows, start=1):
                out[table].append({id_col: f"{doc_id}:{tag}{n:03d}", "document_id": doc_id, **lineage, **row,
                                   "quality_flags": _flags(row["line"], bad_lines)})
    return out


def _index_rows(lines, documents, bid, lineage, bad_lines, wrapped) -> dict[str, list[Row]]:
    """Citations, keywords and full-text index terms of each document, title included."""
    out: dict[str, list[Row]] = {"citations": [], "keywords": [], "document_terms": []}
    for doc in documents:
        prose = document_prose(lines, doc.line_start, doc.line_end, wrapped, set())
        doc_id = document_id(bid, doc.seq)
        own_titles = {squash(to_simplified(t)) for t in [doc.title, *doc.enclosed_titles]}
        own_number = to_simplified(doc.doc_number.canonical) if doc.doc_number else None
        for n, c in enumerate(citations(prose, own_number, own_titles), start=1):
            out["citations"].append({"citation_id": f"{doc_id}:c{n:03d}", "document_id": doc_id, **lineage,
                                     "cited_doc_number": c.doc_number, "cited_title": c.title, "line": c.line,
                                     "quality_flags": _flags(c.line, bad_lines)})
        terms = term_counts(prose.text)
        total = sum(terms.values())
        for rank, (word, weight) in enumerate(top_keywords(terms), start=1):
            out["keywords"].append({"document_id": doc_id, **lineage, "rank": rank, "keyword": word,
                                    "weight": weight})
        # One row a document, its words as lists: a row per word made the index most of the build.
        out["document_terms"].append({"bulletin_id": bid, "document_id": doc_id, "doc_terms": total,
                                      "terms": list(terms), "counts": list(terms.values())})
    return out
