"""The ducklake warehouse: a DuckLake catalog in PostgreSQL, its Parquet data on object storage
(S3) or in a folder. Chosen by GONGBAO_WAREHOUSE_URL (gongbao.settings); the same tables,
comments, views and questions as the embedded DuckDB warehouse (`WarehouseStore`, whose
interface this store keeps), with another way of writing:

* A batch of bulletins is one DuckLake transaction: each bulletin's rows deleted from the
  tables it touches and its new rows inserted, committed at once. There is no file lock, no
  pending mark and no copy of the warehouse: the cost of a write is its own rows (a Parquet
  file per table), whatever the warehouse's size.
* Writers run at once, optimistically. Each transaction also updates the one row of
  `_gongbao.state`, so two writers that overlap conflict at commit; the later one rolls back
  and tries again on the newer snapshot (`COMMIT_RETRIES`). That keeps the checks a writer
  makes before it writes (is this file a duplicate of one loaded meanwhile?) true when it
  commits, as the writer lock does for the embedded warehouse.
* A writer killed mid-transaction commits nothing: its bulletins keep their last committed
  rows (no torn state to repair; the Parquet files it had written are orphans, removed by
  the maintenance job).
* Readers open a snapshot (gongbao.store.connection.open_lake) and never wait for writers.
* `maintain()` (the Dagster job `compact_warehouse`, on a schedule) merges the small files
  the writes leave into larger ones, expires old snapshots and deletes the files nothing reads.
"""
from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import duckdb
import polars as pl

from quality.schemas import TABLE_DESCRIPTIONS, TABLES, empty_frame

from gongbao.store import sql_layer
from gongbao.store.connection import LAKE, LOAD_MEMORY, in_list, open_lake
from gongbao.store.warehouse import WarehouseStore

STATE = "_gongbao.state"  # one row: the writers' token (every write updates it) and the SQL layer's hash
COMMIT_RETRIES = 20  # a write that conflicts with another writer's commit is tried again up to this often
RETRY_PAUSE = (0.05, 0.5)  # seconds to wait before a new try, at random in this range (grows with tries)
MAINTAIN_MEMORY = "1GB"  # DuckDB's limit while maintenance merges files (a writer has LOAD_MEMORY)
MERGE_FILES = 20  # compactions of one merge call of a table (ducklake's max_compacted_files); calls repeat
MERGE_PASSES = 1000  # at most this many merge calls a table: a bound, not a figure
# A merged file's row group is held whole while it is written, at about seven times its bytes in
# Parquet (document_terms of 20,000 bulletins, 92,000 rows of term lists merged on one thread:
# one group of 92,000 rows took 2.4 GiB, groups of 8,192 rows 880 MiB, of 920 rows 256 MiB).
# Each table's row groups are sized to about LAKE_GROUP_BYTES of its Parquet bytes (not publish's
# GROUP_BYTES, which counts Arrow data), between DuckDB's
# least (LAKE_GROUP_ROWS[0]) and its default (LAKE_GROUP_ROWS[1]); narrow tables keep the default.
LAKE_GROUP_BYTES = 16 << 20
LAKE_GROUP_ROWS = (2048, 122_880)


