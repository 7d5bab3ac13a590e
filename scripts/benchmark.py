"""Throughput and memory of a full `gongbao build` on a scaled corpus.

    python scripts/benchmark.py [--bulletins 1000] [--out bench/]

Generates N bulletins from the samples in raw/ (the digits of body lines are shifted per
copy, so no two files are equal and nothing is cached away), builds the warehouse from
them in one in-process Dagster run, and prints bulletins/s, MB/s and peak memory (RSS).
Figures are recorded in docs/benchmark.md.
"""
from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def make_corpus(out: Path, n: int) -> int:
    seeds = sorted((ROOT / "raw").glob("*.txt"))
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(n):
        seed = seeds[i % len(seeds)]
        text = seed.read_text(encoding="utf-8")
        shift = i // len(seeds) + 1
        # Only long body lines change: titles, numbers and dates keep their structure.
        lines = [re.sub(r"\d", lambda m: str((int(m[0]) + shift) % 10), ln) if len(ln) > 40 else ln
                 for ln in text.split("\n")]
        data = "\n".join(lines).encode("utf-8")
        (out / f"bench_{i:05d}_{seed.stem[:3]}.txt").write_bytes(data)
        total += len(data)
    return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bulletins", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=ROOT / "bench")
    ap.add_argument("--documents-only", action="store_true",
                    help="baseline: switch off tables and numbers (indicators, budgets, subsidies)")
    args = ap.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    raw, wh = args.out / "raw", args.out / "warehouse"
    size = make_corpus(raw, args.bulletins)

    t0 = time.perf_counter()
    import dagster as dg

    from pipelines.cli import build
    from pipelines.settings import Settings
    t_import = time.perf_counter() - t0
    if args.documents_only:
        import parsing.bulletin as pb

        # The same build with the number extractors returning nothing: the baseline the
        # cost of extraction is measured against (issue 3: at most 3x).
        pb._table_rows = lambda *a, **k: ([], [], set())
        pb._sentence_rows = lambda *a, **k: {"indicators": [], "budgets": [], "subsidies": []}

    with dg.instance_for_test() as instance:
        t1 = time.perf_counter()
        result = build(Settings(raw_dir=raw, warehouse_dir=wh), instance)
        elapsed = time.perf_counter() - t1
    assert result.success, "benchmark build failed"
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {
        "extracts": "documents only" if args.documents_only else "everything",
        "bulletins": args.bulletins,
        "megabytes": round(size / 1e6, 1),
        "import_s": round(t_import, 2),
        "build_s": round(elapsed, 1),
        "bulletins_per_s": round(args.bulletins / elapsed, 1),
        "mb_per_s": round(size / 1e6 / elapsed, 2),
        "peak_rss_mib": round(peak_mib),
    }
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
