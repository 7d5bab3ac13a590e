"""`gongbao publish`: every warehouse table as an open-data release any standard tool reads.

    <out>/<version>/
        data/<table>.csv              UTF-8, no BOM, RFC 4180 (quoted when needed, CRLF), ISO dates
        excel/<table>.csv             the same bytes after a UTF-8 BOM, so Excel on zh-CN Windows shows Chinese
        xlsx/<table>.xlsx             an Excel workbook (xlsxwriter): opens with the Chinese intact, no import
                                      dialog; a table over Excel's 1,048,575 rows is cut there, noted in the sheet
        parquet/<table>.parquet       typed, each column's description in its field metadata
        bulletins/<bulletin_id>/<table>.csv   that bulletin's rows
        datapackage.json              Frictionless Data Package: Table Schemas, keys, licence, sources
        tables.md                     the data dictionary
        index.html, bulletins/<bulletin_id>/index.html   the catalog: tables, previews, downloads, charts
        manifest.json                 version, build time, parser version, row counts
        SHA256SUMS                    every file above

The version is the content's: the same warehouse gives the same version and byte-identical
CSV and Parquet (rows in key order, no timestamps in the files); only manifest.json records
when it was built.

Text cells that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a
tab or a carriage return) are written with a leading `'` in the CSV and Excel files, as
OWASP recommends against CSV injection; numbers stay numbers, and the Parquet files keep
the text as it is. A release is written beside the old one and swapped in by renames: a
killed publish leaves the old release whole, and two publishes at once each use their
own temporary folder.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import time
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from parsing import PARSER_VERSION
from quality.dictionary import markdown
from quality.schemas import FOREIGN_KEYS, PRIMARY_KEYS, TABLE_DESCRIPTIONS, TABLES
from quality.titles_zh import TABLES_ZH, ZH

from gongbao.release.catalog import write_catalog
from gongbao.store.warehouse import WarehouseStore

LICENCE = {"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
           "path": "https://creativecommons.org/licenses/by/4.0/"}
BOM = "\ufeff".encode()
LIST_SEPARATOR = "; "  # list cells in CSV: the items joined


def _table_type(dtype: pl.DataType) -> str:
    """Table Schema type of a column as it is written to CSV."""
    if dtype == pl.Int64:
        return "integer"
    if dtype == pl.Float64 or isinstance(dtype, pl.Decimal):
        return "number"
    if dtype == pl.Boolean:
        return "boolean"
    if dtype == pl.Date:
        return "date"
    if isinstance(dtype, pl.Datetime):
        return "datetime"
    return "string"  # text, and lists (joined) and structs (JSON) as written in the CSV


FORMULA_START = r"^[=+\-@\t\r]"  # OWASP: cells a spreadsheet would evaluate


def _safe(expr: pl.Expr) -> pl.Expr:
    """A text cell that starts like a formula, with a leading ' so it stays text."""
    return pl.when(expr.str.contains(FORMULA_START)).then(pl.lit("'") + expr).otherwise(expr)


def _flat(df: pl.DataFrame) -> pl.DataFrame:
    """CSV cells: lists joined with LIST_SEPARATOR, structs as JSON, datetimes ISO 8601 in UTC,
    formula-like text neutralised."""
    out = []
    for name, dtype in df.schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.List):
            out.append(_safe(col.cast(pl.List(pl.Utf8)).list.join(LIST_SEPARATOR)).alias(name))
        elif isinstance(dtype, pl.Struct):
            out.append(col.struct.json_encode())
        elif isinstance(dtype, pl.Datetime):
            out.append(col.dt.strftime("%Y-%m-%dT%H:%M:%S%.6fZ"))
        elif dtype == pl.Utf8:
            out.append(_safe(col).alias(name))
        else:
            out.append(col)
    return df.select(out)


XLSX_ROWS = 1_048_575  # Excel's sheet limit, less the header row


def _xlsx(df: pl.DataFrame, table: str, path: Path) -> None:
    import xlsxwriter

    flat = _flat(df)
    note = None
    if flat.height > XLSX_ROWS:
        flat, note = flat.head(XLSX_ROWS), f"cut at {XLSX_ROWS:,} of {df.height:,} rows: see data/{table}.csv"
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False})
    book.set_properties({"created": dt.datetime(2000, 1, 1)})  # no build time: the same table, the same bytes
    flat.write_excel(workbook=book, worksheet=table[:31], autofit=False, dtype_formats={pl.Float64: "0.00"})
    if note:
        book.add_worksheet("note").write(0, 0, note)
    book.close()


def _csv_bytes(df: pl.DataFrame) -> bytes:
    return _flat(df).write_csv(line_terminator="\r\n", quote_style="necessary").encode("utf-8")


def _parquet(df: pl.DataFrame, table: str, path: Path) -> None:
    described = {c.name: c.description for c in TABLES[table]}
    arrow = df.to_arrow()
    fields = [f.with_metadata({"description": described[f.name]}) for f in arrow.schema]
    schema = pa.schema(fields, metadata={"description": TABLE_DESCRIPTIONS[table], "table": table})
    pq.write_table(arrow.cast(schema), path, compression="zstd", write_statistics=True)


