"""Ingesting into a warehouse that already holds bulletins: only the new bulletin's rows
are loaded, duplicates and bad input cost nothing, and neither a killed run nor two runs
at once leave DuckDB inconsistent. Real Dagster runs, real processes, real files."""
import os
import shutil
import signal
import subprocess
import sys
import time

import dagster as dg
import duckdb
import pytest

from gongbao.extraction.run import MAX_BYTES
from gongbao.settings import Settings
from gongbao.cli.main import main
from gongbao.store.warehouse import WarehouseStore
from gongbao.store import open_store
from tests.conftest import BACKENDS, ROOT, SAMPLES, on_backend, raw_folder, warehouse_arg

B000, B003, B004 = (SAMPLES[p].stem for p in ("000", "003", "004"))


@pytest.fixture()
def two_loaded(tmp_path):
    """A warehouse built from samples 000 and 003."""
    settings = raw_folder(tmp_path, ("000", "003"))
    assert main(["build", "--raw", str(settings.raw_dir), "--warehouse", str(settings.warehouse_dir)]) == 0
    return settings


@pytest.fixture(params=BACKENDS)
def two_loaded_either(request, tmp_path, monkeypatch):
    """The same, on each backend: embedded, and a new ducklake warehouse (PostgreSQL + S3)."""
    settings = on_backend(request, monkeypatch, raw_folder(tmp_path, ("000", "003")))
    assert main(["build", "--raw", str(settings.raw_dir), "--warehouse", warehouse_arg(settings)]) == 0
    return settings


def query(settings, sql, params=None):
    with open_store(settings).reader() as con:
        return con.execute(sql, params or []).fetchall()


def ingest(settings, *files):
    return main(["ingest", *map(str, files), "--raw", str(settings.raw_dir), "--warehouse", warehouse_arg(settings)])


def assert_consistent(settings):
    """Every current lineage version's row counts are exactly the rows DuckDB holds for it."""
    for table in ("documents", "indicators", "budgets", "subsidies", "table_cells"):
        assert query(settings, f"""
            select l.bulletin_id from lineage l
            where l.is_current and l.row_counts.{table} !=
                (select count(*) from {table} t where t.bulletin_id = l.bulletin_id)""") == [], table
    assert query(settings, "select count(*) from bulletins where bulletin_id not in "
                           "(select bulletin_id from lineage where is_current)") == [(0,)]
    # the current version names the run whose rows are loaded
    assert query(settings, "select count(*) from bulletins b join lineage l on l.bulletin_id = b.bulletin_id "
                           "and l.is_current where l.run_id != b.run_id or l.source_sha256 != b.source_sha256"
                 ) == [(0,)]


def test_a_new_bulletin_is_loaded_without_rebuilding_the_warehouse(two_loaded):
    settings = two_loaded
    # Take 003's documents file away behind the store's back (000's are in it too): a rebuild
    # from Parquet would lose their rows, an incremental load of the new bulletin leaves them.
    for path in WarehouseStore(settings.warehouse_dir).table_files("documents", [B003]):
        path.unlink()
    with dg.instance_for_test() as instance:
        from gongbao.cli.runs import ingest as run_ingest
        [result] = run_ingest(settings, [SAMPLES["004"]], instance)
        assert result.success
        loads = {m.metadata["load"].value for m in result.asset_materializations_for_node("warehouse_tables")}
    assert loads == {"updated"}
    assert query(settings, "select bulletin_id, count(*) from documents group by 1 order by 1") == [
        (B000, 6), (B003, 1), (B004, 7)]
    assert_consistent(settings)
    assert list((settings.warehouse_dir / "pending").iterdir()) == []


