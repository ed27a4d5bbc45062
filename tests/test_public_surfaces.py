"""Issue #14: ``scheduler``'s and ``calendars``'s public surfaces, each loaded lazily
from one table (``_PUBLIC``) that ``__all__`` and the ``TYPE_CHECKING`` imports repeat."""

from __future__ import annotations

import ast
import importlib
import json
import pkgutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import calendars
import scheduler

# each package, and what importing it must not load: its own submodules, and the
# heavy stacks its names live in (the CLI's start-up depends on it)
SURFACES = [
    pytest.param(scheduler, ("scheduler.", "sqlalchemy", "solver", "ortools"), id="scheduler"),
    pytest.param(
        calendars,
        ("calendars.", "scheduler", "sqlalchemy", "icalendar", "starlette"),
        id="calendars",
    ),
]


def _checked_imports(package: ModuleType) -> dict[str, str]:
    """public name -> "module:attribute" as the ``TYPE_CHECKING`` imports say it."""
    tree = ast.parse(Path(package.__file__ or "").read_text(encoding="utf-8"))
    block = next(
        n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"
    )
    found = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names:
            found[alias.asname or alias.name] = f"{node.module}:{alias.name}"
    return found


@pytest.mark.parametrize(("package", "heavy"), SURFACES)
def test_all_lists_the_table_and_the_type_checker_sees_the_same_paths(
    package: ModuleType, heavy: tuple[str, ...]
) -> None:
    table = package._PUBLIC
    assert sorted(package.__all__) == sorted(table)  # each once (ruff orders __all__)
    assert _checked_imports(package) == table


@pytest.mark.parametrize(("package", "heavy"), SURFACES)
def test_every_public_name_resolves_to_what_the_table_names(
    package: ModuleType, heavy: tuple[str, ...]
) -> None:
    for name, path in package._PUBLIC.items():
        module, attribute = path.split(":")
        assert getattr(package, name) is getattr(importlib.import_module(module), attribute)


@pytest.mark.parametrize(("package", "heavy"), SURFACES)
def test_no_public_name_is_shadowed_by_a_submodule(
    package: ModuleType, heavy: tuple[str, ...]
) -> None:
    """``import scheduler.x`` sets ``scheduler.x`` to the module: a public name ``x``
    would then be the module, not the use case."""
    submodules = {m.name for m in pkgutil.iter_modules(package.__path__)}
    assert not submodules & set(package._PUBLIC)


@pytest.mark.parametrize(("package", "heavy"), SURFACES)
def test_importing_the_package_imports_nothing_heavy(
    package: ModuleType, heavy: tuple[str, ...]
) -> None:
    probe = (
        f"import json, sys; import {package.__name__}; "
        "print(json.dumps(sorted(m for m in sys.modules "
        f"if m.startswith({heavy!r}))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=Path(package.__file__ or "").parents[1],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert json.loads(done.stdout) == []


@pytest.mark.parametrize(("package", "heavy"), SURFACES)
def test_an_unknown_name_is_an_attribute_error(package: ModuleType, heavy: tuple[str, ...]) -> None:
    with pytest.raises(AttributeError, match="no_such_use_case"):
        package.no_such_use_case  # noqa: B018
