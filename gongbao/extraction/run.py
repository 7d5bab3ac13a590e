"""Extract a run's bulletins in batches: parse, frame, validate, write Parquet, let go.

Holding every frame of a thousand-bulletin run until the end costs memory the build
does not have, and validating each bulletin on its own pays pandera's fixed cost a
thousand times; batches of bulletins bound the first and share the second. No Dagster
here: the asset turns the report into materialization metadata and check results.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import time
import traceback
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa

from parsing import PARSER_VERSION
from parsing.bulletin import parse_bulletin
from parsing.errors import BulletinError
from parsing.ids import display_name
from parsing.text.lines import nfkc
from quality.schemas import COUNTED, EXTRACTED, NUMBER_TABLES, TABLES, arrow_table, empty_frame, frame
from quality.validate import numbers_per_bulletin, rows_outside_documents, toc_mismatches, validate

from gongbao.store.raw import RawObject, source_of
from gongbao.store.warehouse import WarehouseStore

OUTPUTS = tuple(TABLES)  # the extracted tables, ingest_errors and lineage
MAX_BYTES = 64 * 1024 * 1024  # larger files are refused before they are read: see docs/ingestion.md
BATCH_BULLETINS = 100
PROGRESS_FROM = 5  # a bar for runs of this many files or more (on a terminal)
MIN_FILES_FOR_WORKERS = 8  # below this, starting worker processes costs more than it saves


@dataclass
class RunReport:
    bulletins: list[str] = field(default_factory=list)  # ingested
    errors: list[dict] = field(default_factory=list)  # ingest_errors rows of the run
    rows: Counter = field(default_factory=Counter)  # table → rows written
    checked: Counter = field(default_factory=Counter)  # table → rows validated
    failures: dict[str, list[pl.DataFrame]] = field(default_factory=dict)  # table → located failure cases
    toc_problems: list[pl.DataFrame] = field(default_factory=list)
    outside_documents: list[pl.DataFrame] = field(default_factory=list)  # number rows off their document
    counts: list[pl.DataFrame] = field(default_factory=list)  # numbers found per bulletin
    previews: dict[str, pl.DataFrame] = field(default_factory=dict)  # table → first rows seen

    def failure_frame(self, table: str) -> pl.DataFrame:
        return _gathered(self.failures.get(table, []), how="diagonal_relaxed")

    def toc_frame(self) -> pl.DataFrame:
        return _gathered(self.toc_problems)

    def outside_frame(self) -> pl.DataFrame:
        return _gathered(self.outside_documents)

    def counts_frame(self) -> pl.DataFrame:
        return _gathered(self.counts)


def _gathered(parts: list[pl.DataFrame], how: str = "vertical") -> pl.DataFrame:
    """The parts a run gathered batch by batch, as one frame (empty when there were none)."""
    return pl.concat(parts, how=how) if parts else pl.DataFrame()


def file_sha256(path: Path | RawObject) -> str:
    """SHA-256 of a file's bytes, read in chunks (a refused file may be larger than memory
    allows); of an object's bytes as listed (RawObject.read_bytes)."""
    if isinstance(path, RawObject):
        return hashlib.sha256(path.read_bytes()).hexdigest()
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def error_row(key: str, path: Path, sha256: str, err: Exception, run_id: str) -> dict:
    if isinstance(err, BulletinError):
        kind, message = err.kind, err.message
    elif isinstance(err, OSError):  # vanished, no permission, the object storage unreachable
        kind, message = "unreadable", f"{display_name(path.name)}: {err.strerror or err}"
    else:
        where = traceback.extract_tb(err.__traceback__)[-1] if err.__traceback__ else None
        at = f" (at {Path(where.filename).name}:{where.lineno} in {where.name})" if where else ""
        kind, message = "parser_error", f"{display_name(path.name)}: {type(err).__name__}: {err}{at}"
    return {"bulletin_id": key, "source_sha256": sha256, "source_file": display_name(path.name),
            "parser_version": PARSER_VERSION, "run_id": run_id, "error_kind": kind, "message": message,
            "failed_at": dt.datetime.now(dt.timezone.utc)}


@dataclass
class Parsed:
    """What a worker returns for one file: its bytes' hash and size, and either the frames of
    every extracted table (from a worker, their Arrow IPC in `packed` until `unpacked`) with the
    version's lineage facts, or the ingest_errors row."""
    sha256: str
    size: int
    tables: dict[str, pl.DataFrame] | None = None
    version: dict | None = None
    error: dict | None = None
    packed: dict[str, bytes] | None = None  # a worker's tables as Arrow IPC streams (b"": no rows)

    def unpacked(self) -> Parsed:
        """The frames of a worker's packed tables (a no-op for tables parsed in this process)."""
        if self.packed is not None:
            self.tables = {t: pl.read_ipc_stream(b) if b else empty_frame(t) for t, b in self.packed.items()}
            self.packed = None
        return self


