"""The raw-folder sensor on a real Dagster instance: a new file, and only it, gets a run."""
import os
import shutil

import dagster as dg
import duckdb

from gongbao.cli.runs import build
from pipelines.definitions import build_defs
from pipelines.sensors import raw_folder_sensor
from gongbao.settings import Settings
from tests.conftest import SAMPLES, raw_folder


def sensor_tick(**kwargs):
    # The context enters the instance (Dagster sets its state storage for the thread): leave it too.
    with dg.build_sensor_context(**kwargs) as context:
        return raw_folder_sensor(context)


def schedule_tick(**kwargs):
    from gongbao.settings import Settings
    from pipelines.sensors import ingest_schedule

    with dg.build_schedule_context(**kwargs) as context:
        return ingest_schedule(Settings())(context)


def test_sensor_runs_only_the_new_bulletin(tmp_path):
    settings = raw_folder(tmp_path, ("000", "003"))
    raw = settings.raw_dir
    defs = build_defs(settings)
    with dg.instance_for_test() as instance:
        assert build(settings, instance).success
        first = sensor_tick(instance=instance, resources=defs.resources)
        assert first.run_requests == []  # a sensor started after a build knows what is in the warehouse
        cursor = first.cursor

        # nothing new: no run
        again = sensor_tick(instance=instance, cursor=cursor, resources=defs.resources)
        assert again.run_requests == []

        shutil.copy(SAMPLES["004"], raw / "绵阳 公报 2013.txt")  # spaces and Chinese in the name
        landing = sensor_tick(instance=instance, cursor=cursor, resources=defs.resources)
        assert landing.run_requests == []  # new: it runs once its size and mtime hold still for a tick
        result = sensor_tick(instance=instance, cursor=landing.cursor, resources=defs.resources)
        assert len(result.run_requests) == 1
        key = result.run_requests[0].partition_key
        assert [r.partition_keys for r in result.dynamic_partitions_requests] == [[key]]
        instance.add_dynamic_partitions("bulletins", [key])
        run = defs.resolve_job_def("build_warehouse").execute_in_process(
            instance=instance, partition_key=key)
        assert run.success
        extracted = [m for m in run.get_asset_materialization_events()
                     if m.asset_key == dg.AssetKey("bulletin_extracts")]
        assert [m.partition for m in extracted] == [key]  # only the new bulletin was parsed

        # A bulletin a killed run left half-written gets a repair run, once.
        (settings.warehouse_dir / "pending" / "003_6ffefe78dc09de8d.writing").touch()
        repair = sensor_tick(instance=instance, cursor=result.cursor, resources=defs.resources)
        assert [(r.partition_key, r.run_key.split(":")[1]) for r in repair.run_requests] == [
            ("003_6ffefe78dc09de8d", "repair")]
        assert defs.resolve_job_def("build_warehouse").execute_in_process(
            instance=instance, partition_key="003_6ffefe78dc09de8d").success
        assert not (settings.warehouse_dir / "pending" / "003_6ffefe78dc09de8d.writing").exists()
    with duckdb.connect(str(settings.warehouse_dir / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*), min(source_file) from bulletins where source_file like '绵阳%'"
                           ).fetchone() == (1, "绵阳 公报 2013.txt")
        assert con.execute("select count(*) from bulletins").fetchone() == (3,)
    assert len(SAMPLES) == 5  # the samples themselves were copied, not moved


def test_ingest_command_adds_one_bulletin_and_reprocessing_the_same_bytes_changes_nothing(tmp_path, capsys):
    from gongbao.cli.main import main

    raw, wh = tmp_path / "raw", tmp_path / "warehouse"
    raw.mkdir()
    shutil.copy(SAMPLES["000"], raw)
    assert main(["build", "--raw", str(raw), "--warehouse", str(wh)]) == 0
    args = ["--raw", str(raw), "--warehouse", str(wh)]
    assert main(["ingest", str(SAMPLES["004"]), *args]) == 0
    assert (raw / SAMPLES["004"].name).exists()

    def counts():
        with duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True) as con:
            return {t: con.execute(f"select count(*) from {t}").fetchone()[0]
                    for t in ("bulletins", "documents", "indicators", "budgets", "subsidies", "lineage")}

    before = counts()
    assert before["bulletins"] == 2 and before["subsidies"] > 0
    assert main(["ingest", str(raw / SAMPLES["004"].name), *args]) == 0  # same bytes again
    assert counts() == before
    (tmp_path / "empty.txt").write_bytes(b"")
    assert main(["ingest", str(tmp_path / "empty.txt"), *args]) == 3  # refused: a documented exit status
    assert "refused empty.txt: empty_file" in capsys.readouterr().err
    assert counts() == before
    # a changed file (same name, new bytes) replaces its rows; the old version stays in lineage
    changed = raw / SAMPLES["004"].name
    changed.write_bytes(changed.read_bytes().replace("2013".encode(), "2014".encode(), 1))
    assert main(["ingest", str(changed), *args]) == 0
    with duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True) as con:
        versions = con.execute("select is_current, row_counts.documents from lineage "
                               "where bulletin_id = '004_357ce20f33c7d160' order by ingested_at").fetchall()
        current = con.execute("select source_sha256 from lineage where bulletin_id = '004_357ce20f33c7d160' "
                              "and is_current").fetchall()
        loaded = con.execute("select source_sha256 from bulletins where bulletin_id = '004_357ce20f33c7d160'"
                             ).fetchall()
    assert versions == [(False, 7), (True, 7)] and current == loaded
    assert counts()["documents"] == before["documents"]


