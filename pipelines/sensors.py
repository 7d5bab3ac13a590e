"""Watch the raw store (a folder, or a prefix in object storage): each new or changed file
becomes a partition and a run of its own, as soon as it lands (sensor) or at a fixed time
(schedule, daily by default).

The cursor remembers the SHA-256, size and mtime of every file (a file whose size and mtime
did not change is not read again), and each tick also asks the warehouse
which bytes it holds already, so a file touched but not changed requests nothing, and bytes
that `gongbao ingest` (or another process) loaded are never run again; a run key per
(bulletin, bytes) keeps Dagster from running the same version twice. A file is run only
once its size and modification time are the same on two ticks in a row: a file still being
copied in is not loaded half-written; an object (whose state is its size, time and ETag) is
run at once, since a PUT lands whole. One file that cannot be read (vanished, no permission,
replaced between listing and read) is logged and skipped: the other files of the tick are
still picked up.
"""
from __future__ import annotations

import json
from pathlib import Path

import dagster as dg

from assets.partitions import bulletin_partitions, register, unregistered

from gongbao.extraction.run import file_sha256
from gongbao.store.raw import RawObject
from parsing.errors import BulletinError
from pipelines.jobs import build_job, compact_job, publish_job
from assets.resources import RawStore, WarehouseResource
from gongbao.settings import Settings
from gongbao.store.warehouse import WRITING, WarehouseStore


def changed_files(raw_store: RawStore, seen: dict[str, str], log=None, files: dict[str, Path] | None = None,
                  known: dict[str, str] | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """(bulletin_id → sha256 of files new or changed since `seen`, every readable file's sha256 now).
    `files`: the raw store's listing when the caller has it; `known`: sha256s still valid (of
    files whose size and mtime did not change), which are not read again."""
    now = {}
    for key, path in (raw_store.files() if files is None else files).items():
        if known and key in known:
            now[key] = known[key]
            continue
        try:
            now[key] = file_sha256(path)
        except (OSError, BulletinError) as err:  # vanished since listed, unreadable, replaced: this file only
            if log:
                log(f"{path.name}: skipped this tick: {getattr(err, 'strerror', None) or err}")
    return {k: sha for k, sha in now.items() if seen.get(k) != sha}, now


def file_states(files: dict[str, Path | RawObject]) -> dict[str, list]:
    """bulletin_id → [size, mtime_ns] of each file now (a file being written changes between
    ticks); of an object, with its ETag."""
    out = {}
    for key, path in files.items():
        if isinstance(path, RawObject):
            out[key] = [path.size, path.mtime_ns, path.etag]
            continue
        try:
            st = path.stat()
        except OSError:
            continue
        out[key] = [st.st_size, st.st_mtime_ns]
    return out


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
    store = warehouse.store()
    cursor = json.loads(context.cursor) if context.cursor else {}
    if cursor and "seen" not in cursor and "shas" not in cursor:  # a cursor of before 0.4.0: bulletin → sha256
        cursor = {"seen": cursor, "states": {}}
    if "shas" in cursor:  # every file's sha256 at the last tick; those still changing are waiting
        waiting = set(cursor.get("waiting", []))
        last = cursor["shas"]
        cursor_seen = {k: sha for k, sha in last.items() if k not in waiting}
    else:
        last, cursor_seen = {}, cursor.get("seen", {})
    # What the warehouse holds counts as seen, whoever loaded it (a build, `gongbao ingest`).
    seen = {**cursor_seen, **store.ingested_versions()}
    files = raw_store.files()  # listed once a tick
    states, before = file_states(files), cursor.get("states", {})
    # A file whose size and mtime held since the last tick keeps last tick's sha256: it is not read again.
    known = {k: sha for k, sha in last.items() if k in states and before.get(k) == states[k]}
    changed, now = changed_files(raw_store, seen, log=context.log.warning, files=files, known=known)
    # Only files whose size and mtime held still since the last tick; the others wait a tick. An
    # object does not wait: a PUT lands whole or not at all.
    settled = {k: sha for k, sha in changed.items()
               if before.get(k) == states.get(k) or isinstance(files.get(k), RawObject)}
    waiting = sorted(set(changed) - set(settled))
    for key in waiting:
        context.log.info(f"{key}: changing or new since the last tick; run once it is stable")
    new_keys = unregistered(context.instance, sorted(settled))
    # A duplicate whose original has changed since is loaded in its own right (once per change).
    orphans = {k: sha for k, sha in store.stale_duplicates().items() if k in now and k not in settled}
    reloads = [dg.RunRequest(run_key=f"{k}:{sha[:16]}:own", partition_key=k) for k, sha in sorted(orphans.items())]
    return dg.SensorResult(
        run_requests=run_requests(settled) + reloads + repair_requests(store, files, settled),
        dynamic_partitions_requests=[bulletin_partitions.build_add_request(new_keys)] if new_keys else [],
        cursor=json.dumps({"shas": now, "waiting": waiting, "states": states}, sort_keys=True),
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


def maintenance_schedule(settings: Settings) -> dg.ScheduleDefinition:
    """Compaction of the ducklake warehouse at GONGBAO_MAINTENANCE_CRON (daily at 03:30 by
    default): on when the warehouse is ducklake, off for the embedded one (nothing to merge)."""
    status = dg.DefaultScheduleStatus.RUNNING if settings.warehouse_url else dg.DefaultScheduleStatus.STOPPED
    return dg.ScheduleDefinition(name="warehouse_maintenance_schedule", job=compact_job,
                                 cron_schedule=settings.maintenance_cron, default_status=status)


@dg.run_status_sensor(run_status=dg.DagsterRunStatus.SUCCESS, monitored_jobs=[build_job],
                      request_job=publish_job, default_status=dg.DefaultSensorStatus.RUNNING)
def publish_after_build(context: dg.RunStatusSensorContext) -> dg.RunRequest:
    """After each successful build or ingest, a run that writes the open-data release."""
    return dg.RunRequest(run_key=f"publish-after-{context.dagster_run.run_id}")
