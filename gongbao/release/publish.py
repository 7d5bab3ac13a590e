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

Every table is streamed, so that a publish takes time in proportion to the rows and memory
that does not grow with them: its rows are read in key order a few MB at a time (DuckDB sorts
only the key with the row ids, then the rows are fetched by ranges of row ids), and each
file is written as they come: the CSVs appended to, the workbook 16 rows at a time with its
shared strings on disk, the Parquet file a row group at a time, the per-bulletin CSVs from
the same pass (or from a second one in bulletin order when that order differs). The files
are byte for byte those of writing each table whole (tests/integration/test_publish.py
compares them); the one part that still grows with a table is a Parquet row group, held
whole as pq.write_table's default of 1,048,576 rows makes it (a table of documents is one
row group, its texts with it). See docs/publishing.md.
"""
from __future__ import annotations

import ctypes
import datetime as dt
import gc
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from parsing import PARSER_VERSION
from quality.dictionary import markdown
from quality.schemas import FOREIGN_KEYS, PRIMARY_KEYS, TABLE_DESCRIPTIONS, TABLES
from quality.titles_zh import TABLES_ZH, ZH

from gongbao.release.catalog import write_catalog
from gongbao.store.connection import cursor_of
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
SLICE_BYTES = 4 << 20  # a table is read and written in slices of about this many bytes (Arrow)
ROW_GROUP = 1024 * 1024  # rows of a Parquet row group at most: pq.write_table's default
GROUP_BYTES = 64 << 20  # and about this many bytes of data: a row group is held whole while it is written
CHUNK = 122_880  # rows of the chunks DuckDB's .pl() gives on 2+ threads (its row groups): the Parquet pages' grid
DUCKDB_MEMORY = "512MB"  # what DuckDB may hold (its cache, the sorts of keys; the rest spills)
DUCKDB_IDLE = "16MB"  # and while a Parquet file's last row group is written, when it reads nothing
# and while the pages are written: they read five tables side by side, each sorted by bulletin,
# five sorts at once (at 20,000 bulletins they did not fit in DUCKDB_MEMORY)
DUCKDB_PAGES = "512MB"


class _SharedStrings:
    """xlsxwriter's shared string table (same indices, same counts) with the strings in a
    temporary file: in memory, a distinct string is its index, keyed by itself when short and
    by its digest when long (a document's body is a cell of up to 32,767 characters)."""

    LONG = 64

    def __init__(self):
        self.count = self.unique_count = 0
        self.string_table: dict = {}
        self.string_array: Iterator[str] = iter(())
        self._file = tempfile.TemporaryFile()

    def _get_shared_string_index(self, string: str) -> int:
        key = string if len(string) < self.LONG else hashlib.blake2b(string.encode(), digest_size=16).digest()
        self.count += 1
        index = self.string_table.get(key)
        if index is None:
            index = self.string_table[key] = self.unique_count
            self.unique_count += 1
            data = string.encode()
            self._file.write(len(data).to_bytes(4, "little") + data)
        return index

    def _sort_string_data(self) -> None:  # called once by Workbook.close(), before the strings are written
        self.string_table = {}
        self.string_array = self._strings()

    def _strings(self) -> Iterator[str]:
        self._file.seek(0)
        while head := self._file.read(4):
            yield self._file.read(int.from_bytes(head, "little")).decode()
        self._file.close()


class _Workbook:
    """`xlsx/<table>.xlsx` written as the slices come: the bytes polars' `write_excel` writes
    for the whole frame (with the options of `_xlsx`), holding 16 rows of cells at a time.
    polars sets up the workbook, the formats and the table on an empty frame of the same
    columns; the table's range is then the real one, the cells are written as xlsxwriter's
    `add_table` writes them, and each full block of 16 rows (a `spans` block) goes to a
    temporary file as the XML xlsxwriter writes at close, which then copies it in."""

    def __init__(self, path: Path, table: str, columns: pl.DataFrame, total: int):
        import xlsxwriter
        from xlsxwriter.worksheet import Worksheet

        self.table, self.total, self.height = table, total, min(total, XLSX_ROWS)
        self.book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                                    "strings_to_numbers": False})
        self.book.str_table = _SharedStrings()
        self.book.set_properties({"created": dt.datetime(2000, 1, 1)})  # no build time: the same table, the same bytes
        self.sheet = sheet = self.book.add_worksheet(table[:31])
        self.formats: list = []

        def add_table(first_row, first_col, last_row, last_col, options):
            options = {k: v for k, v in options.items() if k != "data"}
            self.formats = [c.get("format") for c in options["columns"]]
            done = Worksheet.add_table(sheet, first_row, first_col, last_row, last_col, options)
            if self.height:  # polars saw no rows (a table of one blank row): the range of the real ones
                from xlsxwriter.utility import xl_range

                spec = sheet.tables[-1]
                spec["range"] = spec["a_range"] = xl_range(first_row, first_col, first_row + self.height, last_col)
                if "autofilter" in spec:
                    spec["autofilter"] = spec["a_range"]
            return done

        sheet.add_table = add_table
        _flat(columns.clear()).write_excel(workbook=self.book, worksheet=table[:31], autofit=False,
                                           dtype_formats={pl.Float64: "0.00"})
        del sheet.add_table
        self._rows_xml = tempfile.TemporaryFile("w+", encoding="utf-8")
        self._write_rows = sheet._write_rows
        sheet._write_rows = self._write_all_rows
        self.row, self.flushed = 1, 0  # the next row to write; rows before `flushed` are in the file

    def add(self, flat: pl.DataFrame) -> None:
        write, formats = self.sheet._write, self.formats
        for values in flat.head(self.height + 1 - self.row).iter_rows():
            row = self.row
            for col, value in enumerate(values):
                write(row, col, value, formats[col])
            if row % 16 == 15:
                self._flush(row)
            self.row += 1

    def _flush(self, last: int) -> None:
        sheet = self.sheet
        kept = sheet.fh, sheet.dim_rowmin, sheet.dim_rowmax
        sheet.fh, sheet.dim_rowmin, sheet.dim_rowmax = self._rows_xml, self.flushed, last
        try:
            self._write_rows()
        finally:
            sheet.fh, sheet.dim_rowmin, sheet.dim_rowmax = kept
        for row in range(self.flushed, last + 1):
            sheet.table.pop(row, None)
        self.flushed = last + 1

    def _write_all_rows(self) -> None:  # in place of the sheet's _write_rows, at close
        sheet = self.sheet
        self._rows_xml.seek(0)
        shutil.copyfileobj(self._rows_xml, sheet.fh)
        self._rows_xml.close()
        kept, sheet.dim_rowmin = sheet.dim_rowmin, self.flushed
        try:
            self._write_rows()
        finally:
            sheet.dim_rowmin = kept

    def close(self) -> None:
        if self.total > XLSX_ROWS:
            note = f"cut at {XLSX_ROWS:,} of {self.total:,} rows: see data/{self.table}.csv"
            self.book.add_worksheet("note").write(0, 0, note)
        self.book.close()


