"""The resources the assets take: the raw store bulletins come from, the warehouse they go to,
and where releases are written. Which instances a deployment uses is decided in
`pipelines/resources.py` alone."""
from __future__ import annotations

from pathlib import Path

import dagster as dg

from gongbao.store.warehouse import WarehouseStore
from parsing.ids import bulletin_id


class RawStore(dg.ConfigurableResource):
    """A folder of bulletin files; partition keys are bulletin ids derived from file names."""

    base_dir: str

    def files(self) -> dict[str, Path]:
        """bulletin_id → file for every file in the folder but hidden ones.

        Files of any kind are listed on purpose: a file no reader takes must be reported
        as an ingest error, not silently ignored."""
        out: dict[str, Path] = {}
        for path in sorted(Path(self.base_dir).iterdir()):
            if path.is_file() and not path.name.startswith("."):
                out[bulletin_id(path.name)] = path
        return out


class ParsingResource(dg.ConfigurableResource):
    """How a run parses its files: in `workers` processes (0 or 1: in the run's own process);
    `progress`: a progress bar on the terminal (the CLI's builds)."""

    workers: int = 1
    progress: bool = False


class WarehouseResource(dg.ConfigurableResource):
    base_dir: str

    def store(self) -> WarehouseStore:
        return WarehouseStore(Path(self.base_dir))


class ReleaseResource(dg.ConfigurableResource):
    """Where open-data releases are written, one folder per content version."""

    base_dir: str

    def path(self) -> Path:
        return Path(self.base_dir)
