"""The ducklake backend (a DuckLake catalog in PostgreSQL, its Parquet data on SeaweedFS's S3)
against real servers the tests start (tests/servers.py): the same warehouse as the embedded
one from the same bulletins, through the same commands, and writers at once without a lock."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace

import dagster as dg
import duckdb
import polars as pl
import pytest

from gongbao.cli.main import main
from gongbao.settings import Settings
from gongbao.store import open_store
from gongbao.store.connection import read_only
from gongbao.store.lake import LakeStore
from gongbao.store.sql_layer import view_names
from quality.schemas import TABLE_DESCRIPTIONS, TABLES
from tests.conftest import ROOT, SAMPLES, backend_env, copy_samples, lake_env
from tests.servers import S3

pytestmark = pytest.mark.ducklake

COUNTED = ("documents", "indicators", "budgets", "subsidies", "table_cells")


def counts(store) -> dict[str, int]:
    with store.reader() as con:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}


def rows(store, sql: str, params=None) -> list[tuple]:
    with store.reader() as con:
        return con.execute(sql, params or []).fetchall()


def torn(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Bulletins whose rows in a table differ from the count their current lineage version
    recorded: a half-written bulletin. None in a whole warehouse."""
    checks = " union all ".join(
        f"select l.bulletin_id, '{t}' as tbl from lineage l where l.is_current and l.duplicate_of is null "
        f"and l.row_counts.{t} <> (select count(*) from {t} x where x.bulletin_id = l.bulletin_id)" for t in COUNTED)
    return con.execute(checks).fetchall()


@pytest.fixture(scope="module")
def built_lake(sample_lake):
    """A ducklake warehouse built by `gongbao build` from the five text samples (tests read it)."""
    return sample_lake


@pytest.fixture
def lake_cli(built_lake, monkeypatch):
    """The built lake's settings in the environment, for the CLI."""
    for k, v in backend_env(built_lake).items():
        monkeypatch.setenv(k, v)
    return built_lake



# --- the servers are real -----------------------------------------------------------------

def test_the_s3_server_refuses_a_wrong_secret(s3_server):
    assert s3_server.request("GET", "/gongbao", query="list-type=2")[0] == 200
    status, body = S3(s3_server.endpoint, s3_server.access_key, "not-the-secret").request(
        "GET", "/gongbao", query="list-type=2")
    assert status == 403 and b"SignatureDoesNotMatch" in body


# --- the same warehouse as the embedded one -------------------------------------------------

def test_a_build_gives_the_embedded_warehouse_rows_table_by_table(built_lake, sample_warehouse, s3_server):
    lake, embedded = open_store(built_lake), open_store(sample_warehouse)
    assert isinstance(lake, LakeStore)
    got = counts(lake)
    assert got == counts(embedded)
    assert got["documents"] == 23 and got["lineage"] == 5
    # the same values, not only as many: every document's id, title and 发文字号
    docs = "select document_id, title, doc_number from documents order by document_id"
    assert rows(lake, docs) == rows(embedded, docs)
    budgets = "select budget_id, amount_yuan, funder, period from budgets order by budget_id"
    assert rows(lake, budgets) == rows(embedded, budgets)
    # the rows are Parquet objects in the bucket, under the warehouse's prefix
    keys = s3_server.keys("gongbao", "built/")
    assert any(k.startswith("built/main/documents/") and k.endswith(".parquet") for k in keys)
    assert any(k.startswith("built/main/bulletin_lines/") for k in keys)


def test_the_lake_has_the_comments_views_and_search_macro(built_lake, sample_warehouse):
    lake, embedded = open_store(built_lake), open_store(sample_warehouse)
    with lake.reader() as con:
        comments = dict(con.execute("select table_name, comment from duckdb_tables() where schema_name = 'main'")
                        .fetchall())
        assert {t: comments[t] for t in TABLES} == TABLE_DESCRIPTIONS
        column = con.execute("select comment from duckdb_columns() where table_name = 'budgets' "
                             "and column_name = 'amount_yuan'").fetchone()[0]
        assert column.startswith("Amount in yuan")
        views = {v for v, in con.execute("select view_name from duckdb_views() where not internal").fetchall()}
        assert set(view_names()) - {"search_documents"} <= views
    for view in ("budgets_by_funder_year", "citation_graph", "indicator_plans"):
        sql = f"select * from {view} order by all"
        assert rows(lake, sql) == rows(embedded, sql), view