def _xlsx(df: pl.DataFrame, table: str, path: Path) -> None:
    """The workbook of a frame (what `publish` writes slice by slice)."""
    book = _Workbook(path, table, df, df.height)
    book.add(_flat(df))
    book.close()


def _csv_bytes(df: pl.DataFrame, header: bool = True) -> bytes:
    return _flat(df).write_csv(line_terminator="\r\n", quote_style="necessary", include_header=header).encode("utf-8")


def _arrow_schema(table: str, arrow: pa.Schema) -> pa.Schema:
    described = {c.name: c.description for c in TABLES[table]}
    fields = [f.with_metadata({"description": described[f.name]}) for f in arrow]
    return pa.schema(fields, metadata={"description": TABLE_DESCRIPTIONS[table], "table": table})


class _Column:
    """One column of a Parquet chunk, filled piece by piece: the values' bytes are appended to a
    bytearray as they come (text, lists' items, numbers), so that no piece is kept and making
    the chunk copies nothing; offsets and validity are small. Booleans and structs (small
    tables) are kept as pieces and joined."""

    def __init__(self, kind: pa.DataType):
        self.kind, self.rows, self.nulls, self.valid = kind, 0, 0, []
        self.text = pa.types.is_large_string(kind) or pa.types.is_large_binary(kind)
        self.nested = pa.types.is_large_list(kind)
        self.width = kind.bit_width // 8 if (pa.types.is_integer(kind) or pa.types.is_floating(kind)
                                             or pa.types.is_temporal(kind) or pa.types.is_decimal(kind)) else 0
        if self.text or self.nested:
            self.offsets, self.end = bytearray(), 0
        if self.nested:
            self.child = _Column(kind.value_type)
        elif self.text or self.width:
            self.data = bytearray()
        else:
            self.pieces: list[pa.Array] = []

    def add(self, a: pa.Array) -> None:
        n = len(a)
        self.valid.append(pc.is_valid(a))
        self.nulls += a.null_count
        if self.text or self.nested:
            own = pa.Array.from_buffers(pa.int64(), n + 1, [None, a.buffers()[1]], offset=a.offset)
            first, last = own[0].as_py(), own[-1].as_py()
            self.offsets += pc.add(pc.subtract(own.slice(0, n), first), self.end).buffers()[1]
            self.end += last - first
            if self.nested:
                self.child.add(a.values.slice(first, last - first))
            else:
                self.data += memoryview(a.buffers()[2])[first:last]
        elif self.width:
            self.data += memoryview(a.buffers()[1])[a.offset * self.width:(a.offset + n) * self.width]
        else:
            self.pieces.append(pa.concat_arrays([a, pa.array([], self.kind)]))  # a copy: the piece's batch can go
        self.rows += n

    def array(self) -> pa.Array:
        validity = pa.concat_arrays(self.valid).buffers()[1] if self.nulls else None
        if self.text or self.nested:
            offsets = pa.py_buffer(self.offsets + self.end.to_bytes(8, "little", signed=True))
            if self.nested:
                return pa.Array.from_buffers(self.kind, self.rows, [validity, offsets], null_count=self.nulls,
                                             children=[self.child.array()])
            return pa.Array.from_buffers(self.kind, self.rows, [validity, offsets, pa.py_buffer(self.data)],
                                         null_count=self.nulls)
        if self.width:
            return pa.Array.from_buffers(self.kind, self.rows, [validity, pa.py_buffer(self.data)],
                                         null_count=self.nulls)
        return pa.concat_arrays(self.pieces) if self.pieces else pa.array([], self.kind)


