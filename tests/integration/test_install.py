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


def _readme_commands() -> list[str]:
    """The `.venv/bin/gongbao …` lines of the README's bash blocks, as written."""
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [ln for block in re.findall(r"```bash\n(.*?)```", text, re.S) for ln in block.splitlines()]
    return [ln.split("  #")[0].strip() for ln in lines if ln.startswith(".venv/bin/gongbao ")]


# Commands the README shows that this test does not run: the set-up itself (CI runs it before
# the tests), long-running servers (test_dagster_dev_shows_what_gongbao_build_did), and an
# example path on the reader's machine.
_NOT_RUN = (" ui", " daemon", "~/Downloads")


@pytest.mark.parametrize("command", [c for c in _readme_commands() if not any(s in c for s in _NOT_RUN)])
def test_every_readme_command_works_as_written(command, tmp_path):
    """Run from the checkout like a new user (after the README's build: warehouse/ exists)."""
    if not (ROOT / "warehouse" / "warehouse.duckdb").exists() or not (ROOT / ".venv" / "bin" / "gongbao").exists():
        if os.environ.get("CI"):
            pytest.fail("the README's build must run before the tests (.ci/run does)")
        pytest.skip("run the README's set-up first (.venv/bin/gongbao build)")
    env = {**os.environ, "GONGBAO_RELEASE_DIR": str(tmp_path / "release")}
    run = subprocess.run(command, shell=True, cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert run.returncode == 0, (command, run.stderr[-2000:])
    assert run.stdout.strip() or "release written" in run.stderr + run.stdout, command


def test_a_build_at_a_terminal_shows_progress(tmp_path):
    """On a terminal, a build of several files draws a progress bar (tqdm) on stderr."""
    script = shutil.which("script")
    if script is None:
        pytest.skip("util-linux `script` (a pseudo-terminal) is not installed")
    raw = tmp_path / "raw"
    raw.mkdir()
    for path in SAMPLES.values():
        shutil.copy(path, raw)
    log = tmp_path / "terminal.log"
    cmd = f"{sys.executable} -m gongbao.cli.main build --raw {raw} --warehouse {tmp_path / 'wh'}"
    subprocess.run([script, "-q", "-c", cmd, str(log)], cwd=ROOT, capture_output=True, timeout=600,
                   env={**os.environ, "DAGSTER_HOME": str(tmp_path / "dh")})
    screen = log.read_text(errors="replace")
    assert "/5 [" in screen and "file/s" in screen and "added 000_69ce87b22548801c.txt" in screen
