"""Field quality, measured: the warehouse built from raw/ (as the README builds it) scored
against the answer keys the repo carries (tests/gold: the text samples, by line;
tests/gold/wild: the published originals, by quote), with the scorer the keys come with
(tests/tools/score.py, a copy of the project's shared scorer). A change that breaks names,
purposes, funders or periods fails here before it lands.

The bars: F1 per table no lower than the figures of the last landing, and on the matched
rows of both key sets together (weighted by matched rows) each field's agreement at least
what docs/quality.md states.
"""
from __future__ import annotations

import importlib.util
import shutil

import pytest

from gongbao.cli.main import main
from gongbao.settings import Settings
from tests.conftest import RAW, ROOT

GOLD = ROOT / "tests" / "gold"
# table part → minimal F1, on each key set
F1_FLOOR = {
    "samples": {"documents": 1.0, "indicators_table": 1.0, "indicators_text": 0.978, "budgets": 1.0,
                "subsidies": 1.0},
    "wild": {"documents": 1.0, "indicators_text": 0.99, "budgets": 0.995, "subsidies": 1.0},
}
# (part, field) → minimal agreement on the matched rows of both key sets together
FIELD_FLOOR = {
    ("indicators_text", "name_near_acc"): 0.90,
    ("indicators_text", "period_acc"): 0.90,
    ("indicators_text", "kind_acc"): 0.95,
    ("indicators_text", "comparator_acc"): 0.95,
    ("indicators_table", "name_acc"): 1.0,
    ("indicators_table", "period_acc"): 1.0,
    ("budgets", "purpose_acc"): 0.85,
    ("budgets", "funder_acc"): 0.85,
    ("budgets", "period_acc"): 0.90,
    ("subsidies", "beneficiary_acc"): 0.80,
    ("subsidies", "program_acc"): 0.80,
    ("subsidies", "per_acc"): 0.90,
    ("subsidies", "frequency_acc"): 0.90,
}
PARTS = ("documents", "indicators_table", "indicators_text", "budgets", "subsidies")


def _scorer():
    spec = importlib.util.spec_from_file_location("gongbao_score", ROOT / "tests" / "tools" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scores(tmp_path_factory):
    import duckdb
    import json

    base = tmp_path_factory.mktemp("full")
    settings = Settings(raw_dir=base / "raw", warehouse_dir=base / "warehouse")
    shutil.copytree(RAW, settings.raw_dir)
    assert main(["build", "--raw", str(settings.raw_dir), "--warehouse", str(settings.warehouse_dir), "-q"]) == 0
    score = _scorer()
    out = {}
    with duckdb.connect(str(settings.warehouse_dir / "warehouse.duckdb"), read_only=True) as con:
        for name, folder in (("samples", GOLD), ("wild", GOLD / "wild")):
            keys = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]
            out[name] = [score.score_bulletin(con, k) for k in keys]
    return out, score


def _f1(results, part, score):
    tp = sum(r[part]["matched"] for r in results)
    n_pred = sum(r[part]["pred"] for r in results)
    n_gold = sum(r[part]["gold"] for r in results)
    return score.prf(tp, n_pred, n_gold)[2]


@pytest.mark.parametrize("keys,part", [(k, p) for k, parts in F1_FLOOR.items() for p in parts])
def test_f1_does_not_drop(scores, keys, part):
    results, score = scores
    assert all(r["found"] for r in results[keys]), [r["source"] for r in results[keys] if not r["found"]]
    assert _f1(results[keys], part, score) >= F1_FLOOR[keys][part]


@pytest.mark.parametrize("part,field", sorted(FIELD_FLOOR))
def test_field_agreement_meets_its_bar(scores, part, field):
    results, _ = scores
    agreed = matched = 0.0
    for r in results["samples"] + results["wild"]:
        value, n = r[part].get(field), r[part]["matched"]
        if value is not None:
            agreed += value * n
            matched += n
    assert matched, (part, field)
    assert agreed / matched >= FIELD_FLOOR[(part, field)], f"{part}.{field} = {agreed / matched:.3f}"
