"""Dagster resources: the raw store the bulletins come from and the warehouse they go to.

Both are plain folders here; a deployment swaps them for object-storage variants by
changing `resources_for` only.
"""
from __future__ import annotations

from pathlib import Path

import dagster as dg

from parsing.ids import bulletin_id

from .settings import Settings
from .warehouse_store import WarehouseStore


class RawStore(dg.ConfigurableResource):
    """A folder of bulletin files; partition keys are bulletin ids derived from file names."""

    base_dir: str

    def files(self) -> dict[str, Path]:
        """bulletin_id → file for every file in the folder but hidden ones.

        Files of any kind are listed on purpose: a PDF dropped here by mistake must be
        reported as an ingest error, not silently ignored."""
        out: dict[str, Path] = {}
        for path in sorted(Path(self.base_dir).iterdir()):
            if path.is_file() and not path.name.startswith("."):
                out[bulletin_id(path.name)] = path
        return out


class WarehouseResource(dg.ConfigurableResource):
    base_dir: str

    def store(self) -> WarehouseStore:
        return WarehouseStore(Path(self.base_dir))


class ReleaseResource(dg.ConfigurableResource):
    """Where open-data releases are written, one folder per content version."""

    base_dir: str

    def path(self) -> Path:
        return Path(self.base_dir)


def resources_for(settings: Settings) -> dict:
    return {
        "raw_store": RawStore(base_dir=str(settings.raw_dir)),
        "warehouse": WarehouseResource(base_dir=str(settings.warehouse_dir)),
        "release": ReleaseResource(base_dir=str(settings.release_dir)),
    }
