import dagster as dg

# Extraction for the run's bulletin partitions, then the DuckDB load. The release is left
# out: writing it is O(warehouse), and an ingest must stay proportional to its bulletin.
build_job = dg.define_asset_job("build_warehouse",
                                selection=dg.AssetSelection.all() - dg.AssetSelection.assets("open_data_release"))
publish_job = dg.define_asset_job("publish_release", selection=dg.AssetSelection.assets("open_data_release"))
