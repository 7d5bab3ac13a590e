"""Entry point of the parsing core: one file's bytes in, the rows of every table out.

`parse_bulletin` reads the file (parsing.reading picks the reader by its bytes) and hands
its lines to `parse_text`, which finds the documents and their numbers. Rows carry the
bulletin's id, file name and the parser version; the run that calls the parser stamps the
file's SHA-256 and its run id (gongbao.extraction), so the parser never hashes or sizes
files itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from parsing import PARSER_VERSION
from parsing.errors import BulletinError
from parsing.ids import bulletin_id as make_bulletin_id
from parsing.ids import document_id
from parsing.index.citations import citations
from parsing.index.keywords import top_keywords
from parsing.index.search_terms import term_counts
from parsing.numbers.indicators import table_indicators
from parsing.numbers.money import money_rows
from parsing.numbers.quantities import find_mentions
from parsing.numbers.tables import find_tables
from parsing.numbers.sentences import DocContext
from parsing.numbers.text_indicators import text_indicators
from parsing.reading import ReadText, read_file
from parsing.structure.documents import segment
from parsing.structure.formats import detect_format
from parsing.structure.masthead import read_masthead, year_from_documents
from parsing.structure.portal import apply_portal_metadata, metadata_date
from parsing.structure.prose import document_prose, prose_pieces
from parsing.text.lines import is_traditional, split_lines, squash, to_simplified
from parsing.text.mojibake import mojibake_lines

TRADITIONAL_SHARE = 0.05  # share of CJK characters OpenCC changes above which a text is Traditional

Row = dict[str, Any]


@dataclass
class ParsedBulletin:
    bulletin_id: str
    tables: dict[str, list[Row]] = field(default_factory=dict)


def parse_bulletin(data: bytes, source_file: str, bulletin_id: str | None = None) -> ParsedBulletin:
    """Parse one file's bytes. Raises BulletinError for input that is not a bulletin.
    `bulletin_id` defaults to the one derived from the file's name (parsing.ids)."""
    return parse_text(read_file(data, source_file), source_file, len(data), bulletin_id)


