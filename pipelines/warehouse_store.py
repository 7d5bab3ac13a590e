"""The warehouse on disk: Parquet per table and bulletin is the truth, DuckDB the SQL layer.

Layout under the warehouse folder:
    parquet/<table>/<bulletin_id>.parquet   one file per table and bulletin
    warehouse.duckdb                        tables loaded from all Parquet files

The DuckDB file is rebuilt into a temporary file and swapped in with an atomic rename,
so a reader sees the old warehouse or the new one, never a half-written one, and a
reader holding the old file open does not block the writer. Writers take a file lock.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import duckdb
import polars as pl
from filelock import FileLock

from quality.schemas import TABLES, empty_frame, frame

DB_NAME = "warehouse.duckdb"


class WarehouseStore:
    def __init__(self, base_dir: Path):
        self.base_dir = Path(base_dir)
        self.parquet_dir = self.base_dir / "parquet"
        self.db_path = self.base_dir / DB_NAME

    def lock(self) -> FileLock:
        self.base_dir.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.base_dir / ".warehouse.lock"), timeout=600)

    def table_file(self, table: str, key: str) -> Path:
        return self.parquet_dir / table / f"{key}.parquet"

    def write_partition(self, table: str, key: str, df: pl.DataFrame) -> None:
        """Replace a bulletin's rows of a table; no rows means no file."""
        path = self.table_file(table, key)
        if df.height == 0:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        df.write_parquet(tmp, compression="zstd", statistics=True)
        os.replace(tmp, path)

    def partition_files(self, table: str) -> list[Path]:
        folder = self.parquet_dir / table
        return sorted(folder.glob("*.parquet")) if folder.exists() else []

    def rebuild_duckdb(self) -> dict[str, int]:
        """Load every table from its Parquet files into a new DuckDB file and swap it in."""
        with self.lock():
            tmp = self.db_path.with_name(f".{DB_NAME}.{os.getpid()}.{time.time_ns()}.tmp")
            counts: dict[str, int] = {}
            con = duckdb.connect(str(tmp))
            try:
                for table in TABLES:
                    files = [str(p) for p in self.partition_files(table)]
                    if files:
                        con.execute(f"create table {table} as select * from read_parquet(?, union_by_name=true)",
                                    [files])
                    else:
                        empty = empty_frame(table).to_arrow()  # noqa: F841 (read by DuckDB's replacement scan)
                        con.execute(f"create table {table} as select * from empty")
                    counts[table] = con.execute(f"select count(*) from {table}").fetchone()[0]
                con.execute("checkpoint")
            finally:
                con.close()
            os.replace(tmp, self.db_path)
            return counts

    def previews(self, tables: tuple[str, ...], rows: int = 5) -> dict[str, pl.DataFrame]:
        """The first rows of each table, long text columns left out."""
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            out = {}
            for t in tables:
                rel = con.sql(f"select * from {t} limit {rows}")
                out[t] = rel.pl().drop("body", strict=False)
            return out

    def ingest_errors(self, run_id: str) -> list[tuple[str, str, str]]:
        """(source_file, error_kind, message) of the files a run could not ingest."""
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            return con.execute("select source_file, error_kind, message from ingest_errors where run_id = ? "
                               "order by source_file", [run_id]).fetchall()

    def ingested_versions(self) -> dict[str, str]:
        """bulletin_id → sha256 of the last version processed: loaded, or refused with an
        ingest error (so a bad file is not retried until its bytes change)."""
        if not self.db_path.exists():
            return {}
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            out = dict(con.execute("select bulletin_id, source_sha256 from bulletins").fetchall())
            out.update(con.execute("select bulletin_id, source_sha256 from ingest_errors").fetchall())
            return out

    def lineage_with(self, key: str, version: dict) -> pl.DataFrame:
        """The bulletin's version history with `version` as the current one. The same bytes
        again (same parser) change nothing: the history keeps the run that first loaded them."""
        path = self.table_file("lineage", key)
        history = pl.read_parquet(path) if path.exists() else empty_frame("lineage")
        this_version = ((pl.col("source_sha256") == version["source_sha256"])
                        & (pl.col("parser_version") == version["parser_version"])
                        & (pl.col("source_file") == version["source_file"]))
        same = history.filter(this_version)
        if same.height:
            current = this_version & (pl.col("ingested_at") == same["ingested_at"].max())
            return history.with_columns(current.alias("is_current"))
        new = frame("lineage", [version])
        return pl.concat([history.with_columns(pl.lit(False).alias("is_current")), new])
