"""The batched extraction run on its own (no Dagster): batches change nothing in the rows."""
import polars as pl

from gongbao.extraction.run import extract_bulletins
from gongbao.store.warehouse import WarehouseStore
from tests.conftest import SAMPLES, copy_samples


def _items(folder):
    return [(p.stem, p) for p in sorted(folder.iterdir())]


def _documents(store):
    return pl.read_parquet(store.partition_files("documents")).drop("run_id").sort("document_id")


def test_batch_size_does_not_change_the_rows(tmp_path):
    one, many = WarehouseStore(tmp_path / "one"), WarehouseStore(tmp_path / "many")
    raw = copy_samples(tmp_path / "raw")
    r1 = extract_bulletins(_items(raw), one, "run", log=lambda _: None, batch_size=1)
    r2 = extract_bulletins(_items(raw), many, "run", log=lambda _: None, batch_size=100)
    assert r1.rows == r2.rows and r1.rows["documents"] == 23
    assert _documents(one).equals(_documents(many))
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
    assert store.table_file("documents", "a").exists()  # the good version's rows stay
    assert pl.read_parquet(store.table_file("ingest_errors", "a"))["run_id"].to_list() == ["run2"]
