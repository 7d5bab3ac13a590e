"""The batched extraction run on its own (no Dagster): batches change nothing in the rows."""
import polars as pl

from gongbao.extraction.run import extract_bulletins
from gongbao.store.warehouse import WarehouseStore
from tests.conftest import RAW, SAMPLES, copy_samples


def _items(folder):
    return [(p.stem, p) for p in sorted(folder.iterdir())]


def _documents(store):
    keys = [k for held in store.table_files("documents").values() for k in held]
    return store.read_rows("documents", keys).drop("run_id").sort("document_id")


def test_batch_size_does_not_change_the_rows(tmp_path):
    one, many = WarehouseStore(tmp_path / "one"), WarehouseStore(tmp_path / "many")
    raw = copy_samples(tmp_path / "raw")
    r1 = extract_bulletins(_items(raw), one, "run", log=lambda _: None, batch_size=1)
    r2 = extract_bulletins(_items(raw), many, "run", log=lambda _: None, batch_size=100)
    assert r1.rows == r2.rows and r1.rows["documents"] == 23
    assert _documents(one).equals(_documents(many))
    # a file per table and write: one batch of 5 bulletins is one documents file, 5 batches five
    assert len(many.table_files("documents")) == 1 and len(one.table_files("documents")) == 5
    assert sorted(p.name for p in (many.parquet_dir / "documents").iterdir()) == [
        p.name for p in many.table_files("documents")]
    assert r1.checked["indicators"] == r1.rows["indicators"] > 0 and not r1.failures


def test_a_failing_file_writes_only_its_error(tmp_path):
    store = WarehouseStore(tmp_path / "wh")
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_bytes(SAMPLES["004"].read_bytes())
    extract_bulletins(_items(raw), store, "run1", log=lambda _: None)
    (raw / "a.txt").write_bytes(b"")
    logged = []
    report = extract_bulletins(_items(raw), store, "run2", log=logged.append)
    assert [e["error_kind"] for e in report.errors] == ["empty_file"] and "a.txt" in logged[0]
    assert store.read_rows("documents", ["a"]).height == 7  # the good version's rows stay
    assert store.read_rows("ingest_errors", ["a"])["run_id"].to_list() == ["run2"]


def test_a_bulletin_written_again_points_at_the_new_file_and_an_unused_file_goes(tmp_path):
    store = WarehouseStore(tmp_path / "wh")
    raw = copy_samples(tmp_path / "raw")
    items = _items(raw)
    extract_bulletins(items, store, "run1", log=lambda _: None)
    [first] = store.table_files("documents")
    changed = raw / f"{items[0][0]}.txt"
    changed.write_bytes(changed.read_bytes() + "\n（附加的一行）\n".encode())
    extract_bulletins(items[:1], store, "run2", log=lambda _: None)
    files = store.table_files("documents")
    assert len(files) == 2 and files[first] == sorted(k for k, _ in items[1:])  # the others stay where they were
    assert store.read_rows("documents", [items[0][0]])["run_id"].unique().to_list() == ["run2"]
    assert store.read_rows("lineage", [items[0][0]]).height == 2  # both versions, the new one current
    # the other four written again: the first file holds no current rows and is deleted
    for key, path in items[1:]:
        path.write_bytes(path.read_bytes() + b"\n")
    extract_bulletins(items[1:], store, "run3", log=lambda _: None)
    assert not first.exists() and len(store.table_files("documents")) == 2