class LakeConflict(RuntimeError):
    """A write that still conflicted after COMMIT_RETRIES tries."""


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll the open transaction back; one a failed statement already ended is nothing to undo."""
    try:
        con.execute("rollback")
    except duckdb.Error:
        pass


def _conflict(err: Exception) -> bool:
    text = str(err)
    return "conflict" in text.lower() or "Failed to commit" in text


class LakeStore(WarehouseStore):
    """The warehouse in DuckLake. `target`: gongbao.settings.LakeTarget."""

    def __init__(self, target, base_dir=None):
        super().__init__(base_dir or ".")
        self.target = target
        self.location = target.display()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._ready = False  # tables created (and checked) by this store
        self._has_tables = False  # seen made (by this store or another writer)

    # --- connections ------------------------------------------------------------------

    def reader(self, sandboxed: bool = False) -> duckdb.DuckDBPyConnection:
        """A read-only connection on one snapshot of the lake."""
        return open_lake(self.target, read_only=True, sandboxed=sandboxed)

    def _connection(self) -> duckdb.DuckDBPyConnection:
        """This store's own read-write connection (kept open: attaching costs a few hundred ms)."""
        if self._con is None:
            for attempt in range(1, COMMIT_RETRIES + 1):
                try:
                    self._con = open_lake(self.target, read_only=False, snapshot=False)
                    break
                except duckdb.Error as err:
                    # two writers attaching a new, empty catalog at once both create DuckLake's
                    # tables in it: the one that loses sees them "already exist" and attaches again
                    text = str(err)
                    if attempt == COMMIT_RETRIES or not ("already exists" in text or "duplicate key" in text
                                                         or _conflict(err)):
                        raise
                    time.sleep(random.uniform(*RETRY_PAUSE) * min(attempt, 4))
        return self._con

    @contextmanager
    def _read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        # The store's questions, on its own connection: inside a write, on the write's snapshot.
        yield self._connection()

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def lock(self):
        raise TypeError("the ducklake warehouse has no writer lock: each write is a transaction")

    def has_tables(self) -> bool:
        """Whether the lake's tables are made (once they are, they stay: asked once, then known)."""
        if not self._has_tables:
            self._has_tables = self._ready or self._connection().execute(
                "select count(*) from duckdb_tables() where database_name = ? and schema_name = 'main' "
                "and table_name = 'lineage'", [LAKE]).fetchone()[0] > 0
        return self._has_tables

    # --- transactions -----------------------------------------------------------------

    def _transaction(self, body: Callable[[duckdb.DuckDBPyConnection], None], what: str) -> None:
        """`body` in one transaction that first takes the writers' token; tried again when
        another writer committed meanwhile (the commit conflicts)."""
        con = self._connection()
        for attempt in range(1, COMMIT_RETRIES + 1):
            try:
                con.execute("begin transaction")
                con.execute(f"update {STATE} set token = token + 1")
                body(con)
                con.execute("commit")
                return
            except duckdb.Error as err:
                _rollback(con)
                if not _conflict(err):
                    raise
                if attempt == COMMIT_RETRIES:
                    raise LakeConflict(f"{what}: still conflicting with other writers after {attempt} tries: "
                                       f"{err}") from err
                time.sleep(random.uniform(*RETRY_PAUSE) * min(attempt, 4))
            except BaseException:
                _rollback(con)
                raise

    def ensure_tables(self) -> None:
        """The tables (and the state row) made when missing; a column a newer parser adds is
        added to its table. Run by the first write or load of each store."""
        if self._ready:
            return
        con = self._connection()
        for attempt in range(1, COMMIT_RETRIES + 1):
            try:
                con.execute("begin transaction")
                changed = self._create_missing(con)
                con.execute("commit")
                break
            except duckdb.Error as err:
                _rollback(con)
                already = "already exists" in str(err)
                if not (_conflict(err) or already) or attempt == COMMIT_RETRIES:
                    raise
                time.sleep(random.uniform(*RETRY_PAUSE))
        self._ready = True
        if changed:
            self._apply_sql_layer(force=True)

    def _create_missing(self, con: duckdb.DuckDBPyConnection) -> bool:
        changed = False
        con.execute("create schema if not exists _gongbao")
        if not self._exists(con, "_gongbao", "state"):
            con.execute(f"create table {STATE} (token bigint, sql_layer varchar)")
            con.execute(f"insert into {STATE} values (0, null)")
            changed = True
        for table in TABLES:
            con.register("_empty", empty_frame(table).to_arrow())
            try:
                if not self._exists(con, "main", table):
                    con.execute(f"create table {table} as select * from _empty")
                    changed = True
                    continue
                have = dict(con.execute("select column_name, data_type from information_schema.columns where "
                                        "table_catalog = ? and table_schema = 'main' and table_name = ?",
                                        [LAKE, table]).fetchall())
                for name, dtype in con.execute("select column_name, column_type from (describe _empty)").fetchall():
                    if name not in have:
                        con.execute(f'alter table {table} add column "{name}" {dtype}')
                        changed = True
            finally:
                con.unregister("_empty")
        return changed

    @staticmethod
    def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
        return con.execute("select count(*) from duckdb_tables() where database_name = ? and schema_name = ? "
                           "and table_name = ?", [LAKE, schema, table]).fetchone()[0] > 0

    # --- writing ---------------------------------------------------------------------

    def write_bulletins(self, batch: dict[str, dict[str, pl.DataFrame]],
                        under_lock: Callable[[dict], None] | None = None) -> None:
        """Replace each bulletin's rows of the given tables, in one transaction. `under_lock`
        revises the batch inside the transaction, on its snapshot (what another writer
        committed before it is visible; one committing after it makes this commit conflict,
        and the whole is done again)."""
        if not batch:
            return
        self.ensure_tables()

        def body(con: duckdb.DuckDBPyConnection) -> None:
            if under_lock:
                under_lock(batch)
            loaded = self._loaded_keys(con, list(batch))
            for table in TABLES:
                keys = [k for k, tables in batch.items() if table in tables]
                if not keys:
                    continue
                old = keys if table == "ingest_errors" else [k for k in keys if k in loaded]
                if old:
                    con.execute(f"delete from {table} where bulletin_id in {in_list(old)}")
                frames = [batch[k][table] for k in keys if batch[k][table].height]
                if frames:
                    con.register("_rows", pl.concat(frames, how="diagonal_relaxed").to_arrow())
                    try:
                        con.execute(f"insert into {table} by name select * from _rows")
                    finally:
                        con.unregister("_rows")

        self._transaction(body, f"writing {len(batch)} bulletin(s)")

    @staticmethod
    def _loaded_keys(con: duckdb.DuckDBPyConnection, keys: list[str]) -> set[str]:
        """The keys with rows in the lake: every write of a bulletin's tables writes its lineage in
        the same transaction, so a key with no lineage has no rows but ingest_errors' (a file
        refused before it was parsed writes only those). Its deletes are then skipped: a delete
        reads the bulletin_id of every data file whose range holds the key (53-88 ms for
        document_terms in 200 local files; on object storage a request a file), in each of
        the 13 tables, where this reads one table's."""
        return {k for k, in con.execute(f"select distinct bulletin_id from lineage where bulletin_id in "
                                        f"{in_list(keys)}").fetchall()}

    def sync_duckdb(self, rebuild: bool = False) -> tuple[str, dict[str, int]]:
        """Nothing is pending in the lake (each write committed its rows): the tables are made
        if missing, the comments and views follow the code, and the row counts are read."""
        self.ensure_tables()
        self._apply_sql_layer()
        return "committed", self._counts(self._connection())

    def _apply_sql_layer(self, force: bool = False) -> None:
        """Comments and views (gongbao/store/sql/views.sql) written when the code's differ
        from those the lake has: not a new snapshot at every load."""
        digest = hashlib.sha256((sql_layer.VIEWS_SQL.read_text(encoding="utf-8") + repr(sorted(
            TABLE_DESCRIPTIONS.items())) + repr([(t, [(c.name, c.description) for c in cols])
                                                 for t, cols in TABLES.items()])).encode()).hexdigest()
        con = self._connection()
        if not force and con.execute(f"select sql_layer from {STATE}").fetchone()[0] == digest:
            return

        def body(con: duckdb.DuckDBPyConnection) -> None:
            sql_layer.apply(con)
            con.execute(f"update {STATE} set sql_layer = ?", [digest])

        self._transaction(body, "writing the comments and views")

    def pending(self) -> tuple[list[str], list[str]]:
        return [], []  # a write commits or leaves nothing

    # --- what writers ask ---------------------------------------------------------------

    def db_stamp(self) -> int | None:
        """The snapshot the store's connection sees (inside a write: the write's own)."""
        if not self.has_tables():
            return None
        return self._connection().execute(f"select id from {LAKE}.current_snapshot()").fetchone()[0]

    def pending_stamps(self) -> dict[str, int]:
        return {}

    def loaded_in_pending(self, keys) -> dict[str, str]:
        return {}

    def _histories(self, keys: list[str]) -> pl.DataFrame:
        if not self.has_tables():
            return empty_frame("lineage")
        return self._connection().execute(f"select * from lineage where bulletin_id in {in_list(keys)}").pl()

    # --- maintenance -------------------------------------------------------------------

    def files(self) -> int:
        """Data files the current snapshot reads, over all tables."""
        con = self._connection()
        return sum(con.execute("select count(*) from ducklake_list_files(?, ?)", [LAKE, t]).fetchone()[0]
                   for t in TABLES)

    def snapshots(self) -> int:
        """Snapshots the catalog keeps (each write adds one; time travel reads them)."""
        return self._connection().execute(f"select count(*) from ducklake_snapshots('{LAKE}')").fetchone()[0]

    def maintain(self, snapshot_days: int | None = None) -> dict[str, int]:
        """Compaction: rows small writes left inlined in the catalog written out to Parquet
        (ducklake_flush_inlined_data), then the small files of many writes merged into larger
        ones (ducklake_merge_adjacent_files). With `snapshot_days`, then snapshots older than
        that many days expired (ducklake_expire_snapshots: time travel reaches back that far)
        and the data files no kept snapshot reads deleted (ducklake_cleanup_old_files). Last,
        files under the data path the catalog never committed (a killed writer's) and older
        than a day (a running writer's are newer) deleted (ducklake_delete_orphaned_files).
        Writers may go on meanwhile (a conflict is retried). Returns data files and
        snapshots, before and after."""
        self.ensure_tables()
        before, snapshots_before = self.files(), self.snapshots()
        con = self._connection()
        # Under the writer's LOAD_MEMORY the merge of a 10,000-bulletin lake ran out of memory
        # (document_terms: files of 3 MB of lists asked for 26 MB at once). It gets
        # MAINTAIN_MEMORY and one thread (it merged in at most 827 MiB), table by table,
        # MERGE_FILES compactions a call, and the writer's limit back after.
        con.execute(f"set memory_limit = '{MAINTAIN_MEMORY}'")
        con.execute("set threads = 1")
        try:
            self._call(con, f"call ducklake_flush_inlined_data('{LAKE}')")
            for table in TABLES:
                self._size_row_groups(con, table)
                for _ in range(MERGE_PASSES):  # a pass returns a row per file it made: none, nothing left
                    if not self._call(con, f"call ducklake_merge_adjacent_files('{LAKE}', '{table}', "
                                           f"max_compacted_files => {MERGE_FILES})"):
                        break
            if snapshot_days is not None:
                older = f"now() - interval {int(snapshot_days)} day"
                self._call(con, f"call ducklake_expire_snapshots('{LAKE}', older_than => {older})")
                self._call(con, f"call ducklake_cleanup_old_files('{LAKE}', cleanup_all => true)")
            self._call(con, f"call ducklake_delete_orphaned_files('{LAKE}', older_than => now() - interval 1 day)")
        finally:
            con.execute(f"set memory_limit = '{LOAD_MEMORY}'")
            con.execute("reset threads")
        return {"files_before": before, "files_after": self.files(), "snapshots_before": snapshots_before,
                "snapshots_after": self.snapshots()}

    def _size_row_groups(self, con: duckdb.DuckDBPyConnection, table: str) -> int:
        """Set the table's `parquet_row_group_size` (a DuckLake option of the table, used by every
        later write and merge) to the rows of about LAKE_GROUP_BYTES of its data files; returns it."""
        [(size, rows)] = con.execute(
            f"select (select coalesce(sum(data_file_size_bytes), 0) from ducklake_list_files('{LAKE}', '{table}')), "
            f"(select count(*) from {table})").fetchall()
        group = group_rows(size, rows)
        have = con.execute(f"select value from {LAKE}.options() where option_name = 'parquet_row_group_size' "
                           f"and scope = 'TABLE' and scope_entry = 'main.{table}'").fetchall()
        if [(str(group),)] != have:
            self._call(con, f"call {LAKE}.set_option('parquet_row_group_size', {group}, table_name => '{table}')")
        return group

    @staticmethod
    def _call(con: duckdb.DuckDBPyConnection, call: str) -> list[tuple]:
        """A maintenance call's rows, tried again when it conflicts with a writer's commit."""
        for attempt in range(1, COMMIT_RETRIES + 1):
            try:
                return con.execute(call).fetchall()
            except duckdb.Error as err:
                if not _conflict(err) or attempt == COMMIT_RETRIES:
                    raise
                time.sleep(random.uniform(*RETRY_PAUSE))
        raise AssertionError("unreachable: the last try returns or raises")


def group_rows(file_bytes: int, rows: int) -> int:
    """Rows of a Parquet row group holding about LAKE_GROUP_BYTES of a table whose data files hold
    `file_bytes` for `rows` rows, within LAKE_GROUP_ROWS."""
    least, most = LAKE_GROUP_ROWS
    if not rows or not file_bytes:
        return most
    return max(least, min(most, int(LAKE_GROUP_BYTES * rows / file_bytes)))
