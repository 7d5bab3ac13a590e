"""Dagster asset-check results built from pandera reports and cross-table rules."""
from __future__ import annotations

import dagster as dg
import polars as pl

from .validate import validate

_SHOWN = 20  # failure cases shown in the Dagster UI; the count is always complete


def markdown_table(df: pl.DataFrame, rows: int = _SHOWN, width: int = 80) -> str:
    """The first rows of a frame as a Markdown table, for Dagster metadata."""
    head = df.head(rows)
    out = ["| " + " | ".join(head.columns) + " |", "|" + "---|" * len(head.columns)]
    out += ["| " + " | ".join(str(v).replace("|", "\\|").replace("\n", " ")[:width] for v in r) + " |"
            for r in head.iter_rows()]
    return "\n".join(out)


def schema_check_result(table: str, df: pl.DataFrame) -> dg.AssetCheckResult:
    v = validate(table, df)
    metadata = {"rows": v.rows, "num_failures": v.failures.height}
    if not v.passed:
        metadata["failure_cases"] = dg.MetadataValue.md(markdown_table(v.failures))
        metadata["bulletins_failing"] = dg.MetadataValue.json(sorted(set(v.failures["bulletin_id"].drop_nulls())))
    return dg.AssetCheckResult(asset_key=table, check_name="pandera_schema", passed=v.passed,
                               severity=dg.AssetCheckSeverity.ERROR, metadata=metadata)


def toc_mismatches(toc: pl.DataFrame, documents: pl.DataFrame) -> pl.DataFrame:
    """TOC entries with no document, and documents of a bulletin with a TOC that it does not list."""
    known = documents.select("document_id")
    unmatched = toc.join(known, on="document_id", how="anti").select(
        "bulletin_id", pl.col("line"), pl.lit("toc entry without document").alias("problem"), "title")
    with_toc = toc.select("bulletin_id").unique()
    listed = toc.select("document_id").drop_nulls()
    unlisted = (documents.join(with_toc, on="bulletin_id", how="semi")
                .join(listed, on="document_id", how="anti")
                .select("bulletin_id", pl.col("line_start").alias("line"),
                        pl.lit("document missing from toc").alias("problem"), "title"))
    return pl.concat([unmatched, unlisted])


def toc_check_result(toc: pl.DataFrame, documents: pl.DataFrame) -> dg.AssetCheckResult:
    bad = toc_mismatches(toc, documents)
    metadata = {"toc_entries": toc.height, "mismatches": bad.height}
    if bad.height:
        metadata["details"] = dg.MetadataValue.md(markdown_table(bad))
    return dg.AssetCheckResult(asset_key="toc_entries", check_name="toc_matches_documents",
                               passed=bad.height == 0, severity=dg.AssetCheckSeverity.WARN, metadata=metadata)
