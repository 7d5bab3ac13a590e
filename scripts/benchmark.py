"""Throughput and memory of a full `gongbao build` on a scaled corpus, and the cost of
ingesting one new bulletin.

    python scripts/benchmark.py [--bulletins 1000] [--out bench/]   # full build
    python scripts/benchmark.py --ingest [--bulletins 1000]          # one bulletin: full vs empty warehouse
    python scripts/benchmark.py --big-mb 50                          # one 50 MB bulletin, into an empty warehouse
    python scripts/benchmark.py --views [--bulletins 1000]           # after the build: latency of each view
    python scripts/benchmark.py --startup warehouse                  # `gongbao --help`, `gongbao sql "select 1"`
    python scripts/benchmark.py --publish [--bulletins 1000]         # after the build: `gongbao publish` of it
    python scripts/benchmark.py --publish --reuse [--out bench/]     # publish the warehouse already in --out
    python scripts/benchmark.py --ingest --reuse [--out bench/]      # ingest into it (the new bulletins stay)
    python scripts/benchmark.py --readers                            # the readers of published forms (raw/)
    python scripts/benchmark.py --events [--bulletins 1000]          # Dagster's bookkeeping alone, both event logs
    python scripts/benchmark.py --celery 2 [--backend ducklake]       # the build on 2 celery workers (Redis)

Generates N bulletins from the five text samples of raw/ (`raw/[0-9][0-9][0-9]_*.txt`, not the
published originals beside them; the digits of body lines are shifted per copy and a numbered
last line added, so no two files are equal and none is skipped as a duplicate), builds the
warehouse from them in one in-process Dagster run, and prints bulletins/s, MB/s, CPU seconds
and peak memory (RSS). CPU seconds (user + system: of this process, and of the parsing
workers, read from the forkserver that reaps them) are the figure to trust on a shared
machine; wall seconds grow with the other load. `--publish` times `gongbao publish` in a
process of its own (wait4: its CPU, wall and peak RSS). Figures are recorded in
docs/benchmark.md.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def seeds() -> list[Path]:
    """The five text samples the corpus is made from (raw/ also holds published originals:
    PDF, HTML, DOCX and text files that are not seeds, so the figures stay comparable)."""
    found = sorted((ROOT / "raw").glob("[0-9][0-9][0-9]_*.txt"))
    assert found, "no samples raw/NNN_*.txt"
    return found


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _proc_children(pid: int) -> list[int]:
    """Live children of `pid`, from /proc: each of its threads' `children` list where the kernel
    keeps one (CONFIG_PROC_CHILDREN), else every process's parent read from its stat. The
    worker sampler asks every second, in the benchmarked process: reading every stat of /proc
    (~1.5 ms a scan, three scans a tick) was CPU charged to the build."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
        if os.path.exists(f"/proc/{pid}/task/{tasks[0]}/children"):
            out = []
            for task in tasks:
                with contextlib.suppress(OSError):
                    out += map(int, Path(f"/proc/{pid}/task/{task}/children").read_text().split())
            return out
    except (OSError, IndexError):
        return []
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2:].split()[1]) == pid:
                out.append(int(entry))
    return out


