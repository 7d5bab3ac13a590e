"""The warehouse as data teams see it: comments, views, citations, keywords, full-text
search, `gongbao sql`, and every query of docs/examples.md with its answer."""
import csv
import io
import json
import os
from unittest import mock

import pytest

from parsing.index.citations import citations
from parsing.structure.prose import document_prose
from gongbao.cli.main import main
from gongbao.query.examples import answer, examples
from gongbao.store.sql_layer import view_names
from gongbao.settings import Settings
from gongbao.store import open_store
from quality.schemas import TABLE_DESCRIPTIONS, TABLES
from tests.conftest import BACKENDS, ROOT, SAMPLES, backend_env, sample_lines

# Queries written from the sample bulletins → the document that must rank in the top 3.
SEARCHES = {
    "养老保险 社会保险": "000_69ce87b22548801c:001",
    "科技成果转化": "000_69ce87b22548801c:002",
    "高技术服务业": "000_69ce87b22548801c:003",
    "人口发展 计划生育": "000_69ce87b22548801c:004",
    "全民健身": "000_69ce87b22548801c:005",
    "教学仪器 中小学": "000_69ce87b22548801c:006",
    "国家助学金": "000_69ce87b22548801c:006",
    "健康医疗大数据": "001_3b9872a8afd40afd:001",
    "外来企业投诉": "001_3b9872a8afd40afd:002",
    "学校美育": "001_3b9872a8afd40afd:003",
    "去产能 去库存": "001_3b9872a8afd40afd:004",
    "巴渝科技创新人才": "002_77d8cd99f05e537c:001",
    "农村乡镇人才队伍": "002_77d8cd99f05e537c:002",
    "广州科技创新": "002_77d8cd99f05e537c:003",
    "江西 科技创新": "002_77d8cd99f05e537c:004",
    "重慶 醫療 扶貧": "002_77d8cd99f05e537c:005",  # a Traditional query finds the Traditional text
    "基本公共服务体系规划": "003_6ffefe78dc09de8d:001",
    "节能环保产业": "004_357ce20f33c7d160:001",
    "宽带网络": "004_357ce20f33c7d160:002",
    "小微企业 金融支持": "004_357ce20f33c7d160:003",
    "食品药品监督管理体制": "004_357ce20f33c7d160:004",
    "医药卫生体制改革": "004_357ce20f33c7d160:005",
    "保障性安居工程": "004_357ce20f33c7d160:007",
}


@pytest.fixture(scope="module")
def warehouse(sample_warehouse):
    """The embedded sample warehouse (what only it has: its DuckDB file's catalog, its sandbox)."""
    return sample_warehouse


@pytest.fixture(scope="module", params=BACKENDS)
def either(request):
    """The sample warehouse on each backend: embedded, and ducklake (PostgreSQL + S3)."""
    return request.getfixturevalue("sample_warehouse" if request.param == "duckdb" else "sample_lake")


def connect(settings):
    return open_store(settings).reader()


def cli(settings, *args):
    with mock.patch.dict(os.environ, backend_env(settings)):
        return main([*args, "--warehouse", settings.warehouse_url or str(settings.warehouse_dir)])


def test_every_table_and_column_carries_the_data_dictionary_text(warehouse):
    with connect(warehouse) as con:
        tables = dict(con.execute("select table_name, comment from duckdb_tables()").fetchall())
        columns = {(t, c): text for t, c, text in con.execute(
            "select table_name, column_name, comment from duckdb_columns() where not internal").fetchall()}
    assert {t: tables[t] for t in TABLES} == TABLE_DESCRIPTIONS
    for table, cols in TABLES.items():
        for c in cols:
            assert columns[(table, c.name)] == c.description, (table, c.name)


def test_views_and_the_search_macro_are_in_the_warehouse(warehouse):
    with connect(warehouse) as con:
        views = {v for v, in con.execute("select view_name from duckdb_views() where not internal").fetchall()}
        macros = {m for m, in con.execute("select function_name from duckdb_functions() "
                                          "where function_type = 'table_macro'").fetchall()}
    assert set(view_names()) == views | (macros & set(view_names()))
    assert "search_documents" in macros


@pytest.mark.parametrize("example", examples(ROOT / "docs" / "examples.md"), ids=lambda e: e.sql.split("\n")[0][:40])
def test_each_example_query_gives_the_answer_on_the_page(either, example):
    with connect(either) as con:
        assert answer(con, example.sql) == example.answer