def test_a_warehouse_of_the_earlier_layout_is_read_as_batches_of_one(tmp_path):
    """`parquet/<table>/<bulletin_id>.parquet`, as written before the batch layout: its manifest
    is made from the names, and the DuckDB file built from it holds the same rows."""
    from quality.schemas import TABLES

    new, old = WarehouseStore(tmp_path / "new"), WarehouseStore(tmp_path / "old")
    raw = copy_samples(tmp_path / "raw")
    extract_bulletins(_items(raw), new, "run", log=lambda _: None)
    keys = [k for k, _ in _items(raw)]
    for table in TABLES:
        for key in keys:
            rows = new.read_rows(table, [key])
            if rows.height:
                (old.parquet_dir / table).mkdir(parents=True, exist_ok=True)
                rows.write_parquet(old.parquet_dir / table / f"{key}.parquet")
    assert {p.name: held for p, held in old.table_files("lineage").items()} == {f"{k}.parquet": [k] for k in keys}
    assert old.sync_duckdb(rebuild=True)[1] == new.sync_duckdb(rebuild=True)[1]
    with old.reader() as a, new.reader() as b:
        sql = "select * exclude (run_id) from documents order by document_id"
        assert a.execute(sql).fetchall() == b.execute(sql).fetchall()


def test_lineage_is_read_once_a_batch_and_comes_out_as_read_one_at_a_time(tmp_path):
    """A run reads its batch's lineage histories in one read (the lake paid a catalog query a
    bulletin); the versions it writes are those a read per bulletin gives."""
    stores = {size: WarehouseStore(tmp_path / f"wh{size}") for size in (1, 100)}
    raw = copy_samples(tmp_path / "raw")
    items = _items(raw)
    for store in stores.values():
        extract_bulletins(items, store, "run1", log=lambda _: None)
    for key, path in items[:3]:  # three bulletins change, two stay: versions added and kept
        path.write_bytes(path.read_bytes() + "\n（更正）\n".encode())
    reads = {}
    for size, store in stores.items():
        read = store._histories
        store._histories = lambda keys, read=read, size=size: reads.setdefault(size, []).append(list(keys)) or read(keys)
        extract_bulletins(items, store, "run2", log=lambda _: None, batch_size=size)
    assert reads[100] == [[k for k, _ in items]]  # one read for the batch of five
    assert len(reads[1]) == 5
    keys = [k for k, _ in items]
    lineage = {size: store.read_rows("lineage", keys).drop("run_id", "ingested_at", "parse_ms")
               .sort("bulletin_id", "source_sha256") for size, store in stores.items()}
    assert lineage[1].equals(lineage[100])
    assert lineage[100].group_by("bulletin_id").len().sort("bulletin_id")["len"].to_list() == [2, 2, 2, 1, 1]
    assert lineage[100].filter(pl.col("is_current")).height == 5


def test_a_run_asks_the_warehouse_only_for_its_own_files_hashes(tmp_path):
    """The duplicate check asks for the hashes of the run's files, not for every hash the
    warehouse holds (an ingest's cost would grow with the warehouse), and still finds a copy of
    a loaded bulletin, by its bytes and by its text in another encoding."""
    import hashlib

    store = WarehouseStore(tmp_path / "wh")
    raw = copy_samples(tmp_path / "raw")
    first = [item for item in _items(raw) if not item[0].startswith("004")]
    extract_bulletins(first, store, "run1", log=lambda _: None)
    store.sync_duckdb()
    assert store.pending() == ([], [])  # what follows is asked of the DuckDB file
    new = [item for item in _items(raw) if item[0].startswith("004")]
    copy = tmp_path / "copy_of_001.txt"
    copy.write_bytes(first[0][1].read_bytes())
    gbk = tmp_path / "gbk_of_002.txt"
    gbk.write_bytes(first[1][1].read_text(encoding="utf-8").encode("gb18030"))
    items = [*new, ("copy_of_001", copy), ("gbk_of_002", gbk)]

    again = WarehouseStore(tmp_path / "wh")
    asked, ask = [], again.loaded_in_db
    again.loaded_in_db = lambda shas: asked.append(set(shas)) or ask(shas)
    logged = []
    extract_bulletins(items, again, "run2", log=logged.append)
    lineage = again.read_rows("lineage", [k for k, _ in items]).filter(pl.col("is_current"))
    own = {s for row in lineage.iter_rows(named=True) for s in (row["source_sha256"], row["text_sha256"])}
    assert own >= {hashlib.sha256(p.read_bytes()).hexdigest() for _, p in items}
    assert asked == [own]  # one question, for the batch's hashes and nothing else
    duplicates = dict(lineage.select("bulletin_id", "duplicate_of").iter_rows())
    assert duplicates == {new[0][0]: None, "copy_of_001": first[0][0], "gbk_of_002": first[1][0]}
    assert sum("recorded, not loaded twice" in line for line in logged) == 2


