"""The resources the assets take: the raw store bulletins come from, the warehouse they go to,
and where releases are written. Which instances a deployment uses is decided in
`pipelines/resources.py` alone."""
from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import dagster as dg

from gongbao.settings import Settings
from gongbao.store import open_store
from gongbao.store.raw import RawObject, access_of, find_raw, list_raw
from gongbao.store.warehouse import WarehouseStore


class RawStore(dg.ConfigurableResource):
    """Where bulletin files come from: a folder (`base_dir`), or, when `url` is set
    (GONGBAO_RAW_DIR=s3://BUCKET/PREFIX/), the objects under that prefix, reached with the
    `s3_*` settings. Partition keys are bulletin ids derived from file names."""

    base_dir: str
    url: str = ""
    s3_endpoint: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_region: str = "us-east-1"

    @property
    def location(self) -> str:
        return self.url or self.base_dir

    def files(self, keys: Collection[str] | None = None) -> dict[str, Path | RawObject]:
        """bulletin_id → file (or object) for every one in the store but hidden ones
        (gongbao.store.raw.list_raw); of `keys` only, when given (a run's few found by name,
        without listing the store: gongbao.store.raw.find_raw)."""
        access = access_of(self)  # its s3_* fields are the settings' own
        if keys is not None:
            found = find_raw(self.location, keys, access)
            if found is not None:
                return found
        listed = list_raw(self.location, access)
        return listed if keys is None else {k: listed[k] for k in keys if k in listed}

    @classmethod
    def for_settings(cls, settings: Settings) -> "RawStore":
        return cls(base_dir=str(settings.raw_dir), url=settings.raw_url, s3_endpoint=settings.s3_endpoint,
                   s3_access_key_id=settings.s3_access_key_id, s3_secret_access_key=settings.s3_secret_access_key,
                   s3_region=settings.s3_region)


class ParsingResource(dg.ConfigurableResource):
    """How a run parses its files: in `workers` processes (0 or 1: in the run's own process);
    `progress`: a progress bar on the terminal (the CLI's builds)."""

    workers: int = 1
    progress: bool = False


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse the runs write and read: the embedded DuckDB warehouse in `base_dir`, or,
    when `url` is set (GONGBAO_WAREHOUSE_URL), the ducklake warehouse it names, its data on
    S3 with the `s3_*` settings. gongbao.store.open_store picks the backend."""

    base_dir: str
    url: str = ""
    s3_endpoint: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_region: str = "us-east-1"
    snapshot_days: int = 30  # GONGBAO_SNAPSHOT_DAYS: how far back the lake's maintenance keeps snapshots

    def settings(self) -> Settings:
        return Settings(warehouse_dir=Path(self.base_dir), warehouse_url=self.url, s3_endpoint=self.s3_endpoint,
                        s3_access_key_id=self.s3_access_key_id, s3_secret_access_key=self.s3_secret_access_key,
                        s3_region=self.s3_region, snapshot_days=self.snapshot_days)

    def store(self) -> WarehouseStore:
        return open_store(self.settings())

    @classmethod
    def for_settings(cls, settings: Settings) -> "WarehouseResource":
        settings.lake()  # a bad GONGBAO_WAREHOUSE_URL is said when the code location loads, not at a run
        return cls(base_dir=str(settings.warehouse_dir), url=settings.warehouse_url, s3_endpoint=settings.s3_endpoint,
                   s3_access_key_id=settings.s3_access_key_id, s3_secret_access_key=settings.s3_secret_access_key,
                   s3_region=settings.s3_region, snapshot_days=settings.snapshot_days)


class ReleaseResource(dg.ConfigurableResource):
    """Where open-data releases are written, one folder per content version."""

    base_dir: str

    def path(self) -> Path:
        return Path(self.base_dir)