def test_examples_cover_the_common_questions():
    sql = "\n".join(e.sql for e in examples(ROOT / "docs" / "examples.md"))
    for view in ("indicator_plans", "budgets_by_funder_year", "subsidies_by_beneficiary", "citation_graph",
                 "document_details", "search_documents", "keywords"):
        assert view in sql
    assert "'约束性'" in sql and "国发〔2013〕18号" in sql


@pytest.mark.parametrize("query,document_id", SEARCHES.items())
def test_search_finds_the_document_in_the_top_three(either, query, document_id):
    from gongbao.query.queries import search

    hits = search(open_store(either), query, top=3)
    assert document_id in [h.document_id for h in hits]


def test_search_command_prints_the_matching_lines(either, capsys):
    assert cli(either, "search", "健康医疗大数据", "--top", "1") == 0
    out = capsys.readouterr().out
    assert out.startswith("1. 国务院办公厅关于促进和规范健康医疗大数据应用发展的指导意见  国办发〔2016〕47号")
    assert "12│ 健康医疗大数据是国家重要的基础性战略资" in out  # a hard-wrapped PDF line, with its number


def test_sql_command_prints_table_csv_and_json(either, capsys):
    query = "select document_id, issuers from documents where doc_number = '国发〔2013〕31号'"
    assert cli(either, "sql", query, "--format", "csv") == 0
    assert list(csv.DictReader(io.StringIO(capsys.readouterr().out))) == [
        {"document_id": "004_357ce20f33c7d160:002", "issuers": "国务院"}]
    assert cli(either, "sql", query, "--format", "json") == 0
    assert json.loads(capsys.readouterr().out) == [{"document_id": "004_357ce20f33c7d160:002",
                                                    "issuers": ["国务院"]}]
    assert cli(either, "sql", query) == 0
    assert "004_357ce20f33c7d160:002" in capsys.readouterr().out


def test_sql_command_is_read_only(either, capsys):
    assert cli(either, "sql", "delete from documents") == 1
    assert "read-only" in capsys.readouterr().err
    with connect(either) as con:
        assert con.execute("select count(*) from documents").fetchone() == (23,)


@pytest.mark.parametrize("sql", ["copy (select * from documents) to '{out}/stolen.csv'",
                                 "export database '{out}/dump'",
                                 "select * from read_text('/etc/passwd')",
                                 "attach '{out}/other.duckdb' as other",
                                 "set enable_external_access = true"])
def test_sql_command_writes_and_reads_no_file(warehouse, capsys, tmp_path, sql):
    """`gongbao sql` touches no file but the warehouse (reliability F10); --allow-files is the
    explicit way to export."""
    assert cli(warehouse, "sql", sql.format(out=tmp_path)) == 1
    err = capsys.readouterr().err
    assert "disabled by configuration" in err or "Cannot change configuration" in err
    assert list(tmp_path.iterdir()) == []


def test_sql_allow_files_exports_on_request(warehouse, capsys, tmp_path):
    out = tmp_path / "documents.csv"
    assert cli(warehouse, "sql", f"copy (select document_id from documents) to '{out}'", "--allow-files") == 0
    assert len(out.read_text().splitlines()) == 24  # header and the 23 documents


def test_sql_csv_and_json_print_every_type(either, capsys):
    sql = ("select row_counts, 1.13::decimal(20, 2) as money, [1, 2] as list, map {'a': 1} as map, "
           "{'x': [1, 2]} as nested, date '2026-12-01' as day from lineage limit 1")
    assert cli(either, "sql", sql, "--format", "csv") == 0
    [row] = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert json.loads(row["row_counts"])["documents"] >= 1 and row["money"] == "1.13" and row["list"] == "1; 2"
    assert json.loads(row["nested"]) == {"x": [1, 2]} and row["day"] == "2026-12-01"
    assert cli(either, "sql", sql, "--format", "json") == 0
    [record] = json.loads(capsys.readouterr().out)
    assert record["money"] in ("1.13", 1.13) and record["list"] == [1, 2]


def test_sql_prompt_runs_statements_until_the_end_of_input(either, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("select count(*) as n\nfrom bulletins;\nselect nonsense;\n"))
    assert cli(either, "sql", "--format", "json") == 0
    out = capsys.readouterr().out
    assert '"n": 5' in out and "error:" in out


