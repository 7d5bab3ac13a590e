"""`gongbao migrate --to URL`: an embedded warehouse's rows copied into an empty ducklake
warehouse, every table in one transaction (a reader sees the lake empty or whole), then its
comments and views. The embedded warehouse is only read."""
from __future__ import annotations

from quality.schemas import TABLES

from gongbao.store.connection import LAKE
from gongbao.store.lake import LakeStore
from gongbao.store.warehouse import WarehouseStore

SOURCE = "embedded"


class NotEmpty(RuntimeError):
    """The ducklake warehouse holds bulletins already."""


def to_lake(source: WarehouseStore, lake: LakeStore) -> dict[str, int]:
    """Copy every table of `source` (its DuckDB file, as last loaded) into `lake`; returns the
    lake's row counts. Refused when the source has bulletins not loaded yet (pending or torn:
    `gongbao build` first) or the lake is not empty."""
    if not source.db_path.exists():
        raise FileNotFoundError(f"no warehouse at {source.db_path}; nothing to move")
    pending, torn = source.pending()
    if pending or torn:
        raise RuntimeError(f"{source.db_path}: {len(pending) + len(torn)} bulletin(s) written but not loaded "
                           f"(pending or half-written); run `gongbao build` on it first")
    lake.ensure_tables()
    con = lake._connection()
    have = con.execute("select count(*) from lineage").fetchone()[0] + \
        con.execute("select count(*) from ingest_errors").fetchone()[0]
    if have:
        raise NotEmpty(f"{lake.location} is not empty ({have} bulletin versions or errors): a warehouse is "
                       f"moved into an empty catalog database and prefix only")
    con.execute(f"attach '{str(source.db_path).replace(chr(39), chr(39) * 2)}' as {SOURCE} (read_only)")
    try:
        def body(con) -> None:
            for table in TABLES:
                theirs = {c for c, in con.execute(
                    "select column_name from information_schema.columns where table_catalog = ? "
                    "and table_name = ?", [SOURCE, table]).fetchall()}
                ours = [c for c, in con.execute(
                    "select column_name from information_schema.columns where table_catalog = ? "
                    "and table_schema = 'main' and table_name = ? order by ordinal_position",
                    [LAKE, table]).fetchall()]
                shared = ", ".join(f'"{c}"' for c in ours if c in theirs)  # columns newer than the file stay null
                con.execute(f"insert into {LAKE}.main.{table} ({shared}) select {shared} from {SOURCE}.main.{table}")

        lake._transaction(body, f"moving {source.db_path}")
    finally:
        con.execute(f"use {LAKE}")
        con.execute(f"detach {SOURCE}")
    lake._apply_sql_layer(force=True)
    return lake._counts(con)