def parse_text(read: ReadText, source_file: str, source_bytes: int, bulletin_id: str | None = None
               ) -> ParsedBulletin:
    """Parse the lines a reader read from a file of `source_bytes` bytes."""
    lines = split_lines(read.text)
    bad = mojibake_lines(lines)
    bad_lines = set(bad)
    seg = segment(lines, bad_lines)
    apply_portal_metadata(seg, lines, read.metadata)
    if not seg.documents:
        raise BulletinError("no_document", f"{source_file}: no document was found (a 公文 with 发文字号 or "
                                           f"主送机关, a report, resolution or statistical communiqué, a portal "
                                           f"page's document); is this a bulletin?")

    bid = bulletin_id or make_bulletin_id(source_file)
    lineage = {"bulletin_id": bid, "source_file": source_file, "parser_version": PARSER_VERSION}
    mast = read_masthead(lines, seg.documents[0].line_start)
    year = mast.year or year_from_documents(
        [d.signed_date.year for d in seg.documents if d.signed_date]
        + [d.doc_number.year for d in seg.documents if d.doc_number])
    flags = list(read.flags)
    if read.ocr_confidence is not None:
        flags.append(f"ocr_confidence:{read.ocr_confidence:.1f}")
    if bad:
        flags.append(f"mojibake:{len(bad)}_lines")
    meta = read.metadata

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
            "doc_number_as_written": dn.written if dn else None,
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
            # a portal page's metadata block describes its one document
            "index_no": meta.get("索引号") if len(seg.documents) == 1 else None,
            "topic": meta.get("主题分类") if len(seg.documents) == 1 else None,
            "published_date": metadata_date(meta.get("发布日期")) if len(seg.documents) == 1 else None,
            "quality_flags": d.quality_flags,
        })
    toc = []
    for e in seg.toc:
        listed = seg.toc_documents.get(e.seq)
        toc.append({
            **lineage,
            "seq": e.seq,
            "section": e.section,
            "title": e.title,
            "doc_number": e.doc_number,
            "page": e.page,
            "line": e.line,
            "document_id": document_id(bid, listed) if listed else None,
        })
    fmt = detect_format(lines)
    wrapped = fmt == "pdf_text"
    indicators, cells, table_lines = _table_rows(lines, seg.documents, bid, lineage, bad_lines)
    pieces = prose_pieces(lines)
    sentence_rows = _sentence_rows(lines, seg.documents, bid, lineage, bad_lines, wrapped, table_lines, pieces)
    indicators += sentence_rows["indicators"]
    index_rows = _index_rows(lines, seg.documents, bid, lineage, bad_lines, wrapped, pieces)
    bulletin = {
        **lineage,
        "source_bytes": source_bytes,
        "source_format": read.format,
        "reader": read.reader,
        "page_count": read.page_count,
        "publisher": mast.publisher,
        "year": year,
        "issue_no": mast.issue_no,
        "cumulative_no": mast.cumulative_no,
        "issue_date": mast.issue_date,
        "script": "traditional" if is_traditional(lines, TRADITIONAL_SHARE) else "simplified",
        "encoding": read.encoding,
        "detected_format": fmt,
        "char_count": len(read.text),
        "line_count": len(lines),
        "document_count": len(docs),
        "toc_entry_count": len(toc),
        "mojibake_lines": bad,
        "quality_flags": flags,
        "line_start": 1,
        "line_end": len(lines),
    }
    text_rows = [{"bulletin_id": bid, "line": n, "page": ln.page, "text": ln.text}
                 for n, ln in enumerate(read.lines, start=1)]
    return ParsedBulletin(bid, {"bulletins": [bulletin], "bulletin_lines": text_rows, "documents": docs,
                                "toc_entries": toc, "indicators": indicators, "budgets": sentence_rows["budgets"],
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


def _sentence_rows(lines, documents, bid, lineage, bad_lines, wrapped, table_lines, pieces=None
                   ) -> dict[str, list[Row]]:
    """Indicators, budgets and subsidies stated in the documents' sentences."""
    out: dict[str, list[Row]] = {"indicators": [], "budgets": [], "subsidies": []}
    for doc in documents:
        prose = document_prose(lines, max(doc.line_start, doc.head_end + 2), doc.line_end, wrapped, table_lines,
                               pieces)
        mentions = find_mentions(prose.text)
        doc_id = document_id(bid, doc.seq)
        ctx = DocContext(title=doc.title, year=_doc_year(doc))
        budgets, subsidies = money_rows(prose, mentions, ctx)
        found = {"indicators": ("indicator_id", "s", text_indicators(prose, mentions, ctx)),
                 "budgets": ("budget_id", "b", budgets), "subsidies": ("subsidy_id", "p", subsidies)}
        for table, (id_col, tag, rows) in found.items():
            for n, row in enumerate(rows, start=1):
                # an extractor links a part to its total by the total's index in its own list
                whole = row.pop("part_of_index", None)
                if whole is not None:
                    row["part_of"] = f"{doc_id}:{tag}{whole + 1:03d}"
                out[table].append({id_col: f"{doc_id}:{tag}{n:03d}", "document_id": doc_id, **lineage, **row,
                                   "quality_flags": _flags(row["line"], bad_lines)})
    return out


def _index_rows(lines, documents, bid, lineage, bad_lines, wrapped, pieces=None) -> dict[str, list[Row]]:
    """Citations, keywords and full-text index terms of each document, title included."""
    out: dict[str, list[Row]] = {"citations": [], "keywords": [], "document_terms": []}
    for doc in documents:
        prose = document_prose(lines, doc.line_start, doc.line_end, wrapped, set(), pieces)
        doc_id = document_id(bid, doc.seq)
        own_titles = {squash(to_simplified(t)) for t in [doc.title, *doc.enclosed_titles]}
        own_number = doc.doc_number.canonical if doc.doc_number else None
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
