"""The SQL examples page (docs/examples.md): each ```sql block is followed by its answer
on the sample warehouse, between <!-- answer --> marks. The tests run every query and
compare; `python -m gongbao.query.examples [--warehouse DIR]`, run from the repository, rewrites
the answers."""
from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from gongbao.store.connection import open_reader

PAGE = Path("docs") / "examples.md"  # of the repository the command runs in
_EXAMPLE = re.compile(r"```sql\n(?P<sql>.*?)```\s*<!-- answer -->\n(?P<answer>.*?)<!-- /answer -->", re.S)


@dataclass
class Example:
    sql: str
    answer: str  # as written on the page


def examples(page: Path = PAGE) -> list[Example]:
    return [Example(m["sql"].strip(), m["answer"].strip()) for m in _EXAMPLE.finditer(page.read_text("utf-8"))]


def answer(con: duckdb.DuckDBPyConnection, sql: str) -> str:
    """A query's result as a Markdown table (lists and floats written the same way every time)."""
    rel = con.sql(sql)
    rows = rel.fetchall()
    out = ["| " + " | ".join(rel.columns) + " |", "|" + "---|" * len(rel.columns)]
    out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    if not rows:
        out.append("| " + " | ".join("" for _ in rel.columns) + " |")
        out.append("")
        out.append("(no rows)")
    return "\n".join(out)


def _cell(v) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, float):
        return f"{v:.15g}"
    if isinstance(v, list):
        return "[" + ", ".join(_cell(x) for x in v) + "]"
    return str(v).replace("|", "\\|").replace("\n", " ")


def rewrite(db: Path, page: Path = PAGE) -> None:
    with open_reader(db) as con:
        text = _EXAMPLE.sub(lambda m: f"```sql\n{m['sql']}```\n\n<!-- answer -->\n{answer(con, m['sql'])}\n"
                                      f"<!-- /answer -->", page.read_text("utf-8"))
    page.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--warehouse", type=Path, default=Path("warehouse"))
    rewrite(ap.parse_args().warehouse / "warehouse.duckdb")
