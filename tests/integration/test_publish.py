"""The open-data release of the sample warehouse, checked with the tools its users have:
the real `frictionless` validator, polars, DuckDB, and a byte-for-byte rebuild."""
import hashlib
import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest

from gongbao.cli.main import main
from gongbao.settings import Settings
from quality.schemas import TABLES


@pytest.fixture(scope="module")
def release(sample_warehouse):
    out = sample_warehouse.release_dir
    assert main(["publish", "--warehouse", str(sample_warehouse.warehouse_dir), "--out", str(out)]) == 0
    [folder] = out.iterdir()
    return folder


def test_frictionless_validates_the_data_package(release):
    frictionless = Path(sys.executable).with_name("frictionless")
    done = subprocess.run([str(frictionless), "validate", "--json", "datapackage.json"], cwd=release,
                          capture_output=True, text=True)
    report = json.loads(done.stdout)
    assert report["valid"], [(t["name"], t["errors"][:2]) for t in report["tasks"] if not t["valid"]]
    assert done.returncode == 0
    package = json.loads((release / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["name"] for r in package["resources"]} == set(TABLES)
    documents = next(r for r in package["resources"] if r["name"] == "documents")
    assert documents["schema"]["primaryKey"] == ["document_id"]
    assert {"fields": "bulletin_id", "reference": {"resource": "bulletins", "fields": "bulletin_id"}} in \
        documents["schema"]["foreignKeys"]
    assert len(package["sources"]) == 5 and all(len(s["sha256"]) == 64 for s in package["sources"])
    # every field titled and described in Chinese and in English
    fields = {f["name"]: f for r in package["resources"] for f in r["schema"]["fields"]}
    assert fields["doc_number"]["i18n"]["zh"] == {"title": "发文字号",
                                                  "description": "规范形式的发文字号：机关代字〔年份〕序号号"}
    for f in fields.values():
        assert f["i18n"]["en"]["description"] and f["i18n"]["zh"]["description"], f["name"]


def test_csv_reads_back_with_the_chinese_intact(release):
    csv = release / "data" / "documents.csv"
    assert not csv.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in csv.read_bytes()
    frame = pl.read_csv(csv, infer_schema=False)
    row = frame.filter(pl.col("doc_number") == "国发〔2013〕31号").row(0, named=True)
    assert row["title"] == "国务院关于印发“宽带中国”战略及实施方案的通知" and row["signed_date"] == "2013-08-01"
    with duckdb.connect() as con:
        assert con.execute("select title from read_csv(?) where doc_number = '渝委办发〔2008〕17号'",
                           [str(csv)]).fetchone() == ("中共重慶市委辦公廳重慶市人民政府辦公廳關于印發《重慶市農村鄉鎮人才隊伍建設計劃》的通知",)
    assert (release / "excel" / "documents.csv").read_bytes() == b"\xef\xbb\xbf" + csv.read_bytes()


def test_parquet_is_typed_and_describes_its_columns(release):
    table = pq.read_table(release / "parquet" / "budgets.parquet")
    field = table.schema.field("amount_yuan")
    assert str(field.type) == "decimal128(20, 2)"  # exact yuan, to the fen
    assert field.metadata[b"description"].decode().startswith("Amount in yuan")
    assert table.num_rows == pl.read_csv(release / "data" / "budgets.csv").height


def test_each_bulletin_has_a_folder_with_its_rows(release):
    documents = pl.read_csv(release / "data" / "documents.csv", infer_schema=False)
    for bulletin, n in documents.group_by("bulletin_id").len().iter_rows():
        assert pl.read_csv(release / "bulletins" / bulletin / "documents.csv", infer_schema=False).height == n


def test_checksums_and_manifest_cover_the_release(release):
    sums = dict(reversed(line.split("  ", 1)) for line in (release / "SHA256SUMS").read_text().splitlines())
    files = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert set(sums) == files
    for name, digest in sums.items():
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == digest
    manifest = json.loads((release / "manifest.json").read_text())
    assert manifest["version"] == release.name and manifest["rows"]["documents"] == 23


def test_publishing_again_gives_the_same_bytes(release, tmp_path):
    warehouse = release.parent.parent / "warehouse"  # the sample warehouse beside the releases
    assert main(["publish", "--warehouse", str(warehouse), "--out", str(tmp_path)]) == 0
    again = tmp_path / release.name
    for sub in ("data", "excel", "xlsx", "parquet", "bulletins"):
        for path in (release / sub).rglob("*.*"):
            assert (again / path.relative_to(release)).read_bytes() == path.read_bytes(), path


def test_the_release_asset_publishes_the_built_warehouse(tmp_path):
    import dagster as dg

    from gongbao.cli.runs import build
    from pipelines.definitions import build_defs
    from pipelines.sensors import publish_after_build
    from tests.conftest import raw_folder

    settings = raw_folder(tmp_path, ("003",))
    settings = Settings(raw_dir=settings.raw_dir, warehouse_dir=settings.warehouse_dir,
                        release_dir=tmp_path / "release")
    defs = build_defs(settings)
    with dg.instance_for_test() as instance:
        built = build(settings, instance)
        assert built.success
        assert not settings.release_dir.exists()  # a build or ingest does not wait for the release
        # the sensor answers the build's success with a publish run
        [success] = instance.all_logs(built.run_id, of_type=dg.DagsterEventType.RUN_SUCCESS)
        context = dg.build_run_status_sensor_context(
            sensor_name="publish_after_build", dagster_event=success.dagster_event, dagster_instance=instance,
            dagster_run=instance.get_run_by_id(built.run_id))
        assert publish_after_build(context).run_key == f"publish-after-{built.run_id}"
        assert publish_after_build.job_name == "publish_release"
        result = defs.resolve_job_def("publish_release").execute_in_process(instance=instance)
        assert result.success
        [materialization] = result.asset_materializations_for_node("open_data_release")
    folder = settings.release_dir / materialization.metadata["version"].value
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["bulletins"] == 1 and manifest["rows"]["documents"] == 1


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SOFFICE = shutil.which("soffice")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# Flags that keep headless Chromium off the network and out of the user's profile.
HEADLESS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1600"]


class _Rendered(HTMLParser):
    """What the browser's DOM holds: tables, links, chart bars."""

    def __init__(self):
        super().__init__()
        self.tables, self.links, self.bars = 0, [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tables += tag == "table"
        self.bars += tag == "rect" and attrs.get("class", "").startswith("bar-")
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])


