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
