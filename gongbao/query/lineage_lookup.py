"""`gongbao lineage ID`: where a bulletin, document or row came from — its table, the
bulletin version it was read from (file, bytes, form, reader, run, parser) and the lines
themselves with their pages, as the parser read them (table bulletin_lines: the warehouse
carries its own text, so it shows them on any machine, raw folder or not)."""
from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from quality.schemas import LOOKED_UP, PRIMARY_KEYS, TABLES

from gongbao.store.warehouse import WarehouseStore


def _ids() -> list[tuple[str, str, str, str]]:
    """(table, id column, first line column, last line column) from the table contracts."""
    out = []
    for table in LOOKED_UP:
        columns = {c.name for c in TABLES[table]}
        span = ("line_start", "line_end") if "line_start" in columns else ("line", "line")
        out.append((table, PRIMARY_KEYS[table][0], *span))
    return out


_VERSION = ("source_file", "source_sha256", "source_bytes", "source_format", "reader", "page_count", "ocr",
            "encoding", "detected_format", "parser_version", "run_id", "ingested_at", "duplicate_of")
MAX_LINES = 40  # a whole bulletin or long document is summarized, not printed


@dataclass
class Provenance:
    table: str
    row_id: str
    bulletin_id: str
    line_start: int
    line_end: int
    version: dict
    history: list[dict] = field(default_factory=list)  # every version of the bulletin, oldest first
    raw_lines: list[tuple[int, int | None, str]] = field(default_factory=list)  # (line, page, text)
    raw_note: str = ""  # why the lines could not be shown


def find(store: WarehouseStore, row_id: str) -> Provenance | None:
    with store.reader() as con:
        for table, column, first, last in _ids():
            hit = con.execute(f"select bulletin_id, min({first}), max({last}) from {table} where {column} = ? "
                              f"group by bulletin_id", [row_id]).fetchone()
            if hit:
                break
        else:
            hit = con.execute("select bulletin_id from lineage where bulletin_id = ? limit 1", [row_id]).fetchone()
            if not hit:
                return None
            table, hit = "lineage", (hit[0], 0, 0)  # a bulletin loaded under another name only
        bulletin, start, end = hit
        cols = ", ".join(("is_current", *_VERSION))
        history = [dict(zip(("is_current", *_VERSION), r)) for r in con.execute(
            f"select {cols} from lineage where bulletin_id = ? order by ingested_at", [bulletin]).fetchall()]
        current = next((v for v in history if v["is_current"]), history[-1] if history else {})
        found = Provenance(table, row_id, bulletin, start, end, current, history)
        if start:
            last = min(end, start + MAX_LINES - 1)
            found.raw_lines = raw_lines(con, bulletin, list(range(start, last + 1)))
            if not found.raw_lines:
                found.raw_note = "the warehouse holds no text of this bulletin (table bulletin_lines)"
            elif last < end:
                found.raw_note = f"… {end - last} more lines"
    return found


def raw_lines(con: duckdb.DuckDBPyConnection, bulletin_id: str, numbers: list[int]) -> list[tuple[int, int | None, str]]:
    """The bulletin's lines `numbers` as (line, page, text), from the warehouse's own text."""
    if not numbers:
        return []
    return con.execute("select line, page, text from bulletin_lines where bulletin_id = ? and line between ? and ? "
                       "order by line", [bulletin_id, min(numbers), max(numbers)]).fetchall()


def render(found: Provenance) -> str:
    v = found.version
    out = [f"{found.row_id}  ({found.table})",
           f"bulletin   {found.bulletin_id}" + (f"  (same bytes as {v['duplicate_of']})" if v.get("duplicate_of")
                                                 else ""),
           f"file       {v.get('source_file')}  {v.get('source_bytes')} bytes, {v.get('source_format')}"
           + (f" ({v.get('page_count')} pages)" if v.get("page_count") else "")
           + (f", {v.get('encoding')}" if v.get("encoding") else "") + f", {v.get('detected_format')}",
           f"read by    {v.get('reader')}" + (" with OCR" if v.get("ocr") else ""),
           f"sha256     {v.get('source_sha256')}",
           f"parsed by  gongbao parser {v.get('parser_version')}, Dagster run {v.get('run_id')}, "
           f"at {v.get('ingested_at')}"]
    if found.line_start:
        out.append(f"lines      {found.line_start}-{found.line_end}")
    if len(found.history) > 1:
        out.append(f"versions   {len(found.history)}:")
        out += [f"  {'*' if h['is_current'] else ' '} {h['ingested_at']}  {h['source_sha256'][:12]}  "
                f"{h['source_file']}  run {h['run_id']}" for h in found.history]
    if found.raw_lines:
        width = len(str(found.raw_lines[-1][0]))
        paged = any(page is not None for _, page, _ in found.raw_lines)
        out.append("")
        out += [(f"p{page if page is not None else '?':<4}" if paged else "") + f"{n:>{width}}│ {text}"
                for n, page, text in found.raw_lines]
    if found.raw_note:
        out.append(found.raw_note)
    return "\n".join(out)
