"""Choosing the warehouse backend by settings alone, and what a bad setting says."""
import pytest

from gongbao.cli.main import main
from gongbao.settings import SettingError, Settings
from gongbao.store import open_store
from gongbao.store.connection import ReadOnlyWarehouse, read_only
from gongbao.store.warehouse import WarehouseStore

S3 = {"GONGBAO_S3_ENDPOINT": "http://127.0.0.1:8333", "GONGBAO_S3_ACCESS_KEY_ID": "key",
      "GONGBAO_S3_SECRET_ACCESS_KEY": "secret"}


def lake(url: str, **env) -> Settings:
    return Settings.from_env({"GONGBAO_WAREHOUSE_URL": url, **S3, **env})


def test_no_url_is_the_embedded_warehouse(tmp_path):
    settings = Settings.from_env({"GONGBAO_WAREHOUSE_DIR": str(tmp_path)})
    assert settings.lake() is None
    store = open_store(settings)
    assert type(store) is WarehouseStore and store.db_path == tmp_path / "warehouse.duckdb"
    assert isinstance(read_only(settings), ReadOnlyWarehouse)


def test_a_ducklake_url_names_catalog_data_and_credentials():
    target = lake("ducklake:postgres://gb:p%40ss@db.internal:6543/gongbao?data=s3://bucket/wh").lake()
    assert target.catalog() == "host=db.internal port=6543 dbname=gongbao user=gb password=p@ss"
    assert target.data_path == "s3://bucket/wh/"
    assert (target.s3_endpoint, target.s3_use_ssl, target.s3_access_key_id) == ("127.0.0.1:8333", False, "key")
    assert "p@ss" not in target.display() and "secret" not in repr(lake("ducklake:postgres://h/d?data=/x"))
    assert lake("ducklake:postgres://gb@h/d?data=/srv/lake").lake().port == 5432


@pytest.mark.parametrize("url, env, says", [
    ("postgres://gb@h/d?data=s3://b/p", {}, "GONGBAO_WAREHOUSE_URL='postgres://gb@h/d?data=s3://b/p': not a warehouse URL"),
    ("ducklake:postgres://gb@h:port/d?data=/x", {}, "the port is not a number"),
    ("ducklake:postgres://gb@h/?data=/x", {}, "needs a host and a database name"),
    ("ducklake:postgres://gb@h/d", {}, "no data=… parameter"),
    ("ducklake:postgres://gb@h/d?data=relative/folder", {}, "neither s3://… nor an absolute folder"),
    ("ducklake:postgres://gb@h/d?data=/x&catalog=y", {}, "unknown parameter(s) catalog"),
    ("ducklake:postgres://gb@h/d?data=s3://b/p", {"GONGBAO_S3_SECRET_ACCESS_KEY": ""},
     "needs GONGBAO_S3_ACCESS_KEY_ID and GONGBAO_S3_SECRET_ACCESS_KEY"),
    ("ducklake:postgres://gb@h/d?data=s3://b/p", {"GONGBAO_S3_ENDPOINT": "127.0.0.1:8333"},
     "GONGBAO_S3_ENDPOINT='127.0.0.1:8333': expected http://HOST:PORT"),
    ("ducklake:postgres://gb:hunter2@h/d", {}, "GONGBAO_WAREHOUSE_URL='ducklake:postgres://gb:***@h/d'"),
])
def test_a_bad_setting_is_refused_naming_it_and_why(url, env, says):
    with pytest.raises(SettingError) as err:
        lake(url, **env).lake()
    assert says in str(err.value)
    assert "hunter2" not in str(err.value)


def test_the_cli_says_the_bad_setting_and_does_nothing(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("GONGBAO_WAREHOUSE_URL", "ducklake:postgres://gb@127.0.0.1:1/d")
    assert main(["sql", "select 1"]) == 2
    err = capsys.readouterr().err
    assert "GONGBAO_WAREHOUSE_URL" in err and "no data=… parameter" in err
    assert main(["build", "--raw", str(tmp_path)]) == 2
    # a folder given with --warehouse is the embedded warehouse, whatever the environment says
    assert main(["sql", "select 1", "--warehouse", str(tmp_path / "none")]) == 1
    assert "no warehouse at" in capsys.readouterr().err


def test_the_batches_of_a_build_on_workers_are_whole_numbers():
    settings = Settings.from_env({"GONGBAO_BATCH_SIZE": "50", "GONGBAO_RUNS_AT_ONCE": "4"})
    assert (settings.batch_size, settings.runs_at_once) == (50, 4)
    assert (Settings.from_env({}).batch_size, Settings.from_env({}).runs_at_once) == (200, 2)
    for name, value in (("GONGBAO_BATCH_SIZE", "0"), ("GONGBAO_RUNS_AT_ONCE", "two")):
        with pytest.raises(SettingError, match=f"{name}='{value}': expected a whole number of at least 1"):
            Settings.from_env({name: value})


def test_snapshot_days_are_a_whole_number_zero_included():
    assert Settings.from_env({}).snapshot_days == 30
    assert Settings.from_env({"GONGBAO_SNAPSHOT_DAYS": "0"}).snapshot_days == 0
    with pytest.raises(SettingError, match="GONGBAO_SNAPSHOT_DAYS='a week': expected a whole number of at least 0"):
        Settings.from_env({"GONGBAO_SNAPSHOT_DAYS": "a week"})


@pytest.mark.parametrize("values, sql", [
    (["a", "b"], "('a', 'b')"),
    (["o'k"], "('o''k')"),  # a quote doubled, as SQL writes it
    (["中文", "x\\y"], "('中文', 'x\\y')"),  # a backslash is no escape in SQL
    ([], "(null)"),  # `x in (null)` holds for no row
])
def test_in_list_writes_sql_literals(values, sql):
    import duckdb

    from gongbao.store.connection import in_list

    assert in_list(values) == sql
    con = duckdb.connect()
    con.execute("create table t (a varchar)")
    con.execute("insert into t select unnest(?)", [values + ["other"]])
    assert con.execute(f"select count(*) from t where a in {in_list(values)}").fetchone()[0] == len(values)


def test_a_bad_batch_setting_stops_the_command_naming_it(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("GONGBAO_RUNS_AT_ONCE", "-1")
    assert main(["build", "--raw", str(tmp_path), "--warehouse", str(tmp_path / "wh")]) == 2
    assert "GONGBAO_RUNS_AT_ONCE='-1': expected a whole number of at least 1" in capsys.readouterr().err
    assert not (tmp_path / "wh").exists()


@pytest.mark.parametrize("file_bytes, rows, expected", [
    (612_605_437, 92_000, 2_519),  # document_terms of 20,000 bulletins: 6.7 kB a row in Parquet
    (16 << 20, 10_000, 10_000),  # 16 MB of files: the rows they hold
    (40_000_000, 1_000_000, 122_880),  # narrow rows: DuckDB's default, not more
    (5_000_000_000, 10_000, 2_048),  # wider than 16 MB in 2,048 rows: DuckDB's least
    (0, 0, 122_880),  # an empty table
])
def test_a_lake_tables_row_groups_hold_about_16_mb_of_its_files(file_bytes, rows, expected):
    from gongbao.store.lake import group_rows

    assert group_rows(file_bytes, rows) == expected
