"""Issue #14: ``calendars``'s public surface, loaded lazily from one table."""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import calendars

INIT = Path(calendars.__file__)


def _checked_imports() -> dict[str, str]:
    """public name -> "module:attribute" as the ``TYPE_CHECKING`` imports say it."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    block = next(
        n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"
    )
    found = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names:
            found[alias.asname or alias.name] = f"{node.module}:{alias.name}"
    return found


def test_all_lists_the_table_and_the_type_checker_sees_the_same_paths() -> None:
    table = calendars._PUBLIC
    assert sorted(calendars.__all__) == sorted(table)  # each once (ruff orders __all__)
    assert _checked_imports() == table


def test_every_public_name_resolves_to_what_the_table_names() -> None:
    for name, path in calendars._PUBLIC.items():
        module, attribute = path.split(":")
        assert getattr(calendars, name) is getattr(importlib.import_module(module), attribute)


def test_no_public_name_is_shadowed_by_a_submodule() -> None:
    """``import calendars.x`` sets ``calendars.x`` to the module: a public name ``x``
    would then be the module, not the use case."""
    submodules = {m.name for m in pkgutil.iter_modules(calendars.__path__)}
    assert not submodules & set(calendars._PUBLIC)


def test_importing_scheduler_imports_nothing_else() -> None:
    probe = (
        "import json, sys; import calendars; "
        "print(json.dumps(sorted(m for m in sys.modules "
        "if m.startswith(('calendars.', 'scheduler', 'sqlalchemy', 'icalendar', 'starlette')))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=INIT.parents[1],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(done.stdout) == []


def test_an_unknown_name_is_an_attribute_error() -> None:
    try:
        calendars.no_such_use_case  # noqa: B018
    except AttributeError as exc:
        assert "no_such_use_case" in str(exc)
    else:
        raise AssertionError("no AttributeError")
