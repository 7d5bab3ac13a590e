"""Per-bulletin extraction: raw file → bulletins, documents, toc_entries (+ ingest_errors).

One multi_asset step per run handles every partition of the run (single-run backfill
policy), so a build of a thousand bulletins is one Dagster run, not a thousand.
"""

import datetime as dt
import hashlib

import dagster as dg
import polars as pl

from parsing import PARSER_VERSION
from parsing.bulletin import parse_bulletin
from parsing.errors import BulletinError
from pipelines.resources import RawStore
from quality.checks import markdown_table, schema_check_result, toc_check_result
from quality.schemas import EXTRACTED, TABLES, frame

from .partitions import bulletin_partitions

OUTPUTS = (*EXTRACTED, "ingest_errors")
DESCRIPTIONS = {
    "bulletins": "One row per bulletin file: masthead facts, encoding, format, quality flags.",
    "documents": "Every official document in a bulletin with its GB/T 9704 elements.",
    "toc_entries": "The bulletin's table of contents, each entry tied to the document it lists.",
    "indicators": "Quantified measures (baselines, targets, actuals, changes) from indicator tables.",
    "table_cells": "Every filled cell of every table, as tidy rows with its header path.",
    "ingest_errors": "Bulletin files that could not be ingested, with the reason.",
}


@dg.multi_asset(
    outs={
        t: dg.AssetOut(io_manager_key="parquet_io_manager", description=DESCRIPTIONS[t], group_name="bulletin",
                       metadata={"dagster/column_schema": dg.TableSchema(
                           columns=[dg.TableColumn(c.name, str(c.dtype), description=c.description)
                                    for c in TABLES[t]])})
        for t in OUTPUTS
    },
    partitions_def=bulletin_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    check_specs=[dg.AssetCheckSpec("pandera_schema", asset=t, description="Rows satisfy the quality/ schema")
                 for t in OUTPUTS]
    + [dg.AssetCheckSpec("toc_matches_documents", asset="toc_entries",
                         description="Every TOC entry is a document found in the body, and the reverse")],
    code_version=PARSER_VERSION,
)
def bulletin_tables(context: dg.AssetExecutionContext, raw_store: RawStore):
    files = raw_store.files()
    out: dict[str, dict[str, pl.DataFrame]] = {t: {} for t in OUTPUTS}
    failed: list[str] = []
    for key in context.partition_keys:
        path = files.get(key)
        if path is None:
            context.log.warning(f"partition {key}: no file in {raw_store.base_dir} any more; left as it was")
            continue
        data = path.read_bytes()
        try:
            parsed = parse_bulletin(data, path.name, context.run_id)
        except Exception as err:  # noqa: BLE001 - any failure is one bulletin's, recorded and isolated
            kind = err.kind if isinstance(err, BulletinError) else "parser_error"
            message = err.message if isinstance(err, BulletinError) else f"{path.name}: {type(err).__name__}: {err}"
            context.log.error(f"ingest error {kind} — {message}")
            out["ingest_errors"][key] = frame("ingest_errors", [{
                "bulletin_id": key, "source_sha256": hashlib.sha256(data).hexdigest(), "source_file": path.name,
                "parser_version": PARSER_VERSION, "run_id": context.run_id, "error_kind": kind,
                "message": message, "failed_at": dt.datetime.now(dt.timezone.utc)}])
            failed.append(key)
            continue
        for t in EXTRACTED:
            out[t][key] = frame(t, parsed.tables[t])
        out["ingest_errors"][key] = frame("ingest_errors", [])

    for t in OUTPUTS:
        parts = out[t]
        combined = pl.concat(list(parts.values()), rechunk=False) if parts else frame(t, [])
        metadata = {
            "dagster/row_count": combined.height,
            "bulletins": len(parts),
            "failed_bulletins": dg.MetadataValue.json(failed),
        }
        if combined.height:
            preview = combined.drop([c for c in ("body",) if c in combined.columns]).head(5)
            metadata["preview"] = dg.MetadataValue.md(markdown_table(preview, rows=5, width=60))
        yield dg.Output(parts, output_name=t, metadata=metadata)
        yield schema_check_result(t, combined)
    toc = pl.concat(list(out["toc_entries"].values())) if out["toc_entries"] else frame("toc_entries", [])
    docs = pl.concat(list(out["documents"].values())) if out["documents"] else frame("documents", [])
    yield toc_check_result(toc, docs)

