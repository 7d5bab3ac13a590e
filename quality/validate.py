"""Run the pandera schemas and report failures with the bulletin and line they come from."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandera.errors
import polars as pl

from quality.schemas import pandera_schema


@dataclass
class Validation:
    table: str
    rows: int
    failures: pl.DataFrame  # one row per failed check and row, with bulletin_id and line

    @property
    def passed(self) -> bool:
        return self.failures.height == 0


@lru_cache(maxsize=None)
def _schema(table: str):
    return pandera_schema(table)


def validate(table: str, df: pl.DataFrame) -> Validation:
    # pandera runs each check of each column as its own polars query (~45 for a table), and
    # polars' default engine starts its streaming engine for each: 0.3 ms a query where the
    # in-memory engine takes 0.02, on a batch that is in memory already
    try:
        with pl.Config(engine_affinity="in-memory"):
            _schema(table).validate(df, lazy=True)
        return Validation(table, df.height, pl.DataFrame())
    except pandera.errors.SchemaErrors as err:
        return Validation(table, df.height, _locate(err.failure_cases, df))


def _locate(cases: pl.DataFrame, df: pl.DataFrame) -> pl.DataFrame:
    """Attach bulletin_id and the row's raw line to each failure case so it can be found."""
    cases = cases.with_columns(pl.col("index").cast(pl.Int64, strict=False))
    line_col = next((c for c in ("line", "line_start") if c in df.columns), None)
    keys = df.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("index"),
        pl.col("bulletin_id") if "bulletin_id" in df.columns else pl.lit(None, pl.Utf8).alias("bulletin_id"),
        (pl.col(line_col) if line_col else pl.lit(None, pl.Int64)).alias("line"),
    )
    out = cases.join(keys, on="index", how="left")
    return out.select("bulletin_id", "line", "column", "check", pl.col("failure_case").cast(pl.Utf8),
                      "schema_context", "index")


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


def rows_outside_documents(table: str, rows: pl.DataFrame, documents: pl.DataFrame) -> pl.DataFrame:
    """Rows whose line is not inside the line span of the document they are tied to."""
    spans = documents.select("document_id", "line_start", "line_end")
    joined = rows.select("bulletin_id", "document_id", "line").join(spans, on="document_id", how="left")
    bad = joined.filter(pl.col("line_start").is_null() | (pl.col("line") < pl.col("line_start"))
                        | (pl.col("line") > pl.col("line_end")))
    return bad.select("bulletin_id", "line", pl.lit(table).alias("table"), "document_id")


def numbers_per_bulletin(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Per bulletin: documents, table and text indicators, budgets and subsidies found."""
    docs = tables["documents"].group_by("bulletin_id").agg(pl.len().alias("documents"))
    ind = tables["indicators"].group_by("bulletin_id").agg(
        (pl.col("source") == "table").sum().alias("table_indicators"),
        (pl.col("source") == "text").sum().alias("text_indicators"))
    out = docs.join(ind, on="bulletin_id", how="left")
    for t in ("budgets", "subsidies"):
        out = out.join(tables[t].group_by("bulletin_id").agg(pl.len().alias(t)), on="bulletin_id", how="left")
    return out.fill_null(0).sort("bulletin_id")
