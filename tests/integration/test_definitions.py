import dagster as dg

from pipelines.definitions import build_defs, defs
from quality.schemas import EXTRACTED


def test_every_definition_loads():
    loaded = defs() if callable(defs) else defs
    dg.Definitions.validate_loadable(loaded)
    keys = {k.to_user_string() for k in loaded.resolve_all_asset_keys()}
    assert {"bulletin_extracts", "bulletins", "documents", "toc_entries", "indicators", "table_cells",
            "ingest_errors"} <= keys
    assert loaded.resolve_job_def("build_warehouse") is not None


def test_asset_checks_cover_every_extracted_table():
    loaded = build_defs()
    checks = {(k.asset_key.to_user_string(), k.name) for k in loaded.resolve_asset_graph().asset_check_keys}
    assert ("bulletin_extracts", "toc_matches_documents") in checks
    for table in EXTRACTED + ("ingest_errors",):
        assert ("bulletin_extracts", f"{table}_schema") in checks