def _packed(table: str, rows: list[dict], **same: object) -> bytes:
    """A table's rows as one Arrow IPC stream, how a worker sends them to the run's process:
    a polars frame pickles as its IPC too, after a conversion from Arrow that costs ~0.2 ms a
    table however few its rows (11 tables a bulletin), and a pyarrow table pickles slower."""
    if not rows:
        return b""
    arrow = arrow_table(table, rows, **same)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, arrow.schema) as writer:
        writer.write_table(arrow)
    return sink.getvalue().to_pybytes()


def parse_file(key: str, path: Path | RawObject, run_id: str, packed: bool = False) -> Parsed:
    """Read, hash and parse one file into frames (`packed`: into Arrow IPC streams, for a
    worker process to send, `Parsed.unpacked` makes them frames); any failure becomes its
    error row. Pure (no warehouse access), so it can run in a worker process."""
    started = time.perf_counter()
    sha, size = hashlib.sha256(b"").hexdigest(), 0  # kept only when the file cannot be read at all
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:  # refused before its bytes are read into memory
            sha = file_sha256(path)
            raise BulletinError("too_large", f"{display_name(path.name)}: {size} bytes is over the "
                                             f"{MAX_BYTES}-byte limit")
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        parsed = parse_bulletin(data, display_name(path.name), key)
        del data  # a 50 MB bulletin's rows need the room
        version = {**_version(parsed, sha, run_id, started), **source_of(path)}
        # Each table's rows are let go as soon as its frame exists, not after the last one.
        make = _packed if packed else frame
        tables = {t: make(t, parsed.tables.pop(t), source_sha256=sha, run_id=run_id) for t in EXTRACTED}
    except Exception as err:  # noqa: BLE001 - any failure is one bulletin's, recorded and isolated
        return Parsed(sha, size, error=error_row(key, path, sha, err, run_id))
    return Parsed(sha, size, version=version, packed=tables) if packed else Parsed(sha, size, tables, version)


def extract_bulletins(items: Iterable[tuple[str, Path]], store: WarehouseStore, run_id: str,
                      log: Callable[[str], None] = print, batch_size: int = BATCH_BULLETINS,
                      workers: int = 1, progress: bool = False) -> RunReport:
    """Parse each (partition key, file) and write its tables; a file that fails keeps its old rows.

    Parsing is pure and CPU-bound, so a run of many files spreads it over worker processes
    (one per core); results are taken in the order of `items`, so which of two identical
    files is loaded and which is recorded as its duplicate does not depend on timing."""
    items = list(items)
    report = RunReport()
    batch: dict[str, dict[str, pl.DataFrame]] = {}
    loaded = Loaded(store)  # sha256 → bulletin loaded from those bytes, this run's included
    written: set[str] = set()  # the bulletins this run wrote (its earlier batches)
    parsed_files = zip(items, _parse_all(items, run_id, workers))
    if progress and len(items) >= PROGRESS_FROM:
        from tqdm import tqdm  # Dagster's own dependency: a bar on the terminal, files and MB

        parsed_files = tqdm(parsed_files, total=len(items), unit="file", desc="gongbao", leave=False,
                            dynamic_ncols=True)
    waiting: list[tuple[str, Path, Parsed]] = []  # a batch's files as parsed, in the order of items

    def frames_of_batch() -> None:
        # One question to the warehouse for the batch's hashes, then each file in order (a file
        # repeating an earlier one of the same batch is its duplicate).
        loaded.ask(s for _, _, p in waiting if not p.error for s in (p.sha256, p.version["text_sha256"]))
        for key, path, parsed in waiting:
            batch[key] = _frames_of(key, path, parsed, run_id, store, loaded, report, log)
        waiting.clear()

    for i, ((key, path), parsed) in enumerate(parsed_files):
        if i % batch_size == 0:  # a batch begins: its bulletins' lineage read at once
            store.read_histories([k for k, _ in items[i:i + batch_size]])
        waiting.append((key, path, parsed))
        if len(waiting) >= batch_size:
            frames_of_batch()
            _flush(batch, store, report, loaded, written, log)
    frames_of_batch()
    _flush(batch, store, report, loaded, written, log)
    return report


