"""GONGBAO_EXECUTOR=celery: the build job's steps run on celery workers (Redis as the broker),
here on the ducklake warehouse, all of it chosen by settings alone."""
from __future__ import annotations

import os

import dagster as dg
import pytest

from gongbao.settings import SettingError, Settings
from gongbao.store import open_store
from tests.conftest import SAMPLES
from tests.servers import Missing, celery_workers

pytestmark = [pytest.mark.ducklake, pytest.mark.celery]


def test_runs_on_two_celery_workers_into_the_lake(lake, redis_server, monkeypatch, tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    settings = {"GONGBAO_EXECUTOR": "celery", "GONGBAO_CELERY_BROKER": redis_server, "DAGSTER_HOME": str(home),
                "GONGBAO_RAW_DIR": str(lake.raw_dir), "GONGBAO_WORKERS": "0", "PYTHONWARNINGS": "ignore"}
    for k, v in settings.items():
        monkeypatch.setenv(k, v)
    from assets.partitions import register
    from pipelines.definitions import build_defs, build_warehouse_job

    assert build_defs().resolve_job_def("build_warehouse").executor_def.name == "celery"
    keys = [SAMPLES[p].stem for p in ("000", "003")]
    # The instance (its sqlite storage) is made before the workers start: two workers making
    # it at once would both write its schema.
    with dg.DagsterInstance.get() as instance:
        register(instance, keys)
        try:
            workers = celery_workers(redis_server, 2, dict(os.environ), tmp_path)
            pids = workers.__enter__()
        except Missing as err:
            if os.environ.get("GONGBAO_REQUIRE_SYSTEM_TOOLS"):
                pytest.fail(str(err))
            pytest.skip(str(err))
        try:
            ran_on = set()
            for key in keys:  # what the sensor or a backfill launches: a run per partition
                result = dg.execute_job(dg.reconstructable(build_warehouse_job), instance=instance,
                                        tags={"dagster/partition": key})
                assert result.success
                for event in result.all_events:
                    if event.is_engine_event and "celery worker" in (event.message or "").lower():
                        ran_on.update(m.value for label, m in event.event_specific_data.metadata.items()
                                      if label == "Celery worker")
        finally:
            workers.__exit__(None, None, None)
    assert ran_on and all(w.startswith("gongbao") for w in ran_on)  # the steps ran on the workers
    assert len(pids) == 2
    store = open_store(lake)
    with store.reader() as con:
        assert con.execute("select bulletin_id, count(*) from documents group by all order by 1").fetchall() \
            == [(keys[0], 6), (keys[1], 1)]


def test_a_bad_executor_setting_is_refused_naming_it():
    with pytest.raises(SettingError, match="GONGBAO_EXECUTOR='dask': expected in_process"):
        Settings.from_env({"GONGBAO_EXECUTOR": "dask"}).celery()
    with pytest.raises(SettingError, match="needs GONGBAO_CELERY_BROKER"):
        Settings.from_env({"GONGBAO_EXECUTOR": "celery"}).celery()
    assert Settings.from_env({}).celery() is None


def test_a_build_is_spread_over_the_workers_in_runs_of_a_batch(redis_server, monkeypatch, tmp_path):
    """`gongbao build` with the celery executor: the bulletins in runs of GONGBAO_BATCH_SIZE, two in
    flight, each run's steps on the workers; the warehouse as an in-process build makes it."""
    from gongbao.cli.main import main

    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    raw = tmp_path / "raw"
    raw.mkdir()
    for prefix in ("000", "001", "003"):
        (raw / SAMPLES[prefix].name).write_bytes(SAMPLES[prefix].read_bytes())
    env = {"GONGBAO_EXECUTOR": "celery", "GONGBAO_CELERY_BROKER": redis_server, "DAGSTER_HOME": str(home),
           "GONGBAO_RAW_DIR": str(raw), "GONGBAO_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
           "GONGBAO_WORKERS": "0", "GONGBAO_BATCH_SIZE": "2", "GONGBAO_RUNS_AT_ONCE": "2",
           "PYTHONWARNINGS": "ignore"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("GONGBAO_WAREHOUSE_URL", raising=False)
    try:
        workers = celery_workers(redis_server, 2, dict(os.environ), tmp_path)
        workers.__enter__()
    except Missing as err:
        if os.environ.get("GONGBAO_REQUIRE_SYSTEM_TOOLS"):
            pytest.fail(str(err))
        pytest.skip(str(err))
    try:
        assert main(["build", "-q"]) == 0
    finally:
        workers.__exit__(None, None, None)
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs()
        ranges = sorted((r.tags["dagster/asset_partition_range_start"], r.tags["dagster/asset_partition_range_end"])
                        for r in runs)
        keys = sorted(SAMPLES[p].stem for p in ("000", "001", "003"))
        assert ranges == [(keys[0], keys[1]), (keys[2], keys[2])]  # two runs: a batch of 2, then 1
        assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs)
        ran_on = {m.value for r in runs for e in instance.all_logs(r.run_id) if e.dagster_event
                  and e.dagster_event.is_engine_event and "celery worker" in (e.message or "").lower()
                  for label, m in e.dagster_event.event_specific_data.metadata.items() if label == "Celery worker"}
    assert ran_on and all(w.startswith("gongbao") for w in ran_on)
    store = open_store(Settings.from_env())
    with store.reader() as con:
        assert con.execute("select bulletin_id, count(*) from documents group by all order by 1").fetchall() \
            == [(keys[0], 6), (keys[1], 4), (keys[2], 1)]