def test_schedule_requests_the_files_the_warehouse_has_not_seen(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SAMPLES["003"], raw)
    settings = Settings(raw_dir=raw, warehouse_dir=tmp_path / "warehouse")
    defs = build_defs(settings)
    with dg.instance_for_test() as instance:
        assert build(settings, instance).success
        (raw / "broken.txt").write_bytes(b"\x00\x00")
        shutil.copy(SAMPLES["004"], raw)
        requests = schedule_tick(instance=instance, resources=defs.resources)
        assert sorted(r.partition_key for r in requests) == ["004_357ce20f33c7d160", "broken"]
        assert instance.has_dynamic_partition("bulletins", "broken")
        for r in requests:
            defs.resolve_job_def("build_warehouse").execute_in_process(instance=instance, partition_key=r.partition_key)
        # loaded or refused, each version is seen: nothing is requested again
        assert schedule_tick(instance=instance, resources=defs.resources) == []


def test_sensor_skips_what_the_cli_loaded_and_waits_for_a_file_being_written(tmp_path):
    """Bytes the warehouse holds never run again, whoever loaded them; a file still growing
    between two ticks waits until its size and mtime hold still; a name that is not UTF-8
    is picked up like any other."""
    from gongbao.cli.main import main

    settings = raw_folder(tmp_path, ("000",))
    raw = settings.raw_dir
    defs = build_defs(settings)
    args = ["--raw", str(raw), "--warehouse", str(settings.warehouse_dir), "-q"]
    with dg.instance_for_test() as instance:
        assert build(settings, instance).success
        cursor = sensor_tick(instance=instance, resources=defs.resources).cursor
        assert main(["ingest", str(SAMPLES["003"]), *args]) == 0  # loaded by the CLI, not by the sensor
        tick = sensor_tick(instance=instance, cursor=cursor, resources=defs.resources)
        assert tick.run_requests == []

        data = SAMPLES["004"].read_bytes()
        growing = raw / "growing.txt"
        growing.write_bytes(data[: len(data) // 2])
        tick = sensor_tick(instance=instance, cursor=tick.cursor, resources=defs.resources)
        assert tick.run_requests == []
        with open(growing, "ab") as f:
            f.write(data[len(data) // 2:])
        tick = sensor_tick(instance=instance, cursor=tick.cursor, resources=defs.resources)
        assert tick.run_requests == []  # it changed since the last tick
        gbk_name = os.fsdecode(b"\xb9\xab\xb1\xa8.txt")  # 公报.txt in GBK: not UTF-8
        shutil.copy(SAMPLES["001"], raw / gbk_name)
        tick = sensor_tick(instance=instance, cursor=tick.cursor, resources=defs.resources)
        assert [r.partition_key for r in tick.run_requests] == ["growing"]
        tick = sensor_tick(instance=instance, cursor=tick.cursor, resources=defs.resources)
        [request] = tick.run_requests
        instance.add_dynamic_partitions("bulletins", [request.partition_key])
        assert defs.resolve_job_def("build_warehouse").execute_in_process(
            instance=instance, partition_key=request.partition_key).success
    with duckdb.connect(str(settings.warehouse_dir / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select source_file from bulletins where bulletin_id = ?",
                           [request.partition_key]).fetchall() == [("公报.txt",)]


def test_one_file_that_vanishes_does_not_fail_the_tick(tmp_path):
    """A file listed by the raw store but gone (or unreadable) when it is hashed is skipped
    with a log line; the other new files of the tick still get their runs."""
    from assets.resources import RawStore
    from pipelines.sensors import changed_files

    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SAMPLES["004"], raw)

    class Vanishing(RawStore):
        def files(self):
            return {**super().files(), "ghost": raw / "ghost.txt"}  # listed, then deleted

    logged = []
    changed, now = changed_files(Vanishing(base_dir=str(raw)), {}, log=logged.append)
    assert list(changed) == [SAMPLES["004"].stem] and "ghost" not in now
    assert logged and "ghost.txt" in logged[0]


def test_the_sensor_loads_a_copy_whose_original_changed(tmp_path):
    """A duplicate whose original changed since is requested once, to load in its own right."""
    settings = raw_folder(tmp_path, ("003",))
    raw = settings.raw_dir
    shutil.copy(SAMPLES["003"], raw / "003_copy.txt")
    defs = build_defs(settings)
    with dg.instance_for_test() as instance:
        assert build(settings, instance).success
        cursor = sensor_tick(instance=instance, resources=defs.resources).cursor
        original = raw / SAMPLES["003"].name
        original.write_bytes(original.read_bytes() + "\n（本期完）\n".encode())
        assert defs.resolve_job_def("build_warehouse").execute_in_process(
            instance=instance, partition_key=SAMPLES["003"].stem).success  # only the original ran
        tick = sensor_tick(instance=instance, cursor=cursor, resources=defs.resources)
        tick = sensor_tick(instance=instance, cursor=tick.cursor, resources=defs.resources)
        assert [r.partition_key for r in tick.run_requests] == ["003_copy"]
