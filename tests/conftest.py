from pathlib import Path

import pytest

from parsing.text.lines import Line, split_lines

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "raw"
GOLD = Path(__file__).resolve().parent / "gold"
# The five text samples keyed by gold/ (their names start with three digits); the published
# originals of gold/wild/ sit beside them in raw/ (tests/wild_keys.py).
SAMPLES = {p.name[:3]: p for p in sorted(RAW.glob("[0-9][0-9][0-9]_*.txt"))}


@pytest.fixture(autouse=True, scope="session")
def dagster_home(tmp_path_factory):
    """The CLI records runs in DAGSTER_HOME (default .dagster_home): the tests' runs go to a
    throwaway instance, not to the checkout's."""
    import os

    home = tmp_path_factory.mktemp("dagster_home")
    old = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home)
    yield home
    if old is None:
        os.environ.pop("DAGSTER_HOME", None)
    else:
        os.environ["DAGSTER_HOME"] = old


def pytest_collection_modifyitems(config, items):
    """Everything under tests/integration is slow: `pytest -m "not slow"` runs the rest in seconds."""
    for item in items:
        if "integration" in item.path.parts:
            item.add_marker(pytest.mark.slow)


def sample_lines(prefix: str) -> list[Line]:
    return split_lines(SAMPLES[prefix].read_bytes().decode("utf-8"))


def sample_line(prefix: str, no: int) -> Line:
    return sample_lines(prefix)[no - 1]


@pytest.fixture(scope="session")
def parsed():
    """Every sample bulletin parsed once: prefix → ParsedBulletin."""
    from parsing.bulletin import parse_bulletin

    return {k: parse_bulletin(p.read_bytes(), p.name) for k, p in SAMPLES.items()}


def copy_samples(folder: Path) -> Path:
    """A folder holding copies of the five text samples (the tests of runs count on their rows)."""
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    for path in SAMPLES.values():
        shutil.copy(path, folder)
    return folder


def raw_folder(tmp_path: Path, prefixes: tuple[str, ...]):
    """Settings for a raw folder holding the given samples and a warehouse beside it."""
    import shutil

    from gongbao.settings import Settings

    raw = tmp_path / "raw"
    raw.mkdir()
    for prefix in prefixes:
        shutil.copy(SAMPLES[prefix], raw)
    return Settings(raw_dir=raw, warehouse_dir=tmp_path / "warehouse")


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory):
    """Settings of a warehouse built once from the five text samples (tests only read it; the
    published originals of raw/ have tests of their own: tests/integration/test_published_forms.py)."""
    from gongbao.cli.main import main
    from gongbao.settings import Settings

    base = tmp_path_factory.mktemp("samples")
    settings = Settings(raw_dir=copy_samples(base / "raw"), warehouse_dir=base / "warehouse",
                        release_dir=base / "release")
    assert main(["build", "--raw", str(settings.raw_dir), "--warehouse", str(settings.warehouse_dir)]) == 0
    return settings


# --- real servers for the ducklake backend (tests/servers.py) -------------------------------

def _started(factory, what: str):
    """Enter a server's context, or skip (fail, under GONGBAO_REQUIRE_SYSTEM_TOOLS) when its
    binary is not installed."""
    import os

    from tests.servers import Missing

    manager = factory()
    try:
        return manager, manager.__enter__()
    except Missing as err:
        if os.environ.get("GONGBAO_REQUIRE_SYSTEM_TOOLS"):
            pytest.fail(f"{what}: {err} (GONGBAO_REQUIRE_SYSTEM_TOOLS is set: the ducklake tests must run)")
        pytest.skip(f"{what}: {err}")


@pytest.fixture(scope="session")
def pg_server():
    """A throwaway PostgreSQL cluster on 127.0.0.1 (the DuckLake catalog), stopped at the end."""
    from tests.servers import postgres

    manager, server = _started(postgres, "PostgreSQL")
    yield server
    manager.__exit__(None, None, None)


@pytest.fixture(scope="session")
def s3_server():
    """SeaweedFS on 127.0.0.1 with one S3 identity (the DuckLake data), stopped at the end."""
    from tests.servers import seaweedfs

    manager, server = _started(seaweedfs, "SeaweedFS")
    server.create_bucket("gongbao")
    yield server
    manager.__exit__(None, None, None)