class _Parquet:
    """`parquet/<table>.parquet` written a row group at a time. The bytes of pq.write_table of the
    whole table as DuckDB's `.pl()` returned it on two threads: the same row groups, and in them
    the same chunks of `CHUNK` rows (the writer checks a page's size where a chunk ends, so
    chunks cut elsewhere give other pages). Batches are cut and joined to that grid."""

    def __init__(self, path: Path, table: str, columns: pl.DataFrame, group: int | None = None):
        self.schema = _arrow_schema(table, columns.to_arrow().schema)
        self.group = group or ROW_GROUP  # rows of a row group (`row_groups`)
        self.chunk = min(CHUNK, self.group)
        self.writer = pq.ParquetWriter(path, self.schema, compression="zstd", write_statistics=True)
        self.columns = [_Column(f.type) for f in self.schema]  # of the chunk being filled
        self.filling = 0
        self.parts: list[pa.Table] = []  # whole chunks, not yet written
        self.rows, self.groups = 0, 0

    def add(self, batch: pa.RecordBatch | pa.Table) -> None:
        part = (batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])).cast(self.schema)
        while part.num_rows:
            piece, part = part.slice(0, self.chunk - self.filling), part.slice(self.chunk - self.filling)
            for column, values in zip(self.columns, piece.columns):
                for chunk in values.chunks:
                    column.add(chunk)
            self.filling += piece.num_rows
            if self.filling == self.chunk:
                self._chunk()

    def _chunk(self) -> None:
        chunk = pa.Table.from_arrays([c.array() for c in self.columns], schema=self.schema)
        self.columns, self.filling = [_Column(f.type) for f in self.schema], 0
        self.parts.append(chunk)
        self.rows += chunk.num_rows
        while self.rows >= self.group:
            self._write(self.group)

    def _write(self, rows: int) -> None:
        taken, n = [], 0
        while n < rows:
            part = self.parts.pop(0)
            if n + part.num_rows > rows:
                part, rest = part.slice(0, rows - n), part.slice(rows - n)
                self.parts.insert(0, rest)
            taken.append(part)
            n += part.num_rows
        self.rows -= n
        self.writer.write_table(pa.concat_tables(taken) if taken else self.schema.empty_table())
        self.groups += 1

    def close(self) -> None:
        if self.filling:
            self._chunk()
        if self.rows or not self.groups:  # an empty table is one empty row group, as pq.write_table writes it
            self._write(self.rows)
        self.writer.close()


