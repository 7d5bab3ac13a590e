"""`gongbao` command line: build the warehouse from a folder of bulletins through Dagster."""
from __future__ import annotations

import argparse
import shutil
import sys
import warnings
from pathlib import Path

import dagster as dg
import duckdb

from assets.partitions import bulletin_partitions, register
from parsing.ids import bulletin_id

# Dagster flags the beta `backfill_policy` at import: noise for someone running a query.
warnings.filterwarnings("ignore", message=".*is currently in beta.*")

from pipelines.definitions import build_defs  # noqa: E402
from gongbao.settings import Settings  # noqa: E402
from gongbao.store.warehouse import WarehouseStore  # noqa: E402

SQL_FORMATS = ("table", "csv", "json")  # how `gongbao sql` prints (pipelines.queries.write)
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def _instance() -> dg.DagsterInstance:
    """The DAGSTER_HOME instance when one is configured (runs show in `dagster dev`), else ephemeral."""
    try:
        return dg.DagsterInstance.get()
    except Exception:  # noqa: BLE001 - DAGSTER_HOME unset or invalid: nothing to record runs into
        return dg.DagsterInstance.ephemeral()


def build(settings: Settings, instance: dg.DagsterInstance | None = None) -> dg.ExecuteInProcessResult:
    """Register one partition per raw file and materialize every asset in a single run."""
    if not settings.raw_dir.is_dir():
        raise SystemExit(f"gongbao: raw folder {settings.raw_dir} does not exist")
    defs = build_defs(settings)
    instance = instance or _instance()
    keys = list(defs.resources["raw_store"].files())
    if not keys:
        raise SystemExit(f"gongbao: no bulletin files in {settings.raw_dir}")
    register(instance, keys)
    wanted = set(keys)
    ordered = [k for k in instance.get_dynamic_partitions(bulletin_partitions.name) if k in wanted]
    job = defs.resolve_job_def("build_warehouse")
    return job.execute_in_process(instance=instance, tags={RANGE_START: ordered[0], RANGE_END: ordered[-1]},
                                  raise_on_error=False)


def ingest(settings: Settings, files: list[Path], instance: dg.DagsterInstance | None = None
           ) -> list[dg.ExecuteInProcessResult]:
    """Put each file in the raw folder (unless it is there already) and run its partition alone."""
    defs = build_defs(settings)
    instance = instance or _instance()
    settings.raw_dir.mkdir(parents=True, exist_ok=True)
    job = defs.resolve_job_def("build_warehouse")
    results = []
    for file in files:
        if not file.is_file():
            raise SystemExit(f"gongbao: {file} is not a file")
        target = settings.raw_dir / file.name
        if file.resolve() != target.resolve():
            shutil.copy2(file, target)
        key = bulletin_id(target.name)
        register(instance, [key])
        results.append(job.execute_in_process(instance=instance, partition_key=key, raise_on_error=False))
    return results


def _report(result: dg.ExecuteInProcessResult, settings: Settings) -> int:
    for ev in result.get_asset_check_evaluations():
        if not ev.passed:
            print(f"check failed: {ev.asset_key.to_user_string()} {ev.check_name}", file=sys.stderr)
    if not result.success:
        print("gongbao: the Dagster run failed", file=sys.stderr)
        return 1
    store = WarehouseStore(settings.warehouse_dir)
    errors = store.ingest_errors(run_id=result.run_id)
    for source_file, kind, message in errors:
        print(f"not ingested: {source_file} ({kind}): {message}", file=sys.stderr)
    if errors:
        print(f"gongbao: {len(errors)} file(s) not ingested; they are listed in table ingest_errors", file=sys.stderr)
    print(f"gongbao: warehouse ready at {store.db_path}")
    return 0


