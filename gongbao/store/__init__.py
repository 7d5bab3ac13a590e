"""The warehouse: Parquet files and an embedded DuckDB file (`warehouse.WarehouseStore`, the
default), or DuckLake on PostgreSQL and object storage (`lake.LakeStore`). Which one a
deployment uses is decided by its settings, here and nowhere else (`open_store`)."""
from __future__ import annotations


def open_store(settings):
    """The store the settings name (gongbao.settings.Settings): ducklake when
    GONGBAO_WAREHOUSE_URL is set, else the embedded warehouse in GONGBAO_WAREHOUSE_DIR."""
    lake = settings.lake()
    if lake is not None:
        from gongbao.store.lake import LakeStore

        return LakeStore(lake, settings.warehouse_dir)
    from gongbao.store.warehouse import WarehouseStore

    return WarehouseStore(settings.warehouse_dir)
