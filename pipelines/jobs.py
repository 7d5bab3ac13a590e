import dagster as dg

from assets.resources import WarehouseResource

# Extraction for the run's bulletin partitions, then the DuckDB load. The release is left
# out: writing it is O(warehouse), and an ingest must stay proportional to its bulletin.
build_job = dg.define_asset_job("build_warehouse",
                                selection=dg.AssetSelection.all() - dg.AssetSelection.assets("open_data_release"))
publish_job = dg.define_asset_job("publish_release", selection=dg.AssetSelection.assets("open_data_release"))


@dg.op(description="Merge the small Parquet files of a ducklake warehouse into larger ones "
                   "(ducklake_merge_adjacent_files), expire its snapshots older than GONGBAO_SNAPSHOT_DAYS and "
                   "delete the files only they read; the embedded DuckDB warehouse has none to merge.")
def compact_warehouse_files(context: dg.OpExecutionContext, warehouse: WarehouseResource) -> dg.Output:
    store = warehouse.store()
    if not hasattr(store, "maintain"):
        context.log.info(f"{store.location}: the embedded warehouse has no small files to merge")
        return dg.Output(None, metadata={"backend": "duckdb"})
    result = store.maintain(snapshot_days=warehouse.snapshot_days)
    context.log.info(f"{store.location}: data files {result['files_before']} → {result['files_after']}, "
                     f"snapshots {result['snapshots_before']} → {result['snapshots_after']}")
    return dg.Output(None, metadata={"backend": "ducklake", **result})


@dg.job(name="compact_warehouse", description="Maintenance of the ducklake warehouse: compaction of small files, "
                                                  "expiry of old snapshots.")
def compact_job():
    compact_warehouse_files()
