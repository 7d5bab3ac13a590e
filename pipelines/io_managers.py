"""Parquet IO manager: one file per table and bulletin partition.

The extraction asset hands over {partition_key: frame}; a key left out of the dict (a
bulletin that failed to parse) keeps its previous file, so a bad new version of a
bulletin never erases the good rows already in the warehouse. The ready-made
dagster-polars / dagster-duckdb-polars IO managers fail to load with polars 2 and
DuckDB 2 (see docs/architecture.md), hence this small one.
"""
from __future__ import annotations

from pathlib import Path

import dagster as dg
import polars as pl

from .warehouse_store import WarehouseStore


class ParquetIOManager(dg.ConfigurableIOManager):
    base_dir: str

    def _store(self) -> WarehouseStore:
        return WarehouseStore(Path(self.base_dir))

    def handle_output(self, context: dg.OutputContext, obj: dict[str, pl.DataFrame] | None) -> None:
        if obj is None:
            return
        table = context.asset_key.path[-1]
        store = self._store()
        for key, df in obj.items():
            store.write_partition(table, key, df)

    def load_input(self, context: dg.InputContext) -> pl.DataFrame:
        table = context.asset_key.path[-1]
        keys = context.asset_partition_keys if context.has_asset_partitions else []
        return self._store().read_partitions(table, list(keys))