class Loaded(dict):
    """sha256 (of bytes or of text) → the bulletin loaded from them, as far as this run has
    asked: the warehouse is asked for each batch's hashes (`ask`), not read whole, so a run's
    cost does not grow with the warehouse. A bulletin loaded from new bytes gives up its old
    ones: a copy of its former bytes is then a bulletin in its own right, not the duplicate of
    a version no table holds any more.

    `since(own, shas)` gives what other writers loaded of `shas` after this mapping was
    made, asking only when something changed (a swapped DuckDB file or a new lake snapshot,
    pending marks new or rewritten), for the check under the writer lock at each batch."""

    def __init__(self, store: WarehouseStore):
        self._store = store
        self._db, self._pending = store.db_stamp(), store.pending_stamps()
        self._asked: set[str] = set()
        self._reloaded: set[str] = set()  # bulletins this run loaded: the warehouse's hashes of them are old
        self._of: dict[str, set[str]] = {}
        self._take(store.loaded_in_pending(self._pending))

    def _take(self, found: dict[str, str]) -> None:
        for sha, key in found.items():
            if sha not in self and key not in self._reloaded:
                self[sha] = key
                self._of.setdefault(key, set()).add(sha)

    def ask(self, shas: Iterable[str]) -> None:
        """Learn which of `shas` the warehouse holds (one query for a batch)."""
        new = {sha for sha in shas if sha and sha not in self and sha not in self._asked}
        if new:
            self._asked |= new
            self._take(self._store.loaded_in_db(new))

    def load(self, key: str, *shas: str) -> None:
        for old in self._of.pop(key, set()):
            if self.get(old) == key:
                del self[old]
        for sha in shas:
            self[sha] = key
        self._of[key] = set(shas)
        self._reloaded.add(key)

    def shas_of(self, keys: Iterable[str]) -> set[str]:
        """The hashes the bulletins `keys` are loaded from, as this mapping knows them."""
        return {sha for key in keys for sha in self._of.get(key, ())}

    def since(self, own: set[str], shas: Collection[str]) -> dict[str, str]:
        """sha256 → bulletin of what writers other than this run (whose keys are `own`) loaded
        from `shas` or wrote since the last look."""
        store = self._store
        news: dict[str, str] = {}
        db = store.db_stamp()
        if db != self._db:
            self._db = db
            news.update(store.loaded_in_db(shas))
        stamps = store.pending_stamps()
        changed = [k for k, t in stamps.items() if self._pending.get(k) != t and k not in own]
        self._pending = stamps
        news.update(store.loaded_in_pending(changed))
        return {sha: key for sha, key in news.items() if key not in own}


def _parse_all(items: list[tuple[str, Path]], run_id: str, workers: int) -> Iterator[Parsed]:
    if workers < 2 or len(items) < MIN_FILES_FOR_WORKERS:
        yield from (parse_file(key, path, run_id) for key, path in items)
        return
    # forkserver: workers start from a clean process, not a fork of Dagster's threads. The
    # forkserver loads the parser and its dictionaries once (warm.py) before it forks the
    # first worker, so no worker builds them again (a no-op once the forkserver is running).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", "gongbao.extraction.warm"])  # __main__: the default
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for parsed in pool.map(parse_file, *zip(*items), [run_id] * len(items), [True] * len(items), chunksize=1):
            yield parsed.unpacked()


def _frames_of(key: str, path: Path, parsed: Parsed, run_id: str, store: WarehouseStore,
               loaded: Loaded, report: RunReport, log: Callable[[str], None]) -> dict[str, pl.DataFrame]:
    """The bulletin's frames of every table it touches (only ingest_errors when it fails)."""
    if parsed.error:
        log(f"ingest error {parsed.error['error_kind']} — {parsed.error['message']}")
        report.errors.append(parsed.error)
        # Only the error is written: the bulletin's other tables keep their last good version.
        return {"ingest_errors": frame("ingest_errors", [parsed.error])}
    report.bulletins.append(key)
    text_sha = parsed.version["text_sha256"]
    original = loaded.get(parsed.sha256) or loaded.get(text_sha)
    if original and original != key:
        same = "bytes" if loaded.get(parsed.sha256) == original else "text (another encoding or form)"
        log(f"{display_name(path.name)}: same {same} as bulletin {original}; recorded, not loaded twice")
        return _duplicate(key, parsed.version, original, store)
    loaded.load(key, parsed.sha256, text_sha)
    return {**parsed.tables, "ingest_errors": frame("ingest_errors", []),
            "lineage": store.lineage_with(key, parsed.version)}


