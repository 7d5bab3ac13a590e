"""Bulletins as publishers put them online (PDF, web pages, Word files, text) built by a real
Dagster run into a real warehouse: every row traced to the lines the parser read, and those
lines kept in the warehouse (table bulletin_lines) with their PDF pages."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys

import duckdb
import pytest

from gongbao.cli.main import main
from gongbao.settings import Settings
from parsing.reading import read_file
from tests.conftest import ROOT
from tests.wild_keys import WILD_KEYS, coverage, wild_file


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A warehouse built from the seven published originals."""
    base = tmp_path_factory.mktemp("published")
    raw = base / "raw"
    raw.mkdir()
    for stem in WILD_KEYS:
        shutil.copy(wild_file(stem), raw)
    settings = Settings(raw_dir=raw, warehouse_dir=base / "warehouse")
    main(["build", "--raw", str(raw), "--warehouse", str(settings.warehouse_dir), "-q"])
    return settings


def query(settings, sql, params=None):
    with duckdb.connect(str(settings.warehouse_dir / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.mark.parametrize("stem", sorted(WILD_KEYS))
def test_every_original_ingests(published, stem):
    name = WILD_KEYS[stem]["source"]
    assert query(published, "select error_kind, message from ingest_errors where source_file = ?", [name]) == []
    sha = hashlib.sha256(wild_file(stem).read_bytes()).hexdigest()
    assert query(published, "select source_file from bulletins where source_sha256 = ?", [sha]) == [(name,)]


@pytest.mark.parametrize("stem", sorted(WILD_KEYS))
def test_the_warehouse_keeps_exactly_the_lines_the_parser_read(published, stem):
    path = wild_file(stem)
    read = read_file(path.read_bytes(), path.name)
    [(bid,)] = query(published, "select bulletin_id from bulletins where source_file = ?", [path.name])
    stored = query(published, "select line, page, text from bulletin_lines where bulletin_id = ? order by line", [bid])
    assert stored == [(n, ln.page, ln.text) for n, ln in enumerate(read.lines, start=1)]
    # and the keys' quotes are in that text (on their page, for a PDF)
    cov = coverage(read.lines, WILD_KEYS[stem])
    assert cov.share >= 0.98 and cov.page_share >= 0.95, (cov.found, cov.total, cov.on_page, cov.paged)


def test_lineage_records_the_form_the_reader_and_the_pages(published):
    rows = dict((r[0], r[1:]) for r in query(
        published, "select source_file, source_format, reader, page_count, ocr from lineage where is_current"))
    assert rows["hebei_shijiazhuang_2018_budget_report.pdf"][0] == "pdf"
    assert rows["hebei_shijiazhuang_2018_budget_report.pdf"][1].startswith("pypdfium2")
    assert rows["hebei_shijiazhuang_2018_budget_report.pdf"][2] == 51
    assert rows["hebei_chengde_2025_budget_report.docx"][0] == "docx"
    assert rows["shanxi_lvliang_2018_budget_report.html"][0] == "html"
    assert rows["jiangxi_xinyu_2012_green_building_measures.txt"][:3] == ("txt", "gongbao text decoder", None)
    assert not any(r[3] for r in rows.values())  # no page needed OCR


def test_every_row_points_at_a_line_of_its_bulletin(published):
    for table, column in (("documents", "line_start"), ("documents", "line_end"), ("indicators", "line"),
                          ("budgets", "line"), ("subsidies", "line"), ("table_cells", "line")):
        orphans = query(published, f"select count(*) from {table} t left join bulletin_lines l "
                                   f"on l.bulletin_id = t.bulletin_id and l.line = t.{column} where l.line is null")
        assert orphans == [(0,)], (table, column)


def test_the_portal_metadata_block_gives_the_document_its_facts(published):
    [row] = query(published, "select doc_number, issuers, signed_date::varchar, index_no, published_date::varchar "
                             "from documents where source_file = 'statecouncil_2018_guofa39_employment.html'")
    assert row == ("国发〔2018〕39号", ["国务院"], "2018-11-16", "000014349/2018-00212", "2018-12-05")


def test_lineage_of_a_pdf_row_shows_its_page_and_lines(published, capsys):
    [(budget_id, line, page)] = query(published, """
        select b.budget_id, b.line, l.page from budgets b join bulletin_lines l using (bulletin_id, line)
        where b.source_file like '%.pdf' order by b.line limit 1""")
    assert main(["lineage", budget_id, "--warehouse", str(published.warehouse_dir)]) == 0
    out = capsys.readouterr().out
    assert "pdf (51 pages)" in out and "pypdfium2" in out and f"p{page:<4}" in out and f"{line}│" in out


def test_gongbao_text_prints_the_same_lines_as_tsv():
    path = wild_file("hebei_shijiazhuang_2018_budget_report")
    out = subprocess.run([sys.executable, "-m", "gongbao.cli.main", "text", str(path), "--format", "tsv"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout.splitlines()
    read = read_file(path.read_bytes(), path.name)
    assert out[0] == "page\tline\ttext"
    assert out[1:] == [f"{ln.page}\t{n}\t{ln.text}" for n, ln in enumerate(read.lines, start=1)]


def test_same_stem_other_form_are_two_bulletins_and_one_text_in_two_encodings_is_one(tmp_path):
    """x.txt and x.pdf in one folder are two bulletins; the same text as GB18030 is a duplicate."""
    raw = tmp_path / "raw"
    raw.mkdir()
    text = wild_file("statecouncil_2021_government_work_report")
    shutil.copy(text, raw / "report.txt")
    shutil.copy(wild_file("hebei_shijiazhuang_2018_budget_report"), raw / "report.pdf")
    (raw / "report-gbk.txt").write_bytes(text.read_bytes().decode("utf-8").encode("gb18030"))
    wh = tmp_path / "warehouse"
    main(["build", "--raw", str(raw), "--warehouse", str(wh), "-q"])
    settings = Settings(raw_dir=raw, warehouse_dir=wh)
    versions = {f: (bid, dup, enc) for bid, f, dup, enc in query(
        settings, "select bulletin_id, source_file, duplicate_of, encoding from lineage where is_current")}
    assert versions["report.txt"][0] != versions["report.pdf"][0]
    # the two encodings of one text: one is loaded (the first in file order), the other its duplicate
    (loaded, dup) = sorted((versions["report-gbk.txt"], versions["report.txt"]), key=lambda v: v[1] is not None)
    assert loaded[1] is None and dup[1] == loaded[0]
    assert {loaded[2], dup[2]} == {"gb18030", "utf-8"}
    assert query(settings, "select count(*) from bulletins where source_file like 'report%.txt'") == [(1,)]


def test_the_duckdb_cli_opens_the_warehouse(published):
    """The storage format is DuckDB 1.5's: the CLI from PyPI (duckdb-cli) reads it, views included."""
    cli = shutil.which("duckdb", path=str(ROOT / ".venv" / "bin")) or shutil.which("duckdb")
    if cli is None:
        pytest.skip("duckdb-cli is not installed (pip install '.[test]')")
    out = subprocess.run([cli, "-readonly", "-csv", str(published.warehouse_dir / "warehouse.duckdb"), "-c",
                          "select count(*) from document_details"], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[1] == str(query(published, "select count(*) from documents")[0][0])


def test_budget_reports_link_parts_to_their_totals_and_the_view_counts_each_yuan_once(published):
    [(parts, bad)] = query(published, """
        select count(*), count(*) filter (where t.amount_yuan < b.amount_yuan or t.document_id <> b.document_id)
        from budgets b join budgets t on t.budget_id = b.part_of""")
    assert parts > 0 and bad == 0  # a part is never more than its total, and in the same document
    view = query(published, "select sum(total_yuan) from budgets_by_funder_year")[0][0]
    wholes = query(published, "select sum(amount_yuan) from budgets where part_of is null")[0][0]
    assert view == wholes


def test_money_is_exact(published):
    """Amounts are decimals to the fen: `1.13亿元`-style amounts are whole numbers of yuan."""
    [(kind,)] = query(published, "select typeof(amount_yuan) from budgets limit 1")
    assert kind == "DECIMAL(20,2)"
    assert query(published, "select count(*) from budgets where amount_text like '%亿元' and "
                            "amount_yuan <> round(amount_yuan)") == [(0,)]
