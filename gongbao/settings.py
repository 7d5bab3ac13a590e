"""Every setting of gongbao, read from the environment in this one place (the CLI's flags
override them). Nothing else reads a GONGBAO_ variable, and nothing reads one at import.

Relative defaults resolve against the working directory, never against the install
location, so an installed gongbao builds the `raw/` folder of the directory it runs in.
"""
from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass, field, replace
from pathlib import Path

DEFAULT_CRON = "0 6 * * *"  # daily at 06:00
DEFAULT_MAINTENANCE_CRON = "30 3 * * *"  # the ducklake warehouse's compaction, daily at 03:30
LAKE_SCHEMES = ("ducklake:postgres://", "ducklake:postgresql://")


class SettingError(ValueError):
    """A setting with a value gongbao cannot use: the message names the setting and why."""


@dataclass(frozen=True)
class LakeTarget:
    """The ducklake warehouse a GONGBAO_WAREHOUSE_URL names: a DuckLake catalog in a
    PostgreSQL database, its Parquet data under `data_path` (s3://bucket/prefix/ or a folder)."""
    host: str
    port: int
    database: str
    user: str
    password: str  # from the URL; empty: libpq's own ways (PGPASSWORD, ~/.pgpass)
    data_path: str
    s3_endpoint: str = ""  # host:port of an S3-compatible server; empty: AWS
    s3_use_ssl: bool = True
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_region: str = "us-east-1"

    def catalog(self) -> str:
        """The libpq connection string of the catalog database."""
        parts = {"host": self.host, "port": str(self.port), "dbname": self.database, "user": self.user,
                 "password": self.password}
        return " ".join(f"{k}={v}" for k, v in parts.items() if v)

    def display(self) -> str:
        """Where the warehouse is, without its password (for messages and metadata)."""
        who = f"{self.user}@" if self.user else ""
        return f"ducklake:postgres://{who}{self.host}:{self.port}/{self.database} (data {self.data_path})"


def lake_target(url: str, s3_endpoint: str = "", s3_access_key_id: str = "", s3_secret_access_key: str = "",
                s3_region: str = "") -> LakeTarget:
    """GONGBAO_WAREHOUSE_URL = ducklake:postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE?data=s3://BUCKET/PREFIX
    (or data=/absolute/folder), with the GONGBAO_S3_* settings for s3:// data."""
    name = "GONGBAO_WAREHOUSE_URL"
    if not url.startswith(LAKE_SCHEMES):
        raise SettingError(f"{name}={url!r}: not a warehouse URL; expected "
                           f"ducklake:postgres://USER@HOST:PORT/DATABASE?data=s3://BUCKET/PREFIX (or unset, for "
                           f"the embedded DuckDB warehouse in GONGBAO_WAREHOUSE_DIR)")
    parsed = urllib.parse.urlsplit(url.split(":", 1)[1])
    shown = url.replace(f":{parsed.password}@", ":***@") if parsed.password else url
    try:
        port = parsed.port or 5432
    except ValueError as err:
        raise SettingError(f"{name}={shown!r}: the port is not a number ({err})") from None
    database = urllib.parse.unquote(parsed.path.lstrip("/"))
    if not parsed.hostname or not database or "/" in database:
        raise SettingError(f"{name}={shown!r}: the catalog needs a host and a database name "
                           f"(ducklake:postgres://USER@HOST:PORT/DATABASE?data=…)")
    query = urllib.parse.parse_qs(parsed.query)
    unknown = sorted(set(query) - {"data"})
    if unknown:
        raise SettingError(f"{name}={shown!r}: unknown parameter(s) {', '.join(unknown)} (only data=… is read)")
    data = (query.get("data") or [""])[0]
    if not data:
        raise SettingError(f"{name}={shown!r}: no data=… parameter: where the Parquet files go "
                           f"(data=s3://BUCKET/PREFIX, or data=/absolute/folder)")
    if data.startswith("s3://"):
        if not data[5:].split("/", 1)[0]:
            raise SettingError(f"{name}={shown!r}: data={data} names no bucket")
        if not (s3_access_key_id and s3_secret_access_key):
            raise SettingError(f"{name}: data on {data} needs GONGBAO_S3_ACCESS_KEY_ID and "
                               f"GONGBAO_S3_SECRET_ACCESS_KEY (one of them is not set)")
    elif not Path(data).is_absolute():
        raise SettingError(f"{name}={shown!r}: data={data} is neither s3://… nor an absolute folder")
    endpoint, use_ssl = "", True
    if s3_endpoint:
        scheme, sep, rest = s3_endpoint.partition("://")
        if not sep or scheme not in ("http", "https") or not rest.strip("/"):
            raise SettingError(f"GONGBAO_S3_ENDPOINT={s3_endpoint!r}: expected http://HOST:PORT or "
                               f"https://HOST[:PORT]")
        endpoint, use_ssl = rest.strip("/"), scheme == "https"
    return LakeTarget(host=parsed.hostname, port=port, database=database,
                      user=urllib.parse.unquote(parsed.username or ""),
                      password=urllib.parse.unquote(parsed.password or ""),
                      data_path=data if data.endswith("/") else data + "/",
                      s3_endpoint=endpoint, s3_use_ssl=use_ssl, s3_access_key_id=s3_access_key_id,
                      s3_secret_access_key=s3_secret_access_key, s3_region=s3_region or "us-east-1")