def test_sql_search_and_lineage_through_the_cli(lake_cli, sample_warehouse, capsys):
    assert main(["sql", "select count(*) as n from documents where doc_type = '意见'", "--format", "json"]) == 0
    n = json.loads(capsys.readouterr().out)[0]["n"]
    with duckdb.connect(str(sample_warehouse.warehouse_dir / "warehouse.duckdb"), read_only=True) as con:
        assert n == con.execute("select count(*) from documents where doc_type = '意见'").fetchone()[0] > 0
    # read-only and sandboxed, as on the embedded warehouse
    assert main(["sql", "delete from documents"]) == 1
    assert "read-only" in capsys.readouterr().err
    assert main(["sql", "copy documents to '/tmp/gongbao-lake-out.csv'"]) == 1
    assert not os.path.exists("/tmp/gongbao-lake-out.csv")
    capsys.readouterr()
    # search ranks the same document first
    assert main(["search", "健康医疗大数据", "--top", "1"]) == 0
    out = capsys.readouterr().out
    assert "001_3b9872a8afd40afd:001" in out and "国办发〔2016〕47号" in out
    # lineage: the version and the lines it was read from, from the lake's own text
    budget = rows(open_store(lake_cli), "select budget_id, line from budgets order by budget_id limit 1")[0]
    assert main(["lineage", budget[0]]) == 0
    out = capsys.readouterr().out
    assert f"{budget[0]}  (budgets)" in out and "sha256" in out and f"{budget[1]}│" in out


def test_publish_from_the_lake_writes_the_embedded_warehouse_release(lake_cli, sample_warehouse, tmp_path):
    assert main(["publish", "--out", str(tmp_path / "lake")]) == 0
    assert main(["publish", "--warehouse", str(sample_warehouse.warehouse_dir), "--out", str(tmp_path / "embedded")]) == 0
    (lake_release,), (embedded_release,) = (tmp_path / "lake").iterdir(), (tmp_path / "embedded").iterdir()
    assert lake_release.name == embedded_release.name  # the same content version
    runs = ["run_id", "ingested_at", "parse_ms", "failed_at"]  # the two builds' own runs; all else the same
    for table in TABLES:
        lake_csv, embedded_csv = (pl.read_csv(r / "data" / f"{table}.csv", infer_schema=False).drop(runs, strict=False)
                                  for r in (lake_release, embedded_release))
        assert lake_csv.height == embedded_csv.height and lake_csv.equals(embedded_csv), table
    manifest = json.loads((lake_release / "manifest.json").read_text())
    assert manifest["bulletins"] == 5 and manifest["rows"]["documents"] == 23


# --- ingesting -------------------------------------------------------------------------------

def test_ingest_replaces_a_changed_bulletin_and_keeps_its_history(lake, tmp_path):
    first = tmp_path / "in" / SAMPLES["004"].name
    first.parent.mkdir()
    shutil.copy(SAMPLES["004"], first)
    assert main(["ingest", str(first), "--raw", str(lake.raw_dir), "-q"]) == 0
    store = open_store(lake)
    before = counts(store)
    assert before["documents"] == 7 and before["lineage"] == 1
    # the same bytes again: no new version, no row twice
    assert main(["ingest", str(first), "--raw", str(lake.raw_dir), "-q"]) == 0
    assert counts(store) == before
    # changed bytes: the rows replaced, the old version kept as not current
    lines = SAMPLES["004"].read_text(encoding="utf-8").splitlines(keepends=True)
    first.write_text("".join(lines) + "\n（本期完）\n", encoding="utf-8")
    assert main(["ingest", str(first), "--raw", str(lake.raw_dir), "-q"]) == 0
    after = counts(store)
    assert after["documents"] == 7 and after["lineage"] == 2
    assert after["bulletin_lines"] >= before["bulletin_lines"]
    bulletin = SAMPLES["004"].stem
    assert rows(store, "select is_current from lineage where bulletin_id = ? order by ingested_at",
                [bulletin]) == [(False,), (True,)]
    with store.reader() as con:
        assert torn(con) == []


