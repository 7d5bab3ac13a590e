"""The raw store in object storage (GONGBAO_RAW_DIR=s3://BUCKET/PREFIX/) against a real S3
server (SeaweedFS, started by the tests, credentials enforced): builds, the sensor, `gongbao
ingest s3://…`, lineage's URI and ETag, and what a refused key or a replaced object costs."""
from itertools import count

import dagster as dg
import duckdb
import pytest

from gongbao.cli.main import main
from gongbao.extraction.run import parse_file
from gongbao.settings import Settings
from gongbao.store import raw
from pipelines.definitions import build_defs
from pipelines.sensors import raw_folder_sensor
from tests.conftest import ROOT, SAMPLES

pytestmark = pytest.mark.ducklake  # the S3 server of the ducklake tests

PDF = ROOT / "raw" / "hebei_shijiazhuang_2018_budget_report.pdf"
_PREFIXES = count(1)


@pytest.fixture
def s3_raw(s3_server, tmp_path, monkeypatch):
    """Settings whose raw store is a new prefix of the test bucket holding two text samples and a
    PDF (an embedded warehouse in tmp_path), also in the environment for the CLI."""
    prefix = f"s3://gongbao/raw{next(_PREFIXES)}/"
    env = {"GONGBAO_RAW_DIR": prefix, "GONGBAO_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
           "GONGBAO_S3_ENDPOINT": s3_server.endpoint, "GONGBAO_S3_ACCESS_KEY_ID": s3_server.access_key,
           "GONGBAO_S3_SECRET_ACCESS_KEY": s3_server.secret_key, "DAGSTER_HOME": str(tmp_path / "dagster")}
    monkeypatch.delenv("GONGBAO_WAREHOUSE_URL", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    settings = Settings.from_env(env)
    for path in (SAMPLES["000"], SAMPLES["003"], PDF):
        raw.put_object(prefix, path.name, path.read_bytes(), raw.access_of(settings))
    raw.put_object(prefix, ".sync-state", b"not a bulletin", raw.access_of(settings))  # hidden: not listed
    raw.put_object(prefix + "older/", SAMPLES["004"].name, SAMPLES["004"].read_bytes(), raw.access_of(settings))
    return settings


def query(settings: Settings, sql: str, *args):
    with duckdb.connect(str(settings.warehouse_dir / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, list(args)).fetchall()


def test_settings_name_an_s3_raw_store():
    settings = Settings.from_env({"GONGBAO_RAW_DIR": "s3://bulletins/sichuan"})
    assert settings.raw_url == "s3://bulletins/sichuan/" and settings.raw_location() == "s3://bulletins/sichuan/"
    assert Settings().with_overrides(raw_dir="s3://b/p/").raw_location() == "s3://b/p/"
    from gongbao.settings import SettingError

    with pytest.raises(SettingError, match="GONGBAO_RAW_DIR"):
        Settings.from_env({"GONGBAO_RAW_DIR": "s3:///no-bucket"})


def test_a_runs_few_objects_are_found_by_name_as_the_listing_has_them(s3_raw):
    """find_raw (a HEAD request a name, no listing) gives each key the object the listing gives
    it, ETag and all; a key whose object is only under a deeper prefix, or gone, is None."""
    access = raw.access_of(s3_raw)
    listing = raw.list_raw(s3_raw.raw_url, access)
    keys = [SAMPLES["000"].stem, PDF.name]
    assert raw.find_raw(s3_raw.raw_url, keys, access) == {k: listing[k] for k in keys}
    assert raw.find_raw(s3_raw.raw_url, [SAMPLES["004"].stem], access) is None  # only under older/
    assert raw.find_raw(s3_raw.raw_url, [SAMPLES["000"].stem, "gone"], access) is None


def test_build_from_objects_records_their_uri_and_etag(s3_raw):
    listing = raw.list_raw(s3_raw.raw_url, raw.access_of(s3_raw))
    assert sorted(o.name for o in listing.values()) == sorted([SAMPLES["000"].name, SAMPLES["003"].name, PDF.name])
    assert main(["build", "-q"]) == 0
    rows = query(s3_raw, "select source_file, source_uri, source_etag, source_sha256 from lineage order by 1")
    assert len(rows) == 3
    for name, uri, etag, sha in rows:
        head = raw.get_object(uri, raw.access_of(s3_raw))
        assert uri == f"{s3_raw.raw_url}{name}" and etag == head.etag
        assert sha == __import__("hashlib").sha256(head.read_bytes()).hexdigest()
    # the PDF was read from the object like a file: its pages and budgets
    pages = query(s3_raw, "select count(distinct page) from bulletin_lines b join lineage l using (bulletin_id) "
                          "where l.source_format = 'pdf'")
    assert pages[0][0] > 40
    assert query(s3_raw, "select count(*) from budgets b join lineage l using (bulletin_id) "
                         "where l.source_format = 'pdf'")[0][0] > 50


def test_the_sensor_lists_the_prefix_and_runs_each_new_version_once(s3_raw):
    defs = build_defs(s3_raw)
    with dg.instance_for_test() as instance:
        with dg.build_sensor_context(instance=instance, resources=defs.resources) as context:
            first = raw_folder_sensor(context)
        # objects land whole: no tick of waiting; three bulletins, not the hidden or the nested one
        assert len(first.run_requests) == 3
        assert main(["build", "-q"]) == 0
        with dg.build_sensor_context(instance=instance, cursor=first.cursor, resources=defs.resources) as context:
            after = raw_folder_sensor(context)
        assert after.run_requests == []
        # a new version of one object: that bulletin, once
        raw.put_object(s3_raw.raw_url, SAMPLES["003"].name, SAMPLES["003"].read_bytes() + b"\n\n",
                       raw.access_of(s3_raw))
        with dg.build_sensor_context(instance=instance, cursor=after.cursor, resources=defs.resources) as context:
            changed = raw_folder_sensor(context)
        assert [r.partition_key for r in changed.run_requests] == ["003_6ffefe78dc09de8d"]


def test_ingest_takes_an_object_into_either_kind_of_raw_store(s3_raw, tmp_path):
    elsewhere = "s3://gongbao/incoming/" + SAMPLES["004"].name
    raw.put_object("s3://gongbao/incoming/", SAMPLES["004"].name, SAMPLES["004"].read_bytes(), raw.access_of(s3_raw))
    # into the S3 raw store: copied under its prefix, loaded with the copy's URI
    assert main(["ingest", elsewhere, "-q"]) == 0
    assert SAMPLES["004"].name in {o.name for o in raw.list_raw(s3_raw.raw_url, raw.access_of(s3_raw)).values()}
    assert query(s3_raw, "select source_uri from lineage where source_file = ?", SAMPLES["004"].name) == [
        (f"{s3_raw.raw_url}{SAMPLES['004'].name}",)]
    # into a local raw folder: downloaded into it, a local file from then on (no URI)
    local = tmp_path / "local_raw"
    wh = tmp_path / "local_warehouse"
    assert main(["ingest", elsewhere, "--raw", str(local), "--warehouse", str(wh), "-q"]) == 0
    assert (local / SAMPLES["004"].name).read_bytes() == SAMPLES["004"].read_bytes()
    with duckdb.connect(str(wh / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select source_uri, source_etag from lineage").fetchall() == [(None, None)]


def test_a_refused_key_says_so_and_costs_nothing(s3_raw, monkeypatch, capsys):
    assert main(["build", "-q"]) == 0
    before = query(s3_raw, "select bulletin_id, source_sha256 from lineage order by 1")
    monkeypatch.setenv("GONGBAO_S3_SECRET_ACCESS_KEY", "not-the-secret")
    with pytest.raises(SystemExit) as stop:
        main(["build", "-q"])
    assert s3_raw.raw_url in str(stop.value) and "secret key does not match" in str(stop.value)
    monkeypatch.setenv("GONGBAO_S3_SECRET_ACCESS_KEY", s3_raw.s3_secret_access_key)
    monkeypatch.setenv("GONGBAO_RAW_DIR", "s3://no-such-bucket-here/raw/")
    with pytest.raises(SystemExit) as stop:
        main(["build", "-q"])
    assert "no such bucket" in str(stop.value)
    assert query(s3_raw, "select bulletin_id, source_sha256 from lineage order by 1") == before


def test_an_object_replaced_after_its_listing_is_refused_for_this_run_only(s3_raw):
    listed = raw.list_raw(s3_raw.raw_url, raw.access_of(s3_raw))
    key, entry = next((k, o) for k, o in listed.items() if o.name == SAMPLES["000"].name)
    raw.put_object(s3_raw.raw_url, entry.name, SAMPLES["000"].read_bytes() + b"\n", raw.access_of(s3_raw))
    parsed = parse_file(key, entry, "run-1")
    assert parsed.error["error_kind"] == "changed_while_read" and entry.uri in parsed.error["message"]
    fresh = raw.list_raw(s3_raw.raw_url, raw.access_of(s3_raw))[key]
    ok = parse_file(key, fresh, "run-2")
    assert ok.error is None and ok.version["source_etag"] == fresh.etag != entry.etag