def _require(tool: str | None, package: str) -> None:
    """System programs come from Debian packages: CI installs them and must run these tests."""
    if not tool:
        reason = f"not installed: Debian package {package}"
        if os.environ.get("GONGBAO_REQUIRE_SYSTEM_TOOLS"):
            pytest.fail(reason)
        pytest.skip(reason)


def _render(page: Path, tmp_path: Path, screenshot: Path | None = None) -> _Rendered:
    _require(CHROMIUM, "chromium")
    profile = ["--user-data-dir=" + str(tmp_path / "chromium")]
    dom = subprocess.run([CHROMIUM, *HEADLESS, *profile, "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    if screenshot:
        subprocess.run([CHROMIUM, *HEADLESS, *profile, f"--screenshot={screenshot}", page.as_uri()],
                       capture_output=True, timeout=120)
    rendered = _Rendered()
    rendered.feed(dom)
    return rendered


def test_the_catalog_renders_in_headless_chromium_with_working_links(release, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    index = _render(release / "index.html", tmp_path, ARTIFACTS / "catalog_index.png")
    assert index.tables >= 1 + 2 * len(TABLES)  # bulletins, and per table its fields and a preview
    page = release / "bulletins" / "000_69ce87b22548801c" / "index.html"
    assert str(page.relative_to(release)) in index.links
    bulletin = _render(page, tmp_path, ARTIFACTS / "catalog_bulletin.png")
    assert bulletin.bars >= 2 * 6  # 专栏1's six measures, baseline and target each
    for base, links in ((release, index.links), (page.parent, bulletin.links)):
        for href in links:
            assert (base / href).resolve().is_file(), href  # every link leads to a file of the release
    shot = (ARTIFACTS / "catalog_bulletin.png").read_bytes()
    assert shot.startswith(b"\x89PNG") and len(shot) > 20_000


@pytest.mark.parametrize("copy", ["data", "excel"])
def test_libreoffice_reads_the_csv_with_the_chinese_intact(release, tmp_path, copy):
    _require(SOFFICE, "libreoffice-calc-nogui")
    utf8_csv = "44,34,76,1"  # comma, double quote, UTF-8, from line 1: what its import dialog asks
    subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                    f"--infilter=CSV:{utf8_csv}", "--convert-to", f"csv:Text - txt - csv (StarCalc):{utf8_csv}",
                    "--outdir", str(tmp_path / "out"), str(release / copy / "documents.csv")],
                   capture_output=True, timeout=180, check=True)
    original = pl.read_csv(release / "data" / "documents.csv", infer_schema=False)
    converted = pl.read_csv(tmp_path / "out" / "documents.csv", infer_schema=False)
    assert converted.columns == original.columns  # the BOM of the Excel copy is not glued to a header
    assert converted["title"].to_list() == original["title"].to_list()
    assert "中共重慶市委辦公廳重慶市人民政府辦公廳關于印發《重慶市農村鄉鎮人才隊伍建設計劃》的通知" in converted["title"]


def test_openpyxl_reads_the_xlsx_with_the_chinese_intact_and_numbers_as_numbers(release):
    import openpyxl

    sheet = openpyxl.load_workbook(release / "xlsx" / "documents.xlsx", read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    original = pl.read_csv(release / "data" / "documents.csv", infer_schema=False)
    assert list(rows[0]) == original.columns and len(rows) - 1 == original.height
    titles = [r[original.columns.index("title")] for r in rows[1:]]
    assert "中共重慶市委辦公廳重慶市人民政府辦公廳關于印發《重慶市農村鄉鎮人才隊伍建設計劃》的通知" in titles
    budgets = list(openpyxl.load_workbook(release / "xlsx" / "budgets.xlsx", read_only=True).active.iter_rows(
        values_only=True))
    amount = budgets[0].index("amount_yuan")
    assert all(isinstance(r[amount], (int, float)) for r in budgets[1:])


def test_formula_like_text_is_neutralised_in_csv_and_excel_files(tmp_path):
    """A cell a spreadsheet would evaluate (=HYPERLINK, +cmd, @SUM, -1+1) is written with a
    leading ' in the CSV, the Excel CSV and the .xlsx; numbers stay numbers; LibreOffice
    imports it as text, not as a formula."""
    from gongbao.release.publish import _csv_bytes, _xlsx

    df = pl.DataFrame({"title": ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-1+1",
                                 "\tx", "普通标题"], "value": [1.5, -2.0, 3.0, 4.0, 5.0, 6.0]})
    text = _csv_bytes(df).decode()
    assert "'=HYPERLINK" in text and "'+cmd" in text and "'@SUM" in text and "'-1+1" in text
    assert "\r\n普通标题,6.0" in text and ",-2.0" in text
    _xlsx(df, "t", tmp_path / "t.xlsx")
    import openpyxl

    cells = [r for r in openpyxl.load_workbook(tmp_path / "t.xlsx").active.iter_rows(values_only=True)][1:]
    assert cells[0][0] == "'=HYPERLINK(\"http://x\",\"y\")" and cells[1][1] == -2.0
    if SOFFICE:
        (tmp_path / "t.csv").write_bytes(_csv_bytes(df))
        subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
                        "--infilter=CSV:44,34,76,1", "--convert-to", "html", "--outdir", str(tmp_path / "out"),
                        str(tmp_path / "t.csv")], capture_output=True, timeout=180, check=True)
        rendered = (tmp_path / "out" / "t.html").read_text(errors="replace")
        assert "HYPERLINK" in rendered and "<a " not in rendered.split("HYPERLINK")[0][-200:]


