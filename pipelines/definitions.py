"""The code location: one Definitions object, built lazily from the environment's settings."""
from __future__ import annotations

import dagster as dg

from assets.extraction import bulletin_extracts
from assets.release import open_data_release
from assets.warehouse import warehouse_tables

from pipelines.jobs import build_job, compact_job, publish_job
from pipelines.resources import resources_for
from pipelines.sensors import ingest_schedule, maintenance_schedule, publish_after_build, raw_folder_sensor
from gongbao.settings import Settings


def build_defs(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    return dg.Definitions(
        assets=[bulletin_extracts, warehouse_tables, open_data_release],
        jobs=[build_job, publish_job, compact_job],
        sensors=[raw_folder_sensor, publish_after_build],
        schedules=[ingest_schedule(settings), maintenance_schedule(settings)],
        resources=resources_for(settings),
        executor=executor_for(settings),
    )


def executor_for(settings: Settings) -> dg.ExecutorDefinition:
    """In process by default; GONGBAO_EXECUTOR=celery sends each step to the celery workers
    (`dagster-celery worker start -A dagster_celery.app`) through the broker (docs/deployment.md)."""
    celery = settings.celery()
    if celery is None:
        return dg.in_process_executor
    try:
        from dagster_celery import celery_executor
    except ImportError as err:
        from gongbao.settings import SettingError

        raise SettingError("GONGBAO_EXECUTOR=celery needs dagster-celery: pip install 'gongbao[celery]'") from err
    return celery_executor.configured(celery, name="celery")


def build_warehouse_job() -> dg.JobDefinition:
    """The build job of the environment's settings, for runs that are reconstructed in other
    processes (the celery workers import this module and call it)."""
    return build_defs().resolve_job_def("build_warehouse")


@dg.definitions
def defs() -> dg.Definitions:
    return build_defs()