def descendants_cpu_seconds() -> float:
    """CPU seconds of this process's children, the live ones included: the parsing workers
    are children of the forkserver, which lives until this process ends and reaps them, so
    they count in its cutime/cstime (/proc/<pid>/stat), not in RUSAGE_CHILDREN."""
    ticks = 0
    for pid in _proc_children(os.getpid()):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        ticks += sum(int(x) for x in stat[stat.rindex(")") + 2:].split()[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK") + cpu_seconds(resource.RUSAGE_CHILDREN)


class WorkerMemory:
    """Peak RSS of the parsing workers (grandchildren, under the forkserver), sampled from
    /proc/<pid>/status VmHWM every `every` seconds while the build runs."""

    def __init__(self, every: float = 1.0):
        import threading

        self.peak_kib, self._every, self._stop = 0, every, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            for child in _proc_children(os.getpid()):
                for worker in _proc_children(child):
                    try:
                        hwm = next(ln for ln in Path(f"/proc/{worker}/status").read_text().splitlines()
                                   if ln.startswith("VmHWM:"))
                    except (OSError, StopIteration):
                        continue
                    self.peak_kib = max(self.peak_kib, int(hwm.split()[1]))

    def __enter__(self) -> "WorkerMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def shifted(seed: Path, shift: int) -> str:
    """The seed's text with the digits of its long body lines shifted: titles, numbers and
    dates keep their structure, the bytes differ."""
    lines = [re.sub(r"\d", lambda m: str((int(m[0]) + shift) % 10), ln) if len(ln) > 40 else ln
             for ln in seed.read_text(encoding="utf-8").split("\n")]
    return "\n".join(lines)


def make_corpus(out: Path, n: int) -> int:
    samples = seeds()
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(n):
        seed = samples[i % len(samples)]
        # Shifts repeat every ten copies: the last line keeps every file's bytes distinct.
        data = (shifted(seed, i // len(samples) + 1) + f"\n(copy {i})\n").encode("utf-8")
        (out / f"bench_{i:05d}_{seed.stem[:3]}.txt").write_bytes(data)
        total += len(data)
    return total


def make_big_bulletin(path: Path, megabytes: float) -> int:
    """One bulletin of about `megabytes` MB: the first sample's documents over and over."""
    seed = seeds()[0]
    parts, size, shift = [], 0, 0
    while size < megabytes * 1e6:
        shift += 1
        parts.append(shifted(seed, shift))
        size += len(parts[-1].encode("utf-8"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes("\n".join(parts).encode("utf-8"))
    return path.stat().st_size


def timed_ingest(settings, file: Path, instance) -> float:
    from gongbao.cli.runs import ingest

    t = time.perf_counter()
    [result] = ingest(settings, [file], instance)
    elapsed = time.perf_counter() - t
    assert result.success, "benchmark ingest failed"
    return elapsed


def command_seconds(settings, file: Path) -> float:
    """`gongbao ingest FILE` as a user runs it: a new process, imports and all."""
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "gongbao.cli.main", "ingest", str(file), "--raw", str(settings.raw_dir),
                    "--warehouse", str(settings.warehouse_dir)], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t


def _lake_env(settings) -> dict[str, str]:
    """The environment a `gongbao` command on this ducklake warehouse runs with (its own Dagster home)."""
    return {**os.environ, "PYTHONWARNINGS": "ignore", "DAGSTER_HOME": tempfile.mkdtemp(prefix="gongbao-dagster-"),
            "GONGBAO_WAREHOUSE_URL": settings.warehouse_url, "GONGBAO_S3_ENDPOINT": settings.s3_endpoint,
            "GONGBAO_S3_ACCESS_KEY_ID": settings.s3_access_key_id,
            "GONGBAO_S3_SECRET_ACCESS_KEY": settings.s3_secret_access_key}


def concurrent_ingest_figures(args, settings) -> dict:
    """Two `gongbao ingest` commands at once into the ducklake warehouse (each its own process
    and transaction) while a reader counts bulletins on its snapshots, against one alone: the
    seconds of each, whether both landed every row, and what the reader saw."""
    from gongbao.store import open_store
    from gongbao.store.connection import read_only

    folder = args.out / "concurrent"
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i, (seed, shift) in enumerate(((0, 9_997), (1, 9_996), (2, 9_995))):
        files.append(folder / f"concurrent_{i}.txt")
        files[-1].write_text(shifted(seeds()[seed], shift), encoding="utf-8")

    def command(file: Path) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "gongbao.cli.main", "ingest", str(file), "--raw",
                                 str(settings.raw_dir), "-q"], cwd=ROOT, env=_lake_env(settings),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def timed(procs: list[subprocess.Popen], t: float) -> list[float]:
        """Seconds from `t` until each process ended (waited for at once, each in a thread)."""
        ended: dict[int, float] = {}

        def wait(proc: subprocess.Popen) -> None:
            proc.wait()
            ended[proc.pid] = time.perf_counter() - t

        threads = [threading.Thread(target=wait, args=(p,)) for p in procs]
        for thread in threads:
            thread.start()
        for thread, proc in zip(threads, procs):
            thread.join()
            err = proc.stderr.read()
            assert proc.returncode == 0, f"benchmark ingest failed: {err.decode()[-3000:]}"
        return [ended[p.pid] for p in procs]

    store = open_store(settings)

    def bulletins() -> int:
        with store.reader() as con:
            return con.execute("select count(*) from bulletins").fetchone()[0]

    before = bulletins()
    t = time.perf_counter()
    [alone] = timed([command(files[0])], t)
    seen, errors, done = [], [], threading.Event()

    def reader() -> None:
        reading = read_only(settings)
        while not done.is_set():
            try:
                with reading.reader() as con:
                    seen.append(con.execute("select count(*) from bulletins").fetchone()[0])
            except Exception as err:  # noqa: BLE001 - counted: the figure is "the reader never errors"
                errors.append(f"{type(err).__name__}: {err}")
            time.sleep(0.1)

    thread = threading.Thread(target=reader)
    thread.start()
    t = time.perf_counter()
    try:
        both = timed([command(files[1]), command(files[2])], t)
    finally:
        done.set()
        thread.join()
    return {"command_alone_s": round(alone, 2), "two_at_once_s": [round(x, 2) for x in both],
            "two_at_once_landed": bulletins() - before - 1 == 2, "reader_snapshots": len(seen),
            "reader_in_order": seen == sorted(seen), "reader_errors": len(errors)}


def compacted_ingest_figures(args, settings, instance, into_empty: float) -> dict:
    """The lake's maintenance (`gongbao compact`'s merge of small files, no snapshot expired)
    timed, then new bulletins into the merged lake (the median) against the empty-lake median."""
    from gongbao.store import open_store

    t = time.perf_counter()
    try:
        merged = open_store(settings).maintain()
    except Exception as err:  # noqa: BLE001 - a figure too: the run's other figures are kept
        return {"compact_error": f"{type(err).__name__}: {err}"[:500]}
    compact = time.perf_counter() - t
    after, _ = ingest_rounds(args, settings, instance, None, None, name="after_compaction")
    return {"compact_s": round(compact, 1), "data_files_before": merged["files_before"],
            "data_files_after": merged["files_after"], "ingest_after_compaction_s": _median(after),
            "ratio_after_compaction": round(_median(after) / into_empty, 2)}


VIEW_QUERIES = {  # one typical question per view, as a data team would ask it
    "document_details": "select * from document_details where doc_type = '意见' order by signed_date desc limit 20",
    "indicator_plans": "select * from indicator_plans where nature = '约束性' and target_value is not null",
    "budgets_by_funder_year": "select * from budgets_by_funder_year order by total_yuan desc limit 20",
    "subsidies_by_beneficiary": "select * from subsidies_by_beneficiary where per = '每生每年'",
    "citation_graph": "select * from citation_graph where cited_doc_number = '国发〔2013〕18号'",
    "search_documents": "select * from search_documents(['健康', '医疗', '大', '数据']) limit 10",
}


def view_latency(db: Path, rounds: int = 5) -> dict:
    """Median seconds of each view's query on a read-only connection, after one warm-up."""
    import statistics

    import duckdb

    out = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for view, sql in VIEW_QUERIES.items():
            con.sql(sql).fetchall()
            times = []
            for _ in range(rounds):
                t = time.perf_counter()
                con.sql(sql).fetchall()
                times.append(time.perf_counter() - t)
            out[f"{view}_s"] = round(statistics.median(times), 3)
    return out


@contextlib.contextmanager
def test_instance(args):
    """A throwaway Dagster instance configured as `gongbao` configures its own (the batched
    event log, pipelines/event_log.py), or with Dagster's default one (`--plain-event-log`)."""
    import dagster as dg

    from pipelines.event_log import enable_event_batches, storage_overrides

    with tempfile.TemporaryDirectory(prefix="gongbao-dagster-") as home:
        if not args.plain_event_log:
            enable_event_batches()
        with dg.instance_for_test(temp_dir=home, overrides=None if args.plain_event_log
                                  else storage_overrides(home)) as instance:
            yield instance


INGEST_ROUNDS = 3  # new bulletins timed into each warehouse, in turns: the median (one ingest is ~5 s on a noisy machine)


def ingest_rounds(args, full, instance, empty, fresh, name: str = "new_bulletin") -> tuple[list[float], list[float]]:
    """Seconds of INGEST_ROUNDS new bulletins into `full`, each then into `empty` (full, empty,
    full, …: the machine's moods fall on both alike)."""
    into_full, into_empty = [], []
    for i in range(INGEST_ROUNDS):
        new = args.out / "new" / f"{name}_{i}.txt"
        new.parent.mkdir(parents=True, exist_ok=True)
        new.write_text(shifted(seeds()[4 - i], 9_999 - i) + f"\n({name} {i})\n", encoding="utf-8")  # a text of its own
        into_full.append(timed_ingest(full, new, instance))
        if empty is not None:
            into_empty.append(timed_ingest(empty, new, fresh))
    return into_full, into_empty


def _median(seconds: list[float]) -> float:
    import statistics

    return round(statistics.median(seconds), 2)


def ingest_figures(args, instance, full) -> dict:
    """New bulletins into the built warehouse, against the same into an empty one (medians of
    INGEST_ROUNDS, taken in turns)."""
    from gongbao.settings import Settings

    empty = Settings(raw_dir=args.out / "empty" / "raw", warehouse_dir=args.out / "empty" / "warehouse")
    if full.warehouse_url:  # an empty lake on the same servers
        empty = replace(empty, **lake_settings(None, "empty"))
    with test_instance(args) as fresh:
        into_full, into_empty = ingest_rounds(args, full, instance, empty, fresh)
    figures = {"ingest_into_full_s": _median(into_full), "ingest_into_empty_s": _median(into_empty),
               "ratio": round(_median(into_full) / _median(into_empty), 2),
               "ingest_rounds_full_s": [round(x, 2) for x in into_full],
               "ingest_rounds_empty_s": [round(x, 2) for x in into_empty]}
    if full.warehouse_url:
        from gongbao.store import open_store

        with open_store(full).reader() as con:
            rows = con.execute("select count(*) from bulletin_lines").fetchone()[0]
        return {"bulletin_lines_rows": rows, **figures, **concurrent_ingest_figures(args, full),
                **compacted_ingest_figures(args, full, instance, _median(into_empty))}
    new2 = args.out / "new" / "new_bulletin_command.txt"
    new2.write_text(shifted(seeds()[3], 9_999), encoding="utf-8")  # as before: not one of the rounds' texts
    return {
        "warehouse_mb": round(sum(f.stat().st_size for f in full.warehouse_dir.rglob("*") if f.is_file()) / 1e6, 1),
        "duckdb_mb": round((full.warehouse_dir / "warehouse.duckdb").stat().st_size / 1e6, 1),
        **figures, "command_into_full_s": round(command_seconds(full, new2), 2),
    }


def _own_peak_kib(pid: int, program: str, peak: list[int], done: threading.Event) -> None:
    """The child's VmHWM, sampled until it ends, once it runs `program` (after exec: before it,
    the child is a copy of this process, whose pages wait4's ru_maxrss counts as the child's:
    a publish started from a benchmark of 4.4 GiB was reported at 4.4 GiB)."""
    while not done.wait(0.2):
        try:
            if program not in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
                continue
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peak[0] = max(peak[0], int(line.split()[1]))


def timed_process(cmd: list[str], log: Path) -> dict:
    """Run `cmd` as a child: CPU seconds from wait4, wall seconds, and peak RSS of that process
    alone (its VmHWM after exec; not of this one, nor of the parsing workers)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        peak, done = [0], threading.Event()
        sampler = threading.Thread(target=_own_peak_kib, args=(proc.pid, cmd[2], peak, done), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
        done.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == 0, f"{cmd} failed: see {log}"
    return {"cpu_s": round(usage.ru_utime + usage.ru_stime, 1), "wall_s": round(wall, 1),
            "peak_rss_mib": round(peak[0] / 1024)}


def publish_figures(warehouse: Path, release_dir: Path) -> dict:
    """`gongbao publish` of the warehouse, as a command in a process of its own (so the build's
    memory does not count)."""
    shutil.rmtree(release_dir, ignore_errors=True)
    run = timed_process([sys.executable, "-m", "gongbao.cli.main", "publish", "--warehouse", str(warehouse),
                         "--out", str(release_dir)], release_dir.with_name("publish.log"))
    files = [f for f in release_dir.rglob("*") if f.is_file()]
    return {f"publish_{k}": v for k, v in run.items()} | {
        "release_mb": round(sum(f.stat().st_size for f in files) / 1e6, 1), "release_files": len(files)}


# The published originals of raw/ that the readers are timed on (tests/gold/wild has their keys).
READER_FILES = {
    "pdf": "hebei_shijiazhuang_2018_budget_report.pdf",
    "html": ["shanxi_lvliang_2018_budget_report.html", "statecouncil_2018_guofa39_employment.html",
             "xinjiang_aksu_2025_statistical_communique.html"],
    "docx": "hebei_chengde_2025_budget_report.docx",
}
OCR_PAGES = [4, 5]  # text pages of the PDF, rendered to an image-only PDF (as tests/unit/test_read_pdf.py)


def _timed_read(data: bytes, name: str, rounds: int) -> tuple[float, float, object]:
    """Least CPU seconds (this process and its children: tesseract) and wall seconds of
    `read_file` over `rounds` reads, after one warm-up read (imports, dictionaries)."""
    from parsing.reading import read_file

    read = read_file(data, name)
    cpu, wall = [], []
    for _ in range(rounds):
        c, t = cpu_seconds(resource.RUSAGE_SELF) + cpu_seconds(resource.RUSAGE_CHILDREN), time.perf_counter()
        read = read_file(data, name)
        wall.append(time.perf_counter() - t)
        cpu.append(cpu_seconds(resource.RUSAGE_SELF) + cpu_seconds(resource.RUSAGE_CHILDREN) - c)
    return min(cpu), min(wall), read




def reader_figures(rounds: int = 3) -> dict:
    """Speed of each reader of published forms on the real files of raw/ (CPU; wall beside)."""
    raw = ROOT / "raw"
    pdf = (raw / READER_FILES["pdf"]).read_bytes()
    cpu, wall, read = _timed_read(pdf, READER_FILES["pdf"], rounds)
    figures = {"pdf_pages": read.page_count, "pdf_pages_per_s": round(read.page_count / cpu),
               "pdf_pages_per_s_wall": round(read.page_count / wall)}
    from tests.scans import scanned_pdf

    scan = scanned_pdf(pdf, OCR_PAGES)
    cpu, wall, read = _timed_read(scan, "scan.pdf", 1)
    assert read.ocr_pages == list(range(1, len(OCR_PAGES) + 1)), "OCR did not run: is tesseract installed?"
    figures |= {"ocr_s_per_page": round(cpu / len(OCR_PAGES), 2),
                "ocr_s_per_page_wall": round(wall / len(OCR_PAGES), 2)}
    for kind in ("html", "docx"):
        names = READER_FILES[kind] if isinstance(READER_FILES[kind], list) else [READER_FILES[kind]]
        size = cpu = wall = 0.0
        for name in names:
            data = (raw / name).read_bytes()
            c, w, _ = _timed_read(data, name, rounds)
            size, cpu, wall = size + len(data), cpu + c, wall + w
        figures |= {f"{kind}_mb": round(size / 1e6, 2), f"{kind}_mb_per_s": round(size / 1e6 / cpu, 2),
                    f"{kind}_mb_per_s_wall": round(size / 1e6 / wall, 2)}
    return figures


def startup_figures(warehouse: Path, rounds: int = 5) -> dict:
    """Seconds (best of `rounds`, wall) of the commands a user types first: `gongbao --help`,
    and `gongbao sql "select 1"` on a warehouse (a new process each time, imports included)."""
    gongbao = str(Path(sys.executable).with_name("gongbao"))
    commands = {"help_s": [gongbao, "--help"],
                "sql_select_1_s": [gongbao, "sql", "select 1", "--warehouse", str(warehouse)]}
    out = {}
    for name, cmd in commands.items():
        best = float("inf")
        for _ in range(rounds):
            started = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            best = min(best, time.perf_counter() - started)
        out[name] = round(best, 3)
    return out


def event_log_figures(n: int) -> dict:
    """Dagster's bookkeeping alone: a run of an asset that does nothing, partitioned like
    `bulletin_extracts` (n dynamic partitions, one single-run backfill), on Dagster's own sqlite
    event log and on the batched one; CPU of this process per partition."""
    import dagster as dg

    from pipelines.event_log import BATCH_VARIABLE, enable_event_batches, storage_overrides

    parts = dg.DynamicPartitionsDefinition(name="bulletins")

    @dg.asset(partitions_def=parts, backfill_policy=dg.BackfillPolicy.single_run())
    def nothing() -> None:
        return None

    job = dg.Definitions(assets=[nothing], jobs=[dg.define_asset_job("j", [nothing])]).resolve_job_def("j")
    keys = [f"b{i:06d}" for i in range(n)]
    out = {"partitions": n}
    for name in ("plain", "batched"):
        with tempfile.TemporaryDirectory(prefix="gongbao-events-") as home:
            if name == "batched":
                enable_event_batches()
            else:
                os.environ.pop(BATCH_VARIABLE, None)
            with dg.instance_for_test(temp_dir=home, overrides=storage_overrides(home) if name == "batched"
                                      else None) as instance:
                instance.add_dynamic_partitions(parts.name, keys)
                cpu, wall = cpu_seconds(resource.RUSAGE_SELF), time.perf_counter()
                result = job.execute_in_process(instance=instance, tags={
                    "dagster/asset_partition_range_start": keys[0], "dagster/asset_partition_range_end": keys[-1]},
                    run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}})
                cpu, wall = cpu_seconds(resource.RUSAGE_SELF) - cpu, time.perf_counter() - wall
                assert result.success and len(instance.get_materialized_partitions(nothing.key)) == n
                events = len(instance.all_logs(result.run_id))
        out[name] = {"cpu_s": round(cpu, 2), "wall_s": round(wall, 2), "events": events,
                     "cpu_ms_per_partition": round(1000 * cpu / n, 2)}
    out["cpu_ratio"] = round(out["plain"]["cpu_s"] / out["batched"]["cpu_s"], 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bulletins", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=ROOT / "bench")
    ap.add_argument("--documents-only", action="store_true",
                    help="baseline: switch off tables and numbers (indicators, budgets, subsidies)")
    ap.add_argument("--ingest", action="store_true",
                    help="after the build, time `gongbao ingest` of one new bulletin into it and into an empty "
                         "warehouse")
    ap.add_argument("--views", action="store_true", help="after the build, time a query on each view")
    ap.add_argument("--publish", action="store_true",
                    help="after the build, time `gongbao publish` of the warehouse in a process of its own")
    ap.add_argument("--reuse", action="store_true",
                    help="with --ingest and/or --publish: no corpus or build, the embedded warehouse already in "
                         "--out")
    ap.add_argument("--readers", action="store_true",
                    help="instead of a build, time the readers of published forms on the real files of raw/")
    ap.add_argument("--startup", type=Path, default=None, metavar="WAREHOUSE",
                    help="instead of a build, time `gongbao --help` and `gongbao sql \"select 1\"` on WAREHOUSE")
    ap.add_argument("--workers", type=int, default=None,
                    help="parsing processes (GONGBAO_WORKERS; default one per core, 0 = in the run's process)")
    ap.add_argument("--plain-event-log", action="store_true",
                    help="Dagster's own sqlite event log, one transaction an event (the figure before issue 17)")
    ap.add_argument("--events", action="store_true",
                    help="instead of a build, Dagster's bookkeeping alone for --bulletins partitions, on both event logs")
    ap.add_argument("--backend", choices=("duckdb", "ducklake"), default="duckdb",
                    help="the warehouse: embedded (default), or ducklake on a PostgreSQL and a SeaweedFS the "
                         "benchmark starts (tests/servers.py)")
    ap.add_argument("--big-mb", type=float, default=0,
                    help="instead of a corpus, ingest one bulletin of this many MB into an empty warehouse")
    ap.add_argument("--celery", type=int, default=0, metavar="N",
                    help="instead of an in-process build, `gongbao build` with its steps on N celery workers "
                         "(Redis started by the benchmark)")
    args = ap.parse_args()
    if args.documents_only and args.workers is None:
        args.workers = 0  # the extractors are switched off in this process only
    if args.workers is not None:
        os.environ["GONGBAO_WORKERS"] = str(args.workers)
    if args.readers:
        print(json.dumps(reader_figures(), indent=1))
        return
    if args.startup:
        print(json.dumps(startup_figures(args.startup), indent=1))
        return
    if args.events:
        print(json.dumps(event_log_figures(args.bulletins), indent=1))
        return
    raw, wh = args.out / "raw", args.out / "warehouse"
    if args.reuse:
        print(json.dumps(reused_figures(args, raw, wh), indent=1))
        return
    shutil.rmtree(args.out, ignore_errors=True)
    if args.big_mb:
        big = make_big_bulletin(args.out / "big" / "big_bulletin.txt", args.big_mb)
        import dagster as dg

        from gongbao.settings import Settings
        with test_instance(args) as instance:
            seconds = timed_ingest(Settings(raw_dir=raw, warehouse_dir=wh), args.out / "big" / "big_bulletin.txt",
                                   instance)
        print(json.dumps({"bulletin_mb": round(big / 1e6, 1), "ingest_s": round(seconds, 1),
                          "mb_per_s": round(big / 1e6 / seconds, 2),
                          "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}, indent=1))
        return
    size = make_corpus(raw, args.bulletins)

    t0 = time.perf_counter()
    import dagster as dg

    from gongbao.cli.runs import build
    from gongbao.settings import Settings
    t_import = time.perf_counter() - t0
    if args.documents_only:
        import parsing.bulletin as pb

        # The same build with the number extractors returning nothing: the baseline the
        # cost of extraction is measured against (issue 3: at most 3x).
        pb._table_rows = lambda *a, **k: ([], [], set())
        pb._sentence_rows = lambda *a, **k: {"indicators": [], "budgets": [], "subsidies": []}

    with contextlib.ExitStack() as servers:
        settings = Settings(raw_dir=raw, warehouse_dir=wh)
        if args.backend == "ducklake":
            settings = replace(settings, **lake_settings(servers, "built"))
        if args.celery:
            print(json.dumps(celery_figures(args, settings, size), indent=1))
        else:
            run_build(args, settings, size, t_import)


def reused_figures(args, raw: Path, wh: Path) -> dict:
    """--reuse: no corpus or build; the embedded warehouse already in --out ingested into
    (--ingest: the new bulletins stay in it) and/or published (--publish)."""
    assert args.publish or args.ingest, "--reuse is for --ingest and --publish"
    assert args.backend == "duckdb", "--reuse is for the embedded warehouse"
    from gongbao.settings import Settings

    files = list(raw.iterdir())
    figures = {"bulletins": len(files), "megabytes": round(sum(f.stat().st_size for f in files) / 1e6, 1)}
    if args.ingest:
        for folder in ("empty", "new"):  # an empty warehouse again, new texts again
            shutil.rmtree(args.out / folder, ignore_errors=True)
        with test_instance(args) as instance:
            figures |= ingest_figures(args, instance, Settings(raw_dir=raw, warehouse_dir=wh))
    if args.publish:
        figures |= publish_figures(wh, args.out / "release")
    return figures


def celery_figures(args, settings, size: int) -> dict:
    """`gongbao build` as a user runs it with GONGBAO_EXECUTOR=celery: its steps on `--celery`
    dagster-celery workers (one process each, parsing in the step: GONGBAO_WORKERS=0) behind a
    Redis the benchmark starts (tests/servers.py), the bulletins in eight runs that the workers
    share. Wall seconds (no CPU seconds: celery's pool processes, stopped with their worker,
    are not reaped into this process's children's times, so they would be missing)."""
    from tests.servers import celery_workers, redis

    n, batch = args.celery, max(1, -(-args.bulletins // 8))
    with contextlib.ExitStack() as stack:
        broker = stack.enter_context(redis())
        home = args.out / "dagster_home"
        home.mkdir(parents=True, exist_ok=True)
        (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
        env = {**os.environ, "PYTHONWARNINGS": "ignore", "DAGSTER_HOME": str(home), "GONGBAO_EXECUTOR": "celery",
               "GONGBAO_CELERY_BROKER": broker, "GONGBAO_WORKERS": "0", "GONGBAO_RAW_DIR": str(settings.raw_dir),
               "GONGBAO_WAREHOUSE_DIR": str(settings.warehouse_dir),
               "GONGBAO_BATCH_SIZE": str(batch), "GONGBAO_RUNS_AT_ONCE": str(n)}
        if settings.warehouse_url:
            env.update({k: v for k, v in _lake_env(settings).items() if k.startswith("GONGBAO_")})
        stack.enter_context(celery_workers(broker, n, env, args.out))
        t = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "gongbao.cli.main", "build", "-q"], cwd=ROOT, env=env,
                              capture_output=True)
        elapsed = time.perf_counter() - t
        assert done.returncode == 0, f"benchmark celery build failed: {done.stderr.decode()[-3000:]}"
    return {"backend": args.backend, "executor": "celery", "celery_workers": n, "bulletins": args.bulletins,
            "megabytes": round(size / 1e6, 1), "runs": -(-args.bulletins // batch), "build_s": round(elapsed, 1),
            "mb_per_s": round(size / 1e6 / elapsed, 2)}


_SERVERS: dict = {}  # the PostgreSQL and SeaweedFS of a ducklake benchmark, once started


def lake_settings(servers: contextlib.ExitStack | None, name: str) -> dict:
    """A new, empty ducklake warehouse (catalog database `name`, data under s3://gongbao/name/)
    on the PostgreSQL and SeaweedFS servers of the tests (tests/servers.py), started on first use
    and stopped when `servers` closes: the settings' fields."""
    from tests.servers import postgres, seaweedfs

    if not _SERVERS:
        _SERVERS["pg"] = servers.enter_context(postgres())
        # room for the corpus: a lake of 10,000 bulletins is ~3 GB, past the tests' 1.28 GB
        _SERVERS["s3"] = servers.enter_context(seaweedfs(volumes=400))
        _SERVERS["s3"].create_bucket("gongbao")
    s3 = _SERVERS["s3"]
    return {"warehouse_url": f"ducklake:{_SERVERS['pg'].create_database(name)}?data=s3://gongbao/{name}/",
            "s3_endpoint": s3.endpoint, "s3_access_key_id": s3.access_key, "s3_secret_access_key": s3.secret_key}


def run_build(args, settings, size: int, t_import: float) -> None:
    from gongbao.cli.runs import build

    wh = settings.warehouse_dir
    with test_instance(args) as instance:
        cpu_main, cpu_children = cpu_seconds(resource.RUSAGE_SELF), descendants_cpu_seconds()
        with WorkerMemory() as workers:
            t1 = time.perf_counter()
            result = build(settings, instance)
            elapsed = time.perf_counter() - t1
        cpu_main = cpu_seconds(resource.RUSAGE_SELF) - cpu_main
        cpu_children = descendants_cpu_seconds() - cpu_children  # the parsing workers
        if not result.success:  # the step's own error, which the quiet run log does not print
            failures = [e.event_specific_data.error.to_string() for e in result.all_events
                        if e.is_failure and getattr(e.event_specific_data, "error", None)]
            raise SystemExit("benchmark build failed:\n" + "\n".join(failures)[-6000:])
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        # RUSAGE_CHILDREN's maxrss: the largest child waited for; read before `gongbao ingest` runs
        # as a child. Not the workers' (the forkserver, not this process, waits for them): see
        # worker_peak_rss_mib, sampled.
        children_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        events = len(instance.all_logs(result.run_id))
        ingest = ingest_figures(args, instance, settings) if args.ingest else {}
    lake = args.backend == "ducklake"
    views = view_latency(wh / "warehouse.duckdb") if args.views and not lake else {}
    published = publish_figures(wh, args.out / "release") if args.publish and not lake else {}
    figures = {
        "backend": args.backend,
        "event_log": "dagster's own" if args.plain_event_log else "batched",
        "extracts": "documents only" if args.documents_only else "everything",
        "workers": os.environ.get("GONGBAO_WORKERS", "one per core"),
        "bulletins": args.bulletins,
        "megabytes": round(size / 1e6, 1),
        "import_s": round(t_import, 2),
        "build_s": round(elapsed, 1),
        "bulletins_per_s": round(args.bulletins / elapsed, 1),
        "mb_per_s": round(size / 1e6 / elapsed, 2),
        "cpu_s": round(cpu_main + cpu_children, 1),
        "cpu_s_main": round(cpu_main, 1),
        "cpu_s_workers": round(cpu_children, 1),
        "cpu_s_per_mb": round((cpu_main + cpu_children) / (size / 1e6), 3),
        "peak_rss_mib": round(peak_mib),
        "worker_peak_rss_mib": round(workers.peak_kib / 1024),
        "rusage_children_maxrss_mib": round(children_mib),
        "events_per_bulletin": round(events / args.bulletins, 2),
        **ingest,
        **views,
        **published,
    }
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