def test_a_publish_killed_midway_leaves_the_old_release_whole(release, tmp_path):
    """The new release is written in a temporary folder of its own and renamed in; killed
    before the rename, the old release and its checksums are untouched."""
    import signal
    import time

    out = tmp_path / "out"
    shutil.copytree(release, out / release.name)
    warehouse = release.parent.parent / "warehouse"
    proc = subprocess.Popen([sys.executable, "-m", "gongbao.cli.main", "publish", "--warehouse", str(warehouse),
                             "--out", str(out)], start_new_session=True)
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline and not list(out.glob(".*.tmp/data/*.csv")):
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    folder = out / release.name
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    # the next publish completes and clears what the killed one left
    assert main(["publish", "--warehouse", str(warehouse), "--out", str(out)]) == 0
    assert [p.name for p in out.iterdir() if p.name.endswith(".old")] == []


def test_two_publishes_at_once_both_succeed(release, tmp_path):
    warehouse = release.parent.parent / "warehouse"
    out = tmp_path / "out"
    procs = [subprocess.Popen([sys.executable, "-m", "gongbao.cli.main", "publish", "--warehouse", str(warehouse),
                               "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for _ in range(2)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    folder = out / release.name
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name


# ---------------------------------------------------------------------------------------
# streaming (issue 17): the files written slice by slice are those of each table written whole


def _whole_table(con, table: str, tmp: Path) -> dict[str, bytes]:
    """Every file of `table` as publish wrote it before it streamed, each table read whole with
    `.pl()` (kept here as the reference), at the module's current limits."""
    import datetime as dt

    import pyarrow as pa
    import xlsxwriter

    from gongbao.release import publish as P
    from quality.schemas import PRIMARY_KEYS

    order = ", ".join(f'"{k}"' for k in PRIMARY_KEYS[table])
    df = con.sql(f"select * from {table} order by {order}").pl()
    data = P._csv_bytes(df)
    files = {f"data/{table}.csv": data, f"excel/{table}.csv": P.BOM + data}
    flat, note = P._flat(df), None
    if flat.height > P.XLSX_ROWS:
        flat, note = flat.head(P.XLSX_ROWS), f"cut at {P.XLSX_ROWS:,} of {df.height:,} rows: see data/{table}.csv"
    book = xlsxwriter.Workbook(str(tmp / "whole.xlsx"), {"strings_to_formulas": False, "strings_to_urls": False,
                                                         "strings_to_numbers": False})
    book.set_properties({"created": dt.datetime(2000, 1, 1)})
    flat.write_excel(workbook=book, worksheet=table[:31], autofit=False, dtype_formats={pl.Float64: "0.00"})
    if note:
        book.add_worksheet("note").write(0, 0, note)
    book.close()
    files[f"xlsx/{table}.xlsx"] = (tmp / "whole.xlsx").read_bytes()
    arrow = df.to_arrow()
    arrow = arrow.cast(P._arrow_schema(table, arrow.schema))
    # in chunks of CHUNK rows, as `.pl()` returns a table of more than one row group of DuckDB's
    group = P.row_groups(con, table)
    arrow = pa.Table.from_batches(arrow.combine_chunks().to_batches(max_chunksize=min(P.CHUNK, group)), arrow.schema)
    pq.write_table(arrow, tmp / "whole.parquet", compression="zstd", write_statistics=True, row_group_size=group)
    files[f"parquet/{table}.parquet"] = (tmp / "whole.parquet").read_bytes()
    for (bulletin,), rows in df.group_by(["bulletin_id"], maintain_order=True):
        files[f"bulletins/{bulletin}/{table}.csv"] = P._csv_bytes(rows)
    return files


def _scrambled(sample: Path, path: Path) -> Path:
    """A copy of the sample warehouse stored out of key order: bulletins in another order,
    documents and indicators row by row in no order, documents with ids that do not follow
    their bulletins (so their per-bulletin files come from a second pass)."""
    with duckdb.connect(str(path)) as con:
        con.execute(f"attach '{sample}' as src (read_only)")
        for table in TABLES:
            order = "hash(rowid)" if table in ("documents", "indicators") else "hash(bulletin_id), rowid"
            ids = " replace (md5(document_id) as document_id)" if table == "documents" else ""
            con.execute(f"create table {table} as select *{ids} from src.{table} order by {order}")
    return path


@pytest.mark.parametrize("case", ["as built", "out of order, small slices"])
def test_streamed_files_are_those_of_each_table_written_whole(sample_warehouse, tmp_path, monkeypatch, case):
    """`publish` reads each table in slices (row ids fetched by ranges) and writes each file as
    they come; the bytes must be those of the table written whole: the same CSV rows, the same
    workbook (cells, shared strings, the note of a cut), the same Parquet row groups and pages,
    the same per-bulletin files. The second case cuts everything small (slices of one row to a
    few, Parquet chunks of 100 rows and row groups of 250, a sheet of 40 rows) on a warehouse
    stored out of key order."""
    from gongbao.release import publish as P

    db = sample_warehouse.warehouse_dir / "warehouse.duckdb"
    if case != "as built":
        db = _scrambled(db, tmp_path / "scrambled.duckdb")
        for name, value in (("SLICE_BYTES", 2048), ("CHUNK", 100), ("ROW_GROUP", 250), ("XLSX_ROWS", 40),
                            ("GROUP_BYTES", 64 << 10)):
            monkeypatch.setattr(P, name, value)
    out = tmp_path / "out"
    for sub in ("data", "excel", "xlsx", "parquet", "bulletins"):
        (out / sub).mkdir(parents=True)
    with duckdb.connect(str(db), read_only=True) as con:
        with P._streaming(con, tmp_path / "spill"):
            for table in TABLES:
                [(rows,)] = con.execute(f"select count(*) from {table}").fetchall()
                assert P._write_table(con, table, out) == rows
        [(threads,)] = con.execute("select current_setting('threads')").fetchall()
        assert threads != 1  # the settings are reset
        for table in TABLES:
            expected = _whole_table(con, table, tmp_path)
            written = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob(f"{table}.*")}
            assert sorted(written) == sorted(expected), table
            for name, data in expected.items():
                assert written[name] == data, name
    if case != "as built":
        assert pq.ParquetFile(out / "parquet" / "bulletin_lines.parquet").metadata.num_row_groups > 10
        # the documents' texts: row groups of about GROUP_BYTES of data, not one of the whole table
        documents = pq.ParquetFile(out / "parquet" / "documents.parquet").metadata
        assert documents.num_row_groups > 1
        rows = [documents.row_group(i).num_rows for i in range(documents.num_row_groups)]
        assert max(rows) < 250 and sum(rows) == documents.num_rows
        # the search terms' lists counted by their values: 30 documents' ~27,000 terms are more
        # than a row group's 64 kB (counted as 8 bytes a row, the table was one row group)
        terms = pq.ParquetFile(out / "parquet" / "document_terms.parquet").metadata
        assert terms.num_row_groups > 1
        assert max(terms.row_group(i).num_rows for i in range(terms.num_row_groups)) < terms.num_rows
        import openpyxl

        book = openpyxl.load_workbook(out / "xlsx" / "bulletin_lines.xlsx", read_only=True)
        assert book.sheetnames == ["bulletin_lines", "note"]


def test_each_bulletin_page_holds_its_rows_in_line_then_key_order(release, sample_warehouse):
    """The pages are written from one ordered scan per query; each holds what the queries of
    one bulletin give (rows on one line in key order)."""
    from gongbao.release import catalog

    queries = {"Budgets": "select amount_text, purpose, funder, period, line, document_id from budgets "
                          "where bulletin_id = ? order by line, budget_id",
               "Subsidies": "select program, beneficiary, amount_text, per, line, document_id from subsidies "
                            "where bulletin_id = ? order by line, subsidy_id",
               "All indicators": "select name, kind, period, value_text, unit, line, document_id from indicators "
                                 "where bulletin_id = ? order by line, indicator_id"}
    with duckdb.connect(str(sample_warehouse.warehouse_dir / "warehouse.duckdb"), read_only=True) as con:
        bulletins = [b for (b,) in con.execute("select bulletin_id from bulletins order by bulletin_id").fetchall()]
        for bulletin in bulletins:
            page = (release / "bulletins" / bulletin / "index.html").read_text(encoding="utf-8")
            docs = con.execute("select title, doc_number, signed_date, seq, document_id from documents "
                               "where bulletin_id = ? order by seq", [bulletin]).fetchall()
            assert catalog._table(["title", "发文字号", "signed", "seq", "document"], docs) in page
            for label, sql in queries.items():
                cursor = con.execute(sql, [bulletin])
                table = catalog._table([d[0] for d in cursor.description], cursor.fetchall())
                assert f"<h2>{label}</h2>{table}" in page.replace("\n", ""), (bulletin, label)
            plans = con.execute("""
                select p.document_id, coalesce(p.table_title, d.title), p.name, p.baseline_value, p.target_value
                from indicator_plans p join documents d using (document_id)
                where d.bulletin_id = ? and p.baseline_value is not null and p.target_value is not null
                order by p.document_id, p.line""", [bulletin]).fetchall()
            for doc_id, title, name, baseline, target in plans:
                assert f"<title>baseline {baseline:g}</title>" in page and catalog._e(name)[:24] in page
            assert page.count("<figure>") == len({(p[0], p[1]) for p in plans})


def test_bulletin_pages_are_titled_by_bulletin_not_by_a_measure(release):
    """000 has a masthead: its page is titled by publisher and issue; a chart's last measure
    (the loop's name before) never titles the page."""
    page = (release / "bulletins" / "000_69ce87b22548801c" / "index.html").read_text(encoding="utf-8")
    title = page.split("<title>")[1].split("</title>")[0]
    assert title.startswith("绵阳市人民政府") and "参保人数" not in title, title