def _lineage(settings: Settings, row_id: str) -> int:
    from gongbao.query import lineage_lookup

    try:
        found = lineage_lookup.find(WarehouseStore(settings.warehouse_dir), row_id)
    except FileNotFoundError as err:
        print(f"gongbao: {err}", file=sys.stderr)
        return 1
    if found is None:
        print(f"gongbao: no bulletin, document or row with id {row_id!r} in the warehouse", file=sys.stderr)
        return 1
    print(lineage_lookup.render(found))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gongbao", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="materialize every asset for every bulletin file in the raw folder")
    b.add_argument("--raw", type=Path, default=None, help="folder of bulletin files (default: raw/)")
    b.add_argument("--warehouse", type=Path, default=None, help="output folder (default: warehouse/)")
    i = sub.add_parser("ingest", help="add bulletin files to the raw folder and process only them")
    i.add_argument("files", type=Path, nargs="+", help="bulletin files")
    i.add_argument("--raw", type=Path, default=None, help="raw folder to add them to (default: raw/)")
    i.add_argument("--warehouse", type=Path, default=None, help="warehouse folder (default: warehouse/)")
    g = sub.add_parser("lineage", help="where a bulletin, document or row came from, with its raw lines")
    g.add_argument("id", help="a bulletin_id, document_id, indicator_id, budget_id, subsidy_id, citation_id or table_id")
    g.add_argument("--raw", type=Path, default=None, help="raw folder (default: raw/)")
    g.add_argument("--warehouse", type=Path, default=None, help="warehouse folder (default: warehouse/)")
    f = sub.add_parser("search", help="full-text search of document bodies (jieba terms, BM25)")
    f.add_argument("query", help="words to look for, e.g. 健康医疗大数据")
    f.add_argument("--top", type=int, default=10, help="documents to show (default 10)")
    f.add_argument("--raw", type=Path, default=None, help="raw folder (default: raw/)")
    f.add_argument("--warehouse", type=Path, default=None, help="warehouse folder (default: warehouse/)")
    q = sub.add_parser("sql", help="run SQL on the warehouse, read-only; without a query, a prompt")
    q.add_argument("query", nargs="?", help="the SQL; omit it for an interactive prompt")
    q.add_argument("--format", choices=SQL_FORMATS, default="table", help="table (default), csv or json")
    q.add_argument("--warehouse", type=Path, default=None, help="warehouse folder (default: warehouse/)")
    r = sub.add_parser("publish", help="write the open-data release: CSV, Excel CSV, Parquet, datapackage.json")
    r.add_argument("--warehouse", type=Path, default=None, help="warehouse folder (default: warehouse/)")
    r.add_argument("--out", type=Path, default=None, help="releases folder (default: release/)")
    args = parser.parse_args(argv)

    settings = Settings.from_env().with_overrides(raw_dir=getattr(args, "raw", None), warehouse_dir=args.warehouse,
                                                  release_dir=getattr(args, "out", None))
    if args.command == "build":
        return _report(build(settings), settings)
    if args.command == "ingest":
        return max(_report(r, settings) for r in ingest(settings, args.files))
    if args.command == "lineage":
        return _lineage(settings, args.id)
    # The query commands import their modules here: `gongbao ingest` pays for none of them.
    from gongbao.query import queries
    from gongbao.release import publish

    store = WarehouseStore(settings.warehouse_dir)
    try:
        if args.command == "search":
            hits = queries.search(store, args.query, top=args.top)
            print(queries.render_hits(hits) if hits else f"nothing found for {args.query!r}")
            return 0
        if args.command == "publish":
            release = publish.publish(store, settings.release_dir)
            print(f"gongbao: release written to {release}")
            return 0
        if args.command == "sql":
            if args.query:
                queries.run_sql(store, args.query, args.format)
            else:
                queries.repl(store, args.format)
            return 0
    except FileNotFoundError as err:
        print(f"gongbao: {err}", file=sys.stderr)
        return 1
    except duckdb.Error as err:
        print(f"gongbao: {err}", file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