def _read(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    order = ", ".join(f'"{k}"' for k in PRIMARY_KEYS[table])
    return con.sql(f"select * from {table} order by {order}").pl()


def _schema(table: str) -> dict:
    fields = []
    for c in TABLES[table]:
        title_zh, description_zh = ZH[c.name]
        field = {"name": c.name, "type": _table_type(c.dtype), "title": f"{c.name} · {title_zh}",
                 "description": f"{c.description} / {description_zh}",
                 "i18n": {"en": {"title": c.name, "description": c.description},
                          "zh": {"title": title_zh, "description": description_zh}}}
        if not c.nullable and not isinstance(c.dtype, pl.List):  # an empty list is an empty cell
            field["constraints"] = {"required": True}
        if isinstance(c.dtype, pl.List):
            field["description"] += f" (a list: items joined by '{LIST_SEPARATOR}' / 列表，以“{LIST_SEPARATOR.strip()}”分隔)"
        fields.append(field)
    schema = {"fields": fields, "primaryKey": PRIMARY_KEYS[table], "missingValues": [""]}
    foreign = [{"fields": column, "reference": {"resource": ref, "fields": ref_column}}
               for t, column, ref, ref_column in FOREIGN_KEYS if t == table]
    if foreign:
        schema["foreignKeys"] = foreign
    return schema


def _datapackage(version: str, counts: dict[str, int], sources: list[dict]) -> dict:
    return {
        "profile": "tabular-data-package",
        "name": "gongbao",
        "title": "gongbao · 政府公报 open data",
        "description": "Documents, indicators, budgets and subsidies extracted from Chinese government "
                       "bulletins (政府公报), with lineage to the source file and line.",
        "version": version,
        "licenses": [LICENCE],
        "sources": sources,
        "resources": [{
            "name": table, "path": f"data/{table}.csv", "profile": "tabular-data-resource",
            "title": table, "description": f"{TABLE_DESCRIPTIONS[table]} / {TABLES_ZH[table]}",
            "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8", "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"',
                                             "doubleQuote": True, "header": True},
            "schema": _schema(table), "count": counts[table],
        } for table in TABLES],
    }


def content_version(current: list[tuple[str, str, str, str]]) -> str:
    """The release version: the parser version and a hash of the loaded bulletin versions
    (bulletin_id, source_sha256, parser_version of each)."""
    rows = [[bulletin, sha, parser] for bulletin, _, sha, parser in current]
    digest = hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()[:12]
    return f"{PARSER_VERSION}-{digest}"


def publish(store: WarehouseStore, out: Path) -> Path:
    """Write the release of the warehouse's current contents; returns its folder."""
    with store.reader() as con:
        current = con.execute("select bulletin_id, source_file, source_sha256, parser_version from lineage "
                              "where is_current order by bulletin_id").fetchall()
        version = content_version(current)
        release = out / version
        tmp = out / f".{version}.{os.getpid()}.{time.time_ns()}.tmp"  # this publish's own
        for sub in ("data", "excel", "xlsx", "parquet", "bulletins"):
            (tmp / sub).mkdir(parents=True)
        counts = {}
        for table in TABLES:
            df = _read(con, table)
            counts[table] = df.height
            data = _csv_bytes(df)
            (tmp / "data" / f"{table}.csv").write_bytes(data)
            (tmp / "excel" / f"{table}.csv").write_bytes(BOM + data)
            _xlsx(df, table, tmp / "xlsx" / f"{table}.xlsx")
            _parquet(df, table, tmp / "parquet" / f"{table}.parquet")
            for (bulletin,), rows in df.group_by(["bulletin_id"], maintain_order=True):
                folder = tmp / "bulletins" / bulletin
                folder.mkdir(exist_ok=True)
                (folder / f"{table}.csv").write_bytes(_csv_bytes(rows))
        write_catalog(con, tmp, version, counts)
    sources = [{"title": f, "path": f"raw/{f}", "sha256": sha, "bulletin_id": b} for b, f, sha, _ in current]
    (tmp / "datapackage.json").write_text(
        json.dumps(_datapackage(version, counts, sources), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (tmp / "tables.md").write_text(markdown(), encoding="utf-8")
    (tmp / "manifest.json").write_text(json.dumps({
        "version": version, "parser_version": PARSER_VERSION,
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "bulletins": len(sources), "rows": counts}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    files = sorted(p for p in tmp.rglob("*") if p.is_file())
    (tmp / "SHA256SUMS").write_text("".join(
        f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(tmp).as_posix()}\n" for p in files),
        encoding="utf-8")
    _swap_in(tmp, release)
    return release


def _swap_in(tmp: Path, release: Path) -> None:
    """Put the complete release in place by renames: the old one is moved aside first and
    deleted only once the new one is there. Leftovers of a killed publish are removed."""
    for stale in release.parent.glob(f".{release.name}.*.old"):
        shutil.rmtree(stale, ignore_errors=True)
    old = release.with_name(f".{release.name}.{os.getpid()}.{time.time_ns()}.old")
    try:
        release.rename(old)
    except FileNotFoundError:
        old = None
    try:
        tmp.rename(release)
    except OSError:  # another publish of the same version got there first: theirs is as good
        if not release.exists() and old is not None:
            old.rename(release)
        shutil.rmtree(tmp, ignore_errors=True)
    if old is not None and old.exists():
        shutil.rmtree(old, ignore_errors=True)