def test_long_text_is_stored_with_zstd_and_reads_back_as_written(tmp_path):
    """The DuckDB file of a rebuild stores bulletin_lines.text and documents.body with zstd; every
    column keeps the name, order and type that a table made straight from its schema has; an
    update into that file (one bulletin written again) keeps them so; the text reads back as the
    Parquet holds it."""
    import duckdb

    from quality.schemas import TABLES, empty_frame

    store = WarehouseStore(tmp_path / "wh")
    raw = copy_samples(tmp_path / "raw")
    extract_bulletins(_items(raw), store, "run1", log=lambda _: None)
    assert store.sync_duckdb()[0] == "rebuilt"
    extract_bulletins(_items(raw)[:1], store, "run2", log=lambda _: None, batch_size=1)
    (raw / "again").mkdir()
    again = raw / "again" / "003_again.txt"
    again.write_text(SAMPLES["003"].read_text(encoding="utf-8") + "\n(又一份)\n", encoding="utf-8")
    extract_bulletins([("003_again", again)], store, "run3", log=lambda _: None)
    assert store.sync_duckdb()[0] == "updated"

    plain = duckdb.connect()
    with duckdb.connect(str(store.db_path), read_only=True) as con:
        for table in TABLES:
            plain.register("e", empty_frame(table).to_arrow())
            expected = plain.execute("describe select * from e").fetchall()
            plain.unregister("e")
            assert con.execute(f"describe {table}").fetchall() == expected, table
        for table, column in [("bulletin_lines", "text"), ("documents", "body")]:
            kinds = {k for k, in con.execute(
                "select distinct compression from pragma_storage_info(?) where column_name = ? "
                "and segment_type = 'VARCHAR'", [table, column]).fetchall()}
            assert kinds == {"ZSTD"}, (table, column, kinds)
        keys = [k for held in store.table_files("bulletin_lines").values() for k in held]
        assert len(keys) == 6
        written = store.read_rows("bulletin_lines", keys).sort("bulletin_id", "line")
        stored = con.execute("select bulletin_id, line, page, text from bulletin_lines order by bulletin_id, line").pl()
        assert stored.equals(written.select(stored.columns))
        assert stored.filter(pl.col("text") == "(又一份)").height == 1


def _row_groups(db, table="bulletin_lines"):
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select count(distinct row_group_id), max(count) from pragma_storage_info(?) "
                           "where column_name = 'bulletin_id'", [table]).fetchone()


def _again(tmp_path, key, note):
    path = tmp_path / f"{key}_again_{len(note)}.txt"
    path.write_text(SAMPLES[key].read_text(encoding="utf-8") + f"\n({note})\n", encoding="utf-8")
    return [(path.stem, path)]