def _hold(db, mode: str, seconds: float) -> subprocess.Popen:
    """Another process holding the DuckDB file `db` open: a reader ("read"), or a writer in the
    middle of a transaction that adds a bulletin row ("write"); it prints `held` once it holds
    it and lets go after `seconds`."""
    code = {"read": f"c = duckdb.connect({str(db)!r}, read_only=True)",
            "write": f"c = duckdb.connect({str(db)!r}); c.execute('begin'); "
                     "c.execute(\"insert into bulletins (bulletin_id) values ('held_by_a_writer')\")"}[mode]
    tail = "c.execute('commit'); c.close()" if mode == "write" else "c.close()"
    proc = subprocess.Popen([sys.executable, "-c", f"import duckdb, time\n{code}\nprint('held', flush=True)\n"
                             f"time.sleep({seconds})\n{tail}"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_load_writes_the_file_in_place_unless_a_reader_holds_it(two_loaded, tmp_path):
    """No reader: the new bulletin goes into the DuckDB file itself (the same inode: no copy of
    the warehouse per load). A reader in another process holding the file: the load goes into a
    copy swapped in, the reader keeps the old state to the end."""
    settings = two_loaded
    db = settings.warehouse_dir / "warehouse.duckdb"
    before = db.stat().st_ino
    assert ingest(settings, SAMPLES["004"]) == 0
    assert db.stat().st_ino == before
    assert query(settings, "select count(*) from bulletins") == [(3,)]
    assert_consistent(settings)

    reader = _hold(db, "read", 600)
    try:
        _variants(tmp_path, 1)
        assert ingest(settings, tmp_path / "variant_000.txt") == 0
        assert db.stat().st_ino != before
        assert query(settings, "select count(*) from bulletins") == [(4,)]
    finally:
        reader.kill()
        reader.wait()
    assert_consistent(settings)
    assert [p.name for p in settings.warehouse_dir.glob(".warehouse.duckdb*")] == []


def test_a_reader_waits_for_a_load_in_place_and_sees_its_commit(two_loaded):
    """A reader opening the file while a writer holds it in place waits for the commit
    (instead of DuckDB's lock error) and then sees the committed rows."""
    db = two_loaded.warehouse_dir / "warehouse.duckdb"
    writer = _hold(db, "write", 1.5)
    try:
        with duckdb.connect(str(db), read_only=True):
            pass
    except duckdb.IOException as err:
        assert "lock" in str(err)  # DuckDB's own answer while the writer holds it
    else:
        raise AssertionError("the writer did not hold the file")
    assert query(two_loaded, "select count(*) from bulletins where bulletin_id = 'held_by_a_writer'") == [(1,)]
    assert writer.wait(timeout=60) == 0


def test_a_failed_load_in_place_keeps_the_last_state(two_loaded, tmp_path, monkeypatch):
    """A load in place that fails halfway (the new bulletin's lineage file, the last table
    loaded, is garbage: every other table's rows were replaced by then) rolls back: every table
    as it was, the bulletin still pending; the next load, with the file whole again, lands it."""
    settings = two_loaded
    store = WarehouseStore(settings.warehouse_dir)
    tables = ("bulletins", "bulletin_lines", "documents", "lineage")
    counts = {t: query(settings, f"select count(*) from {t}") for t in tables}
    _variants(tmp_path, 1)
    load, spoiled = WarehouseStore.sync_duckdb, {}

    def spoil_then_load(self, rebuild=False):
        [path] = self.table_files("lineage", self.pending()[0])
        spoiled["path"], spoiled["bytes"] = path, path.read_bytes()
        path.write_bytes(b"PAR1 not a parquet file PAR1")
        return load(self, rebuild)

    monkeypatch.setattr(WarehouseStore, "sync_duckdb", spoil_then_load)
    assert ingest(settings, tmp_path / "variant_000.txt") == 1
    assert {t: query(settings, f"select count(*) from {t}") for t in tables} == counts
    assert store.pending()[0] == ["variant_000"]
    monkeypatch.setattr(WarehouseStore, "sync_duckdb", load)
    spoiled["path"].write_bytes(spoiled["bytes"])
    db = settings.warehouse_dir / "warehouse.duckdb"
    inode = db.stat().st_ino
    assert ingest(settings, tmp_path / "variant_000.txt") == 0
    assert db.stat().st_ino == inode  # in place again
    assert query(settings, "select count(*) from bulletins") == [(counts["bulletins"][0][0] + 1,)]
    assert_consistent(settings)


def test_identical_bytes_under_two_names_are_loaded_once_and_both_names_kept(two_loaded_either, tmp_path):
    settings = two_loaded_either
    before = query(settings, "select count(*) from documents")
    copy = tmp_path / "绵阳 公报 副本.txt"
    shutil.copy(SAMPLES["000"], copy)
    assert ingest(settings, copy) == 0
    assert query(settings, "select count(*) from documents") == before
    assert query(settings, "select count(*) from bulletins") == [(2,)]
    sha = query(settings, "select source_sha256 from bulletins where bulletin_id = ?", [B000])[0][0]
    assert query(settings, "select source_file, duplicate_of, row_counts.documents from lineage "
                           "where source_sha256 = ? order by source_file", [sha]) == [
        (SAMPLES["000"].name, None, 6), ("绵阳 公报 副本.txt", B000, 0)]
    assert_consistent(settings)


def test_each_bad_input_gives_its_error_row_and_the_rest_stays(two_loaded_either, tmp_path):
    settings = two_loaded_either
    before = query(settings, "select document_id, title from documents order by 1")
    bad = {
        "empty.txt": b"",
        "scan.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        "photo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "garbled.txt": b"\xff\xfe\xfd\x80\x81 plain",  # neither UTF-8 nor GB18030
        "nul.txt": "公告\x00内容".encode(),
        "diary.txt": "今天天气很好。\n我们去公园散步。\n".encode(),
    }
    for name, data in bad.items():
        (tmp_path / name).write_bytes(data)
    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as f:
        f.truncate(MAX_BYTES + 1)  # sparse: over the limit without writing 64 MB
    assert ingest(settings, *(tmp_path / n for n in bad), huge) == 3  # some refused: exit status 3
    errors = dict(query(settings, "select source_file, error_kind from ingest_errors"))
    assert errors == {"empty.txt": "empty_file", "scan.pdf": "corrupt_pdf", "photo.png": "binary_file",
                      "garbled.txt": "undecodable", "nul.txt": "nul_bytes", "diary.txt": "no_document",
                      "huge.txt": "too_large"}
    for source_file, message in query(settings, "select source_file, message from ingest_errors"):
        assert message.startswith(source_file + ":")
    assert query(settings, "select document_id, title from documents order by 1") == before
    assert_consistent(settings)


def test_a_truncated_last_character_is_ingested_with_a_flag(two_loaded_either, tmp_path):
    settings = two_loaded_either
    cut = tmp_path / "cut.txt"
    cut.write_bytes(SAMPLES["004"].read_bytes().rstrip() + "。".encode()[:2])
    assert ingest(settings, cut) == 0
    assert query(settings, "select quality_flags, document_count from bulletins where bulletin_id = 'cut'") == [
        (["truncated_last_char"], 7)]


def test_lineage_command_shows_the_version_and_raw_line_of_a_row(two_loaded_either, capsys):
    settings = two_loaded_either
    [(budget_id, line)] = query(settings, "select budget_id, line from budgets where amount_text = '380 万元'")
    capsys.readouterr()
    assert main(["lineage", budget_id, "--warehouse", warehouse_arg(settings)]) == 0
    out = capsys.readouterr().out
    [(sha, run_id)] = query(settings, "select source_sha256, run_id from bulletins where bulletin_id = ?", [B000])
    assert f"sha256     {sha}" in out and run_id in out and SAMPLES["000"].name in out
    assert f"{line}│ 2、改善学校办学条件。" in out and "北川投入 380 万元资金" in out
    assert main(["lineage", "no-such-id", "--warehouse", warehouse_arg(settings)]) == 1
    assert "no-such-id" in capsys.readouterr().err


def _variants(raw, n):
    """n distinct bulletins: the samples with a line appended, so no two share bytes."""
    for i in range(n):
        sample = SAMPLES[sorted(SAMPLES)[i % len(SAMPLES)]]
        (raw / f"variant_{i:03d}.txt").write_bytes(sample.read_bytes() + f"\n(copy {i})\n".encode("ascii"))


def _gongbao(settings, *args):
    import tempfile

    # each process its own Dagster instance (the test is about the warehouse, not Dagster's sqlite),
    # in the test's folder (removed with it)
    home = tempfile.mkdtemp(prefix="dagster_home", dir=settings.raw_dir.parent)
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "DAGSTER_HOME": home}
    return subprocess.Popen([sys.executable, "-m", "gongbao.cli.main", *args, "--raw", str(settings.raw_dir),
                             "--warehouse", str(settings.warehouse_dir)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def test_a_run_killed_midway_leaves_the_warehouse_consistent_and_the_next_run_completes(two_loaded):
    settings = two_loaded
    _variants(settings.raw_dir, 30)
    proc = _gongbao(settings, "build")
    pending, documents = settings.warehouse_dir / "pending", settings.warehouse_dir / "parquet" / "documents"
    deadline = time.monotonic() + 300
    # Kill as soon as the run starts writing the new bulletins' files.
    while proc.poll() is None and time.monotonic() < deadline:
        if (pending.exists() and any(pending.iterdir())) or len(list(documents.glob("*.parquet"))) > 1:
            break
        time.sleep(0.005)
    assert proc.poll() is None, "the build ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()

    # Readable, and a whole state: the two bulletins of before, or all 32.
    assert query(settings, "select count(*) from bulletins")[0][0] in (2, 32)
    assert_consistent(settings)

    assert main(["build", "--raw", str(settings.raw_dir), "--warehouse", str(settings.warehouse_dir)]) == 0
    assert query(settings, "select count(*) from bulletins") == [(32,)]
    assert_consistent(settings)
    store = WarehouseStore(settings.warehouse_dir)
    assert store.pending() == ([], [])
    assert list(settings.warehouse_dir.rglob("*.tmp")) == []


def test_two_ingests_at_once_both_land_and_the_warehouse_stays_consistent(two_loaded, tmp_path):
    settings = two_loaded
    extra = tmp_path / "extra"
    extra.mkdir()
    _variants(extra, 2)
    shutil.copy(SAMPLES["004"], extra)
    runs = [_gongbao(settings, "ingest", str(extra / "variant_000.txt"), str(extra / "variant_001.txt")),
            _gongbao(settings, "ingest", str(extra / SAMPLES["004"].name))]
    reader_counts = []
    while any(r.poll() is None for r in runs):
        if (settings.warehouse_dir / "warehouse.duckdb").exists():
            reader_counts.append(query(settings, "select count(*) from bulletins")[0][0])
        time.sleep(0.05)
    assert [r.returncode for r in runs] == [0, 0], [r.stderr.read().decode()[-2000:] for r in runs]
    assert set(reader_counts) <= {2, 3, 4, 5}  # a reader always sees some whole state
    assert query(settings, "select count(*) from bulletins") == [(5,)]
    assert_consistent(settings)


def test_twins_ingested_at_the_same_moment_are_loaded_once(two_loaded, tmp_path):
    """Two processes ingest the same bytes under two names at once: one is loaded, the other
    recorded as its duplicate (the check is made again under the writer lock)."""
    settings = two_loaded
    extra = tmp_path / "twins"
    extra.mkdir()
    for name in ("twin_a.txt", "twin_b.txt"):
        shutil.copy(SAMPLES["004"], extra / name)
    runs = [_gongbao(settings, "ingest", str(extra / name)) for name in ("twin_a.txt", "twin_b.txt")]
    assert [r.wait(timeout=600) for r in runs] == [0, 0], [r.stderr.read().decode()[-2000:] for r in runs]
    loaded = query(settings, "select bulletin_id from bulletins where bulletin_id like 'twin%'")
    twins = query(settings, "select bulletin_id, duplicate_of from lineage where is_current and "
                            "bulletin_id like 'twin%' order by duplicate_of nulls first")
    assert len(loaded) == 1 and len(twins) == 2
    assert twins[0] == (loaded[0][0], None) and twins[1][1] == loaded[0][0]
    assert_consistent(settings)


def test_a_copy_of_a_changed_original_is_loaded_by_the_next_build(tmp_path):
    """003 and its copy: the copy is a duplicate; once 003 changes, the very next build loads
    the copy in its own right (its bytes are no longer in any table)."""
    settings = raw_folder(tmp_path, ("003",))
    shutil.copy(SAMPLES["003"], settings.raw_dir / "003_copy.txt")
    args = ["--raw", str(settings.raw_dir), "--warehouse", str(settings.warehouse_dir), "-q"]
    assert main(["build", *args]) == 0
    assert query(settings, "select duplicate_of from lineage where bulletin_id = '003_copy' and is_current") == [
        (B003,)]
    original = settings.raw_dir / SAMPLES["003"].name
    original.write_bytes(original.read_bytes() + "\n（本期完）\n".encode())
    assert main(["build", *args]) == 0
    assert query(settings, "select duplicate_of from lineage where bulletin_id = '003_copy' and is_current") == [
        (None,)]
    assert query(settings, "select count(*) from bulletins") == [(2,)]


def test_a_rebuild_keeps_the_last_rows_of_a_torn_bulletin(two_loaded):
    """A killed run left 000 half-written (its .writing mark, a broken Parquet file the manifest
    never named); a load that rebuilds the DuckDB file keeps 000's last loaded rows, and the
    broken file goes."""
    settings = two_loaded
    store = WarehouseStore(settings.warehouse_dir)
    before = query(settings, "select count(*) from documents where bulletin_id = ?", [B000])
    (settings.warehouse_dir / "pending" / f"{B000}.writing").touch()
    broken = settings.warehouse_dir / "parquet" / "documents" / "ffffffffffffffff-1.parquet"
    broken.write_bytes(b"torn")
    (settings.warehouse_dir / "pending" / B003).touch()
    mode, _ = store.sync_duckdb(rebuild=True)
    assert mode == "rebuilt"
    assert query(settings, "select count(*) from documents where bulletin_id = ?", [B000]) == before
    assert query(settings, "select count(*) from bulletins") == [(2,)]
    assert not broken.exists()


def test_ingest_refuses_a_hidden_name_and_loads_a_name_that_is_not_utf8(tmp_path, capsys):
    """`.x.txt` is refused with the reason and exit status 3 (the raw folder skips hidden files);
    a GBK-encoded name (公报.txt) loads, shown decoded; a sibling of another form (X.md beside
    X.txt) is a bulletin of its own."""
    settings = raw_folder(tmp_path, ("000",))
    src = tmp_path / "incoming"
    src.mkdir()
    shutil.copy(SAMPLES["003"], src / ".hidden.txt")
    gbk = src / os.fsdecode(b"\xb9\xab\xb1\xa8.txt")
    shutil.copy(SAMPLES["004"], gbk)
    md = src / f"{B000}.md"
    md.write_bytes(SAMPLES["001"].read_bytes())
    capsys.readouterr()
    assert ingest(settings, src / ".hidden.txt", gbk, md) == 3
    err = capsys.readouterr().err
    assert "refused .hidden.txt: hidden_name" in err
    files = dict(query(settings, "select source_file, bulletin_id from bulletins"))
    assert set(files) == {"公报.txt", f"{B000}.md"}
    assert files[f"{B000}.md"] == f"{B000}.md" != B000  # X.md and X.txt are two bulletins


def test_a_full_disk_gives_a_clear_error_and_keeps_the_warehouse(tmp_path, capsys):
    """A warehouse on a small tmpfs: the build that does not fit fails with `no space left`,
    exit 1, and the warehouse keeps its last loaded state; the next run says the same."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        settings = raw_folder(tmp_path, ("000",))
        settings = Settings(raw_dir=settings.raw_dir, warehouse_dir=mount / "warehouse")
        args = ["--raw", str(settings.raw_dir), "--warehouse", str(settings.warehouse_dir), "-q"]
        assert main(["build", *args]) == 0
        for prefix in ("001", "002", "003", "004"):
            shutil.copy(SAMPLES[prefix], settings.raw_dir)
        for _ in range(2):
            capsys.readouterr()
            assert main(["build", *args]) == 1
            err = capsys.readouterr().err
            assert "no space left on the device of" in err and "intact" in err, err
            assert query(settings, "select count(*) from bulletins") == [(1,)]
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)
