"""The open-data release: every warehouse table as CSV, Excel CSV and Parquet with a
Frictionless data package, written after each build (docs/publishing.md)."""

import dagster as dg

from gongbao.release.publish import publish
from assets.resources import ReleaseResource, WarehouseResource

from assets.warehouse import warehouse_tables

ASSET = "open_data_release"


@dg.asset(name=ASSET, deps=list(warehouse_tables.keys), group_name="release",
          description="Versioned open-data release of every table (CSV, Excel CSV, Parquet, datapackage.json, "
                      "SHA256SUMS), one folder per content version.")
def open_data_release(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                      release: ReleaseResource) -> dg.MaterializeResult:
    folder = publish(warehouse.store(), release.path())
    context.log.info(f"release written to {folder}")
    return dg.MaterializeResult(metadata={"version": folder.name, "path": dg.MetadataValue.path(str(folder)),
                                          "files": sum(1 for p in folder.rglob("*") if p.is_file())})
