"""The warehouse on disk: Parquet is the truth, DuckDB the SQL layer.

Layout under the warehouse folder:
    parquet/<table>/<batch>.parquet         the rows of one write's bulletins (a batch of a run,
                                            up to 100) for one table, `bulletin_id` a column
    parquet/manifest.sqlite                 (table, bulletin) → the file holding its current rows
    pending/<bulletin_id>                   written to Parquet, not yet loaded into DuckDB
    pending/<bulletin_id>.writing           being written (left behind by a killed run: torn)
    warehouse.duckdb                        tables loaded from the Parquet files

A few files per batch, not one per table and bulletin: writing ~10 small files a bulletin was a
fifth of the run's own process (47 ms a bulletin) and 10.8 files a bulletin on disk (216,022 at
20,000 bulletins). A bulletin written again goes into the new batch's file; the manifest then
points at it, and its rows in the older file are no longer read (a file no bulletin points at is
deleted). The manifest (SQLite, one transaction per write) is what makes a write whole: files
are written first, then the manifest switches every bulletin of the batch at once. Warehouses of
the earlier layout (`parquet/<table>/<bulletin_id>.parquet`) are read as batches of one bulletin:
their manifest is made from the file names the first time.

A run writes a batch's files under the writer lock and marks its bulletins pending;
`sync_duckdb` then loads only the pending bulletins (delete their rows, insert their Parquet,
views and counts: one transaction). It does so in the DuckDB file itself when no reader has it
open: DuckDB's lock then keeps readers out until the commit (`open_reader` waits for it), and
a failed or killed load leaves the last committed state. When a reader holds the file, the
load goes into a copy instead, swapped in with an atomic rename, so the reader keeps its old
state and does not block the writer. A reader sees the old warehouse or the new one, never a
mix, either way. In place the work is one bulletin's rows, whatever the warehouse's size (a
copy of a 20,000-bulletin warehouse is 2 GB to write at each load); without a DuckDB file,
when the tables' columns changed, or when most bulletins are pending, it is rebuilt whole.

A run killed while writing a bulletin leaves its `.writing` mark: that bulletin keeps its
last loaded rows in DuckDB, is reported as torn, and is parsed again by the next run that
asks for it (the sensor and the schedule do so by themselves).
"""
from __future__ import annotations

import errno
import functools
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
from filelock import FileLock

from quality.schemas import TABLES, empty_frame, frame, polars_schema

from gongbao.store import sql_layer
from gongbao.store.connection import DB_NAME, LOAD_MEMORY, held_elsewhere, in_list, open_reader, sql_literal

# The DuckDB file is written in the storage format of DuckDB 1.5.0, not the library's newest:
# the DuckDB CLI on PyPI (1.5.6), DBeaver and the other 1.x drivers open it (docs/sql.md), and
# it stays so if duckdb moves past 1.5.5 (docs/architecture.md, "DuckDB 1.5.5, not 2.0").
# A file copied for an incremental load keeps the format it has.
STORAGE_VERSION = "v1.5.0"
_CURRENT = "is_current and duplicate_of is null"  # the lineage versions whose rows are loaded
# Parquet files inserted by one statement; DuckDB's limit while it loads is LOAD_MEMORY
# (gongbao.store.connection; it spills to <warehouse>/.spill beyond it). What a load needs is
# set by the slice, not the corpus: 256 files at a time ran out of 128 MB; 64 at a time load
# in 128 MB, so 256 MB is twice what they need.
# At 1 GB duckdb 1.5.5 used it all: the rebuild of 1,000 bulletins peaked at 1,450 MiB (RSS),
# at 256 MB and 64 files at 666 MiB, for the same CPU (docs/benchmark.md).
INSERT_FILES = 64
# Columns of long text that DuckDB stores compressed with zstd (its documented `USING
# COMPRESSION`; storage version 1.2 or later) rather than by its own pick (DICT_FSST for these):
# the benchmark's DuckDB file of 20,000 bulletins 1,981 -> 1,380 MB, its rebuild 189 -> 177 CPU s;
# a scan of the lines (`text like '%就业%'`) or one bulletin's lines read as fast (docs/benchmark.md).
ZSTD_COLUMNS = {"bulletin_lines": {"text"}, "documents": {"body"}}
WRITING = ".writing"
REBUILD_SHARE = 0.5  # above this share of bulletins pending, a rebuild is cheaper than copy + delete + insert