def test_citations_by_number_and_by_title_on_a_real_line():
    lines = sample_lines("004")
    prose = document_prose(lines, 480, 540, wrapped=False, skip=set())
    found = citations(prose, "川府发〔2013〕39号", set())
    assert ("国发〔2013〕18号", None, 490) in [(c.doc_number, c.title, c.line) for c in found]
    assert (None, "国务院关于地方改革完善食品药品监督管理体制的指导意见", 490) in [
        (c.doc_number, c.title, c.line) for c in found]
    # "按照国发〔2013〕18号…" later in the text is the same citation, not 按照国发〔…〕
    assert not any(c.doc_number and c.doc_number.startswith("按照") for c in found)


def test_a_citation_resolves_to_the_cited_document_when_it_is_loaded(tmp_path):
    """Sample 004 with line 490 citing 国发〔2013〕30号, which sample 004 itself prints."""
    raw = tmp_path / "raw"
    raw.mkdir()
    text = SAMPLES["004"].read_bytes().decode("utf-8").split("\n")
    assert "国发〔2013〕18号" in text[489]
    text[489] = text[489].replace("国发〔2013〕18号", "国发〔2013〕30号")
    (raw / "edited.txt").write_text("\n".join(text), encoding="utf-8")
    settings = Settings(raw_dir=raw, warehouse_dir=tmp_path / "warehouse")
    assert main(["build", "--raw", str(raw), "--warehouse", str(settings.warehouse_dir)]) == 0
    with connect(settings) as con:
        assert con.execute("select document_id, cited_document_id, cited_document_title, resolved_by, line "
                           "from citation_graph where cited_doc_number = '国发〔2013〕30号'").fetchall() == [
            ("edited:004", "edited:001", "国务院关于加快发展节能环保产业的意见", "doc_number", 490)]


def test_keywords_describe_the_document(either):
    with connect(either) as con:
        top = dict(con.execute("select d.doc_number, list(k.keyword order by k.rank)[1:3] from keywords k "
                               "join documents d using (document_id) group by 1").fetchall())
    assert top["国发〔2013〕31号"] == ["宽带", "网络", "无线"]
    assert "节能" in top["国发〔2013〕30号"] and "环保" in top["国发〔2013〕30号"]
    assert "美育" in top["川办发〔2016〕41号"]


def test_declared_keys_hold_on_the_sample_warehouse(either):
    from quality.schemas import FOREIGN_KEYS, PRIMARY_KEYS

    with connect(either) as con:
        for table, key in PRIMARY_KEYS.items():
            cols = ", ".join(f'"{k}"' for k in key)
            assert con.execute(f"select count(*) from (select {cols} from {table} group by all "
                               f"having count(*) > 1)").fetchone() == (0,), table
        for table, column, ref, ref_column in FOREIGN_KEYS:
            assert con.execute(f"select count(*) from {table} where {column} is not null and {column} not in "
                               f"(select {ref_column} from {ref})").fetchone() == (0,), (table, column)


def test_budget_totals_count_each_yuan_once(either):
    """budgets_by_funder_year sums the amounts that are not part of another (其中 …): the
    view's grand total is the sum of the whole amounts, and a part's total is never added."""
    with connect(either) as con:
        view = con.execute("select sum(total_yuan) from budgets_by_funder_year").fetchone()[0]
        wholes = con.execute("select sum(amount_yuan) from budgets where part_of is null").fetchone()[0]
        parts = con.execute("select count(*) from budgets b join budgets t on t.budget_id = b.part_of").fetchone()[0]
        dangling = con.execute("select count(*) from budgets b left join budgets t on t.budget_id = b.part_of "
                               "where b.part_of is not null and t.budget_id is null").fetchone()[0]
    assert view == wholes and dangling == 0
    assert parts == con_count(either, "select count(*) from budgets where part_of is not null")


def con_count(settings, sql):
    with connect(settings) as con:
        return con.execute(sql).fetchone()[0]


def test_previews_hold_the_first_rows_without_the_long_text(either):
    previews = open_store(either).previews(("documents", "indicators"), rows=3)
    documents = previews["documents"]
    assert documents.height == 3 and "body" not in documents.columns
    assert documents.columns == [c.name for c in TABLES["documents"] if c.name != "body"]
    assert previews["indicators"].columns == [c.name for c in TABLES["indicators"]]
