"""The DuckDB SQL layer: one asset per table, loaded from the Parquet files after each run."""

import dagster as dg

from gongbao.extraction.run import OUTPUTS
from assets.resources import WarehouseResource
from quality.checks import markdown_table
from quality.schemas import TABLE_DESCRIPTIONS, TABLES

from assets.extraction import ASSET


def _spec(table: str) -> dg.AssetSpec:
    columns = [dg.TableColumn(c.name, str(c.dtype), description=c.description) for c in TABLES[table]]
    return dg.AssetSpec(table, deps=[ASSET], group_name="warehouse", description=TABLE_DESCRIPTIONS[table],
                        metadata={"dagster/column_schema": dg.TableSchema(columns=columns)})


@dg.multi_asset(specs=[_spec(t) for t in OUTPUTS], name="warehouse_tables")
def warehouse_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Load the bulletins this run wrote into warehouse.duckdb in one transaction (in the file
    itself, or in a copy swapped in when a reader holds it), so readers never see a
    half-written warehouse."""
    store = warehouse.store()
    mode, counts = store.sync_duckdb()
    context.log.info(f"warehouse {mode} at {store.location}: {counts}")
    torn = store.pending()[1]
    if torn:
        context.log.warning(f"bulletins left half-written by a killed run, kept at their last loaded "
                            f"version until parsed again: {', '.join(torn)}")
    previews = store.previews(OUTPUTS, rows=5)
    for t in OUTPUTS:
        metadata = {"dagster/row_count": counts[t], "path": dg.MetadataValue.path(store.location),
                    "load": mode}
        if previews[t].height:
            metadata["preview"] = dg.MetadataValue.md(markdown_table(previews[t], rows=5, width=60))
        yield dg.MaterializeResult(asset_key=t, metadata=metadata)
