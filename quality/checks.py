"""Dagster asset-check results built from pandera failure cases and cross-table rules."""
from __future__ import annotations

import dagster as dg
import polars as pl

_SHOWN = 20  # failure cases shown in the Dagster UI; the count is always complete


def markdown_table(df: pl.DataFrame, rows: int = _SHOWN, width: int = 80) -> str:
    """The first rows of a frame as a Markdown table, for Dagster metadata."""
    head = df.head(rows)
    out = ["| " + " | ".join(head.columns) + " |", "|" + "---|" * len(head.columns)]
    out += ["| " + " | ".join(str(v).replace("|", "\\|").replace("\n", " ")[:width] for v in r) + " |"
            for r in head.iter_rows()]
    return "\n".join(out)


def schema_check_name(table: str) -> str:
    return f"{table}_schema"


def schema_check_result(asset: str, table: str, rows: int, failures: pl.DataFrame) -> dg.AssetCheckResult:
    """pandera's verdict on a table's rows; `failures` as located by quality.validate."""
    metadata = {"rows": rows, "num_failures": failures.height}
    if failures.height:
        metadata["failure_cases"] = dg.MetadataValue.md(markdown_table(failures))
        metadata["bulletins_failing"] = dg.MetadataValue.json(sorted(set(failures["bulletin_id"].drop_nulls())))
    return dg.AssetCheckResult(asset_key=asset, check_name=schema_check_name(table), passed=failures.height == 0,
                               severity=dg.AssetCheckSeverity.ERROR, metadata=metadata)


def toc_check_result(asset: str, toc_entries: int, problems: pl.DataFrame) -> dg.AssetCheckResult:
    """`problems` as found by quality.validate.toc_mismatches."""
    metadata = {"toc_entries": toc_entries, "mismatches": problems.height}
    if problems.height:
        metadata["details"] = dg.MetadataValue.md(markdown_table(problems))
    return dg.AssetCheckResult(asset_key=asset, check_name="toc_matches_documents",
                               passed=problems.height == 0, severity=dg.AssetCheckSeverity.WARN, metadata=metadata)


def numbers_check_result(asset: str, counts: pl.DataFrame, outside: pl.DataFrame) -> dg.AssetCheckResult:
    """Numbers found per bulletin; fails when a row's line is outside its document."""
    metadata = {"bulletins": counts.height, "rows_outside_their_document": outside.height}
    if counts.height:
        metadata["per_bulletin"] = dg.MetadataValue.md(markdown_table(counts, rows=50))
        metadata["bulletins_without_numbers"] = int(
            counts.filter(pl.sum_horizontal(pl.exclude("bulletin_id", "documents")) == 0).height)
    if outside.height:
        metadata["outside"] = dg.MetadataValue.md(markdown_table(outside))
    return dg.AssetCheckResult(asset_key=asset, check_name="numbers_within_documents", passed=outside.height == 0,
                               severity=dg.AssetCheckSeverity.ERROR, metadata=metadata)


def ingested_check_result(asset: str, files: int, errors: list[dict]) -> dg.AssetCheckResult:
    """Every file of the run read and parsed; the refused ones listed with their reasons."""
    metadata = {"files": files, "refused": len(errors)}
    if errors:
        refused = pl.DataFrame([{k: e[k] for k in ("source_file", "error_kind", "message")} for e in errors])
        metadata["refused_files"] = dg.MetadataValue.md(markdown_table(refused, width=120))
    return dg.AssetCheckResult(asset_key=asset, check_name="files_ingested", passed=not errors,
                               severity=dg.AssetCheckSeverity.ERROR, metadata=metadata)