_LAKES = iter(range(1, 10**6))


def lake_env(pg_server, s3_server, name: str) -> dict[str, str]:
    """The settings (environment variables) of a new, empty ducklake warehouse: its own catalog
    database and its own prefix in the bucket."""
    url = pg_server.create_database(name)
    return {"GONGBAO_WAREHOUSE_URL": f"ducklake:{url}?data=s3://gongbao/{name}/",
            "GONGBAO_S3_ENDPOINT": s3_server.endpoint, "GONGBAO_S3_ACCESS_KEY_ID": s3_server.access_key,
            "GONGBAO_S3_SECRET_ACCESS_KEY": s3_server.secret_key}


def backend_env(settings) -> dict[str, str]:
    """The environment the CLI needs to reach a settings' warehouse: a ducklake one's URL and S3
    access; an embedded one's folder (GONGBAO_WAREHOUSE_URL emptied)."""
    if not settings.warehouse_url:
        return {"GONGBAO_WAREHOUSE_DIR": str(settings.warehouse_dir), "GONGBAO_WAREHOUSE_URL": ""}
    return {"GONGBAO_WAREHOUSE_URL": settings.warehouse_url, "GONGBAO_S3_ENDPOINT": settings.s3_endpoint,
            "GONGBAO_S3_ACCESS_KEY_ID": settings.s3_access_key_id,
            "GONGBAO_S3_SECRET_ACCESS_KEY": settings.s3_secret_access_key}


@pytest.fixture(scope="session")
def sample_lake(pg_server, s3_server, tmp_path_factory):
    """The same five text samples built by `gongbao build` into a ducklake warehouse (PostgreSQL
    catalog, data on SeaweedFS): tests only read it, as they read `sample_warehouse`."""
    from dataclasses import replace

    from gongbao.cli.main import main
    from gongbao.settings import Settings

    base = tmp_path_factory.mktemp("lake_samples")
    env = lake_env(pg_server, s3_server, "built")
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        settings = replace(Settings.from_env(env), raw_dir=copy_samples(base / "raw"),
                           warehouse_dir=base / "warehouse", release_dir=base / "release")
        assert main(["build", "--raw", str(settings.raw_dir), "-q"]) == 0
    return settings


# The two warehouse backends, for fixtures that give a test each (`pytest -m ducklake`: the lake's)
BACKENDS = ["duckdb", pytest.param("ducklake", marks=pytest.mark.ducklake)]


def on_backend(request, monkeypatch, settings):
    """`settings` as they are for the embedded backend; for request.param "ducklake", moved onto a
    new, empty ducklake warehouse (its settings also in the environment, for the CLI)."""
    if request.param != "ducklake":
        return settings
    from dataclasses import replace

    from gongbao.settings import Settings

    env = lake_env(request.getfixturevalue("pg_server"), request.getfixturevalue("s3_server"),
                   f"lake{next(_LAKES)}")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    lake = Settings.from_env(env)
    return replace(settings, warehouse_url=lake.warehouse_url, s3_endpoint=lake.s3_endpoint,
                   s3_access_key_id=lake.s3_access_key_id, s3_secret_access_key=lake.s3_secret_access_key)


def warehouse_arg(settings) -> str:
    """What `--warehouse` takes for a settings' warehouse: the ducklake URL, or the folder."""
    return settings.warehouse_url or str(settings.warehouse_dir)


@pytest.fixture
def lake(pg_server, s3_server, monkeypatch, tmp_path):
    """Settings of a new ducklake warehouse (also set in the environment, for the CLI and the
    processes a test starts), with the five text samples in a raw folder."""
    from gongbao.settings import Settings

    env = lake_env(pg_server, s3_server, f"lake{next(_LAKES)}")
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("GONGBAO_WAREHOUSE_DIR", raising=False)
    raw = copy_samples(tmp_path / "raw")
    from dataclasses import replace

    return replace(Settings.from_env(env), raw_dir=raw, warehouse_dir=tmp_path / "warehouse",
                   release_dir=tmp_path / "release")


@pytest.fixture(scope="session")
def redis_server():
    """redis-server on 127.0.0.1 (the celery executor's broker), stopped at the end."""
    from tests.servers import redis

    manager, url = _started(redis, "Redis")
    yield url
    manager.__exit__(None, None, None)