def test_a_refused_file_is_an_ingest_error_and_keeps_the_good_rows(lake, tmp_path):
    good = tmp_path / "in" / "bulletin.txt"
    good.parent.mkdir()
    shutil.copy(SAMPLES["001"], good)
    assert main(["ingest", str(good), "--raw", str(lake.raw_dir), "-q"]) == 0
    docs = rows(open_store(lake), "select count(*) from documents where bulletin_id = 'bulletin'")[0][0]
    assert docs > 0
    good.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert main(["ingest", str(good), "--raw", str(lake.raw_dir), "-q"]) == 3
    store = open_store(lake)
    assert rows(store, "select error_kind from ingest_errors where bulletin_id = 'bulletin'") == [("binary_file",)]
    assert rows(store, "select count(*) from documents where bulletin_id = 'bulletin'")[0][0] == docs
    # good bytes again: the error row goes, the rows are those of one load (a write deletes a
    # key's old rows where its lineage says it was loaded, and its ingest_errors always)
    shutil.copy(SAMPLES["001"], good)
    assert main(["ingest", str(good), "--raw", str(lake.raw_dir), "-q"]) == 0
    assert rows(store, "select count(*) from ingest_errors where bulletin_id = 'bulletin'") == [(0,)]
    assert rows(store, "select count(*) from documents where bulletin_id = 'bulletin'")[0][0] == docs
    with store.reader() as con:
        assert torn(con) == []


# --- writers at once, a writer killed ----------------------------------------------------------

VICTIM = """
import sys, time
from gongbao.settings import Settings
from gongbao.store import open_store
store = open_store(Settings.from_env())
key = sys.argv[1]
def body(con):
    # a writer half-way: the bulletin's old rows deleted, some new ones not yet written
    for table in ("documents", "indicators", "bulletin_lines"):
        con.execute(f"delete from {table} where bulletin_id = ?", [key])
    print("in transaction", flush=True)
    time.sleep(600)
store._transaction(body, "a writer to be killed")
"""


