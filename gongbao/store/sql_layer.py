"""What makes the DuckDB file pleasant to query: a comment on every table and column (the
same text as the data dictionary) and the views and macros of pipelines/sql/views.sql."""
from __future__ import annotations

from pathlib import Path

import duckdb

from quality.schemas import TABLE_DESCRIPTIONS, TABLES

VIEWS_SQL = Path(__file__).with_name("sql") / "views.sql"


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def statements() -> list[str]:
    """The views' statements in file order, without their comment lines."""
    out = []
    for chunk in VIEWS_SQL.read_text(encoding="utf-8").split(";\n"):
        code = "\n".join(line for line in chunk.splitlines() if not line.lstrip().startswith("--")).strip()
        if code:
            out.append(code)
    return out


def view_names() -> list[str]:
    return [s.split(" as", 1)[0].split()[-1].split("(")[0] for s in statements()]


def apply(con: duckdb.DuckDBPyConnection) -> None:
    for table, cols in TABLES.items():
        con.execute(f"comment on table {table} is {_quoted(TABLE_DESCRIPTIONS[table])}")
        for c in cols:
            con.execute(f"comment on column {table}.{c.name} is {_quoted(c.description)}")
    for statement in statements():
        con.execute(statement)
