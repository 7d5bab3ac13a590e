"""The code location: one Definitions object, built lazily from the environment's settings."""
from __future__ import annotations

import dagster as dg

from assets.extraction import bulletin_extracts
from assets.release import open_data_release
from assets.warehouse import warehouse_tables

from .jobs import build_job, publish_job
from .resources import resources_for
from .sensors import daily_ingest_schedule, publish_after_build, raw_folder_sensor
from .settings import Settings


def build_defs(settings: Settings | None = None) -> dg.Definitions:
    settings = settings or Settings.from_env()
    return dg.Definitions(
        assets=[bulletin_extracts, warehouse_tables, open_data_release],
        jobs=[build_job, publish_job],
        sensors=[raw_folder_sensor, publish_after_build],
        schedules=[daily_ingest_schedule],
        resources=resources_for(settings),
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_defs()
