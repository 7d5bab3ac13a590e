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
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_defs()
