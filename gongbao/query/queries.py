"""Read-only questions to the warehouse: `gongbao search` (BM25 over jieba terms) and
`gongbao sql` (any SQL, printed as a table, CSV or JSON)."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from dataclasses import dataclass, field
from typing import TextIO

from typing import TYPE_CHECKING, Protocol

import duckdb

if TYPE_CHECKING:  # polars, jieba and the store load only for the commands that use them
    import polars as pl


class Warehouse(Protocol):
    """What the queries need of a warehouse: a read-only connection (WarehouseStore or the
    lighter gongbao.store.connection.ReadOnlyWarehouse)."""

    def reader(self, sandboxed: bool = False) -> duckdb.DuckDBPyConnection: ...

SNIPPET = 90  # characters of a long line shown around the first matching term


def snippet(text: str, terms: list[str], width: int = SNIPPET) -> str:
    """The part of a line around its first query term (paragraphs can be a page long)."""
    from parsing.text.lines import fold_width, to_simplified

    text = text.strip()
    if len(text) <= width:
        return text
    norm = to_simplified(fold_width(text)).lower()
    at = min((i for i in (norm.find(t) for t in terms) if i >= 0), default=0) if len(norm) == len(text) else 0
    start = max(0, min(at - width // 3, len(text) - width))
    return ("…" if start else "") + text[start:start + width] + ("…" if start + width < len(text) else "")


@dataclass
class Hit:
    document_id: str
    title: str
    doc_number: str | None
    source_file: str
    score: float
    lines: list[tuple[int, str]] = field(default_factory=list)


def search(store: Warehouse, query: str, top: int = 10, lines: int = 3) -> list[Hit]:
    """Documents best matching `query`, each with its lines richest in the query's terms
    (the lines from the warehouse's own text, table bulletin_lines)."""
    from gongbao.query.lineage_lookup import raw_lines
    from parsing.index.search_terms import lines_with, query_terms

    terms = query_terms(query)
    if not terms:
        return []
    hits = []
    with store.reader() as con:
        rows = con.execute("""
            select s.document_id, d.title, d.doc_number, d.source_file, d.bulletin_id, s.score,
                   d.line_start, d.line_end
            from search_documents($terms) s join document_details d using (document_id)
            order by s.score desc, s.document_id limit $top""", {"terms": terms, "top": top}).fetchall()
        for doc_id, title, number, source_file, bulletin, score, first, last in rows:
            text = [(n, t) for n, _, t in raw_lines(con, bulletin, list(range(first, last + 1)))]
            best = set(lines_with(text, terms, top=lines))
            hits.append(Hit(doc_id, title, number, source_file, round(score, 3),
                            [(n, snippet(t, terms)) for n, t in text if n in best]))
    return hits


def render_hits(hits: list[Hit]) -> str:
    out = []
    for rank, h in enumerate(hits, start=1):
        out.append(f"{rank}. {h.title}  {h.doc_number or ''}".rstrip())
        out.append(f"   {h.document_id}  score {h.score}  ({h.source_file})")
        out += [f"   {n:>5}│ {text}" for n, text in h.lines]
    return "\n".join(out)


def run_sql(store: Warehouse, sql: str, fmt: str = "table", out: TextIO | None = None,
            allow_files: bool = False) -> int:
    """Print a query's result; returns its row count. The connection is read-only and, unless
    `allow_files` (`gongbao sql --allow-files`), touches no file but the warehouse."""
    out = out or sys.stdout
    with store.reader(sandboxed=not allow_files) as con:
        rel = con.sql(sql)
        if rel is None:  # a statement without a result (read-only: a SET, a PRAGMA)
            return 0
        frame = rel.pl()
    write(frame, fmt, out)
    return frame.height


def write(frame: "pl.DataFrame", fmt: str, out: TextIO) -> None:
    import polars as pl

    if fmt == "csv":
        out.write(_flat(frame).write_csv())
    elif fmt == "json":
        out.write(json.dumps(frame.to_dicts(), ensure_ascii=False, default=str, indent=1) + "\n")
    else:
        with pl.Config(tbl_rows=50, tbl_cols=-1, fmt_str_lengths=60, tbl_width_chars=200):
            out.write(f"{frame}\n")


def _flat(frame: "pl.DataFrame") -> "pl.DataFrame":
    import polars as pl

    """Columns CSV can hold: a list of plain values joined by "; " (as in the release's CSVs),
    any other nested value (struct, map, list of lists) as JSON text."""
    def as_json(column: "pl.Series") -> "pl.Series":
        return pl.Series(column.name, [None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                                       for v in column.to_list()], dtype=pl.Utf8)

    out = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.List) and not dtype.inner.is_nested():
            out.append(frame[name].cast(pl.List(pl.Utf8)).list.join("; "))
        elif dtype.is_nested() or dtype == pl.Object:
            out.append(as_json(frame[name]))
        else:
            out.append(frame[name])
    return pl.DataFrame(out)


def _history():
    """Load the prompt's history; returns the function that saves it."""
    import readline

    path = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gongbao" / "sql_history"
    try:
        readline.read_history_file(path)
    except OSError:
        pass

    def save() -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        readline.set_history_length(1000)
        readline.write_history_file(path)
    return save


def repl(store: Warehouse, fmt: str, stdin: TextIO | None = None, out: TextIO | None = None,
         allow_files: bool = False) -> None:
    """An interactive prompt: a statement may run over several lines and ends with ';';
    `.quit` or end of input leaves. At a terminal, lines are edited and recalled with the
    arrow keys (readline), and the history is kept in ~/.cache/gongbao/sql_history."""
    stdin, out = stdin or sys.stdin, out or sys.stdout
    interactive = stdin.isatty() and stdin is sys.stdin
    history = _history() if interactive else None
    buffer: list[str] = []
    while True:
        prompt = "gongbao> " if not buffer else "     ..> "
        try:
            line = (input(prompt) + "\n") if interactive else stdin.readline()
        except EOFError:
            line = ""
        if not line or line.strip() in (".quit", ".exit"):
            if history:
                history()
            return
        buffer.append(line)
        if line.rstrip().endswith(";"):
            sql = "".join(buffer)
            buffer.clear()
            try:
                run_sql(store, sql, fmt, out, allow_files)
            except duckdb.Error as err:
                out.write(f"error: {err}\n")
