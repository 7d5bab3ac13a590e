"""The batched sqlite event log (pipelines/event_log.py) against Dagster's own: the same build of
the samples on both, the same events, the same partition statuses, in far fewer transactions."""
import os

import dagster as dg
import pytest

from assets.extraction import ASSET, bulletin_extracts
from assets.partitions import bulletin_partitions
from gongbao.cli.runs import build, ensure_home, instance_for
from gongbao.settings import Settings
from pipelines.event_log import BATCH_VARIABLE, BatchedSqliteEventLogStorage, storage_overrides
from tests.conftest import copy_samples

KEY = dg.AssetKey(ASSET)


def _facts(instance: dg.DagsterInstance, run_id: str) -> dict:
    """What the UI shows of a build: the run's events (kind, asset, partition), in order, and
    each partition's status and last run."""
    records = instance.get_records_for_run(run_id, limit=100_000).records
    events = [(r.event_log_entry.dagster_event_type, r.event_log_entry.dagster_event.asset_key,
               r.event_log_entry.dagster_event.partition)
              for r in records if r.event_log_entry.is_dagster_event]
    keys = instance.get_dynamic_partitions(bulletin_partitions.name)
    statuses = instance.get_status_by_partition(KEY, keys, bulletin_partitions)
    last = instance.get_latest_materialization_event(KEY)
    checks = [dg.AssetCheckKey(KEY, spec.name) for spec in bulletin_extracts.check_specs]
    executions = instance.event_log_storage.get_latest_asset_check_execution_by_key(checks)
    return {"events": events, "materialized": instance.get_materialized_partitions(KEY),
            "statuses": {k: str(v) for k, v in statuses.items()},
            "checks": {k.name: (e.status, e.run_id == run_id) for k, e in executions.items()}, "last_partition": last.dagster_event.partition,
            "planned": {(r.partition_key, r.run_id == run_id) for r in instance.fetch_planned_materializations(
                dg.AssetRecordsFilter(asset_key=KEY), limit=1000).records}}


def _build(settings: Settings, instance: dg.DagsterInstance) -> str:
    result = build(settings, instance)
    assert result.success
    return result.run_id


@pytest.fixture()
def batches(monkeypatch):
    monkeypatch.setenv(BATCH_VARIABLE, "4")  # smaller than the run's 14 partitions: several batches a group


def test_the_batched_log_stores_what_dagsters_own_stores(tmp_path, batches):
    raw = copy_samples(tmp_path / "raw")
    for path in sorted(raw.iterdir())[:3]:  # 14 bulletins in the run: several batches of events
        for i in range(6, 13, 3):
            (raw / f"{path.stem}_copy{i}{path.suffix}").write_bytes(path.read_bytes() + b"\n" * i)
    facts = {}
    for name, overrides in (("plain", None), ("batched", "batched")):
        home = tmp_path / name
        home.mkdir()
        settings = Settings(raw_dir=raw, warehouse_dir=tmp_path / name / "warehouse")
        with dg.instance_for_test(temp_dir=str(home), overrides=overrides and storage_overrides(str(home))) \
                as instance:
            storage = instance.event_log_storage
            run_id = _build(settings, instance)
            facts[name] = _facts(instance, run_id)
            if name == "batched":
                assert isinstance(storage, BatchedSqliteEventLogStorage)
                # the planned events at the run's start, then the materializations, 4 at a time
                assert storage.batches_stored >= 2 * (14 // 4)
            else:
                assert not isinstance(storage, BatchedSqliteEventLogStorage)
    assert len(facts["plain"]["materialized"]) == 14
    assert facts["batched"] == facts["plain"]
    assert len(facts["batched"]["checks"]) == len(bulletin_extracts.check_specs)
    assert set(facts["batched"]["statuses"].values()) == {"AssetPartitionStatus.MATERIALIZED"}


def test_the_instance_gongbao_makes_uses_it_and_a_second_build_sees_the_first(tmp_path, monkeypatch):
    monkeypatch.delenv(BATCH_VARIABLE, raising=False)
    old = tmp_path / "home"
    old.mkdir()
    # a folder made by an earlier gongbao (Dagster's default event log) is given the batched one
    (old / "dagster.yaml").write_text("# Dagster instance of gongbao (created by the gongbao command)\n"
                                      "telemetry:\n  enabled: false\n")
    settings = Settings(raw_dir=copy_samples(tmp_path / "raw"), warehouse_dir=tmp_path / "warehouse",
                        dagster_home=old)
    monkeypatch.setenv("DAGSTER_HOME", str(old))
    assert "BatchedSqliteEventLogStorage" in (ensure_home(old) / "dagster.yaml").read_text()
    instance = instance_for(settings)
    try:
        assert isinstance(instance.event_log_storage, BatchedSqliteEventLogStorage)
        assert int(os.environ[BATCH_VARIABLE]) > 1
        first = _build(settings, instance)
        (settings.raw_dir / "000_extra.txt").write_bytes(next(settings.raw_dir.glob("000_*")).read_bytes() + b"\n")
        second = _build(settings, instance)
        assert instance.event_log_storage.batches_stored >= 4
        assert len(instance.get_materialized_partitions(KEY)) == 6
        statuses = instance.get_status_by_partition(KEY, instance.get_dynamic_partitions(bulletin_partitions.name),
                                                    bulletin_partitions)
        assert {str(s) for s in statuses.values()} == {"AssetPartitionStatus.MATERIALIZED"}
        runs = {}  # partition → the runs that materialized it
        for record in instance.fetch_materializations(KEY, limit=100).records:
            runs.setdefault(record.partition_key, set()).add(record.run_id)
        assert runs.pop("000_extra") == {second}
        assert len(runs) == 5 and all(first in r for r in runs.values())
    finally:
        instance.dispose()
