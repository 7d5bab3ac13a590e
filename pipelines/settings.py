"""Where things live, decided in one place from the environment (or the CLI's flags)."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    warehouse_dir: Path
    release_dir: Path = PROJECT_ROOT / "release"  # GONGBAO_RELEASE_DIR: where `publish` writes releases
    ingest_cron: str = "0 6 * * *"  # the schedule's time (GONGBAO_INGEST_CRON), daily at 06:00

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            raw_dir=Path(os.environ.get("GONGBAO_RAW_DIR", PROJECT_ROOT / "raw")).resolve(),
            warehouse_dir=Path(os.environ.get("GONGBAO_WAREHOUSE_DIR", PROJECT_ROOT / "warehouse")).resolve(),
            release_dir=Path(os.environ.get("GONGBAO_RELEASE_DIR", PROJECT_ROOT / "release")).resolve(),
            ingest_cron=os.environ.get("GONGBAO_INGEST_CRON", "0 6 * * *"),
        )
