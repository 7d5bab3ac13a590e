"""The first hour of a new user, for real: a normal (non-editable) install of the built
wheel builds the warehouse from another folder, and `dagster dev` shows what `gongbao build`
did (one Dagster instance, the folder's .dagster_home)."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLES


def test_the_wheel_installs_and_builds_from_another_folder(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT), "-w", str(dist)],
                   check=True, capture_output=True, cwd=tmp_path)
    [wheel] = dist.glob("gongbao-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # The new environment gets the test environment's dependencies (not its gongbao: an
    # editable install is a .pth finder, which a path added this way does not run) ...
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # ... and gongbao from the wheel alone.
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
                   check=True, capture_output=True)
    work = tmp_path / "work"
    (work / "raw").mkdir(parents=True)
    for prefix in ("000", "003"):
        shutil.copy(SAMPLES[prefix], work / "raw")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GONGBAO_", "PYTHONPATH"))}
    env["DAGSTER_HOME"] = str(tmp_path / "dagster_home")
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import gongbao.store.sql_layer as m; print(m.__file__)"],
                           capture_output=True, text=True, check=True, cwd=work, env=env).stdout
    assert where.startswith(str(site))  # the installed copy, not the checkout
    run = subprocess.run([str(venv / "bin" / "gongbao"), "build", "-q"], capture_output=True, text=True,
                         cwd=work, env=env, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert (work / "warehouse" / "warehouse.duckdb").exists()  # beside raw/, not in site-packages
    out = subprocess.run([str(venv / "bin" / "gongbao"), "sql", "select count(*) as n from document_details",
                          "--format", "json"], capture_output=True, text=True, cwd=work, env=env, check=True)
    assert json.loads(out.stdout) == [{"n": 7}]  # 000's six documents and 003's one, through a view


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.parametrize("how", ["gongbao ui", "dagster dev"])
def test_dagster_dev_shows_what_gongbao_build_did(tmp_path, how):
    """`gongbao ui`, or `dagster dev` with DAGSTER_HOME set as the README says, answers on
    localhost and shows the partitions `gongbao build` materialized."""
    dagster = Path(sys.executable).with_name("dagster")
    if not dagster.exists():
        pytest.skip("dagster's command is not installed beside this Python")
    raw = tmp_path / "raw"
    raw.mkdir()
    for prefix in ("000", "004"):
        shutil.copy(SAMPLES[prefix], raw)
    env = {**os.environ, "GONGBAO_RAW_DIR": str(raw), "GONGBAO_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
           "GONGBAO_RELEASE_DIR": str(tmp_path / "release")}
    env.pop("DAGSTER_HOME", None)  # the default: .dagster_home of the folder both commands run in
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(ROOT / "workspace.yaml", work)
    env["PYTHONPATH"] = str(ROOT)
    built = subprocess.run([sys.executable, "-m", "gongbao.cli.main", "build", "-q"], cwd=work, env=env,
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-2000:]
    assert (work / ".dagster_home" / "dagster.yaml").exists()
    port = _free_port()
    if how == "gongbao ui":
        cmd = [sys.executable, "-m", "gongbao.cli.main", "ui", "--port", str(port)]
    else:
        cmd = [str(dagster), "dev", "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)]
        env = {**env, "DAGSTER_HOME": str(work / ".dagster_home")}
    server = subprocess.Popen(cmd, cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        deadline, stats = time.monotonic() + 240, None
        query = ('{ assetNodeOrError(assetKey: {path: ["bulletin_extracts"]}) { ... on AssetNode { '
                 'partitionStats { numMaterialized numPartitions } } } }')
        while time.monotonic() < deadline:
            try:
                stats = _graphql(port, query)["data"]["assetNodeOrError"]["partitionStats"]
                break
            except Exception:  # noqa: BLE001 - the server is still starting
                time.sleep(2)
        assert stats == {"numMaterialized": 2, "numPartitions": 2}, stats
    finally:
        os.killpg(server.pid, 15)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
