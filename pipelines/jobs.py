import dagster as dg

# Everything: extraction for the run's bulletin partitions, then the DuckDB rebuild.
build_job = dg.define_asset_job("build_warehouse", selection=dg.AssetSelection.all())
