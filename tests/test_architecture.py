"""Dependencies point down only: ``web → envsched → solver``, and ``solver`` is a leaf.

Read from the source with ``ast``, so a forbidden import fails here even when no test
happens to execute the module that holds it.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOLVER_MAY_IMPORT = frozenset(sys.stdlib_module_names) | {"ortools", "solver"}


def imported_modules(source: str) -> Iterator[str]:
    """Top-level names of absolute imports (relative ones stay inside the package)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def python_files(package: str) -> list[Path]:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"no Python files found under {package}/"
    return files


def imports_outside(package: str, allowed: frozenset[str]) -> list[str]:
    return [f"{path.relative_to(ROOT)} imports {name}"
            for path in python_files(package)
            for name in imported_modules(path.read_text(encoding="utf-8"))
            if name not in allowed]


def imports_of(package: str, forbidden: str) -> list[str]:
    return [f"{path.relative_to(ROOT)} imports {forbidden}"
            for path in python_files(package)
            if forbidden in imported_modules(path.read_text(encoding="utf-8"))]


def test_solver_imports_only_the_standard_library_and_ortools() -> None:
    assert imports_outside("solver", SOLVER_MAY_IMPORT) == []


def test_envsched_never_imports_web() -> None:
    assert imports_of("envsched", "web") == []


# the checker itself: each row is a source and the top-level modules it must report
@pytest.mark.parametrize(("source", "expected"), [
    ("import json", ["json"]),
    ("import ortools.sat.python.cp_model as cp", ["ortools"]),
    ("from envsched.services import replan", ["envsched"]),
    ("from . import scenario", []),                       # relative: inside the package
    ("def f():\n    import web.app\n", ["web"]),           # nested imports count too
    ("from sqlmodel import Field, SQLModel", ["sqlmodel"]),
])
def test_imported_modules_finds_every_absolute_import(source: str, expected: list[str]) -> None:
    assert list(imported_modules(source)) == expected


def test_a_third_party_import_is_not_allowed_in_solver() -> None:
    assert "sqlmodel" not in SOLVER_MAY_IMPORT
    assert "envsched" not in SOLVER_MAY_IMPORT
    assert {"dataclasses", "json", "ortools"} <= SOLVER_MAY_IMPORT