MANIFEST = "manifest.sqlite"


# Rows in a row group of the DuckDB file. DuckDB builds a row group up in memory until it is
# full (its default: 122,880 rows), and a `documents` row carries a whole document's text, a
# `document_terms` row its words: 122,880 of them are gigabytes, so under LOAD_MEMORY each slice
# of files inserted cost more than the last (the rebuild of 20,000 bulletins spent 81 CPU s on
# documents and 42 on document_terms, against 0.5 and 0.7 at 1,000). In row groups of 2,048
# rows, 64 files of documents load in 2.0 CPU s instead of 12.7 and of document_terms in 5.1
# instead of 14.4; the tables of short rows gain nothing from small groups and lose (bulletin_lines
# 6.5 -> 7.8 CPU s and +10% on disk; an ingest into 20,000 bulletins 1.14 -> 1.42x the empty one's
# with every table in small groups), so a rebuild writes them in DuckDB's default groups. The
# row group size is an option of ATTACH alone, and a checkpoint under another size merges small
# groups back (5 CPU s for 64 files of documents): every writer attaches the file with
# ROW_GROUP_ROWS, and the rebuild attaches it once more with DuckDB's for the tables not in
# WIDE_ROWS, which an update then only appends to (docs/benchmark.md).
ROW_GROUP_ROWS = 2048
DEFAULT_ROW_GROUP_ROWS = 122_880
WIDE_ROWS = ("documents", "document_terms")  # the tables loaded in groups of ROW_GROUP_ROWS
WRITTEN = "warehouse"  # the catalog name a writer attaches the DuckDB file under
# Writers on one DuckDB thread. On two, the rebuild of 1,000 bulletins took 3.5-3.7 CPU s against
# 2.5 on one, in about the same time (2.4-2.5 s against 2.6); of 20,000, 68.2 CPU s in 39.4 s
# against 51.7 in 53.0 (the one place a second thread buys time, at a third more CPU); an update
# of the 20,000 file 0.71-0.76 s against 0.66-0.68 (docs/benchmark.md, ninth round).
WRITER_THREADS = 1


def _attach_written(con: duckdb.DuckDBPyConnection, path: str, row_group_rows: int) -> None:
    con.execute(f"attach {sql_literal(path)} as {WRITTEN} (storage_version '{STORAGE_VERSION}', "
                f"row_group_size {row_group_rows})")
    con.execute(f"use {WRITTEN}")


def _with_row_groups(con: duckdb.DuckDBPyConnection, row_group_rows: int) -> None:
    """The file a writer's connection writes, attached again with row groups of `row_group_rows`."""
    path, = con.execute("select path from duckdb_databases() where database_name = ?", [WRITTEN]).fetchone()
    con.execute("use memory")
    con.execute(f"detach {WRITTEN}")
    _attach_written(con, path, row_group_rows)


def _open_writer(path: Path, base_dir: Path) -> duckdb.DuckDBPyConnection:
    """A connection that writes the DuckDB file at `path` (made if missing), as gongbao writes
    it: the storage format readers of 1.5.0 open, row groups of ROW_GROUP_ROWS (both options of
    ATTACH: the row group size is one of nothing else), LOAD_MEMORY and WRITER_THREADS, and spilling to
    <warehouse>/.spill beyond it. A file another process holds raises DuckDB's IOException
    (`held_elsewhere`), one a connection of this process holds its BinderException."""
    con = duckdb.connect(config={"memory_limit": LOAD_MEMORY, "temp_directory": str(base_dir / ".spill"),
                                 "threads": WRITER_THREADS})
    try:
        _attach_written(con, str(path), ROW_GROUP_ROWS)
    except BaseException:
        con.close()
        raise
    return con


