import re

import polars as pl

from tests.conftest import ROOT

from quality.checks import schema_check_result
from quality.schemas import frame
from quality.validate import toc_mismatches, validate


def test_real_rows_pass_their_schemas(parsed):
    for p in parsed.values():
        for table, rows in p.tables.items():
            assert validate(table, frame(table, rows, source_sha256="0" * 64, run_id="test-run")).passed, table


def test_failures_name_bulletin_and_line(parsed):
    df = frame("documents", parsed["000"].tables["documents"], source_sha256="0" * 64, run_id="test-run")
    df = df.with_columns(pl.when(pl.col("seq") == 2).then(pl.lit("川府发2012-23")).otherwise(pl.col("doc_number"))
                         .alias("doc_number"))
    v = validate("documents", df)
    assert not v.passed
    assert v.failures.select("bulletin_id", "line", "column").rows() == [("000_69ce87b22548801c", 271, "doc_number")]
    result = schema_check_result("bulletin_extracts", "documents", df.height, v.failures)
    assert not result.passed and result.metadata["num_failures"].value == 1
    assert "271" in result.metadata["failure_cases"].value


def test_toc_check_finds_missing_documents(parsed):
    toc = frame("toc_entries", parsed["000"].tables["toc_entries"])
    docs = frame("documents", parsed["000"].tables["documents"])
    assert toc_mismatches(toc, docs).height == 0
    assert toc_mismatches(toc, docs.filter(pl.col("seq") != 3)).height == 1
    missing = toc_mismatches(toc.filter(pl.col("seq") != 5), docs)
    assert missing.rows()[0][2] == "document missing from toc"


def test_data_dictionary_is_in_sync():
    from quality.dictionary import markdown

    doc = ROOT / "docs" / "tables.md"
    assert doc.read_text(encoding="utf-8") == markdown(), "run: python -m quality.dictionary > docs/tables.md"


def test_data_dictionary_renders_a_filled_table_per_table():
    """Parsed as Markdown (CommonMark with tables), each section is one table whose rows are its columns."""
    from markdown_it import MarkdownIt

    from quality.dictionary import markdown
    from quality.schemas import TABLES

    tokens = MarkdownIt("commonmark").enable("table").parse(markdown())
    tables, rows = 0, []
    for tok in tokens:
        if tok.type == "table_open":
            tables += 1
            rows.append(0)
        elif tok.type == "tr_open":
            rows[-1] += 1
    assert tables == len(TABLES)
    assert rows == [len(cols) + 1 for cols in TABLES.values()]  # the header row and one row per column


def test_the_ingestion_docs_list_every_error_kind():
    from parsing.errors import ERROR_KINDS

    doc = (ROOT / "docs" / "ingestion.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `(\w+)` \| ", doc[doc.index("| `error_kind` | when |"):], re.M)
    assert listed[1:] == list(ERROR_KINDS)  # after the header row
