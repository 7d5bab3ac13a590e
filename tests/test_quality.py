import polars as pl

from quality.checks import schema_check_result
from quality.schemas import frame
from quality.validate import toc_mismatches, validate


def test_real_rows_pass_their_schemas(parsed):
    for p in parsed.values():
        for table, rows in p.tables.items():
            assert validate(table, frame(table, rows)).passed, table


def test_failures_name_bulletin_and_line(parsed):
    df = frame("documents", parsed["000"].tables["documents"])
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
    from pathlib import Path

    from quality.dictionary import markdown

    doc = Path(__file__).resolve().parent.parent / "docs" / "tables.md"
    assert doc.read_text(encoding="utf-8") == markdown(), "run: python -m quality.dictionary > docs/tables.md"
