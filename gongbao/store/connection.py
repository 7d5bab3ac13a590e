"""Opening the warehouse's DuckDB file to read, without loading the rest of the store (the
table contracts, pandera, polars): what `gongbao sql` needs, and all it needs, to start fast."""
from __future__ import annotations

from pathlib import Path

import duckdb

DB_NAME = "warehouse.duckdb"


def open_reader(db_path: Path, sandboxed: bool = False) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the warehouse (a reader never blocks the writer's swap).
    `sandboxed`: for SQL typed by a user: no file is read or written outside the warehouse
    (no COPY … TO, EXPORT DATABASE, ATTACH, read_text(…)), and that cannot be SET back."""
    if not db_path.exists():
        raise FileNotFoundError(f"no warehouse at {db_path}; run `gongbao build` first")
    config = {"enable_external_access": False, "lock_configuration": True} if sandboxed else {}
    return duckdb.connect(str(db_path), read_only=True, config=config)


class ReadOnlyWarehouse:
    """The warehouse folder as readers see it: its DuckDB file, opened read-only."""

    def __init__(self, base_dir: Path):
        self.db_path = Path(base_dir) / DB_NAME

    def reader(self, sandboxed: bool = False) -> duckdb.DuckDBPyConnection:
        return open_reader(self.db_path, sandboxed)
