"""The open-data release of the sample warehouse, checked with the tools its users have:
the real `frictionless` validator, polars, DuckDB, and a byte-for-byte rebuild."""
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest

from pipelines.cli import main
from pipelines.settings import Settings
from quality.schemas import TABLES
from tests.conftest import RAW


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    base = tmp_path_factory.mktemp("publish")
    settings = Settings(raw_dir=base / "raw", warehouse_dir=base / "warehouse")
    shutil.copytree(RAW, settings.raw_dir)
    assert main(["build", "--raw", str(settings.raw_dir), "--warehouse", str(settings.warehouse_dir)]) == 0
    assert main(["publish", "--warehouse", str(settings.warehouse_dir), "--out", str(base / "release")]) == 0
    [folder] = (base / "release").iterdir()
    return folder


def test_frictionless_validates_the_data_package(release):
    frictionless = Path(sys.executable).with_name("frictionless")
    done = subprocess.run([str(frictionless), "validate", "--json", "datapackage.json"], cwd=release,
                          capture_output=True, text=True)
    report = json.loads(done.stdout)
    assert report["valid"], [(t["name"], t["errors"][:2]) for t in report["tasks"] if not t["valid"]]
    assert done.returncode == 0
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["name"] for r in package["resources"]} == set(TABLES)
    documents = next(r for r in package["resources"] if r["name"] == "documents")
    assert documents["schema"]["primaryKey"] == ["document_id"]
    assert {"fields": "bulletin_id", "reference": {"resource": "bulletins", "fields": "bulletin_id"}} in \
        documents["schema"]["foreignKeys"]
    assert len(package["sources"]) == 5 and all(len(s["sha256"]) == 64 for s in package["sources"])


def test_csv_reads_back_with_the_chinese_intact(release):
    csv = release / "data" / "documents.csv"
    assert not csv.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in csv.read_bytes()
    frame = pl.read_csv(csv, infer_schema=False)
    row = frame.filter(pl.col("doc_number") == "国发〔2013〕31号").row(0, named=True)
    assert row["title"] == "国务院关于印发“宽带中国”战略及实施方案的通知" and row["signed_date"] == "2013-08-01"
    with duckdb.connect() as con:
        assert con.execute("select title from read_csv(?) where doc_number = '渝委辦發〔2008〕17号'",
                           [str(csv)]).fetchone() == ("中共重慶市委辦公廳重慶市人民政府辦公廳關于印發《重慶市農村鄉鎮人才隊伍建設計劃》的通知",)
    assert (release / "excel" / "documents.csv").read_bytes() == b"\xef\xbb\xbf" + csv.read_bytes()


def test_parquet_is_typed_and_describes_its_columns(release):
    table = pq.read_table(release / "parquet" / "budgets.parquet")
    field = table.schema.field("amount_yuan")
    assert str(field.type) == "double"
    assert field.metadata[b"description"].decode().startswith("Amount in yuan")
    assert table.num_rows == pl.read_csv(release / "data" / "budgets.csv").height


def test_each_bulletin_has_a_folder_with_its_rows(release):
    documents = pl.read_csv(release / "data" / "documents.csv", infer_schema=False)
    for bulletin, n in documents.group_by("bulletin_id").len().iter_rows():
        assert pl.read_csv(release / "bulletins" / bulletin / "documents.csv", infer_schema=False).height == n


def test_checksums_and_manifest_cover_the_release(release):
    sums = dict(reversed(line.split("  ", 1)) for line in (release / "SHA256SUMS").read_text().splitlines())
    files = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert set(sums) == files
    for name, digest in sums.items():
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == digest
    manifest = json.loads((release / "manifest.json").read_text())
    assert manifest["version"] == release.name and manifest["rows"]["documents"] == 23


def test_publishing_again_gives_the_same_bytes(release, tmp_path):
    warehouse = release.parent.parent / "warehouse"
    assert main(["publish", "--warehouse", str(warehouse), "--out", str(tmp_path)]) == 0
    again = tmp_path / release.name
    for sub in ("data", "excel", "parquet", "bulletins"):
        for path in (release / sub).rglob("*.*"):
            assert (again / path.relative_to(release)).read_bytes() == path.read_bytes(), path


def test_the_release_asset_publishes_the_built_warehouse(tmp_path):
    import dagster as dg

    from pipelines.cli import build
    from pipelines.definitions import build_defs
    from pipelines.sensors import publish_after_build
    from tests.conftest import raw_folder

    settings = raw_folder(tmp_path, ("003",))
    settings = Settings(raw_dir=settings.raw_dir, warehouse_dir=settings.warehouse_dir,
                        release_dir=tmp_path / "release")
    defs = build_defs(settings)
    with dg.instance_for_test() as instance:
        built = build(settings, instance)
        assert built.success
        assert not settings.release_dir.exists()  # a build or ingest does not wait for the release
        # the sensor answers the build's success with a publish run
        [success] = instance.all_logs(built.run_id, of_type=dg.DagsterEventType.RUN_SUCCESS)
        context = dg.build_run_status_sensor_context(
            sensor_name="publish_after_build", dagster_event=success.dagster_event, dagster_instance=instance,
            dagster_run=instance.get_run_by_id(built.run_id))
        assert publish_after_build(context).run_key == f"publish-after-{built.run_id}"
        assert publish_after_build.job_name == "publish_release"
        result = defs.resolve_job_def("publish_release").execute_in_process(instance=instance)
        assert result.success
        [materialization] = result.asset_materializations_for_node("open_data_release")
    folder = settings.release_dir / materialization.metadata["version"].value
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["bulletins"] == 1 and manifest["rows"]["documents"] == 1
