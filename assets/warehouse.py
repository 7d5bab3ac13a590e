"""The DuckDB SQL layer, rebuilt from the Parquet tables after every extraction run."""

import dagster as dg

from pipelines.resources import WarehouseResource

from .extraction import OUTPUTS


@dg.asset(deps=list(OUTPUTS), group_name="warehouse", description="DuckDB file with every table, swapped in "
          "atomically so readers never see a half-written warehouse.")
def warehouse_duckdb(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    store = warehouse.store()
    counts = store.rebuild_duckdb()
    context.log.info(f"warehouse rebuilt at {store.db_path}: {counts}")
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(store.db_path)),
        **{f"rows_{t}": n for t, n in counts.items()},
    })
