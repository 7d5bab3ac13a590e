"""GONGBAO_EXECUTOR=celery: the build job's steps run on celery workers (Redis as the broker),
here on the ducklake warehouse, all of it chosen by settings alone."""
from __future__ import annotations

import os
from contextlib import contextmanager

import dagster as dg
import pytest

from gongbao.settings import SettingError, Settings
from gongbao.store import open_store, raw
from tests.conftest import SAMPLES, lake_env
from tests.servers import Missing, celery_workers

pytestmark = [pytest.mark.ducklake, pytest.mark.celery]


@contextmanager
def workers_on(redis_server: str, folder, own_homes: bool = False):
    """Two celery workers with this process's environment (their pids); skipped when
    dagster-celery is missing, failed instead where the system tools are required (CI)."""
    try:
        workers = celery_workers(redis_server, 2, dict(os.environ), folder, own_homes=own_homes)
        pids = workers.__enter__()
    except Missing as err:
        if os.environ.get("GONGBAO_REQUIRE_SYSTEM_TOOLS"):
            pytest.fail(str(err))
        pytest.skip(str(err))
    try:
        yield pids
    finally:
        workers.__exit__(None, None, None)


def ran_on(instance, runs) -> set[str]:
    """The celery workers the runs' steps executed on, from the runs' engine events."""
    return {m.value for r in runs for e in instance.all_logs(r.run_id) if e.dagster_event
            and e.dagster_event.is_engine_event and "celery worker" in (e.message or "").lower()
            for label, m in e.dagster_event.event_specific_data.metadata.items() if label == "Celery worker"}


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
        with workers_on(redis_server, tmp_path) as pids:
            for key in keys:  # what the sensor or a backfill launches: a run per partition
                result = dg.execute_job(dg.reconstructable(build_warehouse_job), instance=instance,
                                        tags={"dagster/partition": key})
                assert result.success
        workers = ran_on(instance, instance.get_runs())
    assert workers and all(w.startswith("gongbao") for w in workers)  # the steps ran on the workers
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
    with workers_on(redis_server, tmp_path):
        assert main(["build", "-q"]) == 0
    with dg.DagsterInstance.get() as instance:
        runs = instance.get_runs()
        ranges = sorted((r.tags["dagster/asset_partition_range_start"], r.tags["dagster/asset_partition_range_end"])
                        for r in runs)
        keys = sorted(SAMPLES[p].stem for p in ("000", "001", "003"))
        assert ranges == [(keys[0], keys[1]), (keys[2], keys[2])]  # two runs: a batch of 2, then 1
        assert all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs)
        workers = ran_on(instance, runs)
    assert workers and all(w.startswith("gongbao") for w in workers)
    store = open_store(Settings.from_env())
    with store.reader() as con:
        assert con.execute("select bulletin_id, count(*) from documents group by all order by 1").fetchall() \
            == [(keys[0], 6), (keys[1], 4), (keys[2], 1)]


def test_workers_of_their_own_share_nothing_but_the_servers(pg_server, s3_server, redis_server, monkeypatch,
                                                             tmp_path):
    """The deployment of docs/deployment.md by settings alone: the bulletins in a bucket, the
    warehouse a ducklake (catalog in PostgreSQL, data in the bucket), the Dagster instance in
    PostgreSQL (dagster-postgres), the steps on two celery workers each in a folder and a
    DAGSTER_HOME of its own, as on machines of their own: no disk is shared."""
    from gongbao.cli.main import main

    dagster_db = pg_server.create_database("dagster_instance").replace("postgres://", "postgresql+psycopg2://", 1)  # SQLAlchemy 2.1: psycopg 3 otherwise
    home = tmp_path / "launcher_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(f"telemetry:\n  enabled: false\nstorage:\n  postgres:\n"
                                       f"    postgres_url: {dagster_db}\n")
    prefix = "s3://gongbao/celery-raw/"
    env = {**lake_env(pg_server, s3_server, "lake_celery"), "GONGBAO_RAW_DIR": prefix, "GONGBAO_EXECUTOR": "celery",
           "GONGBAO_CELERY_BROKER": redis_server, "DAGSTER_HOME": str(home), "GONGBAO_WORKERS": "0",
           "GONGBAO_BATCH_SIZE": "2", "PYTHONWARNINGS": "ignore"}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("GONGBAO_WAREHOUSE_DIR", raising=False)
    settings = Settings.from_env(env)
    keys = sorted(SAMPLES[p].stem for p in ("000", "001", "003"))
    for p in ("000", "001", "003"):
        raw.put_object(prefix, SAMPLES[p].name, SAMPLES[p].read_bytes(), raw.access_of(settings))
    launcher = tmp_path / "launcher_cwd"
    launcher.mkdir()
    monkeypatch.chdir(launcher)
    with workers_on(redis_server, tmp_path, own_homes=True):
        assert main(["build", "-q"]) == 0
    with dg.DagsterInstance.get() as instance:  # the instance in PostgreSQL, as every machine sees it
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        runs = instance.get_runs()
        assert len(runs) == 2 and all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs)
        workers = ran_on(instance, runs)
        assert instance.get_dynamic_partitions("bulletins") == keys
    assert workers and all(w.startswith("gongbao") for w in workers)
    store = open_store(settings)
    with store.reader() as con:
        assert con.execute("select bulletin_id, count(*) from documents group by all order by 1").fetchall() \
            == [(keys[0], 6), (keys[1], 4), (keys[2], 1)]
        assert {u for u, in con.execute("select source_uri from lineage").fetchall()} \
            == {prefix + SAMPLES[p].name for p in ("000", "001", "003")}
    # nothing of the instance or the warehouse on any machine's disk: no SQLite file, no DuckDB file
    assert not [p for p in tmp_path.rglob("*") if p.suffix in (".db", ".duckdb", ".sqlite")]
