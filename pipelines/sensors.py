"""Watch the raw folder: each new or changed file becomes a partition and a run of its own,
as soon as it lands (sensor) or at a fixed time (schedule, daily by default).

The cursor remembers the SHA-256 of every file seen (at first, the versions the warehouse
already holds), so a file touched but not changed requests nothing, and a run key per
(bulletin, bytes) keeps Dagster from running the same version twice.
"""
from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from assets.partitions import bulletin_partitions, register, unregistered

from gongbao.extraction.run import file_sha256
from pipelines.jobs import build_job, publish_job
from assets.resources import RawStore, WarehouseResource
from gongbao.settings import Settings
from gongbao.store.warehouse import WRITING, WarehouseStore


def changed_files(raw_store: RawStore, seen: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(bulletin_id → sha256 of files new or changed since `seen`, every file's sha256 now)."""
    now = {key: file_sha256(path) for key, path in raw_store.files().items()}
    return {k: sha for k, sha in now.items() if seen.get(k) != sha}, now


def run_requests(changed: dict[str, str]) -> list[dg.RunRequest]:
    """One run per changed bulletin, keyed by its bytes so the same version never runs twice."""
    return [dg.RunRequest(run_key=f"{key}:{sha[:16]}", partition_key=key) for key, sha in sorted(changed.items())]


def repair_requests(store: WarehouseStore, files: dict[str, Path], changed: dict[str, str]) -> list[dg.RunRequest]:
    """A run for each bulletin a killed run left half-written (once per such crash), unless
    its file changed and runs anyway."""
    requests = []
    for key in store.pending()[1]:
        if key in files and key not in changed:
            marked = (store.pending_dir / f"{key}{WRITING}").stat().st_mtime_ns
            requests.append(dg.RunRequest(run_key=f"{key}:repair:{marked}", partition_key=key))
    return requests


@dg.sensor(job=build_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
def raw_folder_sensor(context: dg.SensorEvaluationContext, raw_store: RawStore,
                      warehouse: WarehouseResource) -> dg.SensorResult:
    # First evaluation: what the warehouse already holds counts as seen.
    store = warehouse.store()
    seen = json.loads(context.cursor) if context.cursor else store.ingested_versions()
    changed, now = changed_files(raw_store, seen)
    new_keys = unregistered(context.instance, sorted(changed))
    return dg.SensorResult(
        run_requests=run_requests(changed) + repair_requests(store, raw_store.files(), changed),
        dynamic_partitions_requests=[bulletin_partitions.build_add_request(new_keys)] if new_keys else [],
        cursor=json.dumps(now, sort_keys=True),
    )


def ingest_schedule(settings: Settings) -> dg.ScheduleDefinition:
    """The schedule at the settings' cron time (built with the Definitions, not at import)."""

    @dg.schedule(name="daily_ingest_schedule", job=build_job, cron_schedule=settings.ingest_cron,
                 default_status=dg.DefaultScheduleStatus.STOPPED)
    def daily_ingest_schedule(context: dg.ScheduleEvaluationContext, raw_store: RawStore,
                              warehouse: WarehouseResource) -> list[dg.RunRequest]:
        """For teams that prefer a fixed time: the files whose bytes the warehouse has not seen."""
        changed, _ = changed_files(raw_store, warehouse.store().ingested_versions())
        register(context.instance, sorted(changed))  # a schedule cannot return partition requests
        return run_requests(changed)

    return daily_ingest_schedule


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[build_job],
                      request_job=publish_job, default_status=dg.DefaultSensorStatus.RUNNING)
def publish_after_build(context: dg.RunStatusSensorContext) -> dg.RunRequest:
    """After each successful build or ingest, a run that writes the open-data release."""
    return dg.RunRequest(run_key=f"publish-after-{context.dagster_run.run_id}")
