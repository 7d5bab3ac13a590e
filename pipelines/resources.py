"""The resources of a deployment, chosen from its settings in this one place.

Plain folders here; a deployment on object storage swaps the instances below and nothing else."""
from __future__ import annotations

from assets.resources import ParsingResource, RawStore, ReleaseResource, WarehouseResource
from gongbao.settings import Settings


def resources_for(settings: Settings) -> dict:
    return {
        "raw_store": RawStore(base_dir=str(settings.raw_dir)),
        "warehouse": WarehouseResource(base_dir=str(settings.warehouse_dir)),
        "release": ReleaseResource(base_dir=str(settings.release_dir)),
        "parsing": ParsingResource(workers=settings.workers, progress=settings.progress),
    }
