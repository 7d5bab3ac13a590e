"""`gongbao` command line: build the warehouse from a folder of bulletins through Dagster,
and read it back (text, lineage, search, sql, publish).

Exit status: 0 when every file loaded (or the command succeeded), 1 on an error (a failed
run, a missing warehouse, bad SQL), 2 on a usage error, 3 when some files were refused
(they are named on stderr and in table ingest_errors; the others loaded).
Only `build` and `ingest` import Dagster: the other commands start in a fraction of a second.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gongbao.settings import Settings

SQL_FORMATS = ("table", "csv", "json")  # how `gongbao sql` prints (gongbao.query.queries.write)
EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_REFUSED = 0, 1, 2, 3
_SEVERITY = {EXIT_OK: 0, EXIT_REFUSED: 1, EXIT_ERROR: 2}  # several runs: the worst decides


def _folders(p: argparse.ArgumentParser, raw: bool = True) -> None:
    if raw:
        p.add_argument("--raw", default=None, metavar="FOLDER|s3://BUCKET/PREFIX/",
                       help="folder of bulletin files (default: raw/), or a prefix in object storage "
                            "(default: GONGBAO_RAW_DIR; GONGBAO_S3_* reach it)")
    p.add_argument("--warehouse", default=None, metavar="FOLDER|URL",
                   help="warehouse folder (default: warehouse/), or a ducklake URL "
                        "(ducklake:postgres://USER@HOST:PORT/DB?data=s3://BUCKET/PREFIX; default: GONGBAO_WAREHOUSE_URL)")


def _loud(p: argparse.ArgumentParser) -> None:
    p.add_argument("-v", "--verbose", action="count", default=0, help="show Dagster's log (-vv: debug)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only what was refused")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="gongbao", description=__doc__.split("\n\n")[0],
                                 epilog="exit status: 0 all loaded, 1 error, 2 usage, 3 some files refused")
    sub = ap.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="materialize every asset for every bulletin file in the raw folder")
    _folders(b)
    _loud(b)
    i = sub.add_parser("ingest", help="add bulletin files to the raw folder and process only them")
    i.add_argument("files", nargs="+", metavar="FILE|s3://BUCKET/KEY",
                   help="bulletin files (text, PDF, web page, Word), local or objects in object storage")
    _folders(i)
    _loud(i)
    t = sub.add_parser("text", help="print the lines the parser reads from a file (PDF, web page, Word, text)")
    t.add_argument("file", type=Path)
    t.add_argument("--format", choices=("text", "tsv"), default="text", help="text (default) or tsv: page, line, text")
    g = sub.add_parser("lineage", help="where a bulletin, document or row came from, with its lines")
    g.add_argument("id", help="a bulletin_id, document_id, indicator_id, budget_id, subsidy_id, citation_id or table_id")
    _folders(g, raw=False)
    f = sub.add_parser("search", help="full-text search of document bodies (jieba terms, BM25)")
    f.add_argument("query", help="words to look for, e.g. 健康医疗大数据")
    f.add_argument("--top", type=int, default=10, help="documents to show (default 10)")
    _folders(f, raw=False)
    q = sub.add_parser("sql", help="run SQL on the warehouse, read-only; without a query, a prompt")
    q.add_argument("query", nargs="?", help="the SQL; omit it for an interactive prompt")
    q.add_argument("--format", choices=SQL_FORMATS, default="table", help="table (default), csv or json")
    q.add_argument("--allow-files", action="store_true",
                   help="let the SQL read and write files (COPY … TO, read_csv, EXPORT DATABASE); off by default")
    _folders(q, raw=False)
    u = sub.add_parser("ui", help="the Dagster UI and daemon (dagster dev) on the instance `gongbao build` records into")
    u.add_argument("--host", default="127.0.0.1")
    u.add_argument("--port", type=int, default=3000)
    _folders(u)
    _folders(sub.add_parser("daemon", help="the Dagster daemon alone (sensor, schedule) on the same instance"))
    m = sub.add_parser("migrate", help="copy an embedded warehouse into an empty ducklake warehouse (docs/deployment.md)")
    m.add_argument("--from", dest="source", type=Path, default=None,
                   help="the embedded warehouse folder (default: GONGBAO_WAREHOUSE_DIR, else warehouse/)")
    m.add_argument("--to", default=None, metavar="URL",
                   help="the ducklake warehouse, empty (default: GONGBAO_WAREHOUSE_URL)")
    r = sub.add_parser("publish", help="write the open-data release: CSV, Excel CSV, Parquet, datapackage.json")
    _folders(r, raw=False)
    r.add_argument("--out", type=Path, default=None, help="releases folder (default: release/)")
    return ap


def _base_name(file: str) -> str:
    return file.rstrip("/").rsplit("/", 1)[-1]


def _runs(args: argparse.Namespace, settings: Settings) -> int:
    from gongbao.cli import runs

    status = EXIT_OK
    if args.command == "build":
        built = runs.build(settings, verbosity=args.verbose)
        results = built if isinstance(built, list) else [built]  # on celery workers: a run's outcome each
    else:
        # The raw folder's hidden files (.name) are not bulletins (editors' and sync tools' files):
        # one given by name is refused here, with the reason, and the others still run.
        hidden = [f for f in args.files if _base_name(f).startswith(".")]
        for f in hidden:
            print(f"refused {_base_name(f)}: hidden_name: names starting with '.' are skipped in the raw folder; "
                  f"rename the file to ingest it", file=sys.stderr)
            status = EXIT_REFUSED
        files = [f if f.startswith("s3://") else Path(f) for f in args.files if f not in hidden]
        results = runs.ingest(settings, files, verbosity=args.verbose) if files else []
    for result in results:
        o = result if isinstance(result, runs.Outcome) else runs.outcome(result, settings)
        runs.print_outcome(o, settings, quiet=args.quiet)
        this = EXIT_ERROR if o.run_failed else EXIT_REFUSED if o.refused else EXIT_OK
        status = max(status, this, key=_SEVERITY.get)
    return status


def _text(args: argparse.Namespace) -> int:
    from parsing.errors import BulletinError
    from parsing.reading import read_file

    try:
        read = read_file(args.file.read_bytes(), args.file.name)
    except OSError as err:
        print(f"gongbao: {args.file}: {err.strerror}", file=sys.stderr)
        return EXIT_ERROR
    except BulletinError as err:
        print(f"gongbao: {err.kind}: {err.message}", file=sys.stderr)
        return EXIT_REFUSED
    out = sys.stdout
    if args.format == "tsv":
        out.write("page\tline\ttext\n")
        for n, line in enumerate(read.lines, start=1):
            out.write(f"{'' if line.page is None else line.page}\t{n}\t{line.text}\n")
    else:
        for line in read.lines:
            out.write(line.text + "\n")
    facts = [read.format, read.reader] + ([f"{read.page_count} pages"] if read.page_count else []) \
        + ([read.encoding] if read.encoding else []) + read.flags
    print(f"gongbao: {args.file.name}: {len(read.lines)} lines ({', '.join(facts)})", file=sys.stderr)
    return EXIT_OK


def _dagster(args: argparse.Namespace, settings: Settings) -> int:
    """`dagster dev` (or `dagster-daemon run`) on the code location, with DAGSTER_HOME set to
    the instance the CLI records its runs in (`dagster dev` alone would use a temporary one)."""
    import os
    import shutil
    import subprocess

    from gongbao.cli.runs import ensure_home
    from pipelines.event_log import enable_event_batches

    home = ensure_home(settings.dagster_home)
    enable_event_batches()  # the webserver's and daemon's runs write events in batches too
    here = Path(sys.executable).parent
    if args.command == "ui":
        cmd = [str(here / "dagster"), "dev", "-m", "pipelines.definitions", "-h", args.host, "-p", str(args.port)]
    else:
        cmd = [str(here / "dagster-daemon"), "run", "-m", "pipelines.definitions"]
    if not Path(cmd[0]).exists() and not shutil.which(Path(cmd[0]).name):
        print(f"gongbao: {Path(cmd[0]).name} is not installed (pip install dagster-webserver)", file=sys.stderr)
        return EXIT_ERROR
    # the code location reads its folders from the environment (gongbao.settings)
    env = {**os.environ, "DAGSTER_HOME": str(home), "GONGBAO_RAW_DIR": str(settings.raw_location()),
           "GONGBAO_WAREHOUSE_DIR": str(settings.warehouse_dir), "GONGBAO_RELEASE_DIR": str(settings.release_dir),
           "GONGBAO_WAREHOUSE_URL": settings.warehouse_url}
    print(f"gongbao: Dagster instance {home}", file=sys.stderr)
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return EXIT_OK


def _lineage(settings: Settings, row_id: str) -> int:
    from gongbao.query import lineage_lookup
    from gongbao.store import open_store

    found = lineage_lookup.find(open_store(settings), row_id)
    if found is None:
        print(f"gongbao: no bulletin, document or row with id {row_id!r} in the warehouse", file=sys.stderr)
        return EXIT_ERROR
    print(lineage_lookup.render(found))
    return EXIT_OK


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import replace

    import duckdb

    from gongbao.store import migrate
    from gongbao.store.lake import LakeStore
    from gongbao.store.warehouse import WarehouseStore

    url = args.to or settings.warehouse_url
    if not url:
        print("gongbao: migrate needs the ducklake warehouse to move into: --to URL or GONGBAO_WAREHOUSE_URL",
              file=sys.stderr)
        return EXIT_USAGE
    target = replace(settings, warehouse_url=url).lake()
    source = WarehouseStore(args.source.resolve() if args.source else settings.warehouse_dir)
    try:
        counts = migrate.to_lake(source, LakeStore(target))
    except (OSError, RuntimeError, duckdb.Error) as err:
        print(f"gongbao: {err}", file=sys.stderr)
        return EXIT_ERROR
    print(f"gongbao: moved {source.db_path} to {target.display()}: "
          + ", ".join(f"{n} {t}" for t, n in counts.items()))
    return EXIT_OK


def _read(args: argparse.Namespace, settings: Settings) -> int:
    import duckdb

    from gongbao.query import queries
    from gongbao.store.connection import read_only

    store = read_only(settings)  # reading needs no more: sql starts fast
    try:
        if args.command == "lineage":
            return _lineage(settings, args.id)
        if args.command == "search":
            hits = queries.search(store, args.query, top=args.top)
            print(queries.render_hits(hits) if hits else f"nothing found for {args.query!r}")
        elif args.command == "publish":
            from gongbao.release import publish
            from gongbao.store import open_store

            print(f"gongbao: release written to {publish.publish(open_store(settings), settings.release_dir)}")
        elif args.query:
            queries.run_sql(store, args.query, args.format, allow_files=args.allow_files)
        else:
            queries.repl(store, args.format, allow_files=args.allow_files)
        return EXIT_OK
    except (FileNotFoundError, duckdb.Error) as err:
        print(f"gongbao: {err}", file=sys.stderr)
        return EXIT_ERROR


def main(argv: list[str] | None = None) -> int:
    from gongbao.settings import SettingError

    args = parser().parse_args(argv)
    try:  # a bad setting is said before any work, naming the setting
        settings = Settings.from_env().with_overrides(raw_dir=getattr(args, "raw", None),
                                                      warehouse_dir=getattr(args, "warehouse", None),
                                                      release_dir=getattr(args, "out", None))
        if args.command != "text":
            settings.lake()  # a bad warehouse setting is said before any work, naming the setting
        return _command(args, settings)
    except SettingError as err:
        print(f"gongbao: {err}", file=sys.stderr)
        return EXIT_USAGE


def _command(args: argparse.Namespace, settings: Settings) -> int:
    if args.command in ("build", "ingest"):
        from dataclasses import replace

        return _runs(args, replace(settings, progress=not args.quiet and sys.stderr.isatty()))
    if args.command == "text":
        return _text(args)
    if args.command in ("ui", "daemon"):
        return _dagster(args, settings)
    if args.command == "migrate":
        return _migrate(args, settings)
    return _read(args, settings)


if __name__ == "__main__":
    sys.exit(main())
