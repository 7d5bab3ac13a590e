"""Real Dagster runs (in process) over copies of the sample bulletins, into real DuckDB files."""
import shutil

import dagster as dg
import duckdb
import pytest

from gongbao.cli.main import main
from gongbao.cli.runs import build
from gongbao.settings import Settings
from gongbao.store import open_store
from gongbao.store.warehouse import WarehouseStore
from tests.conftest import BACKENDS, SAMPLES, copy_samples, on_backend, warehouse_arg


@pytest.fixture()
def folders(tmp_path):
    return Settings(raw_dir=copy_samples(tmp_path / "raw"), warehouse_dir=tmp_path / "warehouse")


@pytest.fixture(params=BACKENDS)
def either(request, folders, monkeypatch):
    """The same folders, the warehouse on each backend (embedded; a new ducklake one)."""
    return on_backend(request, monkeypatch, folders)


def query(settings, sql):
    with open_store(settings).reader() as con:
        return con.execute(sql).fetchall()


def test_build_runs_every_bulletin_in_one_dagster_run(either):
    with dg.instance_for_test() as instance:
        result = build(either, instance)
        assert result.success
        runs = instance.get_runs()
        assert len(runs) == 1
        # one partition per raw file, each materialized
        keys = instance.get_dynamic_partitions("bulletins")
        assert sorted(keys) == sorted(p.stem for p in SAMPLES.values())
        checks = result.get_asset_check_evaluations()
        assert checks and all(c.passed for c in checks)
        numbers = next(c for c in checks if c.check_name == "numbers_within_documents")
        assert numbers.metadata["bulletins"].value == 5 and "000_69ce87b22548801c" in numbers.metadata[
            "per_bulletin"].value
    assert query(either, "select count(*) from bulletins") == [(5,)]
    assert query(either, "select count(*) from documents") == [(23,)]
    # lineage on every row
    assert query(either, "select count(*) from documents where source_sha256 is null or run_id = '' "
                          "or parser_version is null or line_start is null") == [(0,)]
    row = query(either, "select title, issuers, signed_date::varchar, section from documents "
                         "where doc_number = '国发〔2013〕31号'")
    assert row == [("国务院关于印发“宽带中国”战略及实施方案的通知", ["国务院"], "2013-08-01", "上级文件")]
    # numbers from sentences, tied to their document and line
    assert query(either, "select document_id, amount_yuan, per from subsidies where line = 634 order by 2") == [
        ("000_69ce87b22548801c:006", 1000.0, "每生每年"), ("000_69ce87b22548801c:006", 1250.0, "每生每年")]
    assert query(either, "select count(*) from budgets b join documents d using (document_id) "
                          "where b.line not between d.line_start and d.line_end") == [(0,)]
    if not either.warehouse_url:  # Parquet, a file per table and batch, is the truth behind the DuckDB file
        store = WarehouseStore(either.warehouse_dir)
        assert [sorted(keys) for keys in store.table_files("documents").values()] == [
            sorted(p.stem for p in SAMPLES.values())]


def test_bad_files_are_reported_and_cost_nothing_else(either):
    with dg.instance_for_test() as instance:
        assert build(either, instance).success
        before = query(either, "select bulletin_id, title from documents order by document_id")
        (either.raw_dir / "empty.txt").write_bytes(b"")
        (either.raw_dir / "scan.pdf").write_bytes(b"%PDF-1.4\n%binary")
        (either.raw_dir / "not a bulletin.txt").write_text("今天天气很好。\n我们去公园散步。\n", encoding="utf-8")
        # a broken new version of a good bulletin must not erase its rows
        (either.raw_dir / "004_357ce20f33c7d160.txt").write_bytes(b"\x00\x01\x02garbage")
        result = build(either, instance)
        assert result.success
    errors = dict(query(either, "select source_file, error_kind from ingest_errors"))
    assert errors == {"empty.txt": "empty_file", "scan.pdf": "corrupt_pdf",
                      "not a bulletin.txt": "no_document", "004_357ce20f33c7d160.txt": "nul_bytes"}
    messages = query(either, "select message from ingest_errors where source_file = 'scan.pdf'")
    assert "scan.pdf" in messages[0][0] and "PDF" in messages[0][0]
    assert query(either, "select bulletin_id, title from documents order by document_id") == before


def test_cli_build_with_folders(either, capsys):
    assert main(["build", "--raw", str(either.raw_dir), "--warehouse", warehouse_arg(either)]) == 0
    assert "warehouse ready" in capsys.readouterr().out
    assert query(either, "select count(*) from toc_entries where document_id is not null") == [(13,)]


def test_reader_holding_the_old_file_does_not_block_a_rebuild(folders):
    with dg.instance_for_test() as instance:
        build(folders, instance)
        reader = duckdb.connect(str(folders.warehouse_dir / "warehouse.duckdb"), read_only=True)
        try:
            (folders.raw_dir / "000_69ce87b22548801c.txt").unlink()
            assert build(folders, instance).success
            # the open reader still sees the complete old state
            assert reader.execute("select count(*) from bulletins").fetchone() == (5,)
        finally:
            reader.close()
    assert query(folders, "select count(*) from bulletins") == [(5,)]  # Parquet of a removed file is kept


def test_refused_files_show_in_dagster_as_a_failed_check_with_their_names(either):
    """The files_ingested check fails and lists each refused file; an observation on the
    refused file's partition gives its name and reason."""
    (either.raw_dir / "空白.txt").write_bytes(b"")
    with dg.instance_for_test() as instance:
        result = build(either, instance)
        [check] = [c for c in result.get_asset_check_evaluations() if c.check_name == "files_ingested"]
        assert not check.passed and "空白.txt" in check.metadata["refused_files"].value
        observations = [e for e in result.all_events if e.event_type_value == "ASSET_OBSERVATION"]
        [obs] = [e.event_specific_data.asset_observation for e in observations]
        assert obs.metadata["source_file"].value == "空白.txt"
        assert obs.metadata["status"].value == "refused: empty_file"
