"""The layout of docs/architecture.md holds: every module sits in a folder of the map, and
imports only point down (a module imports modules of lower floors, or of its own room)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

# (module prefix, floor): a module's room is the longest prefix that names it. Rooms on one
# floor do not import each other. The same table is in docs/architecture.md.
FLOORS = [
    ("parsing.errors", 0), ("parsing.vocab", 0), ("parsing.ids", 0), ("parsing", 0),
    ("parsing.text", 1),
    ("parsing.reading", 2),
    ("parsing.structure", 3),
    ("parsing.index", 4),
    ("parsing.numbers", 5),
    ("parsing.bulletin", 6),
    ("quality", 7),
    ("gongbao.settings", 8), ("gongbao", 8),
    ("gongbao.store", 9),
    ("gongbao.extraction", 10), ("gongbao.release", 10), ("gongbao.query", 10),
    ("assets", 11),
    ("pipelines", 12),
    ("gongbao.cli", 13),
]
PACKAGES = ("parsing", "quality", "gongbao", "assets", "pipelines")
# Third-party libraries a room may not import (the parsing core is pure Python over text).
FORBIDDEN = {
    "parsing": {"dagster", "duckdb", "polars", "pandera", "pyarrow"},
    "quality": {"duckdb"},
    "gongbao": {"dagster"},
}
DAGSTER_ALLOWED = ("assets", "pipelines", "quality.checks", "gongbao.cli")


def room(module: str) -> tuple[str, int]:
    best = max((p for p, _ in FLOORS if module == p or module.startswith(p + ".")), key=len)
    return best, dict(FLOORS)[best]


def modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            out[".".join(parts)] = path
    return out


def imports(path: Path, module: str) -> list[str]:
    """Absolute names of what a module imports (relative imports resolved), at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            out += [base] + [f"{base}.{a.name}" for a in node.names]
    return out


MODULES = modules()


def test_every_module_has_a_room():
    for module in MODULES:
        room(module)  # raises ValueError (max of nothing) for a module outside the map


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module):
    own_room, own_floor = room(module)
    for name in imports(MODULES[module], module):
        top = name.split(".")[0]
        if top in PACKAGES:
            target = next((m for m in (name, name.rpartition(".")[0]) if m in MODULES), None)
            if target is None or target == module:
                continue
            their_room, their_floor = room(target)
            assert their_room == own_room or their_floor < own_floor, \
                f"{module} ({own_room}, floor {own_floor}) imports {target} ({their_room}, floor {their_floor})"
        forbidden = next((libs for prefix, libs in FORBIDDEN.items() if module.startswith(prefix)), set())
        if top == "dagster" and module.startswith(DAGSTER_ALLOWED):
            continue
        assert top not in forbidden, f"{module} imports {top}"


def test_the_map_in_the_docs_is_this_one():
    """docs/architecture.md lists every room of FLOORS with its floor."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| `([\w/]+?)/?` \| (\d+) \|", doc, re.M))
    rooms = {p: f for p, f in FLOORS if p not in ("parsing.errors", "parsing.vocab", "parsing.ids",
                                                 "parsing.bulletin", "gongbao.settings")}
    assert {p.replace(".", "/"): str(f) for p, f in rooms.items()} == listed


def test_the_layout_test_can_fail(tmp_path):
    """A module of the parsing core importing the warehouse store is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("from gongbao.store.warehouse import WarehouseStore\n", encoding="utf-8")
    names = imports(bad, "parsing.structure.bad")
    target_room, target_floor = room("gongbao.store.warehouse")
    assert "gongbao.store.warehouse" in names and target_floor > room("parsing.structure.bad")[1]
