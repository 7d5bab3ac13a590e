"""The commands that run Dagster (`gongbao build`, `gongbao ingest`): imported only by them,
so the other commands start without loading Dagster."""
from __future__ import annotations

import os
import shutil
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from assets.partitions import bulletin_partitions, register
from gongbao.settings import Settings
from gongbao.store import open_store, raw
from gongbao.store.raw import RawStoreError
from parsing.ids import bulletin_id

# Dagster flags the beta `backfill_policy` at import: noise for someone running a build.
warnings.filterwarnings("ignore", message=".*is currently in beta.*")

from pipelines.definitions import build_defs  # noqa: E402
from pipelines.event_log import enable_event_batches  # noqa: E402

# The instance's settings when gongbao creates it: Dagster's defaults (runs and events in
# sqlite in the folder), the event log writing Dagster's batches of events in one go
# (pipelines/event_log.py), without the telemetry and its welcome banner on every first run;
# EARLIER_YAML is what gongbao wrote before the batched event log.
EARLIER_YAML = "# Dagster instance of gongbao (created by the gongbao command)\ntelemetry:\n  enabled: false\n"
DAGSTER_YAML = EARLIER_YAML + "event_log_storage:\n  module: pipelines.event_log\n  class: BatchedSqliteEventLogStorage\n"
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def ensure_home(home: Path) -> Path:
    """The instance folder, made with its dagster.yaml when missing."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    # Dagster's defaults, said so, not warned about at every command; a folder gongbao made
    # before the batched event log (the same sqlite files) is given it
    if not config.exists() or config.read_text() == EARLIER_YAML:
        config.write_text(DAGSTER_YAML)
    return home


def instance_for(settings: Settings) -> dg.DagsterInstance:
    """The Dagster instance at the settings' DAGSTER_HOME, created when missing, so the runs of
    `gongbao build` show in `gongbao ui` (or `dagster dev`) started from the same folder."""
    os.environ["DAGSTER_HOME"] = str(ensure_home(settings.dagster_home))
    enable_event_batches()
    return dg.DagsterInstance.get()


def _run_config(verbosity: int) -> dict:
    level = {0: "CRITICAL", 1: "INFO"}.get(verbosity, "DEBUG")  # quiet: the summary says what happened
    return {"loggers": {"console": {"config": {"log_level": level}}}}


def build(settings: Settings, instance: dg.DagsterInstance | None = None, verbosity: int = 0
          ) -> dg.ExecuteInProcessResult | list["Outcome"]:
    """Register one partition per raw file and materialize every asset in a single run; with the
    celery executor, in runs of `batch_size` bulletins that the workers share (their outcomes)."""
    if not settings.raw_url and not settings.raw_dir.is_dir():
        raise SystemExit(f"gongbao: raw folder {settings.raw_dir} does not exist")
    defs = build_defs(settings)
    instance = instance or instance_for(settings)
    try:
        keys = list(defs.resources["raw_store"].files())
    except RawStoreError as err:
        raise SystemExit(f"gongbao: {err}") from None
    if not keys:
        raise SystemExit(f"gongbao: no bulletin files in {settings.raw_location()}")
    register(instance, keys)
    wanted = set(keys)
    ordered = [k for k in instance.get_dynamic_partitions(bulletin_partitions.name) if k in wanted]
    if settings.celery():
        return build_on_workers(settings, instance, ordered, verbosity)
    job = defs.resolve_job_def("build_warehouse")
    return job.execute_in_process(instance=instance, tags={RANGE_START: ordered[0], RANGE_END: ordered[-1]},
                                  run_config=_run_config(verbosity), raise_on_error=False)


def build_on_workers(settings: Settings, instance: dg.DagsterInstance, keys: list[str], verbosity: int = 0
                     ) -> list["Outcome"]:
    """The partitions in runs of `batch_size`, `runs_at_once` of them in flight, their steps on the
    celery workers (a step per bulletin would pay a celery round trip and a step's set-up for
    each). Each run is started from a process of its own: Dagster sets a run's logging up with
    `dictConfig`, which deadlocks against a run logging in another thread of the same process."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if instance.is_ephemeral:
        raise SystemExit("gongbao: runs on celery workers need a persistent Dagster instance (DAGSTER_HOME)")
    size = settings.batch_size
    batches = [keys[i:i + size] for i in range(0, len(keys), size)]
    with ProcessPoolExecutor(max_workers=min(settings.runs_at_once, len(batches)),
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(_run_batch, [settings] * len(batches), batches, [verbosity] * len(batches)))


def _run_batch(settings: Settings, batch: list[str], verbosity: int) -> "Outcome":
    from pipelines.definitions import build_warehouse_job

    warnings.filterwarnings("ignore", message=".*already registered to a different callable.*")  # celery's
    result = dg.execute_job(dg.reconstructable(build_warehouse_job), instance=instance_for(settings),
                            tags={RANGE_START: batch[0], RANGE_END: batch[-1]}, run_config=_run_config(verbosity),
                            raise_on_error=False)
    return outcome(result, settings)


