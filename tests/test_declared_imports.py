"""What the code imports, pyproject.toml declares.

Each top-level module imported by envsched/, web/ and solver/ comes from the standard
library, from the project itself, or from a distribution named in ``dependencies``; for
tests/ and bench/ the ``dev`` extra counts too. A module that only arrives because some
other package happens to depend on it (werkzeug through Flask, pydantic through SQLModel)
must be declared, so that a change in that other package cannot break the import.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from tests.test_architecture import ROOT, imported_modules

RUNTIME_DIRS = ("envsched", "web", "solver")
DEV_DIRS = ("tests", "bench")
LOCAL = {"envsched", "web", "solver", "tests", "bench"}
TYPING_ONLY = {"_typeshed"}  # mypy's own stubs, imported under TYPE_CHECKING


def distribution(requirement: str) -> str:
    """The normalised distribution name of a requirement such as ``psycopg[binary]>=3``."""
    name = re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def declared() -> tuple[set[str], set[str]]:
    """The distributions pyproject.toml declares: at run time, and with the dev extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {distribution(r) for r in project["dependencies"]}
    return runtime, runtime | {distribution(r) for r in project["optional-dependencies"]["dev"]}


def undeclared(files: list[Path], declared: set[str]) -> dict[str, str]:
    """Module -> the first of ``files`` importing it, for each module that none of the
    ``declared`` distributions provides."""
    providers = {
        module: {distribution(d) for d in dists}
        for module, dists in packages_distributions().items()
    }
    siblings = {p.stem for p in (ROOT / "bench").glob("*.py")}  # bench/ scripts' own
    missing: dict[str, str] = {}
    for path in files:
        for module in imported_modules(path.read_text()):
            if (
                module in sys.stdlib_module_names
                or module in LOCAL
                or module in TYPING_ONLY
                or module in siblings
            ):
                continue
            if not providers.get(module, set()) & declared:
                missing.setdefault(module, path.name)
    return missing


def undeclared_imports() -> dict[str, str]:
    runtime, dev = declared()
    files = {
        dirs: sorted(p for d in dirs for p in (ROOT / d).rglob("*.py"))
        for dirs in (RUNTIME_DIRS, DEV_DIRS)
    }
    return {**undeclared(files[DEV_DIRS], dev), **undeclared(files[RUNTIME_DIRS], runtime)}


def test_every_imported_distribution_is_declared_in_pyproject() -> None:
    missing = undeclared_imports()
    assert not missing, "imported but not declared in pyproject.toml: " + ", ".join(
        f"{module} (by {where})" for module, where in sorted(missing.items())
    )


def test_a_module_that_only_comes_through_another_package_is_named(tmp_path: Path) -> None:
    # jinja2 is installed because Flask needs it, but the project does not declare it;
    # pytest is declared in the dev extra only
    source = tmp_path / "page.py"
    source.write_text("import json\nimport flask\nfrom jinja2 import Template\nimport pytest\n")
    runtime, dev = declared()
    assert undeclared([source], runtime) == {"jinja2": "page.py", "pytest": "page.py"}
    assert undeclared([source], dev) == {"jinja2": "page.py"}


if __name__ == "__main__":
    for module, where in sorted(undeclared_imports().items()):
        print(f"not declared in pyproject.toml: {module} (imported by {where})")
    sys.exit(1 if undeclared_imports() else 0)
