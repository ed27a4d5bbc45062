"""Issue #14: ``cli/`` parses, calls the use cases and prints; nothing below them.

Every import in ``cli/*.py`` (at the top, inside a function or under ``TYPE_CHECKING``)
of ``scheduler`` or ``calendars`` names the package, never a submodule, and nothing
imports SQLAlchemy: queries and sessions live behind the use cases.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "cli"
PACKAGES = ("scheduler", "calendars")


def _is_submodule(package: str, name: str) -> bool:
    root = ROOT / package
    return (root / f"{name}.py").exists() or (root / name / "__init__.py").exists()


def _past_a_surface(node: ast.AST) -> list[str]:
    """What ``node`` imports from below a package's surface, or from SQLAlchemy."""
    if isinstance(node, ast.Import):
        return [
            a.name
            for a in node.names
            if a.name.split(".")[0] == "sqlalchemy"
            or (a.name.split(".")[0] in PACKAGES and "." in a.name)
        ]
    if not isinstance(node, ast.ImportFrom) or not node.module or node.level:
        return []
    top = node.module.split(".")[0]
    if top == "sqlalchemy" or (top in PACKAGES and "." in node.module):
        return [node.module]
    if top in PACKAGES:  # ``from scheduler import audit`` reaches the submodule all the same
        return [f"{top}.{a.name}" for a in node.names if _is_submodule(top, a.name)]
    return []


def forbidden_imports(folder: Path) -> list[str]:
    """``file:line name`` for each import in ``folder/*.py`` that reaches past a surface."""
    return [
        f"{path.name}:{node.lineno} {name}"
        for path in sorted(folder.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in _past_a_surface(node)
    ]


def test_cli_imports_only_the_public_surfaces_and_no_sqlalchemy() -> None:
    assert forbidden_imports(CLI) == []


def test_the_check_sees_each_way_past_a_surface(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "import scheduler\n"
        "from scheduler import ConfigError\n"
        "from calendars import refresh_feeds\n"
        "from scheduler import audit\n"
        "if TYPE_CHECKING:\n"
        "    from scheduler.views import Table\n"
        "def f() -> None:\n"
        "    import calendars.tokens\n"
        "    from sqlalchemy import select\n",
        encoding="utf-8",
    )
    assert forbidden_imports(tmp_path) == [
        "bad.py:5 scheduler.audit",
        "bad.py:7 scheduler.views",
        "bad.py:9 calendars.tokens",
        "bad.py:10 sqlalchemy",
    ]
