"""The warehouse on disk: Parquet per table and bulletin is the truth, DuckDB the SQL layer.

Layout under the warehouse folder:
    parquet/<table>/<bulletin_id>.parquet   one file per table and bulletin
    pending/<bulletin_id>                   written to Parquet, not yet loaded into DuckDB
    pending/<bulletin_id>.writing           being written (left behind by a killed run: torn)
    warehouse.duckdb                        tables loaded from the Parquet files

A run writes a bulletin's files under the writer lock and marks the bulletin pending;
`sync_duckdb` then loads only the pending bulletins into a copy of the DuckDB file (delete
their rows, insert their Parquet, one transaction) and swaps the copy in with an atomic
rename. A reader sees the old warehouse or the new one, never a mix, and a reader holding
the old file open does not block the writer. The work is one bulletin's rows plus one file
copy; without a DuckDB file, or when the tables' columns changed, it is rebuilt whole.

A run killed while writing a bulletin leaves its `.writing` mark: that bulletin keeps its
last loaded rows in DuckDB, is reported as torn, and is parsed again by the next run that
asks for it (the sensor and the schedule do so by themselves).
"""
from __future__ import annotations

import errno
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl
from filelock import FileLock

from quality.schemas import TABLES, empty_frame, frame, polars_schema

from gongbao.store import sql_layer
from gongbao.store.connection import DB_NAME, open_reader

# The DuckDB file is written in the storage format of DuckDB 1.5.0, not the library's newest:
# the DuckDB CLI on PyPI (1.5.6), DBeaver and the other 1.x drivers open it (docs/sql.md), and
# it stays so if duckdb moves past 1.5.5 (docs/architecture.md, "DuckDB 1.5.5, not 2.0").
# A file copied for an incremental load keeps the format it has.
STORAGE_VERSION = "v1.5.0"
_CURRENT = "is_current and duplicate_of is null"  # the lineage versions whose rows are loaded
# Parquet files inserted by one statement, and DuckDB's own limit while it loads (it spills to
# <warehouse>/.spill beyond it). What a load needs is set by the slice, not the corpus: 256 files
# at a time ran out of 128 MB; 64 at a time load in 128 MB, so 256 MB is twice what they need.
# At 1 GB duckdb 1.5.5 used it all: the rebuild of 1,000 bulletins peaked at 1,450 MiB (RSS),
# at 256 MB and 64 files at 666 MiB, for the same CPU (docs/benchmark.md).
INSERT_FILES = 64
LOAD_MEMORY = "256MB"
WRITING = ".writing"
REBUILD_SHARE = 0.5  # above this share of bulletins pending, a rebuild is cheaper than copy + delete + insert


class WarehouseFull(OSError):
    """No space left where the warehouse is written: said plainly, with what is safe."""


@contextmanager
def _space_checked(where: Path) -> Iterator[None]:
    try:
        yield
    except Exception as err:  # noqa: BLE001 - OSError, DuckDB's IOException and polars' errors alike
        if getattr(err, "errno", None) != errno.ENOSPC and "No space left" not in str(err) \
                and "os error 28" not in str(err):
            raise
        free = shutil.disk_usage(where if where.exists() else where.parent).free // 2**20
        raise WarehouseFull(errno.ENOSPC, f"no space left on the device of {where} ({free} MiB free): free some "
                                          f"and run again; the warehouse's last loaded state is intact") from err