def text_sha256(lines: list[dict]) -> str:
    """SHA-256 of a bulletin's text as read, NFKC-folded with all white space dropped: the
    same text arriving in another encoding (or with other line breaks) hashes the same."""
    # The lines joined by "\n" and normalized at once (`nfkc`: NFKC of the joined text is the
    # lines' NFKC joined); the "\n" are white space, dropped with the rest. str.split() splits
    # at exactly the characters regex's \s matches (str.isspace, every code point checked) and
    # drops them 4x faster than re.sub("\s+", "") on a bulletin's text.
    text = "\n".join(row["text"] for row in lines)
    return hashlib.sha256("".join(nfkc(text).split()).encode("utf-8")).hexdigest()


def _version(parsed, sha256: str, run_id: str, started: float) -> dict:
    b = parsed.tables["bulletins"][0]
    return {"bulletin_id": b["bulletin_id"], "source_sha256": sha256, "source_file": b["source_file"],
            "source_bytes": b["source_bytes"], "source_format": b["source_format"], "reader": b["reader"],
            "page_count": b["page_count"], "ocr": "ocr" in b["quality_flags"],
            "text_sha256": text_sha256(parsed.tables["bulletin_lines"]), "encoding": b["encoding"],
            "detected_format": b["detected_format"],
            "parser_version": PARSER_VERSION, "run_id": run_id, "ingested_at": dt.datetime.now(dt.timezone.utc),
            "parse_ms": round((time.perf_counter() - started) * 1000, 1),
            "row_counts": {t: len(parsed.tables[t]) for t in COUNTED}, "is_current": True, "duplicate_of": None}


def _duplicate(key: str, parsed_version: dict, original: str, store: WarehouseStore) -> dict[str, pl.DataFrame]:
    """A file whose bytes are loaded already: no rows of its own, a lineage version naming both."""
    version = {**parsed_version, "parse_ms": 0.0, "row_counts": dict.fromkeys(COUNTED, 0),
               "duplicate_of": original}
    tables = {t: empty_frame(t) for t in (*EXTRACTED, "ingest_errors")}
    tables["lineage"] = store.lineage_with(key, version)
    return tables


def _duplicates_under_lock(batch: dict[str, dict[str, pl.DataFrame]], store: WarehouseStore, loaded: Loaded,
                           own: set[str], log: Callable[[str], None]) -> None:
    """Another process may have loaded the same bytes since this run looked (two ingests of
    twins at once): asked again under the writer lock, such a bulletin becomes a duplicate."""
    others = loaded.since(own | set(batch), loaded.shas_of(batch))
    if not others:
        return
    for key, tables in list(batch.items()):
        lineage = tables.get("lineage")
        if lineage is None or not lineage.height:
            continue
        version = lineage.filter(pl.col("is_current")).to_dicts()[0]
        if version["duplicate_of"]:
            continue
        original = others.get(version["source_sha256"]) or others.get(version["text_sha256"])
        if original and original != key:
            log(f"{version['source_file']}: loaded meanwhile as bulletin {original}; recorded, not loaded twice")
            batch[key] = _duplicate(key, version, original, store)


def _flush(batch: dict[str, dict[str, pl.DataFrame]], store: WarehouseStore, report: RunReport, loaded: Loaded,
           written: set[str], log: Callable[[str], None] = print) -> None:
    if not batch:
        return
    combined_tables = {}
    for table in OUTPUTS:
        combined = combined_tables[table] = _concat(table, [t[table] for t in batch.values() if table in t])
        checked = validate(table, combined)
        report.checked[table] += combined.height
        if not checked.passed:
            report.failures.setdefault(table, []).append(checked.failures)
        if table not in report.previews and combined.height:
            report.previews[table] = combined.head(5)
    docs = combined_tables["documents"]
    bad = toc_mismatches(combined_tables["toc_entries"], docs)
    if bad.height:
        report.toc_problems.append(bad)
    for t in NUMBER_TABLES:
        off = rows_outside_documents(t, combined_tables[t], docs)
        if off.height:
            report.outside_documents.append(off)
    if docs.height:
        report.counts.append(numbers_per_bulletin(combined_tables))
    # Failing rows are written too: the checks flag them, nothing vanishes silently.
    store.write_bulletins(batch, under_lock=lambda b: _duplicates_under_lock(b, store, loaded, written, log))
    written.update(batch)
    for tables in batch.values():
        for table, df in tables.items():
            report.rows[table] += df.height
    batch.clear()


def _concat(table: str, parts: list[pl.DataFrame]) -> pl.DataFrame:
    return pl.concat(parts, rechunk=False) if parts else empty_frame(table)
