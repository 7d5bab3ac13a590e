"""Per-bulletin extraction: each raw file → its rows of every table, as Parquet.

One asset, one partition per bulletin file, with a single-run backfill policy: a build
of a thousand bulletins is one Dagster run, and each bulletin costs one materialization
event (Dagster's event log costs ~14 ms a partition; an output per table would multiply
that by the number of tables).
"""

import dagster as dg

from parsing import PARSER_VERSION
from gongbao.extraction.run import OUTPUTS, extract_bulletins
from assets.resources import ParsingResource, RawStore, WarehouseResource
from parsing.ids import display_name
from quality.checks import (ingested_check_result, markdown_table, numbers_check_result, schema_check_name,
                            schema_check_result, toc_check_result)

from assets.partitions import bulletin_partitions

ASSET = "bulletin_extracts"


@dg.asset(
    name=ASSET,
    partitions_def=bulletin_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="bulletin",
    description="A bulletin file's rows of every table, validated and written as "
                "parquet/<table>/<batch>.parquet (gongbao/store/warehouse.py).",
    check_specs=[dg.AssetCheckSpec(schema_check_name(t), asset=ASSET, description=f"Rows of {t} satisfy "
                                   "their quality/ schema") for t in OUTPUTS]
    + [dg.AssetCheckSpec("toc_matches_documents", asset=ASSET,
                         description="Every TOC entry is a document found in the body, and the reverse"),
       dg.AssetCheckSpec("numbers_within_documents", asset=ASSET,
                         description="Indicators, budgets and subsidies counted per bulletin; each row's line "
                                     "lies inside its document"),
       dg.AssetCheckSpec("files_ingested", asset=ASSET,
                         description="Every file of the run was read and gave documents; fails with each refused "
                                     "file and its reason (table ingest_errors)")],
    code_version=PARSER_VERSION,
)
def bulletin_extracts(context: dg.AssetExecutionContext, raw_store: RawStore, warehouse: WarehouseResource,
                      parsing: ParsingResource):
    files = raw_store.files(context.partition_keys)
    items = []
    for key in context.partition_keys:
        if key in files:
            items.append((key, files[key]))
        else:
            context.log.warning(f"partition {key}: no file in {raw_store.location} any more; left as it was")
    report = extract_bulletins(items, warehouse.store(), context.run_id, log=context.log.error,
                                workers=parsing.workers, progress=parsing.progress)

    metadata = {"bulletins": len(report.bulletins), "failed_bulletins": len(report.errors),
                **{f"rows_{t}": report.rows[t] for t in OUTPUTS}}
    if "documents" in report.previews:
        metadata["preview"] = dg.MetadataValue.md(
            markdown_table(report.previews["documents"].drop("body"), rows=5, width=60))
    yield dg.MaterializeResult(metadata=metadata)
    for t in OUTPUTS:
        yield schema_check_result(ASSET, t, report.checked[t], report.failure_frame(t))
    yield toc_check_result(ASSET, report.rows["toc_entries"], report.toc_frame())
    yield numbers_check_result(ASSET, report.counts_frame(), report.outside_frame())
    yield ingested_check_result(ASSET, len(items), report.errors)
    # A partition's key is an ASCII id: where it is not the file's own name, and for each refused
    # file, an observation on the partition says which file it is (a few events, not one per file).
    refused = {e["bulletin_id"]: e for e in report.errors}
    for key, path in items:
        if key in refused or key not in (path.name, path.stem):
            error = refused.get(key)
            yield dg.AssetObservation(asset_key=ASSET, partition=key, metadata={
                "source_file": display_name(path.name),
                "status": f"refused: {error['error_kind']}" if error else "loaded",
                **({"reason": error["message"]} if error else {})})