def _attached_elsewhere(err: duckdb.Error) -> bool:
    """DuckDB's answer when a connection of this process has the file open."""
    return isinstance(err, duckdb.BinderException) and "Unique file handle conflict" in str(err)


class Manifest:
    """(table, bulletin_id) → the name of the Parquet file under parquet/<table>/ that holds the
    bulletin's current rows of that table (none: it has none). Written under the writer lock,
    one transaction per write; read by anyone (WAL: readers do not wait for the writer)."""

    def __init__(self, parquet_dir: Path):
        self.parquet_dir = parquet_dir
        self.path = parquet_dir / MANIFEST
        self._ready = False  # its table made (and an earlier layout adopted) by this process

    def _connect(self) -> sqlite3.Connection:
        """A connection of its own each time (none kept: the store is used across forks)."""
        if self._ready:
            return sqlite3.connect(str(self.path), timeout=600, isolation_level=None)
        new = not self.path.exists()
        self.parquet_dir.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(str(self.path), timeout=600, isolation_level=None)
        con.execute("pragma journal_mode = wal")
        con.execute("create table if not exists current (tbl text not null, bulletin_id text not null, "
                    "file text not null, primary key (tbl, bulletin_id)) without rowid")
        con.execute("create index if not exists by_file on current (tbl, file)")
        if new:
            self._adopt(con)
        self._ready = True
        return con

    def ready(self) -> None:
        """Made, with an earlier layout's files adopted: before a write's new files exist (they
        are not of that layout)."""
        if not self._ready:
            self._connect().close()

    def _adopt(self, con: sqlite3.Connection) -> None:
        """Files of the earlier layout (one per table and bulletin, named by the bulletin)."""
        rows = [(t, f.stem, f.name) for t in TABLES if (self.parquet_dir / t).is_dir()
                for f in (self.parquet_dir / t).glob("*.parquet")]
        if rows:
            con.execute("begin immediate")
            con.executemany("insert or ignore into current values (?, ?, ?)", rows)
            con.execute("commit")

    def files(self, table: str, keys: list[str] | None = None) -> dict[str, list[str]]:
        """file → the bulletins whose current rows of `table` it holds (of `keys`, or all)."""
        out: dict[str, list[str]] = {}
        with _closing(self._connect()) as con:
            if keys is None:
                rows = con.execute("select file, bulletin_id from current where tbl = ? order by file, bulletin_id",
                                   [table]).fetchall()
            else:
                rows = sorted(row for part, marks in _in_parts(keys) for row in con.execute(
                    f"select file, bulletin_id from current where tbl = ? and bulletin_id in ({marks})",
                    [table, *part]).fetchall())
        for file, key in rows:
            out.setdefault(file, []).append(key)
        return out

    def switch(self, changes: dict[str, tuple[list[str], str | None, set[str]]]) -> dict[str, list[str]]:
        """In one transaction, for each table of `changes` (table → keys, file, with_rows): its
        `keys` now point at `file` (those of `with_rows`) or at nothing. Returns table → the
        files no bulletin points at any more (to delete). One connection and one commit for a
        write's tables: thirteen of each cost 0.23 s with a manifest of 20,000 bulletins."""
        gone: dict[str, list[str]] = {}
        with _closing(self._connect()) as con:
            con.execute("begin immediate")
            for table, (keys, file, with_rows) in changes.items():
                old: set[str] = set()
                for part, marks in _in_parts(keys):
                    old.update(f for f, in con.execute(f"select distinct file from current where tbl = ? and "
                                                       f"bulletin_id in ({marks})", [table, *part]).fetchall())
                    con.execute(f"delete from current where tbl = ? and bulletin_id in ({marks})", [table, *part])
                if file:
                    con.executemany("insert into current values (?, ?, ?)", [(table, k, file) for k in keys
                                                                              if k in with_rows])
                gone[table] = [f for f in sorted(old - {file}) if con.execute(
                    "select 1 from current where tbl = ? and file = ? limit 1", [table, f]).fetchone() is None]
            con.execute("commit")
        return gone