def row_groups(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Rows per Parquet row group of a table: as many as make about GROUP_BYTES of data, at most
    ROW_GROUP, a multiple of 16 (the whole table if less). A value counts 8 bytes, and a text its
    bytes besides; a list counts 8 a value and the bytes of its texts (`terms VARCHAR[]` and
    `counts BIGINT[]` are most of document_terms: counted as 8 bytes a row, the whole table was one
    row group, held whole while it was written). A table of documents, whose texts are most of the
    release, is then written 64 MB at a time and read back by a column and a row group without
    loading the rest."""
    described = con.execute(f"describe {table}").fetchall()
    sizes = [_bytes(f'"{name}"', kind) for name, kind, *_ in described]
    [(rows, size)] = con.execute(f"select count(*), {' + '.join(sizes)} from {table}").fetchall()
    if not rows or not size:
        return ROW_GROUP
    return max(min(16, ROW_GROUP), min(ROW_GROUP, int(GROUP_BYTES * rows / size) // 16 * 16))


def _bytes(column: str, kind: str) -> str:
    """SQL for about how many bytes a column's values hold in Arrow: 8 a value (offsets, numbers),
    the texts' bytes besides, and a list's values counted one by one."""
    if kind.endswith("[]"):
        inner = kind[:-2]
        texts = f" + coalesce(sum(strlen(array_to_string({column}, ''))), 0)" if inner == "VARCHAR" else ""
        return f"(count(*) * 8 + coalesce(sum(len({column})), 0) * 8{texts})"
    if kind == "VARCHAR":
        return f"(count(*) * 8 + coalesce(sum(strlen({column})), 0))"
    return "count(*) * 8"


class _Csv:
    """`data/<table>.csv` and `excel/<table>.csv` (the same bytes after a BOM), appended slice by slice."""

    def __init__(self, data: Path, excel: Path):
        self.data, self.excel = data.open("wb"), excel.open("wb")
        self.excel.write(BOM)
        self.header = True

    def add(self, flat: pl.DataFrame) -> None:
        text = flat.write_csv(line_terminator="\r\n", quote_style="necessary", include_header=self.header)
        data = text.encode("utf-8")
        self.data.write(data)
        self.excel.write(data)
        self.header = False

    def close(self) -> None:
        self.data.close()
        self.excel.close()


class _PerBulletin:
    """`bulletins/<bulletin_id>/<table>.csv` from slices in bulletin order: a bulletin's rows are
    one run, appended to its file as they come."""

    def __init__(self, folder: Path, table: str):
        self.folder, self.name = folder, f"{table}.csv"
        self.current, self.file = None, None

    def add(self, df: pl.DataFrame, flat: pl.DataFrame) -> None:
        start = 0
        runs = df.select(pl.col("bulletin_id").rle()).unnest("bulletin_id")
        for length, bulletin in runs.select("len", "value").iter_rows():
            rows = flat.slice(start, length)
            start += length
            header = bulletin != self.current
            if header:
                self.close()
                folder = self.folder / bulletin
                folder.mkdir(exist_ok=True)
                self.current, self.file = bulletin, (folder / self.name).open("wb")
            self.file.write(rows.write_csv(line_terminator="\r\n", quote_style="necessary",
                                           include_header=header).encode("utf-8"))

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


def _by(order: list[str]) -> str:
    return ", ".join(f'"{k}"' for k in order)


def _ordered(con: duckdb.DuckDBPyConnection, table: str, order: list[str]) -> Iterator[pa.RecordBatch]:
    """The table's rows in `order` (Arrow, strings and lists with 64-bit offsets), about
    SLICE_BYTES at a time. DuckDB sorts only the key with the row ids (narrow rows: the sort
    spills within the memory limit, where sorting whole rows, a document's text with them,
    does not), and the rows are fetched by ranges of row ids, a range being a seek (the scan
    skips the row groups outside it). A table is stored about in key order, so a range holds
    the rows wanted and few others; rows stored far apart are fetched in smaller ranges."""
    sample = con.sql(f"select * from {table} limit 64").to_arrow_table()
    rows = max(1, min(CHUNK, int(SLICE_BYTES / max(sample.nbytes / max(sample.num_rows, 1), 1))))
    ids = cursor_of(con)  # read beside the fetches, on a connection of its own
    reader = ids.sql(f"select rowid from {table} order by {_by(order)}").to_arrow_reader(CHUNK)
    carry = pa.array([], pa.int64())
    for batch in reader:
        wanted = pa.concat_arrays([carry, batch.column(0)])
        whole = len(wanted) - len(wanted) % rows
        for start in range(0, whole, rows):
            yield from _fetch(con, table, wanted.slice(start, rows))
        carry = wanted.slice(whole)
    if len(carry):
        yield from _fetch(con, table, carry)
    ids.close()


SPREAD = 4  # a range of row ids is fetched when it holds at most this many rows per row wanted


def _fetch(con: duckdb.DuckDBPyConnection, table: str, wanted: pa.Array) -> Iterator[pa.RecordBatch]:
    """The rows of the row ids `wanted`, in that order."""
    low, high = pc.min_max(wanted).values()
    low, high = low.as_py(), high.as_py()
    if high - low + 1 > SPREAD * len(wanted) and len(wanted) > 1:
        half = len(wanted) // 2
        yield from _fetch(con, table, wanted.slice(0, half))
        yield from _fetch(con, table, wanted.slice(half))
        return
    got = con.sql(f"select rowid as _row, * from {table} where rowid between {low} and {high} "
                  "order by rowid").to_arrow_table()
    steps = pc.subtract(wanted.slice(1), wanted.slice(0, len(wanted) - 1))
    if got.num_rows != len(wanted) or (len(steps) and pc.min(steps).as_py() != 1):  # not the range as stored
        got = got.take(pc.index_in(wanted, value_set=got.column(0)))
    yield from got.drop_columns(["_row"]).to_batches()


def _same_order(con: duckdb.DuckDBPyConnection, table: str, a: list[str], b: list[str]) -> bool:
    """Whether ordering the table by `a` or by `b` gives the same sequence of rows."""
    [(moved,)] = con.execute(f"select count(*) from (select row_number() over (order by {_by(a)}) as p, "
                             f"row_number() over (order by {_by(b)}) as q from {table}) where p <> q").fetchall()
    return moved == 0


def _slices(batch: pa.RecordBatch) -> Iterator[pl.DataFrame]:
    """A batch as frames of about SLICE_BYTES."""
    rows = max(1, int(SLICE_BYTES * batch.num_rows / max(batch.nbytes, 1)))
    for start in range(0, batch.num_rows, rows):
        yield pl.from_arrow(batch.slice(start, rows))


@contextmanager
def _streaming(con: duckdb.DuckDBPyConnection, spill: Path) -> Iterator[None]:
    """DuckDB set for the streams: one thread (a sort's memory is per thread, and one thread
    keeps a scan in storage order), a memory limit with `spill` for what goes over it, Arrow as
    Parquet gets it (strings and lists with 64-bit offsets). Reset after: the connection's
    database may be shared with other connections of the process."""
    settings = {"memory_limit": f"'{DUCKDB_MEMORY}'", "threads": "1", "arrow_large_buffer_size": "true",
                "temp_directory": f"'{spill}'"}
    done = []
    try:
        for name, value in settings.items():
            try:
                con.execute(f"set {name} = {value}")
                done.append(name)
            except duckdb.Error:
                if name != "temp_directory":  # in use already by another connection: spill there
                    raise
        yield
    finally:
        for name in done:
            try:
                con.execute(f"reset {name}")
            except duckdb.Error:
                pass
        shutil.rmtree(spill, ignore_errors=True)


def _let_go() -> None:
    """Give the memory of the table just written back to the system before the next: Arrow's
    pool and glibc's heap keep what was freed, so a table's peak would add to the next one's."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def _write_table(con: duckdb.DuckDBPyConnection, table: str, tmp: Path) -> int:
    """Every file of one table, from one pass over its rows in key order, and a second in
    (bulletin, key) order for the per-bulletin files when the two orders differ; returns its rows."""
    [(total,)] = con.execute(f"select count(*) from {table}").fetchall()
    key = PRIMARY_KEYS[table]
    by_bulletin = ["bulletin_id", *key]
    one_pass = key[0] == "bulletin_id" or _same_order(con, table, key, by_bulletin)
    columns = pl.from_arrow(con.sql(f"select * from {table} limit 0").to_arrow_table())
    csv = _Csv(tmp / "data" / f"{table}.csv", tmp / "excel" / f"{table}.csv")
    book = _Workbook(tmp / "xlsx" / f"{table}.xlsx", table, columns, total)
    parquet = _Parquet(tmp / "parquet" / f"{table}.parquet", table, columns, row_groups(con, table))
    folders = _PerBulletin(tmp / "bulletins", table)
    csv.add(_flat(columns))  # the header, also of an empty table
    for batch in _ordered(con, table, key):
        parquet.add(batch)
        for df in _slices(batch):
            flat = _flat(df)
            csv.add(flat)
            book.add(flat)
            if one_pass:
                folders.add(df, flat)
    csv.close()
    book.close()
    # The last row group is most of a table of documents (their texts): written with DuckDB's
    # cache and what the pass freed given back first.
    con.execute(f"set memory_limit = '{DUCKDB_IDLE}'")
    _let_go()
    try:
        parquet.close()
    finally:
        con.execute(f"set memory_limit = '{DUCKDB_MEMORY}'")
    if not one_pass:
        for batch in _ordered(con, table, by_bulletin):
            for df in _slices(batch):
                folders.add(df, _flat(df))
    folders.close()
    _let_go()
    return total


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
        with _streaming(con, tmp / ".spill"):
            counts = {table: _write_table(con, table, tmp) for table in TABLES}
            con.execute(f"set memory_limit = '{DUCKDB_PAGES}'")
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
        f"{_sha256(p)}  {p.relative_to(tmp).as_posix()}\n" for p in files), encoding="utf-8")
    _swap_in(tmp, release)
    return release


def _sha256(path: Path) -> str:
    """A file's digest, read a block at a time (a table's CSV is larger than the memory a publish keeps to)."""
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


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