def ingest(settings: Settings, files: list[Path | str], instance: dg.DagsterInstance | None = None,
           verbosity: int = 0) -> list[dg.ExecuteInProcessResult]:
    """Put each file (a local file or an s3:// object) in the raw store, unless it is there
    already, and run its partition alone."""
    defs = build_defs(settings)
    instance = instance or instance_for(settings)
    if not settings.raw_url:
        settings.raw_dir.mkdir(parents=True, exist_ok=True)
    job = defs.resolve_job_def("build_warehouse")
    results = []
    for file in files:
        try:
            name = _into_raw_store(settings, file)
        except (OSError, ValueError) as err:
            raise SystemExit(f"gongbao: {file}: {err}") from None
        key = bulletin_id(name)
        register(instance, [key])
        results.append(job.execute_in_process(instance=instance, partition_key=key, raise_on_error=False,
                                              run_config=_run_config(verbosity)))
    return results


def _into_raw_store(settings: Settings, file: Path | str) -> str:
    """The file in the raw store (copied there unless it is one of its files already): its name."""
    access = raw.access_of(settings)
    if isinstance(file, str) and raw.is_s3(file):
        try:
            source = raw.get_object(file, access)
        except Exception as err:  # noqa: BLE001 - botocore's errors: said with the URI
            raise raw.listing_error(file, err) from err
        parent = source.key.rpartition("/")[0]
        if settings.raw_url == f"{raw.S3_SCHEME}{source.bucket}/{parent + '/' if parent else ''}":
            return source.name  # an object of the raw store itself
        data, name = source.read_bytes(), source.name
    else:
        file = Path(file)
        if not file.is_file():
            raise SystemExit(f"gongbao: {file} is not a file")
        name = file.name
        if not settings.raw_url:
            target = settings.raw_dir / name
            if file.resolve() != target.resolve():
                shutil.copy2(file, target)
            return name
        data = file.read_bytes()
    if settings.raw_url:
        raw.put_object(settings.raw_url, name, data, access)
    else:
        (settings.raw_dir / name).write_bytes(data)
    return name


@dataclass
class Outcome:
    """What a run did, file by file, read back from the warehouse."""
    failed_checks: list[str] = field(default_factory=list)
    run_failed: bool = False
    added: list[tuple[str, dict]] = field(default_factory=list)  # (file, rows per table)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (file, bulletin it repeats)
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # (file, error kind, message)
    failures: list[str] = field(default_factory=list)  # why the run failed, step by step


def outcome(result: dg.ExecuteInProcessResult, settings: Settings) -> Outcome:
    out = Outcome()
    out.failed_checks = [f"{ev.asset_key.to_user_string()} {ev.check_name}"
                         for ev in result.get_asset_check_evaluations()
                         if not ev.passed and ev.check_name != "files_ingested"]  # refusals are listed below
    if not result.success:
        out.run_failed = True
        for event in result.all_events:
            if event.is_step_failure and event.step_failure_data and event.step_failure_data.error:
                error = event.step_failure_data.error
                while error.cause is not None and error.cls_name in ("DagsterExecutionStepExecutionError",):
                    error = error.cause
                out.failures.append(f"{event.step_key}: {error.message.strip()}")
        return out
    store = open_store(settings)
    out.refused = store.ingest_errors(run_id=result.run_id)
    with store.reader() as con:
        for source_file, counts, duplicate_of in con.execute(
                "select source_file, row_counts, duplicate_of from lineage where run_id = ? and is_current "
                "order by source_file", [result.run_id]).fetchall():
            if duplicate_of:
                out.duplicates.append((source_file, duplicate_of))
            else:
                out.added.append((source_file, counts))
    return out


SHOWN = ("documents", "indicators", "budgets", "subsidies")


def print_outcome(o: Outcome, settings: Settings, quiet: bool = False) -> None:
    for check in o.failed_checks:
        print(f"check failed: {check}", file=sys.stderr)
    if o.run_failed:
        for failure in o.failures:
            print(f"gongbao: {failure}", file=sys.stderr)
        print("gongbao: the Dagster run failed (run again with -v for its log); the warehouse is as it was",
              file=sys.stderr)
        return
    if not quiet:
        for source_file, counts in o.added:
            print(f"added {source_file}: " + ", ".join(f"{counts.get(t, 0)} {t}" for t in SHOWN))
        for source_file, original in o.duplicates:
            print(f"same as {original}: {source_file} (recorded in lineage, no rows of its own)")
    for source_file, kind, message in o.refused:
        print(f"refused {source_file}: {kind}: {message}", file=sys.stderr)
    if o.refused:
        print(f"gongbao: {len(o.refused)} file(s) refused; they are listed in table ingest_errors", file=sys.stderr)
    if not quiet:
        print(f"gongbao: warehouse ready at {open_store(settings).location}")
