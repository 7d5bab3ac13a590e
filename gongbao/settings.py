"""Every setting of gongbao, read from the environment in this one place (the CLI's flags
override them). Nothing else reads a GONGBAO_ variable, and nothing reads one at import.

Relative defaults resolve against the working directory, never against the install
location, so an installed gongbao builds the `raw/` folder of the directory it runs in.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_CRON = "0 6 * * *"  # daily at 06:00


def _default_workers() -> int:
    return os.cpu_count() or 1


@dataclass(frozen=True)
class Settings:
    raw_dir: Path = field(default_factory=lambda: Path("raw").resolve())  # GONGBAO_RAW_DIR
    warehouse_dir: Path = field(default_factory=lambda: Path("warehouse").resolve())  # GONGBAO_WAREHOUSE_DIR
    release_dir: Path = field(default_factory=lambda: Path("release").resolve())  # GONGBAO_RELEASE_DIR
    ingest_cron: str = DEFAULT_CRON  # GONGBAO_INGEST_CRON: when the schedule ingests new files
    workers: int = field(default_factory=_default_workers)  # GONGBAO_WORKERS: parsing processes (0: in the run)
    # DAGSTER_HOME: the Dagster instance the CLI records its runs in, shared with `dagster dev`
    dagster_home: Path = field(default_factory=lambda: Path(".dagster_home").resolve())
    progress: bool = False  # a progress bar during builds (the CLI turns it on at a terminal)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ

        def path(name: str, default: str) -> Path:
            return Path(env.get(name) or default).resolve()

        return cls(
            raw_dir=path("GONGBAO_RAW_DIR", "raw"),
            warehouse_dir=path("GONGBAO_WAREHOUSE_DIR", "warehouse"),
            release_dir=path("GONGBAO_RELEASE_DIR", "release"),
            ingest_cron=env.get("GONGBAO_INGEST_CRON") or DEFAULT_CRON,
            workers=int(env.get("GONGBAO_WORKERS") or _default_workers()),
            dagster_home=path("DAGSTER_HOME", ".dagster_home"),
        )

    def with_overrides(self, **paths: Path | None) -> "Settings":
        """These settings with the CLI's flags (those given) in place of the environment's values."""
        return replace(self, **{k: Path(v).resolve() for k, v in paths.items() if v is not None})
