"""Arrows point one way: the case engine, the organisation and the transport know nothing of
points (points receives the engine's `case_closed` signal)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(app: str) -> set[str]:
    found: set[str] = set()
    for path in (ROOT / app).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
    return found


def test_no_app_below_imports_points():
    for app in ("grids", "workflows", "notifications"):
        assert not {m for m in imported_modules(app) if m.split(".")[0] == "points"}, app


def test_points_uses_only_the_engines_public_pieces():
    engine = {m for m in imported_modules("points") if m.split(".")[0] == "workflows"}
    assert engine <= {
        "workflows.models",
        "workflows.choices",
        "workflows.deadlines",
        "workflows.signals",
        "workflows.apis.serializers",
    }, engine
