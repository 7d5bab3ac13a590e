"""`gongbao lineage ID`: where a bulletin, document or row came from — its table, the
bulletin version it was read from (file, bytes, run, parser) and the raw lines themselves."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from parsing.decoding import decode_bytes
from parsing.errors import BulletinError
from quality.schemas import PRIMARY_KEYS, TABLES

from .warehouse_store import WarehouseStore

# Tables whose rows an id names, in lookup order (a table's cells share its table_id).
_LOOKED_UP = ("bulletins", "documents", "indicators", "budgets", "subsidies", "citations", "table_cells")


def _ids() -> list[tuple[str, str, str, str]]:
    """(table, id column, first line column, last line column) from the table contracts."""
    out = []
    for table in _LOOKED_UP:
        columns = {c.name for c in TABLES[table]}
        span = ("line_start", "line_end") if "line_start" in columns else ("line", "line")
        out.append((table, PRIMARY_KEYS[table][0], *span))
    return out


_VERSION = ("source_file", "source_sha256", "source_bytes", "encoding", "detected_format", "parser_version",
            "run_id", "ingested_at", "duplicate_of")
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
    raw_lines: list[tuple[int, str]] = field(default_factory=list)
    raw_note: str = ""  # why the raw lines could not be shown


def find(store: WarehouseStore, raw_dir: Path, row_id: str) -> Provenance | None:
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
        _attach_raw_lines(found, raw_dir)
    return found


def raw_lines(raw_dir: Path, source_file: str, sha256: str, numbers: list[int]) -> tuple[list[tuple[int, str]], str]:
    """The raw file's lines `numbers` as (number, text), or why they cannot be shown."""
    path = raw_dir / source_file
    if not path.is_file():
        return [], f"{path} is not in the raw folder any more"
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        return [], f"{path} has changed since this version was loaded"
    try:
        lines = decode_bytes(data, path.name).text.split("\n")
    except BulletinError as err:
        return [], err.message
    return [(n, lines[n - 1].rstrip("\r")) for n in numbers if 0 < n <= len(lines)], ""


def _attach_raw_lines(found: Provenance, raw_dir: Path) -> None:
    last = min(found.line_end, found.line_start + MAX_LINES - 1)
    found.raw_lines, found.raw_note = raw_lines(raw_dir, found.version.get("source_file", ""),
                                                found.version.get("source_sha256", ""),
                                                list(range(found.line_start, last + 1)))
    if found.raw_lines and last < found.line_end:
        found.raw_note = f"… {found.line_end - last} more lines"


def render(found: Provenance) -> str:
    v = found.version
    out = [f"{found.row_id}  ({found.table})",
           f"bulletin   {found.bulletin_id}" + (f"  (same bytes as {v['duplicate_of']})" if v.get("duplicate_of")
                                                 else ""),
           f"file       {v.get('source_file')}  {v.get('source_bytes')} bytes, {v.get('encoding')}, "
           f"{v.get('detected_format')}",
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
        out.append("")
        out += [f"{n:>{width}}│ {text}" for n, text in found.raw_lines]
    if found.raw_note:
        out.append(found.raw_note)
    return "\n".join(out)