def _in_parts(keys: list[str], size: int = 500) -> Iterator[tuple[list[str], str]]:
    """`keys` in parts small enough for one `in (…)` of SQLite, each with its `?, ?, …`."""
    for i in range(0, len(keys), size):
        part = keys[i:i + size]
        yield part, ", ".join("?" * len(part))


@contextmanager
def _closing(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    try:
        yield con
    finally:
        con.close()


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
        self._read_histories: dict[str, pl.DataFrame] = {}  # read_histories → lineage_with

    def lock(self) -> FileLock:
        self.base_dir.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.base_dir / ".warehouse.lock"), timeout=600)

    @functools.cached_property
    def manifest(self) -> Manifest:
        return Manifest(self.parquet_dir)

    def table_files(self, table: str, keys: list[str] | None = None) -> dict[Path, list[str]]:
        """Parquet file → the bulletins whose current rows of `table` are in it (of `keys`, or all)."""
        if not self.parquet_dir.exists():
            return {}
        return {self.parquet_dir / table / f: k for f, k in self.manifest.files(table, keys).items()}

    def read_rows(self, table: str, keys: list[str]) -> pl.DataFrame:
        """The current rows of `table` of the bulletins `keys`, as written (empty: none)."""
        parts = [pl.read_parquet(path).filter(pl.col("bulletin_id").is_in(held))
                 for path, held in self.table_files(table, keys).items()]
        return pl.concat(parts, how="diagonal_relaxed") if parts else empty_frame(table)

    # --- writing a run's bulletins -------------------------------------------------------

    def write_bulletins(self, batch: dict[str, dict[str, pl.DataFrame]],
                        under_lock: Callable[[dict], None] | None = None) -> None:
        """Replace each bulletin's rows of the given tables (no rows: none) and mark it pending:
        one file per table for the whole batch, then the manifest switched to them.
        `under_lock` may revise the batch once the writer lock is held (what another writer
        did meanwhile is then visible)."""
        self.pending_dir.mkdir(parents=True, exist_ok=True)
        with self.lock(), _space_checked(self.base_dir):
            if under_lock:
                under_lock(batch)
            if not batch:
                return
            for key in batch:
                (self.pending_dir / f"{key}{WRITING}").touch()
            self.manifest.ready()
            name = f"{time.time_ns():x}-{os.getpid()}.parquet"  # later writes sort after earlier ones
            changes = {}
            for table in TABLES:
                touching = [k for k, tables in batch.items() if table in tables]
                if not touching:
                    continue
                with_rows = [k for k in touching if batch[k][table].height]
                if with_rows:
                    self._write_file(self.parquet_dir / table / name,
                                     pl.concat([batch[k][table] for k in with_rows], how="vertical_relaxed"))
                changes[table] = (touching, name if with_rows else None, set(with_rows))
            for table, unused in self.manifest.switch(changes).items():
                for file in unused:
                    (self.parquet_dir / table / file).unlink(missing_ok=True)
            for key in batch:
                os.replace(self.pending_dir / f"{key}{WRITING}", self.pending_dir / key)

    @staticmethod
    def _write_file(path: Path, df: pl.DataFrame) -> None:
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
                con.execute(f"attach {sql_literal(str(previous))} as previous (read_only)")
            # the tables of short rows in DuckDB's row groups, then the wide ones in small groups
            # (ROW_GROUP_ROWS, which the rest of the writing and every later writer use)
            for rows, tables in ((DEFAULT_ROW_GROUP_ROWS, [t for t in TABLES if t not in WIDE_ROWS]),
                                 (ROW_GROUP_ROWS, [t for t in TABLES if t in WIDE_ROWS])):
                _with_row_groups(con, rows)
                for table in tables:
                    self._create_table(con, table)
                    files = self.table_files(table)
                    self._insert(con, table, {f: [k for k in keys if k not in exclude] for f, keys in files.items()})
                    self._remove_unused(table, files)
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
                    f"where bulletin_id in {in_list(keys)}")

    def _update(self, keys: list[str]) -> dict[str, int]:
        """The bulletins `keys` loaded again: in the DuckDB file itself, or into a copy of it
        when a reader holds it open."""
        con = self._open_in_place()
        if con is None:
            with self._next_version(from_current=True) as (con, counts):
                con.execute("begin")
                self._replace(con, keys)
                con.execute("commit")
            return counts
        try:
            con.execute("begin")
            self._replace(con, keys)
            sql_layer.apply(con)
            counts = self._counts(con)
            con.execute("commit")  # a failure before it rolls back: the file keeps its last state
            con.execute(f"checkpoint {WRITTEN}")  # the WAL folded into the file (readers need not replay it)
        finally:
            con.close()
        return counts

    def _open_in_place(self) -> duckdb.DuckDBPyConnection | None:
        """The DuckDB file opened to write, or None when it is open elsewhere: another process
        reading it (DuckDB's file lock) or a connection of this process."""
        try:
            return _open_writer(self.db_path, self.base_dir)
        except (duckdb.IOException, duckdb.BinderException) as err:
            if held_elsewhere(err) or _attached_elsewhere(err):
                return None
            raise

    def _replace(self, con: duckdb.DuckDBPyConnection, keys: list[str]) -> None:
        """Delete the rows of the bulletins `keys` and insert their current Parquet rows."""
        if not keys:
            return
        for table in TABLES:
            con.execute(f"delete from {table} where bulletin_id in {in_list(keys)}")
            self._insert(con, table, self.table_files(table, keys))

    @contextmanager
    def _next_version(self, from_current: bool) -> Iterator[tuple[duckdb.DuckDBPyConnection, dict[str, int]]]:
        """A new DuckDB file (empty, or a copy of the current one) for the body to fill; then
        views and comments (they change with the code, not only with the data), the row
        counts, and the rename over the current file. Nothing is renamed if the body fails."""
        tmp = self._new_db_file()
        if from_current:
            shutil.copyfile(self.db_path, tmp)
        con = _open_writer(tmp, self.base_dir)
        counts: dict[str, int] = {}
        try:
            yield con, counts
            sql_layer.apply(con)
            counts.update(self._counts(con))
            con.execute(f"checkpoint {WRITTEN}")
        except BaseException:
            con.close()
            for half in (tmp, tmp.with_name(tmp.name + ".wal")):  # a failed load (a full disk) leaves
                half.unlink(missing_ok=True)  # no half file taking room
            raise
        con.close()
        os.replace(tmp, self.db_path)

    @staticmethod
    def _insert(con: duckdb.DuckDBPyConnection, table: str, files: dict[Path, list[str]]) -> None:
        """The rows of the bulletins each file is current for (a file may also hold older rows of
        bulletins written again since), a slice of files at a time: memory bounded by the slice,
        not the corpus."""
        paths = [f for f, keys in files.items() if keys]
        for i in range(0, len(paths), INSERT_FILES):
            part = paths[i:i + INSERT_FILES]
            current = pa.table({"bulletin_id": [k for f in part for k in files[f]],
                                "filename": [str(f) for f in part for _ in files[f]]})
            con.register("_current", current)
            con.execute(f"insert into {table} by name select * exclude (filename) from read_parquet(?, "
                        f"union_by_name=true, filename=true) p semi join _current c "
                        f"on p.bulletin_id = c.bulletin_id and p.filename = c.filename", [[str(f) for f in part]])
            con.unregister("_current")

    def _remove_unused(self, table: str, files: dict[Path, list[str]]) -> None:
        """Files of `table` the manifest does not name: a killed writer's, or the earlier layout's
        left over (every writer holds the lock, so none is being written now)."""
        folder = self.parquet_dir / table
        if folder.is_dir():
            named = {f.name for f in files}
            for path in folder.glob("*.parquet"):
                if path.name not in named:
                    path.unlink(missing_ok=True)

    @classmethod
    def _create_table(cls, con: duckdb.DuckDBPyConnection, table: str) -> None:
        """An empty table with the columns and types of its polars schema; its long text
        columns (ZSTD_COLUMNS) compressed with zstd."""
        zstd = ZSTD_COLUMNS.get(table, set())
        columns = con.execute(f"describe select * from {cls._empty_relation(con, table)}").fetchall()
        con.execute(f"create table {table} (" + ", ".join(
            f'"{name}" {type_}' + (" using compression zstd" if name in zstd else "")
            for name, type_, *_ in columns) + ")")

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
        """The first rows of each table, long text columns left out (not read: a document body's
        zstd block was most of the previews' time in a large file)."""
        with self._read() as con:
            out = {}
            for t in tables:
                columns = "* exclude (body)" if any(c.name == "body" for c in TABLES.get(t, ())) else "*"
                out[t] = con.sql(f"select {columns} from {t} limit {rows}").pl()
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

    def loaded_in_db(self, shas: Collection[str]) -> dict[str, str]:
        """Of the sha256 `shas` (of bytes, or of text: lineage.text_sha256), those the warehouse
        holds rows of → the bulletin loaded from them. Only the asked ones are read: a writer
        asks for its batch's, not every hash of the warehouse (50,000 + 50,000 of them at 50,000
        bulletins, the cost of an ingest growing with the warehouse)."""
        shas = sorted(set(shas))
        if not shas or not self.has_tables():
            return {}
        listed = in_list(shas)
        with self._read() as con:
            out = dict(con.execute(f"select source_sha256, bulletin_id from bulletins "
                                   f"where source_sha256 in {listed}").fetchall())
            out.update(con.execute(f"select text_sha256, bulletin_id from lineage where {_CURRENT} "
                                   f"and text_sha256 in {listed}").fetchall())
        return out

    def loaded_in_pending(self, keys) -> dict[str, str]:
        """The same for the pending bulletins `keys` (written, not yet loaded)."""
        out: dict[str, str] = {}
        keys = list(keys)
        if keys:
            versions = self.read_rows("lineage", keys).filter(pl.sql_expr(_CURRENT))
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

    def _histories(self, keys: list[str]) -> pl.DataFrame:
        """The lineage versions of the bulletins `keys` as written (none: an empty frame)."""
        return self.read_rows("lineage", keys)

    def read_histories(self, keys: list[str]) -> None:
        """Read the lineage of the bulletins `keys` at once, for lineage_with to take: a run
        asks for a batch's before it parses them, one read instead of one a bulletin (in a lake,
        a catalog query of ~20 ms each)."""
        history = self._histories(list(keys))
        parts = history.partition_by("bulletin_id", as_dict=True) if history.height else {}
        none = history.clear()  # the history of a bulletin not written before
        self._read_histories = {key: parts.get((key,), none) for key in keys}

    def lineage_with(self, key: str, version: dict) -> pl.DataFrame:
        """The bulletin's version history with `version` as the current one. The same bytes
        again (same name, same parser) add no version: that version's row takes the new run,
        time and counts, since the rows now in the tables carry that run."""
        read = self._read_histories
        history = read.pop(key) if key in read else self._histories([key])
        if not history.height:  # a new bulletin (most of a run's): its one version
            return frame("lineage", [version])
        history = history.select([pl.col(c).cast(t) if c in history.columns else pl.lit(None, t).alias(c)
                                  for c, t in polars_schema("lineage").items()])
        this_version = ((pl.col("source_sha256") == version["source_sha256"])
                        & (pl.col("parser_version") == version["parser_version"])
                        & (pl.col("source_file") == version["source_file"])
                        & pl.col("duplicate_of").eq_missing(version.get("duplicate_of")))
        older = history.filter(~this_version).with_columns(pl.lit(False).alias("is_current"))
        return pl.concat([older, frame("lineage", [version])])