class WarehouseStore:
    def __init__(self, base_dir: Path):
        self.base_dir = Path(base_dir)
        self.parquet_dir = self.base_dir / "parquet"
        self.pending_dir = self.base_dir / "pending"
        self.db_path = self.base_dir / DB_NAME
        self.location = str(self.db_path)  # where the warehouse is, for messages

    def lock(self) -> FileLock:
        self.base_dir.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.base_dir / ".warehouse.lock"), timeout=600)

    def table_file(self, table: str, key: str) -> Path:
        return self.parquet_dir / table / f"{key}.parquet"

    def partition_files(self, table: str) -> list[Path]:
        folder = self.parquet_dir / table
        return sorted(folder.glob("*.parquet")) if folder.exists() else []

    # --- writing a run's bulletins -------------------------------------------------------

    def write_bulletins(self, batch: dict[str, dict[str, pl.DataFrame]],
                        under_lock: Callable[[dict], None] | None = None) -> None:
        """Replace each bulletin's rows of the given tables (no rows: no file) and mark it pending.
        `under_lock` may revise the batch once the writer lock is held (what another writer
        did meanwhile is then visible)."""
        self.pending_dir.mkdir(parents=True, exist_ok=True)
        with self.lock(), _space_checked(self.base_dir):
            if under_lock:
                under_lock(batch)
            for key, tables in batch.items():
                writing = self.pending_dir / f"{key}{WRITING}"
                writing.touch()
                for table, df in tables.items():
                    self._write_file(self.table_file(table, key), df)
                os.replace(writing, self.pending_dir / key)

    @staticmethod
    def _write_file(path: Path, df: pl.DataFrame) -> None:
        if df.height == 0:
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        df.write_parquet(tmp, compression="zstd", statistics=True)
        os.replace(tmp, path)

    def pending(self) -> tuple[list[str], list[str]]:
        """(bulletins written but not loaded, bulletins a killed run left half-written)."""
        if not self.pending_dir.exists():
            return [], []
        names = sorted(p.name for p in self.pending_dir.iterdir())
        torn = [n[: -len(WRITING)] for n in names if n.endswith(WRITING)]
        return [n for n in names if not n.endswith(WRITING) and n not in torn], torn

    # --- the DuckDB layer ----------------------------------------------------------------

    def sync_duckdb(self, rebuild: bool = False) -> tuple[str, dict[str, int]]:
        """Load the pending bulletins into DuckDB: ("updated"/"rebuilt", table → row count).
        `rebuild`: write the file anew from all the Parquet files even when an update would do."""
        with self.lock(), _space_checked(self.base_dir):
            self._remove_leftovers()
            ready, torn = self.pending()
            if rebuild or self._must_rebuild(len(ready)):
                mode, counts = "rebuilt", self._rebuild(exclude=set(torn))
            else:
                mode, counts = "updated", self._update(ready)
            for key in ready:
                (self.pending_dir / key).unlink(missing_ok=True)
            return mode, counts

    def _must_rebuild(self, n_pending: int) -> bool:
        if not self.db_path.exists():
            return True
        with self._read() as con:
            have = {t: [c for c, in con.execute("select column_name from information_schema.columns where "
                                                 "table_name = ? order by ordinal_position", [t]).fetchall()]
                    for t in TABLES}
            known = con.execute("select count(*) from (select bulletin_id from lineage union "
                                "select bulletin_id from ingest_errors)").fetchone()[0]
        if any(have[t] != [c.name for c in TABLES[t]] for t in TABLES):
            return True  # a new parser version changed the columns
        return n_pending > REBUILD_SHARE * max(known, 1) and n_pending > 1

    def _new_db_file(self) -> Path:
        return self.db_path.with_name(f".{DB_NAME}.{os.getpid()}.{time.time_ns()}.tmp")

    def _rebuild(self, exclude: set[str]) -> dict[str, int]:
        """A new file from every bulletin's Parquet files, except the torn ones (`exclude`),
        whose files a killed run left half-written: their last loaded rows are copied over
        from the current DuckDB file instead, so a rebuild keeps them as an update does."""
        previous = self.db_path if exclude and self.db_path.exists() else None
        with self._next_version(from_current=False) as (con, counts):
            if previous:
                con.execute(f"attach '{previous}' as previous (read_only)")
            for table in TABLES:
                con.execute(f"create table {table} as select * from {self._empty_relation(con, table)}")
                self._insert(con, table, [p for p in self.partition_files(table) if p.stem not in exclude])
                if previous:
                    self._keep_previous(con, table, sorted(exclude))
            if previous:
                con.execute("detach previous")
        return counts

    @staticmethod
    def _keep_previous(con: duckdb.DuckDBPyConnection, table: str, keys: list[str]) -> None:
        have = {c for c, in con.execute("select column_name from information_schema.columns where "
                                         "table_catalog = 'previous' and table_name = ?", [table]).fetchall()}
        if "bulletin_id" not in have:
            return
        now = [c for c, in con.execute("select column_name from information_schema.columns where "
                                        "table_catalog <> 'previous' and table_name = ?", [table]).fetchall()]
        shared = ", ".join(f'"{c}"' for c in now if c in have)  # a new parser's new columns stay null
        con.execute(f"insert into {table} ({shared}) select {shared} from previous.{table} "
                    f"where bulletin_id in (select unnest(?))", [keys])

    def _update(self, keys: list[str]) -> dict[str, int]:
        with self._next_version(from_current=True) as (con, counts):
            if keys:
                con.execute("begin")
                for table in TABLES:
                    con.execute(f"delete from {table} where bulletin_id in (select unnest(?))", [keys])
                    self._insert(con, table, [p for k in keys if (p := self.table_file(table, k)).exists()])
                con.execute("commit")
        return counts

    @contextmanager
    def _next_version(self, from_current: bool) -> Iterator[tuple[duckdb.DuckDBPyConnection, dict[str, int]]]:
        """A new DuckDB file (empty, or a copy of the current one) for the body to fill; then
        views and comments (they change with the code, not only with the data), the row
        counts, and the rename over the current file. Nothing is renamed if the body fails."""
        tmp = self._new_db_file()
        if from_current:
            shutil.copyfile(self.db_path, tmp)
        con = duckdb.connect(str(tmp), config={"storage_compatibility_version": STORAGE_VERSION,
                                               "memory_limit": LOAD_MEMORY, "temp_directory": str(self.base_dir / ".spill")})
        counts: dict[str, int] = {}
        try:
            yield con, counts
            sql_layer.apply(con)
            counts.update(self._counts(con))
            con.execute("checkpoint")
        except BaseException:
            con.close()
            for half in (tmp, tmp.with_name(tmp.name + ".wal")):  # a failed load (a full disk) leaves
                half.unlink(missing_ok=True)  # no half file taking room
            raise
        con.close()
        os.replace(tmp, self.db_path)

    @staticmethod
    def _insert(con: duckdb.DuckDBPyConnection, table: str, files: list[Path]) -> None:
        """The files' rows, a slice of files at a time: memory bounded by the slice, not the corpus."""
        for i in range(0, len(files), INSERT_FILES):
            con.execute(f"insert into {table} by name select * from read_parquet(?, union_by_name=true)",
                        [[str(f) for f in files[i:i + INSERT_FILES]]])

    @staticmethod
    def _empty_relation(con: duckdb.DuckDBPyConnection, table: str) -> str:
        """A zero-row relation with the table's exact column types, from its polars schema."""
        con.register(f"_empty_{table}", empty_frame(table).to_arrow())
        return f"_empty_{table}"

    @staticmethod
    def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}

    def _remove_leftovers(self) -> None:
        """Temp files of writers that died; every writer holds the lock, so none is alive now."""
        for tmp in [*self.base_dir.glob(f".{DB_NAME}.*.tmp"), *self.base_dir.glob(f".{DB_NAME}.*.tmp.wal")]:
            tmp.unlink(missing_ok=True)
        for tmp in self.parquet_dir.glob("*/.*.tmp"):
            tmp.unlink(missing_ok=True)

    # --- reading back ---------------------------------------------------------------------

    def reader(self, sandboxed: bool = False) -> duckdb.DuckDBPyConnection:
        """A read-only connection (gongbao.store.connection.open_reader)."""
        return open_reader(self.db_path, sandboxed)

    def _read(self) -> duckdb.DuckDBPyConnection:
        """The connection the store's own questions below are asked on (closed after each)."""
        return self.reader()

    def has_tables(self) -> bool:
        return self.db_path.exists()

    def previews(self, tables: tuple[str, ...], rows: int = 5) -> dict[str, pl.DataFrame]:
        """The first rows of each table, long text columns left out."""
        with self._read() as con:
            out = {}
            for t in tables:
                rel = con.sql(f"select * from {t} limit {rows}")
                out[t] = rel.pl().drop("body", strict=False)
            return out

    def ingest_errors(self, run_id: str) -> list[tuple[str, str, str]]:
        """(source_file, error_kind, message) of the files a run could not ingest."""
        with self._read() as con:
            return con.execute("select source_file, error_kind, message from ingest_errors where run_id = ? "
                               "order by source_file", [run_id]).fetchall()

    def ingested_versions(self) -> dict[str, str]:
        """bulletin_id → sha256 of the last version processed: loaded, or refused with an
        ingest error (so a bad file is not retried until its bytes change). Torn bulletins
        are left out, so that whoever asks runs them again."""
        out: dict[str, str] = {}
        if self.has_tables():
            with self._read() as con:
                out.update(con.execute("select bulletin_id, source_sha256 from lineage where is_current").fetchall())
                out.update(con.execute("select bulletin_id, source_sha256 from ingest_errors").fetchall())
        for key in self.pending()[1]:
            out.pop(key, None)
        return out

    def stale_duplicates(self) -> dict[str, str]:
        """bulletin_id → sha256 of files recorded as the duplicate of a bulletin that has since
        changed: no table holds their bytes any more, so they are to be loaded in their own right."""
        if not self.has_tables():
            return {}
        with self._read() as con:
            return dict(con.execute("""
                select d.bulletin_id, d.source_sha256 from lineage d
                join lineage o on o.bulletin_id = d.duplicate_of and o.is_current
                where d.is_current and d.duplicate_of is not null
                  and o.source_sha256 <> d.source_sha256 and o.text_sha256 <> d.text_sha256""").fetchall())

    def loaded_in_db(self) -> dict[str, str]:
        """sha256 of bytes or of text (lineage.text_sha256) → the bulletin the DuckDB file holds
        loaded from them."""
        if not self.has_tables():
            return {}
        with self._read() as con:
            out = dict(con.execute("select source_sha256, bulletin_id from bulletins").fetchall())
            out.update(con.execute(f"select text_sha256, bulletin_id from lineage where {_CURRENT}").fetchall())
        return out

    def loaded_in_pending(self, keys) -> dict[str, str]:
        """The same for the pending bulletins `keys` (written, not yet loaded)."""
        out: dict[str, str] = {}
        for key in keys:
            path = self.table_file("lineage", key)
            if path.exists():
                versions = pl.read_parquet(path).filter(pl.sql_expr(_CURRENT))
                out.update(versions.select("source_sha256", "bulletin_id").iter_rows())
                if "text_sha256" in versions.columns:  # versions written before 0.4.0 have none
                    out.update(versions.select("text_sha256", "bulletin_id").drop_nulls().iter_rows())
        return out

    def db_stamp(self) -> tuple[int, int] | None:
        """Changes whenever a load swaps a new DuckDB file in (inode and mtime of the file)."""
        try:
            st = self.db_path.stat()
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_mtime_ns

    def pending_stamps(self) -> dict[str, int]:
        """Pending bulletin → mtime of its mark (a writer renames a new mark in for each write)."""
        out = {}
        for key in self.pending()[0]:
            try:
                out[key] = (self.pending_dir / key).stat().st_mtime_ns
            except FileNotFoundError:  # loaded meanwhile
                continue
        return out

    def _history(self, key: str) -> pl.DataFrame:
        """The bulletin's lineage versions as written (none: an empty frame)."""
        path = self.table_file("lineage", key)
        return pl.read_parquet(path) if path.exists() else empty_frame("lineage")

    def lineage_with(self, key: str, version: dict) -> pl.DataFrame:
        """The bulletin's version history with `version` as the current one. The same bytes
        again (same name, same parser) add no version: that version's row takes the new run,
        time and counts, since the rows now in the tables carry that run."""
        history = self._history(key)
        history = history.select([pl.col(c).cast(t) if c in history.columns else pl.lit(None, t).alias(c)
                                  for c, t in polars_schema("lineage").items()])
        this_version = ((pl.col("source_sha256") == version["source_sha256"])
                        & (pl.col("parser_version") == version["parser_version"])
                        & (pl.col("source_file") == version["source_file"])
                        & pl.col("duplicate_of").eq_missing(version.get("duplicate_of")))
        older = history.filter(~this_version).with_columns(pl.lit(False).alias("is_current"))
        return pl.concat([older, frame("lineage", [version])])
