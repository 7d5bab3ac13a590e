"""The resources of a deployment, chosen from its settings in this one place.

The warehouse is the embedded DuckDB one in a folder, or the ducklake one (PostgreSQL catalog,
data on S3) when GONGBAO_WAREHOUSE_URL is set: docs/deployment.md."""
from __future__ import annotations

from assets.resources import ParsingResource, RawStore, ReleaseResource, WarehouseResource
from gongbao.settings import Settings


def resources_for(settings: Settings) -> dict:
    return {
        "raw_store": RawStore.for_settings(settings),
        "warehouse": WarehouseResource.for_settings(settings),
        "release": ReleaseResource(base_dir=str(settings.release_dir)),
        "parsing": ParsingResource(workers=settings.workers, progress=settings.progress),
    }
