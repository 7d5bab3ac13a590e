"""Opening the warehouse's DuckDB file to read, without loading the rest of the store (the
table contracts, pandera, polars): what `gongbao sql` needs, and all it needs, to start fast."""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import duckdb

DB_NAME = "warehouse.duckdb"
# DuckDB's memory for a writer's connection (an embedded load, a lake's writes), spilling to
# disk beyond it. Its default, 80% of RAM, is kept as cache: a lake writer of 10,000
# bulletins grew to 2 GiB.
LOAD_MEMORY = "256MB"


# Seconds a reader waits for a load that writes the DuckDB file in place (it holds DuckDB's
# file lock from its first delete to its commit: one bulletin's rows, seconds; gongbao.store.warehouse).
READ_WAIT = 600


def held_elsewhere(err: duckdb.Error) -> bool:
    """DuckDB's answer when another process holds the file's lock (a writer, for a reader; any
    connection, for a writer)."""
    return isinstance(err, duckdb.IOException) and "Could not set lock" in str(err)


def open_reader(db_path: Path, sandboxed: bool = False) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse: a reader holding it open never blocks a
    writer (the load goes into a copy, swapped in); a reader opening it while a load writes it
    in place waits for its commit (READ_WAIT at most).
    `sandboxed`: for SQL typed by a user: no file is read or written outside the warehouse
    (no COPY … TO, EXPORT DATABASE, ATTACH, read_text(…)), and that cannot be SET back."""
    if not db_path.exists():
        raise FileNotFoundError(f"no warehouse at {db_path}; run `gongbao build` first")
    config = {"enable_external_access": False, "lock_configuration": True} if sandboxed else {}
    deadline, pause = time.monotonic() + READ_WAIT, 0.02
    while True:
        try:
            return duckdb.connect(str(db_path), read_only=True, config=config)
        except duckdb.IOException as err:
            # a load writing the file in place holds DuckDB's lock until it commits
            if not held_elsewhere(err) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(2 * pause, 0.5)


class ReadOnlyWarehouse:
    """The warehouse folder as readers see it: its DuckDB file, opened read-only."""

    def __init__(self, base_dir: Path):
        self.db_path = Path(base_dir) / DB_NAME
        self.location = str(self.db_path)

    def reader(self, sandboxed: bool = False) -> duckdb.DuckDBPyConnection:
        return open_reader(self.db_path, sandboxed)


# --- the ducklake warehouse ------------------------------------------------------------------

LAKE = "lake"  # the name the DuckLake catalog is attached under (the default catalog of a connection)
LAKE_EXTENSIONS = ("postgres", "httpfs", "ducklake")  # from the duckdb-extension-* wheels: no download


def _extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Load a DuckDB extension shipped in its PyPI wheel (duckdb-extension-<name>), installing
    it from the wheel's file once (DuckDB's extension folder, ~/.duckdb/extensions); never from
    the network (autoinstall is off)."""
    import importlib

    installed = con.execute("select installed from duckdb_extensions() where extension_name = ? or ? = any(aliases)",
                            [name, name]).fetchone()
    if not (installed and installed[0]):
        try:
            module = importlib.import_module(f"duckdb_extension_{name}")
        except ImportError as err:
            raise RuntimeError(f"the ducklake warehouse needs the DuckDB extension {name}: pip install "
                               f"duckdb-extension-{name}=={duckdb.__version__}") from err
        path = Path(module.__file__).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
        if not path.exists():
            raise RuntimeError(f"duckdb-extension-{name} has no build for DuckDB {duckdb.__version__} ({path}); "
                               f"install the extension wheels of the same version as duckdb")
        con.execute(f"install '{path}'")
    con.execute(f"load {name}")