def _gongbao(settings: Settings, *args: str) -> subprocess.Popen:
    # each process its own Dagster instance, in the test's folder (removed with it)
    home = tempfile.mkdtemp(prefix="dagster_home", dir=settings.raw_dir.parent)
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "DAGSTER_HOME": home}
    return subprocess.Popen([sys.executable, "-m", "gongbao.cli.main", *args, "--raw", str(settings.raw_dir), "-q"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def test_two_ingests_at_once_and_a_killed_writer_lose_nothing_and_tear_nothing(lake, sample_warehouse, tmp_path):
    first = ("000", "001", "002")
    shutil.rmtree(lake.raw_dir)
    lake.raw_dir.mkdir()
    for p in first:
        shutil.copy(SAMPLES[p], lake.raw_dir)
    assert main(["build", "--raw", str(lake.raw_dir), "-q"]) == 0
    store = open_store(lake)
    kept = SAMPLES["000"].stem
    before_000 = rows(store, "select count(*) from documents where bulletin_id = ?", [kept])[0][0]
    assert before_000 == 6

    # a writer that dies holding an open transaction (after it deleted bulletin 000's rows)
    victim = subprocess.Popen([sys.executable, "-c", VICTIM, kept], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env={**os.environ, "PYTHONWARNINGS": "ignore"},
                              start_new_session=True)
    assert victim.stdout.readline().decode().strip() == "in transaction", victim.stderr.read().decode()[-2000:]

    # a reader polling snapshots the whole time
    seen: list[int] = []
    problems: list[str] = []
    done = threading.Event()

    def reader() -> None:
        reading = read_only(lake)
        while not done.is_set():
            try:
                with reading.reader() as con:
                    seen.append(con.execute("select count(*) from bulletins").fetchone()[0])
                    bad = torn(con)
                    if bad:
                        problems.append(f"torn: {bad}")
            except Exception as err:  # noqa: BLE001 - any error is a failure of the test
                problems.append(f"{type(err).__name__}: {err}")
            time.sleep(0.05)

    thread = threading.Thread(target=reader)
    thread.start()
    extra = tmp_path / "extra"
    extra.mkdir()
    for p in ("003", "004"):
        shutil.copy(SAMPLES[p], extra)
    try:
        runs = [_gongbao(lake, "ingest", str(extra / SAMPLES["003"].name)),
                _gongbao(lake, "ingest", str(extra / SAMPLES["004"].name))]
        outs = [r.communicate(timeout=600) for r in runs]
        assert victim.poll() is None  # still holding its transaction while both ingests committed
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        time.sleep(0.3)
    finally:
        done.set()
        thread.join(timeout=60)
        if victim.poll() is None:
            os.killpg(victim.pid, signal.SIGKILL)
    assert [r.returncode for r in runs] == [0, 0], [e.decode()[-2000:] for _, e in outs]
    assert problems == []
    assert seen and seen == sorted(seen) and set(seen) <= {3, 4, 5}  # whole states, in order
    # every row of the five bulletins, as the embedded warehouse has them; 000 untouched by the dead writer
    assert counts(store) == counts(open_store(sample_warehouse))
    assert rows(store, "select count(*) from documents where bulletin_id = ?", [kept])[0][0] == before_000
    with store.reader() as con:
        assert torn(con) == []


# --- maintenance -------------------------------------------------------------------------------

def test_compaction_job_merges_small_files_and_keeps_every_row(lake, tmp_path):
    store = open_store(lake)
    folder = tmp_path / "in"
    folder.mkdir()
    for p in ("000", "001", "003"):  # an ingest each: a commit each, small files each
        shutil.copy(SAMPLES[p], folder)
        assert main(["ingest", str(folder / SAMPLES[p].name), "--raw", str(lake.raw_dir), "-q"]) == 0
    before, files_before = counts(store), store.files()
    from pipelines.definitions import build_defs

    defs = build_defs(lake)
    assert {s.name: s.default_status for s in defs.schedules}["warehouse_maintenance_schedule"] \
        == dg.DefaultScheduleStatus.RUNNING
    result = defs.resolve_job_def("compact_warehouse").execute_in_process(instance=dg.DagsterInstance.ephemeral())
    assert result.success
    [output] = [e for e in result.all_events if e.is_successful_output]
    metadata = {k: v.value for k, v in output.event_specific_data.metadata.items()}
    assert metadata["backend"] == "ducklake" and metadata["files_before"] == files_before
    assert store.files() == metadata["files_after"] < files_before
    assert metadata["snapshots_after"] >= metadata["snapshots_before"]  # none older than 30 days to expire
    assert counts(store) == before
    with store.reader() as con:
        assert torn(con) == []
        # every table's row groups sized to its files: a merged group is held whole while written
        groups = dict(con.execute("select scope_entry, value::bigint from lake.options() where "
                                  "option_name = 'parquet_row_group_size' and scope = 'TABLE'").fetchall())
        assert set(groups) == {f"main.{t}" for t in TABLES}
        # 30 documents' term lists are ~0.4 MB of Parquet: DuckDB's least rows; the lines are narrow
        assert groups["main.document_terms"] == 2048 < groups["main.bulletin_lines"] == 122_880


def test_maintenance_expires_old_snapshots_and_deletes_the_files_only_they_read(lake, s3_server, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    changed = folder / SAMPLES["001"].name
    for text in (SAMPLES["001"].read_text(encoding="utf-8"), SAMPLES["001"].read_text(encoding="utf-8") + "\n（完）\n"):
        changed.write_text(text, encoding="utf-8")  # the second version replaces the first's rows
        assert main(["ingest", str(changed), "--raw", str(lake.raw_dir), "-q"]) == 0
    store = open_store(lake)
    before, snapshots = counts(store), store.snapshots()
    prefix = lake.warehouse_url.split("data=s3://gongbao/", 1)[1]
    objects = set(s3_server.keys("gongbao", prefix))
    from pipelines.definitions import build_defs

    keep_none = replace(lake, snapshot_days=0)  # GONGBAO_SNAPSHOT_DAYS=0: only the current snapshot kept
    result = build_defs(keep_none).resolve_job_def("compact_warehouse").execute_in_process(
        instance=dg.DagsterInstance.ephemeral())
    assert result.success
    [output] = [e for e in result.all_events if e.is_successful_output]
    metadata = {k: v.value for k, v in output.event_specific_data.metadata.items()}
    assert metadata["snapshots_before"] == snapshots and metadata["snapshots_after"] == store.snapshots() <= 2
    kept = set(s3_server.keys("gongbao", prefix))
    with store.reader() as con:
        read = {f.removeprefix("s3://gongbao/") for t in [*TABLES, "_gongbao.state"] for row in con.execute(
            "select data_file, delete_file from ducklake_list_files(?, ?, schema => ?)",
            ["lake", t.split(".")[-1], t.split(".")[0] if "." in t else "main"]).fetchall() for f in row if f}
    assert kept == read  # the bucket holds what the current snapshot reads, and nothing else
    assert objects - kept  # the first version's files, and those merged, are gone
    assert counts(store) == before
    with store.reader() as con:
        assert torn(con) == []
        with pytest.raises(duckdb.Error):  # time travel to an expired snapshot
            con.execute("select count(*) from documents at (version => 1)").fetchall()
    with pytest.raises(Exception, match="GONGBAO_SNAPSHOT_DAYS='-1': expected a whole number of at least 0"):
        Settings.from_env({"GONGBAO_SNAPSHOT_DAYS": "-1"})


# --- moving an embedded warehouse ------------------------------------------------------------

def test_migrate_moves_an_embedded_warehouse_into_an_empty_lake(lake, sample_warehouse, capsys):
    embedded = open_store(sample_warehouse)
    assert main(["migrate", "--from", str(sample_warehouse.warehouse_dir)]) == 0
    assert "moved" in capsys.readouterr().out
    store = open_store(lake)
    assert counts(store) == counts(embedded)
    docs = "select document_id, title, doc_number, run_id from documents order by document_id"
    assert rows(store, docs) == rows(embedded, docs)  # the rows as they were, their runs included
    with store.reader() as con:
        assert con.execute("select count(*) from budgets_by_funder_year").fetchone()[0] > 0
        assert con.execute("select comment from duckdb_tables() where table_name = 'documents'").fetchone()[0] \
            == TABLE_DESCRIPTIONS["documents"]
    # a lake with bulletins is not written over
    assert main(["migrate", "--from", str(sample_warehouse.warehouse_dir)]) == 1
    assert "is not empty" in capsys.readouterr().err
    assert counts(store) == counts(embedded)
    # and it goes on as a lake: a new version of a bulletin ingested on top
    changed = lake.raw_dir / SAMPLES["004"].name
    changed.write_text(SAMPLES["004"].read_text(encoding="utf-8") + "\n（本期完）\n", encoding="utf-8")
    assert main(["ingest", str(changed), "--raw", str(lake.raw_dir), "-q"]) == 0
    assert counts(store)["lineage"] == counts(embedded)["lineage"] + 1
    with store.reader() as con:
        assert torn(con) == []


def test_twins_ingested_at_once_are_loaded_once(lake, tmp_path):
    """The same bytes under two names, by two processes at the same moment: one is loaded, the
    other recorded as its duplicate (the check is made again when the commits conflict)."""
    folder = tmp_path / "twins"
    folder.mkdir()
    for name in ("twin_a.txt", "twin_b.txt"):
        shutil.copy(SAMPLES["004"], folder / name)
    runs = [_gongbao(lake, "ingest", str(folder / name)) for name in ("twin_a.txt", "twin_b.txt")]
    outs = [r.communicate(timeout=600) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], [e.decode()[-2000:] for _, e in outs]
    store = open_store(lake)
    versions = rows(store, "select bulletin_id, duplicate_of from lineage where is_current order by bulletin_id")
    assert len(versions) == 2
    [(loaded,)] = [(b,) for b, dup in versions if dup is None]
    assert [dup for b, dup in versions if dup is not None] == [loaded]
    assert rows(store, "select bulletin_id, count(*) from documents group by all") == [(loaded, 7)]


def test_the_sensor_on_the_lake_runs_only_the_new_bulletin(lake):
    from gongbao.cli.runs import build
    from pipelines.definitions import build_defs
    from pipelines.sensors import raw_folder_sensor

    for p in ("001", "002", "004"):
        (lake.raw_dir / SAMPLES[p].name).unlink()
    defs = build_defs(lake)
    with dg.instance_for_test() as instance:
        assert build(lake, instance).success

        def tick(cursor=None):
            with dg.build_sensor_context(instance=instance, cursor=cursor, resources=defs.resources) as context:
                return raw_folder_sensor(context)

        first = tick()
        assert first.run_requests == []  # what the lake holds counts as seen
        shutil.copy(SAMPLES["004"], lake.raw_dir)
        landing = tick(first.cursor)
        assert landing.run_requests == []  # runs once its size and mtime held for a tick
        result = tick(landing.cursor)
        assert [r.partition_key for r in result.run_requests] == [SAMPLES["004"].stem]
        instance.add_dynamic_partitions("bulletins", [SAMPLES["004"].stem])
        run = defs.resolve_job_def("build_warehouse").execute_in_process(instance=instance,
                                                                         partition_key=SAMPLES["004"].stem)
        assert run.success
        assert tick(result.cursor).run_requests == []
    assert rows(open_store(lake), "select count(*) from lineage") == [(3,)]