def _at_least(env, name: str, default: int, least: int) -> int:
    value = (env.get(name) or "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < least:
        raise SettingError(f"{name}={value!r}: expected a whole number of at least {least}")
    return int(value)


def _raw_url(value: str) -> str:
    """GONGBAO_RAW_DIR=s3://BUCKET/PREFIX/, checked: a bucket is named."""
    bucket = value[len("s3://"):].split("/", 1)[0]
    if not bucket:
        raise SettingError(f"GONGBAO_RAW_DIR={value!r}: expected s3://BUCKET/PREFIX/ (or a folder)")
    return value.rstrip("/") + "/"


def _default_workers() -> int:
    return os.cpu_count() or 1


@dataclass(frozen=True)
class Settings:
    raw_dir: Path = field(default_factory=lambda: Path("raw").resolve())  # GONGBAO_RAW_DIR (a folder)
    # GONGBAO_RAW_DIR=s3://BUCKET/PREFIX/: the raw store in object storage (gongbao/store/raw.py),
    # reached with the GONGBAO_S3_* settings below; raw_dir is then not used
    raw_url: str = ""
    warehouse_dir: Path = field(default_factory=lambda: Path("warehouse").resolve())  # GONGBAO_WAREHOUSE_DIR
    # GONGBAO_WAREHOUSE_URL: empty, the embedded DuckDB warehouse in warehouse_dir; else a ducklake
    # warehouse (see lake_target) with the S3 settings below for its data
    warehouse_url: str = ""
    s3_endpoint: str = ""  # GONGBAO_S3_ENDPOINT: http(s)://host:port of an S3-compatible server; empty: AWS
    s3_access_key_id: str = ""  # GONGBAO_S3_ACCESS_KEY_ID
    s3_secret_access_key: str = field(default="", repr=False)  # GONGBAO_S3_SECRET_ACCESS_KEY
    s3_region: str = "us-east-1"  # GONGBAO_S3_REGION
    maintenance_cron: str = DEFAULT_MAINTENANCE_CRON  # GONGBAO_MAINTENANCE_CRON: compaction of a ducklake warehouse
    # GONGBAO_SNAPSHOT_DAYS: the maintenance expires the lake's snapshots older than this (time
    # travel reaches back as far) and deletes the data files only they read
    snapshot_days: int = 30
    # GONGBAO_EXECUTOR: how the Dagster runs the daemon launches execute their steps: in_process
    # (default) or celery (steps sent to celery workers through GONGBAO_CELERY_BROKER, e.g. Redis)
    executor: str = "in_process"
    celery_broker: str = ""  # GONGBAO_CELERY_BROKER: redis://host:port/0
    celery_backend: str = ""  # GONGBAO_CELERY_BACKEND: where results go (default: the broker)
    # with the celery executor, `gongbao build` cuts the bulletins into runs of GONGBAO_BATCH_SIZE,
    # GONGBAO_RUNS_AT_ONCE of them in flight (about one per worker), which the workers share
    batch_size: int = 200
    runs_at_once: int = 2
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

        raw = (env.get("GONGBAO_RAW_DIR") or "").strip()
        return cls(
            raw_dir=path("GONGBAO_RAW_DIR", "raw") if not raw.startswith("s3://") else Path("raw").resolve(),
            raw_url=_raw_url(raw) if raw.startswith("s3://") else "",
            warehouse_dir=path("GONGBAO_WAREHOUSE_DIR", "warehouse"),
            release_dir=path("GONGBAO_RELEASE_DIR", "release"),
            ingest_cron=env.get("GONGBAO_INGEST_CRON") or DEFAULT_CRON,
            warehouse_url=(env.get("GONGBAO_WAREHOUSE_URL") or "").strip(),
            s3_endpoint=(env.get("GONGBAO_S3_ENDPOINT") or "").strip(),
            s3_access_key_id=env.get("GONGBAO_S3_ACCESS_KEY_ID") or "",
            s3_secret_access_key=env.get("GONGBAO_S3_SECRET_ACCESS_KEY") or "",
            s3_region=env.get("GONGBAO_S3_REGION") or "us-east-1",
            maintenance_cron=env.get("GONGBAO_MAINTENANCE_CRON") or DEFAULT_MAINTENANCE_CRON,
            snapshot_days=_at_least(env, "GONGBAO_SNAPSHOT_DAYS", 30, 0),
            executor=(env.get("GONGBAO_EXECUTOR") or "in_process").strip(),
            celery_broker=(env.get("GONGBAO_CELERY_BROKER") or "").strip(),
            celery_backend=(env.get("GONGBAO_CELERY_BACKEND") or "").strip(),
            batch_size=_at_least(env, "GONGBAO_BATCH_SIZE", 200, 1),
            runs_at_once=_at_least(env, "GONGBAO_RUNS_AT_ONCE", 2, 1),
            workers=int(env.get("GONGBAO_WORKERS") or _default_workers()),
            dagster_home=path("DAGSTER_HOME", ".dagster_home"),
        )

    def raw_location(self) -> str | Path:
        """Where bulletin files come from: the s3:// prefix, else the folder."""
        return self.raw_url or self.raw_dir

    def lake(self) -> LakeTarget | None:
        """The ducklake warehouse of GONGBAO_WAREHOUSE_URL, checked (SettingError when it cannot be
        used); None: the embedded DuckDB warehouse in warehouse_dir."""
        if not self.warehouse_url:
            return None
        return lake_target(self.warehouse_url, self.s3_endpoint, self.s3_access_key_id, self.s3_secret_access_key,
                           self.s3_region)

    def celery(self) -> dict[str, str] | None:
        """The celery executor's broker and backend when GONGBAO_EXECUTOR=celery (checked:
        SettingError); None: steps run in the run's own process."""
        if self.executor == "in_process":
            return None
        if self.executor != "celery":
            raise SettingError(f"GONGBAO_EXECUTOR={self.executor!r}: expected in_process (the default) or celery")
        for name, url in (("GONGBAO_CELERY_BROKER", self.celery_broker), ("GONGBAO_CELERY_BACKEND", self.celery_backend)):
            if url and not url.startswith(("redis://", "rediss://", "amqp://", "pyamqp://")):
                raise SettingError(f"{name}={url!r}: expected redis://HOST:PORT/DB (or amqp://…)")
        if not self.celery_broker:
            raise SettingError("GONGBAO_EXECUTOR=celery needs GONGBAO_CELERY_BROKER (e.g. redis://HOST:6379/0)")
        return {"broker": self.celery_broker, "backend": self.celery_backend or self.celery_broker}

    def with_overrides(self, **paths: Path | str | None) -> "Settings":
        """These settings with the CLI's flags (those given) in place of the environment's values.
        A `--warehouse` that is a ducklake URL sets the URL; a folder sets the embedded warehouse
        (and so overrides a GONGBAO_WAREHOUSE_URL of the environment)."""
        given = {k: v for k, v in paths.items() if v is not None}
        warehouse = given.pop("warehouse_dir", None)
        raw = given.pop("raw_dir", None)
        out = replace(self, **{k: Path(v).resolve() for k, v in given.items()})
        if raw is not None:
            out = (replace(out, raw_url=_raw_url(str(raw))) if str(raw).startswith("s3://")
                   else replace(out, raw_dir=Path(raw).resolve(), raw_url=""))
        if warehouse is not None:
            if str(warehouse).startswith(LAKE_SCHEMES):
                out = replace(out, warehouse_url=str(warehouse))
            else:
                out = replace(out, warehouse_dir=Path(warehouse).resolve(), warehouse_url="")
        return out
