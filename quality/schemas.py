"""Table contracts: one column list per table gives the polars types the frames are built
with, the pandera schema every materialization is validated against, and the column
descriptions shown in Dagster and the data dictionary."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import pandera.polars as pa
import polars as pl
import pyarrow as pa_table

from parsing.errors import ERROR_KINDS
from parsing.reading.base import FORMATS
from parsing.vocab import PERIOD


@dataclass(frozen=True)
class Col:
    name: str
    dtype: pl.DataType
    description: str
    nullable: bool = True
    checks: tuple = field(default_factory=tuple)


MONEY = pl.Decimal(20, 2)  # yuan to the fen, exact: no float noise in sums or CSVs
_SHA256 = pa.Check.str_matches(r"^[0-9a-f]{64}$")

LINEAGE = [
    Col("bulletin_id", pl.Utf8(), "Stable id of the source bulletin file (from its name)", False,
        (pa.Check.str_matches(r"^[A-Za-z0-9_.-]+$"),)),
    Col("source_sha256", pl.Utf8(), "SHA-256 of the raw file's bytes", False, (_SHA256,)),
    Col("source_file", pl.Utf8(), "Name of the raw file in the raw store", False),
    Col("parser_version", pl.Utf8(), "Version of the gongbao parser that produced the row", False),
    Col("run_id", pl.Utf8(), "Dagster run that produced the row", False),
]
_SPAN = [
    Col("line_start", pl.Int64(), "First line (1-based, raw file split on \\n)", False, (pa.Check.ge(1),)),
    Col("line_end", pl.Int64(), "Last line (1-based, inclusive)", False, (pa.Check.ge(1),)),
]



def _located(what: str) -> list[Col]:
    """The raw line a number was read from, and the flag that the line is garbled."""
    return [Col("line", pl.Int64(), f"Raw line {what}", False, (pa.Check.ge(1),)),
            Col("quality_flags", pl.List(pl.Utf8()), "mojibake when the line is garbled", False)]


# What each table is to the code that treats tables alike, declared once: every list of
# tables (the extraction's outputs, lineage's row counts, the ids `gongbao lineage` looks
# up, the number tables) is derived from it.
ROLES: dict[str, set[str]] = {
    "bulletins": {"extracted", "looked_up"},
    "bulletin_lines": {"extracted"},
    "documents": {"extracted", "counted", "looked_up"},
    "toc_entries": {"extracted", "counted"},
    "indicators": {"extracted", "counted", "looked_up", "numbers"},
    "budgets": {"extracted", "counted", "looked_up", "numbers"},
    "subsidies": {"extracted", "counted", "looked_up", "numbers"},
    "table_cells": {"extracted", "counted", "looked_up"},
    "citations": {"extracted", "looked_up"},
    "keywords": {"extracted"},
    "document_terms": {"extracted"},
    "ingest_errors": set(),
    "lineage": set(),
}


def tables_with(role: str) -> tuple[str, ...]:
    return tuple(t for t, roles in ROLES.items() if role in roles)


EXTRACTED = tables_with("extracted")  # the per-bulletin tables the extraction writes
COUNTED = tables_with("counted")  # rows per table recorded in lineage.row_counts
LOOKED_UP = tables_with("looked_up")  # tables whose ids `gongbao lineage ID` finds
NUMBER_TABLES = tables_with("numbers")  # the tables of numbers checked per bulletin

TABLES: dict[str, list[Col]] = {
    "bulletins": [
        *LINEAGE,
        Col("source_bytes", pl.Int64(), "Size of the raw file in bytes", False, (pa.Check.gt(0),)),
        Col("source_format", pl.Utf8(), "Form of the file, read from its bytes: txt, pdf, html, docx, doc, wps, rtf",
            False, (pa.Check.isin(list(FORMATS)),)),
        Col("reader", pl.Utf8(), "Library (and version) that read the file's text", False),
        Col("page_count", pl.Int64(), "Pages of a PDF; null for other forms", checks=(pa.Check.ge(0),)),
        Col("publisher", pl.Utf8(), "Body publishing the bulletin (绵阳市人民政府); null for a single web page"),
        Col("year", pl.Int64(), "Year of the issue", checks=(pa.Check.in_range(1949, 2100),)),
        Col("issue_no", pl.Int64(), "Issue number within the year (第 11 号 → 11)", checks=(pa.Check.gt(0),)),
        Col("cumulative_no", pl.Int64(), "Running issue number (总号 367 → 367)", checks=(pa.Check.gt(0),)),
        Col("issue_date", pl.Date(), "Date of the issue"),
        Col("script", pl.Utf8(), "simplified or traditional", False,
            (pa.Check.isin(["simplified", "traditional"]),)),
        Col("encoding", pl.Utf8(), "Encoding of a text file or web page; null for PDF and Word files"),
        Col("detected_format", pl.Utf8(), "Layout of the text read: plain_text, pdf_text, markdown, web_page, "
                                          "compilation", False),
        Col("char_count", pl.Int64(), "Characters of decoded text", False, (pa.Check.gt(0),)),
        Col("line_count", pl.Int64(), "Lines of the raw file", False, (pa.Check.gt(0),)),
        Col("document_count", pl.Int64(), "Documents found", False, (pa.Check.gt(0),)),
        Col("toc_entry_count", pl.Int64(), "Entries of the table of contents", False, (pa.Check.ge(0),)),
        Col("mojibake_lines", pl.List(pl.Int64()), "Lines that carry mojibake (lost or misdecoded characters)",
            False),
        Col("quality_flags", pl.List(pl.Utf8()), "Quality notes, e.g. truncated_last_char, mojibake:N_lines",
            False),
        *_SPAN,
    ],
    "bulletin_lines": [
        Col("bulletin_id", pl.Utf8(), "Bulletin the line belongs to", False),
        Col("line", pl.Int64(), "Line number (1-based): what every other table's line and line_start refer to",
            False, (pa.Check.ge(1),)),
        Col("page", pl.Int64(), "PDF page the line is printed on; null for other forms", checks=(pa.Check.ge(1),)),
        Col("text", pl.Utf8(), "The line exactly as the parser read it (page furniture removed; a table row's "
                               "cells joined by tabs); empty for a blank line"),
    ],
    "documents": [
        Col("document_id", pl.Utf8(), "bulletin_id:seq", False, (pa.Check.str_matches(r"^.+:\d{3,}$"),)),
        *LINEAGE,
        Col("seq", pl.Int64(), "1-based order in the bulletin body", False, (pa.Check.ge(1),)),
        Col("section", pl.Utf8(), "Bulletin section (上级文件, 本级文件, …)"),
        Col("title", pl.Utf8(), "标题 as printed, joined into one line, without the 发文字号", False,
            (pa.Check.str_length(2, 400),)),
        Col("doc_number", pl.Utf8(), "发文字号 in canonical form 机关代字〔年〕序号号 (Simplified, half-width, 〔〕)",
            checks=(pa.Check.str_matches(r"^\S+〔\d{4}〕[1-9]\d*号$"),)),
        Col("doc_number_as_written", pl.Utf8(), "发文字号 as printed (script, brackets and digits of the source)"),
        Col("doc_number_prefix", pl.Utf8(), "机关代字 of the 发文字号, Simplified"),
        Col("doc_number_year", pl.Int64(), "Year of the 发文字号", checks=(pa.Check.in_range(1949, 2100),)),
        Col("doc_number_serial", pl.Int64(), "Serial of the 发文字号", checks=(pa.Check.ge(1),)),
        Col("issuers", pl.List(pl.Utf8()), "发文机关, in order; several for a joint document", False),
        Col("signed_date", pl.Date(), "成文日期"),
        Col("doc_type", pl.Utf8(), "文种 ending the title (通知, 意见, …)"),
        Col("recipients", pl.Utf8(), "主送机关, without the trailing colon"),
        *_SPAN,
        Col("enclosed_titles", pl.List(pl.Utf8()), "Titles of documents this one issues or forwards (《…》)",
            False),
        Col("body", pl.Utf8(), "Raw text of the document's lines, page furniture removed", False),
        Col("char_count", pl.Int64(), "Characters in body", False, (pa.Check.ge(0),)),
        Col("index_no", pl.Utf8(), "索引号 of a portal page's metadata block"),
        Col("topic", pl.Utf8(), "主题分类 of a portal page's metadata block"),
        Col("published_date", pl.Date(), "发布日期 of a portal page's metadata block"),
        Col("quality_flags", pl.List(pl.Utf8()), "Quality notes: mojibake, no_signed_date, issuers_from_title",
            False),
    ],
    "toc_entries": [
        *LINEAGE,
        Col("seq", pl.Int64(), "Order in the table of contents", False, (pa.Check.ge(1),)),
        Col("section", pl.Utf8(), "Section heading the entry is listed under"),
        Col("title", pl.Utf8(), "Title as listed", False),
        Col("doc_number", pl.Utf8(), "发文字号 as listed, canonical"),
        Col("page", pl.Int64(), "Page number as listed", checks=(pa.Check.ge(1),)),
        Col("line", pl.Int64(), "Line of the entry's title", False, (pa.Check.ge(1),)),
        Col("document_id", pl.Utf8(), "Document the entry points to; null when none was found"),
    ],
    "indicators": [
        Col("indicator_id", pl.Utf8(), "table_id:NNN for table indicators, document_id:sNNN for text ones", False),
        Col("document_id", pl.Utf8(), "Document the indicator belongs to", False),
        *LINEAGE,
        Col("source", pl.Utf8(), "table or text", False, (pa.Check.isin(["table", "text"]),)),
        Col("table_title", pl.Utf8(), "Caption of the table (专栏 2 …); null for text indicators"),
        Col("name", pl.Utf8(), "The measure as named, without the unit in brackets", False,
            (pa.Check.str_length(1, 200),)),
        Col("unit", pl.Utf8(), "Unit as written (万人, %, 亿户); % when the value carries a percent sign"),
        Col("period", pl.Utf8(), "Year or period the value is for (2015, 2011-2015)",
            checks=(pa.Check.str_matches(PERIOD),)),
        Col("kind", pl.Utf8(), "baseline, target, actual or change", False,
            (pa.Check.isin(["baseline", "target", "actual", "change"]),)),
        Col("value", pl.Float64(), "The number; null when the cell holds words only"),
        Col("value_max", pl.Float64(), "The upper end when the value is a range (10—15个: value 10, value_max 15)"),
        Col("value_text", pl.Utf8(), "The value exactly as written (>80%, 43263（2）, 应保尽保)", False),
        Col("comparator", pl.Utf8(), ">, >=, <, <=, ~ or null", checks=(pa.Check.isin([">", ">=", "<", "<=", "~"]),)),
        Col("nature", pl.Utf8(), "约束性 or 预期性 where the source marks it",
            checks=(pa.Check.isin(["约束性", "预期性"]),)),
        Col("part_of", pl.Utf8(), "indicator_id of the total this value is a part of (其中, 包括); null for a whole"),
        *_located("of the value"),
    ],
    "budgets": [
        Col("budget_id", pl.Utf8(), "document_id:bNNN, amounts numbered in order", False),
        Col("document_id", pl.Utf8(), "Document the amount is stated in", False),
        *LINEAGE,
        Col("amount_yuan", MONEY, "Amount in yuan, exact to the fen (万元 ×10⁴, 亿元 ×10⁸, 万亿元 ×10¹², 千元 ×10³); "
            "the lower end of a range", False, (pa.Check.gt(0),)),
        Col("amount_max_yuan", MONEY, "The upper end when the amount is a range (3—5亿元: 500000000)"),
        Col("amount_text", pl.Utf8(), "The amount as written (380 万元, 五亿元)", False),
        Col("purpose", pl.Utf8(), "What the money is for, a short phrase from the text"),
        Col("funder", pl.Utf8(), "Who provides or spends it (北川, 市财政)"),
        Col("period", pl.Utf8(), "Year or period (2012, 2021-2025)",
            checks=(pa.Check.str_matches(PERIOD),)),
        Col("part_of", pl.Utf8(), "budget_id of the total this amount is a part of (其中, 包括); null for a whole: "
                                  "sum the rows where it is null to count each yuan once"),
        *_located("where the amount starts"),
    ],
    "subsidies": [
        Col("subsidy_id", pl.Utf8(), "document_id:pNNN, amounts numbered in order", False),
        Col("document_id", pl.Utf8(), "Document the standard is stated in", False),
        *LINEAGE,
        Col("program", pl.Utf8(), "The scheme's name where given (国家助学金, 生活费补助)"),
        Col("beneficiary", pl.Utf8(), "Who receives it"),
        Col("amount_yuan", MONEY, "Amount in yuan per beneficiary, exact to the fen", False, (pa.Check.gt(0),)),
        Col("amount_max_yuan", MONEY, "The upper end when the standard is a range"),
        Col("amount_text", pl.Utf8(), "The amount as written", False),
        Col("per", pl.Utf8(), "What it is paid per, as written (每生每年, 每人每月, 人均); null for a fixed award "
                              "to a unit that qualifies (一次性奖励50万元)"),
        Col("frequency", pl.Utf8(), "year, month, once, or null", checks=(pa.Check.isin(["year", "month", "once"]),)),
        Col("is_cap", pl.Boolean(), "True when the amount is a ceiling (最高, 不超过)", False),
        *_located("where the amount starts"),
    ],
    "table_cells": [
        *LINEAGE,
        Col("document_id", pl.Utf8(), "Document the table is printed in", False),
        Col("table_id", pl.Utf8(), "bulletin_id:tNN, tables numbered in order", False),
        Col("table_title", pl.Utf8(), "Caption of the table"),
        Col("row", pl.Int64(), "Body row, 1-based", False, (pa.Check.ge(1),)),
        Col("col", pl.Int64(), "Column, 1-based", False, (pa.Check.ge(1),)),
        Col("header_path", pl.Utf8(), "Column headers from top to bottom, joined by ' / '"),
        Col("text", pl.Utf8(), "Cell text", False),
        Col("line", pl.Int64(), "Raw line of the row", False, (pa.Check.ge(1),)),
    ],
    "citations": [
        Col("citation_id", pl.Utf8(), "document_id:cNNN, citations numbered in order", False),
        Col("document_id", pl.Utf8(), "The citing document", False),
        *LINEAGE,
        Col("cited_doc_number", pl.Utf8(), "发文字号 cited, canonical; null when cited by title",
            checks=(pa.Check.str_matches(r"^\S+〔\d{4}〕[1-9]\d*号$"),)),
        Col("cited_title", pl.Utf8(), "《title》 cited, Simplified, without the brackets; null when cited by number"),
        *_located("where the citation is"),
    ],
    "keywords": [
        Col("document_id", pl.Utf8(), "Document the keyword describes", False),
        *LINEAGE,
        Col("rank", pl.Int64(), "1 for the strongest keyword", False, (pa.Check.in_range(1, 100),)),
        Col("keyword", pl.Utf8(), "A jieba word of the document, Simplified", False),
        Col("weight", pl.Float64(), "TF-IDF: share of the document's words × jieba's IDF", False,
            (pa.Check.gt(0),)),
    ],
    "document_terms": [
        Col("bulletin_id", pl.Utf8(), "Bulletin of the document", False),
        Col("document_id", pl.Utf8(), "The document", False),
        Col("doc_terms", pl.Int64(), "Terms in the document, for BM25's length normalization", False,
            (pa.Check.ge(0),)),
        Col("terms", pl.List(pl.Utf8()), "Its distinct jieba words (Simplified, lower case, no stop words)", False),
        Col("counts", pl.List(pl.Int64()), "Times each of `terms` occurs, in the same order", False),
    ],
    "ingest_errors": [
        *LINEAGE,
        Col("error_kind", pl.Utf8(), "Why the file was refused: one of ERROR_KINDS (docs/ingestion.md)", False,
            (pa.Check.isin(list(ERROR_KINDS)),)),
        Col("message", pl.Utf8(), "What went wrong, naming the file", False),
        Col("failed_at", pl.Datetime("us", "UTC"), "When the failure was recorded", False),
    ],
    "lineage": [
        Col("bulletin_id", pl.Utf8(), "Stable id of the bulletin file (from its name)", False),
        Col("source_sha256", pl.Utf8(), "SHA-256 of this version's bytes", False, (_SHA256,)),
        Col("source_file", pl.Utf8(), "Name of the raw file", False),
        Col("source_uri", pl.Utf8(), "s3:// URI of the object it was read from (raw store in object storage); "
                                     "null for a file of a local folder"),
        Col("source_etag", pl.Utf8(), "ETag of that object's version, as listed and read (IfMatch)"),
        Col("source_bytes", pl.Int64(), "Size of this version in bytes", False, (pa.Check.gt(0),)),
        Col("source_format", pl.Utf8(), "Form of the file: txt, pdf, html, docx, doc, wps, rtf", False),
        Col("reader", pl.Utf8(), "Library (and version) that read its text", False),
        Col("page_count", pl.Int64(), "Pages of a PDF; null for other forms"),
        Col("ocr", pl.Boolean(), "True when pages were read by OCR", False),
        Col("text_sha256", pl.Utf8(), "SHA-256 of the text read (NFKC, white space dropped): the same text in "
                                      "another encoding or form has the same", False, (_SHA256,)),
        Col("encoding", pl.Utf8(), "Encoding of a text file or web page; null for PDF and Word files"),
        Col("detected_format", pl.Utf8(), "Layout of the text read", False),
        Col("parser_version", pl.Utf8(), "gongbao parser version", False),
        Col("run_id", pl.Utf8(), "Dagster run that loaded this version", False),
        Col("ingested_at", pl.Datetime("us", "UTC"), "When this version was loaded", False),
        Col("parse_ms", pl.Float64(), "Milliseconds spent parsing it", False, (pa.Check.ge(0),)),
        Col("row_counts", pl.Struct({t: pl.Int64() for t in COUNTED}),
            "Rows this version gave each table", False),
        Col("is_current", pl.Boolean(), "True for the version whose rows are in the warehouse", False),
        Col("duplicate_of", pl.Utf8(), "Bulletin already loaded from the same bytes or the same text (another "
                                       "encoding or form) under another name; this file then adds no rows of its own"),
    ],
}

# What one row of each table is: shown in Dagster, the data dictionary and DuckDB.
TABLE_DESCRIPTIONS = {
    "bulletins": "One row per bulletin file: masthead facts, encoding, format, quality flags.",
    "bulletin_lines": "The text of each bulletin exactly as the parser read it, line by line with its PDF page.",
    "documents": "Every official document in a bulletin with its GB/T 9704 elements.",
    "toc_entries": "The bulletin's table of contents, each entry tied to the document it lists.",
    "indicators": "Quantified measures (baselines, targets, actuals, changes) from indicator tables and sentences.",
    "budgets": "Public money spent, invested, allocated or reported, in yuan, with purpose, funder and period.",
    "subsidies": "Standards paid per beneficiary (每生每年 1000 元), with program, per, frequency and cap.",
    "table_cells": "Every filled cell of every table, as tidy rows with its header path.",
    "citations": "Documents a document cites, by 发文字号 or by 《title》, with the line (resolved in view citation_graph).",
    "keywords": "Top ten keywords of each document (jieba words, TF-IDF).",
    "document_terms": "The full-text index: each document's words and their counts (BM25 in search_documents).",
    "ingest_errors": "Bulletin files that could not be ingested, with the reason.",
    "lineage": "Every version of every bulletin file loaded: bytes, run, parser, timing, rows per table.",
}
assert TABLE_DESCRIPTIONS.keys() == TABLES.keys()

# What identifies a row, and which column points at which table: declared once for the
# ER diagram (docs/tables.md) and the published data package's keys.
PRIMARY_KEYS = {
    "bulletins": ["bulletin_id"],
    "bulletin_lines": ["bulletin_id", "line"],
    "documents": ["document_id"],
    "toc_entries": ["bulletin_id", "seq"],
    "indicators": ["indicator_id"],
    "budgets": ["budget_id"],
    "subsidies": ["subsidy_id"],
    "table_cells": ["table_id", "row", "col"],
    "citations": ["citation_id"],
    "keywords": ["document_id", "rank"],
    "document_terms": ["document_id"],
    "ingest_errors": ["bulletin_id"],
    "lineage": ["bulletin_id", "source_sha256", "source_file", "parser_version"],
}
FOREIGN_KEYS = [  # (table, column, referenced table, referenced column)
    ("bulletin_lines", "bulletin_id", "bulletins", "bulletin_id"),
    ("documents", "bulletin_id", "bulletins", "bulletin_id"),
    ("toc_entries", "document_id", "documents", "document_id"),
    ("indicators", "document_id", "documents", "document_id"),
    ("budgets", "document_id", "documents", "document_id"),
    ("subsidies", "document_id", "documents", "document_id"),
    ("table_cells", "document_id", "documents", "document_id"),
    ("citations", "document_id", "documents", "document_id"),
    ("keywords", "document_id", "documents", "document_id"),
    ("document_terms", "document_id", "documents", "document_id"),
]
assert PRIMARY_KEYS.keys() == TABLES.keys()

assert ROLES.keys() == TABLES.keys()


def polars_schema(table: str) -> pl.Schema:
    return pl.Schema({c.name: c.dtype for c in TABLES[table]})


def empty_frame(table: str) -> pl.DataFrame:
    # a clone of one frame per table: building a frame from a schema costs ~0.1 ms, and a run
    # asks for several per bulletin (tables it has no rows in, ingest_errors)
    return _empty_frame(table).clone()


@lru_cache(maxsize=None)
def _empty_frame(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=polars_schema(table))


def frame(table: str, rows: list[dict], **same: object) -> pl.DataFrame:
    """Rows as a frame with the table's exact column order and types; `same` gives columns
    whose value is the same on every row (the file's hash and the run: stamped by the run,
    not written into each row by the parser)."""
    if not rows:
        return empty_frame(table)
    return pl.from_arrow(arrow_table(table, rows, **same))


def arrow_table(table: str, rows: list[dict], **same: object) -> pa_table.Table:
    """Rows as an Arrow table of the table's schema (`frame` without polars' conversion, for a
    worker that sends its tables on as Arrow IPC). Built through Arrow: polars converts Python
    lists into list columns ~20× slower (document_terms.terms); the stamped columns are set in
    Arrow too (polars' with_columns started its engine for each: 40% of the frame's cost)."""
    schema = _arrow_schema(table)
    arrow = pa_table.Table.from_pylist(rows, schema=schema)
    for column, value in same.items():
        i = schema.get_field_index(column)
        if i >= 0:
            arrow = arrow.set_column(i, schema.field(i), pa_table.array([value] * len(rows), schema.field(i).type))
    return arrow


@lru_cache(maxsize=None)
def _arrow_schema(table: str):
    return empty_frame(table).to_arrow().schema


def pandera_schema(table: str) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {c.name: pa.Column(c.dtype, checks=list(c.checks), nullable=c.nullable, description=c.description)
         for c in TABLES[table]},
        name=table,
        strict=True,
        ordered=True,
    )