def test_wide_tables_keep_small_row_groups_through_updates_and_a_reader_of_this_process_gets_a_copy(
        tmp_path, monkeypatch):
    """A rebuild writes the tables of WIDE_ROWS in row groups of ROW_GROUP_ROWS, and an update in
    place keeps them so (every writer attaches the file with that size: a checkpoint under
    DuckDB's default would merge them). bulletin_lines, the samples' one table of more than
    2,048 rows, stands in for a wide table here. While a connection of this process reads the
    file, an update goes into a copy swapped in, and the reader keeps what it had."""
    import duckdb

    import gongbao.store.warehouse as warehouse
    from gongbao.store.warehouse import ROW_GROUP_ROWS

    monkeypatch.setattr(warehouse, "WIDE_ROWS", (*warehouse.WIDE_ROWS, "bulletin_lines"))
    store = WarehouseStore(tmp_path / "wh")
    extract_bulletins(_items(copy_samples(tmp_path / "raw")), store, "run1", log=lambda _: None)
    assert store.sync_duckdb()[0] == "rebuilt"
    n, largest = _row_groups(store.db_path)
    assert n >= 3 and largest <= ROW_GROUP_ROWS  # ~7,000 lines
    inode = store.db_path.stat().st_ino
    extract_bulletins(_again(tmp_path, "004", "再一份"), store, "run2", log=lambda _: None)
    assert store.sync_duckdb()[0] == "updated"
    assert store.db_path.stat().st_ino == inode  # in place
    n2, largest2 = _row_groups(store.db_path)
    assert n2 > n and largest2 <= ROW_GROUP_ROWS

    reader = duckdb.connect(str(store.db_path), read_only=True)
    try:
        seen = reader.execute("select count(*) from bulletins").fetchone()
        extract_bulletins(_again(tmp_path, "003", "第三份"), store, "run3", log=lambda _: None)
        assert store.sync_duckdb()[0] == "updated"
        assert store.db_path.stat().st_ino != inode  # a copy, swapped in
        assert reader.execute("select count(*) from bulletins").fetchone() == seen
    finally:
        reader.close()
    with duckdb.connect(str(store.db_path), read_only=True) as con:
        assert con.execute("select count(*) from bulletins").fetchone() == (seen[0] + 1,)
    assert _row_groups(store.db_path)[1] <= ROW_GROUP_ROWS
    assert [p.name for p in store.base_dir.glob(".warehouse.duckdb*")] == []


def test_tables_of_short_rows_are_rebuilt_in_duckdbs_row_groups(tmp_path):
    """bulletin_lines (short rows, not in WIDE_ROWS) is rebuilt in one of DuckDB's row groups,
    and an update adds its rows without splitting it."""
    from gongbao.store.warehouse import ROW_GROUP_ROWS, WIDE_ROWS

    assert "bulletin_lines" not in WIDE_ROWS and {"documents", "document_terms"} <= set(WIDE_ROWS)
    store = WarehouseStore(tmp_path / "wh")
    extract_bulletins(_items(copy_samples(tmp_path / "raw")), store, "run1", log=lambda _: None)
    assert store.sync_duckdb()[0] == "rebuilt"
    n, largest = _row_groups(store.db_path)
    assert n == 1 and largest > ROW_GROUP_ROWS
    extract_bulletins(_again(tmp_path, "004", "再一份"), store, "run2", log=lambda _: None)
    assert store.sync_duckdb()[0] == "updated"
    assert _row_groups(store.db_path)[1] >= largest


def test_worker_processes_send_the_rows_a_run_parses_in_its_own_process(tmp_path):
    """Workers send each table as an Arrow IPC stream (`parse_file(packed=True)`), the run's
    process makes the frames: every table of every file, the text samples and the published
    originals (PDF, Word, web pages), the same as parsed in one process, types and all."""
    import shutil

    from gongbao.extraction.run import EXTRACTED, MIN_FILES_FOR_WORKERS

    raw = tmp_path / "raw"
    raw.mkdir()
    for path in sorted(RAW.iterdir()):
        if path.is_file():
            shutil.copy(path, raw / path.name)
    items = _items(raw)
    assert len(items) >= MIN_FILES_FOR_WORKERS  # enough files for the run to start its workers
    stores = {n: WarehouseStore(tmp_path / f"wh{n}") for n in (1, 2)}
    reports = {n: extract_bulletins(items, store, "run", log=lambda _: None, workers=n)
               for n, store in stores.items()}
    assert reports[1].rows == reports[2].rows and not reports[2].errors and not reports[2].failures
    keys = [k for k, _ in items]
    for table in EXTRACTED:
        one, two = (store.read_rows(table, keys) for store in stores.values())
        assert one.schema == two.schema, table
        assert one.sort(one.columns).equals(two.sort(two.columns)), table
    assert reports[2].rows["bulletin_lines"] > 5_000 and reports[2].rows["budgets"] > 0