def open_lake(target, read_only: bool = True, sandboxed: bool = False, snapshot: bool = True
              ) -> duckdb.DuckDBPyConnection:
    """A connection with the DuckLake catalog of `target` (gongbao.settings.LakeTarget) attached
    as the default catalog. `snapshot` (read-only): the connection reads the snapshot current
    when it opened until it is closed, so several queries, and its cursors (`cursor_of`), see
    the same warehouse while writers commit. `sandboxed`: as for open_reader (the lake's own
    data files still read)."""
    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    if not read_only:  # a reader's queries are the user's: DuckDB's own limit
        # a spill folder of the connection's own (DuckDB makes it when it spills and removes it
        # at close): DuckDB names its temporary files alike in every process, so writers at
        # once must not share one
        spill = Path(tempfile.gettempdir()) / f"gongbao-spill-{os.getpid()}-{time.time_ns()}"
        config |= {"memory_limit": LOAD_MEMORY, "temp_directory": str(spill)}
    con = duckdb.connect(config=config)
    try:
        for name in LAKE_EXTENSIONS:
            _extension(con, name)
        if target.data_path.startswith("s3://"):
            options = {"key_id": target.s3_access_key_id, "secret": target.s3_secret_access_key,
                       "region": target.s3_region, "url_style": "path" if target.s3_endpoint else "vhost",
                       "use_ssl": "true" if target.s3_use_ssl else "false"}
            if target.s3_endpoint:
                options["endpoint"] = target.s3_endpoint
            body = ", ".join(f"{k} {sql_literal(v)}" if k != "use_ssl" else f"{k} {v}" for k, v in options.items())
            con.execute(f"create temporary secret gongbao_s3 (type s3, {body})")
        attach = (f"attach {sql_literal('ducklake:postgres:' + target.catalog())} as {LAKE} "
                  f"(data_path {sql_literal(target.data_path)}{', read_only' if read_only else ''}")
        con.execute(attach + ")")
        if read_only and snapshot:
            # pinned to the snapshot current now, for this connection and its cursors alike
            version = con.execute(f"select id from {LAKE}.current_snapshot()").fetchone()[0]
            con.execute(f"detach {LAKE}")
            con.execute(attach + f", snapshot_version {int(version)})")
        con.execute(f"use {LAKE}")
        if sandboxed:
            # the lake's own data files stay readable; nothing else is
            con.execute("set allowed_directories = ?", [[target.data_path]])
            con.execute("set enable_external_access = false")
            con.execute("set lock_configuration = true")
    except duckdb.Error as err:
        con.close()
        raise LakeUnavailable(f"cannot open the ducklake warehouse {target.display()}: {err}") from err
    return con


def sql_literal(text: str) -> str:
    """A string as an SQL literal (its quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def in_list(values: list[str]) -> str:
    """`(…)` of the strings as SQL literals, for `x in (…)`: duckdb binds a list parameter
    element by element, trying `import pandas` for each (a search of sys.path when pandas is
    not installed, ~0.1 ms): 40 ms for a batch's 100 bulletin ids, at every statement."""
    return "(" + ", ".join(map(sql_literal, values)) + ")" if values else "(null)"


class LakeUnavailable(duckdb.IOException):
    """The catalog or the object store cannot be reached (or refuses the credentials)."""


class ReadOnlyLake:
    """A ducklake warehouse as readers see it: each reader() a consistent snapshot."""

    def __init__(self, target):
        self.target = target
        self.location = target.display()

    def reader(self, sandboxed: bool = False) -> duckdb.DuckDBPyConnection:
        return open_lake(self.target, read_only=True, sandboxed=sandboxed)


def read_only(settings):
    """The warehouse the settings name, for reading only (`gongbao sql`, `search`): the embedded
    DuckDB file or a ducklake snapshot, without loading the store's writing machinery."""
    lake = settings.lake()
    return ReadOnlyLake(lake) if lake else ReadOnlyWarehouse(settings.warehouse_dir)


def cursor_of(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor (a connection of its own to the same database) on the same default catalog as
    `con`: a ducklake reader's tables are not in the cursor's default otherwise."""
    cur = con.cursor()
    current = con.execute("select current_database()").fetchone()[0]
    if current != cur.execute("select current_database()").fetchone()[0]:
        cur.execute(f'use "{current}"')
    return cur
