"""Dependencies point down only: ``web → envsched → solver``, and ``solver`` is a leaf;
inside ``envsched``, feature packages meet only through their faces (docs/design.md,
"Feature packages").

Read from the source with ``ast``, so a forbidden import fails here even when no test
happens to execute the module that holds it. Dynamic imports count too: a call of
``importlib.import_module`` or ``__import__``, and a string that names a module and an
attribute the way entry points and job stores do (``"web.serve_cli:serve"``).
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOLVER_MAY_IMPORT = frozenset(sys.stdlib_module_names) | {"ortools", "solver"}
# packages of envsched that are no feature: the command line, the shared tables
NOT_FEATURES = frozenset({"cli", "models", "migrations"})
# what a feature package offers besides its face: its shapes (``envsched.lifecycle.shapes``)
PUBLIC_PARTS = ("shapes",)
DYNAMIC_IMPORTERS = frozenset({"import_module", "__import__"})
# a string naming a module's attribute, as entry points and job stores write them
MODULE_REFERENCE = re.compile(r"^([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):[A-Za-z_]\w*(?:\.\w+)*$")


@dataclass(frozen=True)
class Import:
    module: str  # absolute dotted name ("envsched.booking", "web", "envsched.cli.")
    names: tuple[str, ...] = ()  # what ``from module import …`` takes
    line: int = 0
    top_level: bool = True  # runs when the module is imported (not in a function)
    relative: bool = False
    static: bool = True  # an import statement (not ``import_module`` nor a string)


def module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _dynamic(node: ast.Call) -> str | None:
    """The module a call of ``import_module``/``__import__`` names: the string, or an
    f-string's fixed start (``f"envsched.cli.{name}"`` is ``envsched.cli.``); ``"?"``
    when it cannot be told from the source."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in DYNAMIC_IMPORTERS or not node.args:
        return None
    arg = node.args[0]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if (
        isinstance(arg, ast.JoinedStr)
        and arg.values
        and isinstance(arg.values[0], ast.Constant)
        and isinstance(arg.values[0].value, str)
    ):
        return arg.values[0].value
    return "?"


def _deferred(tree: ast.AST) -> set[int]:
    """Ids of the nodes that run only when a function is called, or never (the type
    checker's ``if TYPE_CHECKING:``)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            inside |= {id(n) for n in ast.walk(node) if n is not node}
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            inside |= {id(n) for part in node.body for n in ast.walk(part)}
    return inside


def imports_in(source: str, importer: str = "x", is_package: bool = False) -> Iterator[Import]:
    """Every import of a module's source: static (nested ones too), dynamic, and strings
    that name a module's attribute."""
    tree = ast.parse(source)
    deferred = _deferred(tree)
    for node in ast.walk(tree):
        top = id(node) not in deferred
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(alias.name, (), node.lineno, top)
        elif isinstance(node, ast.ImportFrom):
            yield Import(
                _absolute(node, importer, is_package),
                tuple(a.name for a in node.names),
                node.lineno,
                top,
                node.level > 0,
            )
        elif isinstance(node, ast.Call) and (module := _dynamic(node)) is not None:
            yield Import(module, (), node.lineno, top, static=False)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and (found := MODULE_REFERENCE.match(node.value))
        ):
            yield Import(found.group(1), (), node.lineno, top, static=False)


def imported_modules(source: str) -> Iterator[str]:
    """Top-level names of a source's ``import`` statements (relative ones stay inside)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def reached_modules(source: str) -> Iterator[str]:
    """Top-level names of every module a source reaches: its imports, its dynamic imports
    and the module references in its strings."""
    for found in imports_in(source):
        if not found.relative:
            yield found.module.split(".")[0]


def python_files(package: str) -> list[Path]:
    files = sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)
    assert files, f"no Python files found under {package}/"
    return files


def all_imports(package: str) -> Iterator[tuple[Path, Import]]:
    for path in python_files(package):
        source = path.read_text(encoding="utf-8")
        for found in imports_in(source, module_of(path), path.name == "__init__.py"):
            yield path, found


def imports_outside(package: str, allowed: frozenset[str]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{found.line} imports {found.module}"
        for path, found in all_imports(package)
        if found.module.split(".")[0] not in allowed
    ]


def imports_of(package: str, forbidden: str) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{found.line} imports {found.module}"
        for path, found in all_imports(package)
        if found.module.split(".")[0] == forbidden or found.module == "?"
    ]


@cache
def feature_packages() -> frozenset[str]:
    return frozenset(
        p.parent.name
        for p in (ROOT / "envsched").glob("*/__init__.py")
        if p.parent.name not in NOT_FEATURES
    )


def feature_of(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) > 1 and parts[0] == "envsched" and parts[1] in feature_packages():
        return parts[1]
    return None


def is_module(dotted: str) -> bool:
    base = ROOT / dotted.replace(".", "/")
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def behind_the_face(importer: str, found: Import) -> list[str]:
    """What an import takes from a feature package other than the importer's own,
    passing by the package's faces (its ``__init__`` and its public parts, such as
    ``shapes``): an inner module, or an inner module by name."""
    feature = feature_of(found.module)
    if feature is None or feature == feature_of(importer):
        return []
    face = f"envsched.{feature}"
    if found.module not in {face, *(f"{face}.{part}" for part in PUBLIC_PARTS)}:
        return [found.module]
    return [
        f"{found.module}.{name}"
        for name in found.names
        if is_module(f"{found.module}.{name}") and name not in face_names(found.module)
    ]


@cache
def face_names(face: str) -> set[str]:
    """What a face's module binds at its top (``envsched.booking``'s ``__init__``, or
    ``envsched.lifecycle.shapes``): the names it offers."""
    base = ROOT / face.replace(".", "/")
    path = base / "__init__.py" if (base / "__init__.py").exists() else base.with_suffix(".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def own_face_imports() -> list[str]:
    """Inner modules that import their own package's face when imported: the face
    imports them, so one of the two finds the other half done."""
    return [
        f"{path.relative_to(ROOT)}:{found.line} imports {found.module}"
        for path, found in all_imports("envsched")
        if (feature := feature_of(module_of(path)))
        and path.name != "__init__.py"
        and found.top_level
        and found.module == f"envsched.{feature}"
        and not all(is_module(f"{found.module}.{n}") for n in found.names)
    ]


def face_breaches(package: str) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{found.line} imports {inner}"
        for path, found in all_imports(package)
        for inner in behind_the_face(module_of(path), found)
    ]


def package_graph() -> dict[str, set[str]]:
    """Feature package -> the feature packages it imports when it is imported."""
    graph: dict[str, set[str]] = {p: set() for p in feature_packages()}
    for path, found in all_imports("envsched"):
        mine = feature_of(module_of(path))
        if found.top_level and mine:
            graph[mine] |= features_in(found) - {mine}
    return graph


def features_in(found: Import) -> set[str]:
    """The feature packages an import reaches (``from envsched import booking`` too)."""
    if found.module == "envsched":
        return {name for name in found.names if name in feature_packages()}
    feature = feature_of(found.module)
    return {feature} if feature else set()


def loaded_by(importer: str, found: Import, ours: Callable[[str], bool]) -> set[str]:
    """The modules of ours an import statement runs: the module it names, the modules it
    takes by name, and the packages above them (their ``__init__`` runs first), except
    the importer's own packages, which are running already when it runs."""
    named = {found.module} | {f"{found.module}.{name}" for name in found.names}
    running = {".".join(importer.split(".")[:n]) for n in range(1, importer.count(".") + 1)}
    loaded: set[str] = set()
    for module in (m for m in named if ours(m)):
        parts = module.split(".")
        loaded |= {".".join(parts[:n]) for n in range(1, len(parts) + 1)}
    return loaded - running - {importer}


def module_graph(sources: dict[str, tuple[str, bool]]) -> dict[str, set[str]]:
    """Module -> the modules of ours it imports when it is imported, from ``{module:
    (source, is_package)}``."""
    return {
        module: {
            loaded
            for found in imports_in(source, module, is_package)
            if found.top_level and found.static
            for loaded in loaded_by(module, found, sources.__contains__)
        }
        for module, (source, is_package) in sources.items()
    }


def our_sources() -> dict[str, tuple[str, bool]]:
    return {
        module_of(path): (path.read_text(encoding="utf-8"), path.name == "__init__.py")
        for package in ("solver", "envsched", "web")
        for path in python_files(package)
    }


def cycle_in(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of the graph as a path (first node repeated at its end), or []."""
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def visit(node: str, path: list[str]) -> list[str]:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], node, nxt] if nxt in path else [node, nxt]
            if nxt not in state and (found := visit(nxt, [*path, node])):
                return found
        state[node] = 2
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start, [])):
            return found
    return []


def test_solver_imports_only_the_standard_library_and_ortools() -> None:
    assert imports_outside("solver", SOLVER_MAY_IMPORT) == []


def test_envsched_never_imports_web_in_any_way() -> None:
    assert imports_of("envsched", "web") == []


def test_web_reaches_solver_only_through_envsched() -> None:
    assert imports_of("web", "solver") == []


def test_packages_meet_only_through_their_faces() -> None:
    assert face_breaches("envsched") == []
    assert face_breaches("web") == []


def test_no_module_imports_its_own_packages_face() -> None:
    assert own_face_imports() == []


def test_feature_packages_import_each_other_without_a_cycle() -> None:
    """An import that goes up (lifecycle's windows start a planning round) waits in the
    function that needs it, so importing any package never finds another half done."""
    assert cycle_in(package_graph()) == []


def test_every_module_imports_on_its_own() -> None:
    """No cycle among the imports that run when a module is imported, within a package or
    across packages: with one, the module a test or a script imports first finds another
    half done (``cannot import name … from partially initialized module``). An import
    that must go up waits in the function that needs it."""
    assert cycle_in(module_graph(our_sources())) == []


def test_there_are_feature_packages() -> None:
    assert {"accounts", "booking", "inventory", "lifecycle", "planning"} <= feature_packages()


# the checkers themselves: each row is a source and the top-level modules it must report
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import json", ["json"]),
        ("from envsched.booking import request_booking", ["envsched"]),
        ("from . import scenario", []),
        ("def f():\n    import web.app\n", ["web"]),
        ("import importlib\nimportlib.import_module('web.serve')", ["importlib"]),  # static only
    ],
)
def test_imported_modules_reads_import_statements(source: str, expected: list[str]) -> None:
    assert list(imported_modules(source)) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import json", ["json"]),
        ("import ortools.sat.python.cp_model as cp", ["ortools"]),
        ("from envsched.booking import request_booking", ["envsched"]),
        ("def f():\n    import web.app\n", ["web"]),  # nested imports count too
        ("from . import scenario", []),  # relative: inside the package
        ("from sqlmodel import Field, SQLModel", ["sqlmodel"]),
        ("import importlib\nimportlib.import_module('web.serve')", ["importlib", "web"]),
        ("from importlib import import_module\nimport_module(f'web.{x}')", ["importlib", "web"]),
        ("__import__('solver')", ["solver"]),
        ("PLUGINS = {'serve': 'web.serve_cli:serve'}", ["web"]),  # an entry point's string
        ("'''A docstring that mentions web.serve in words.'''", []),
        ("URL = 'localhost:5000'", []),  # a port is no attribute
    ],
)
def test_reached_modules_finds_every_import_static_or_dynamic(
    source: str, expected: list[str]
) -> None:
    assert list(reached_modules(source)) == expected


def test_a_dynamic_import_of_an_unknown_module_counts_as_forbidden() -> None:
    found = list(imports_in("import importlib\nimportlib.import_module(name)"))
    assert found[-1].module == "?"


def test_a_relative_import_is_read_as_the_module_it_names() -> None:
    found = next(imports_in("from .rules import Rule", "envsched.booking.rulebook.checks"))
    assert found.module == "envsched.booking.rulebook.rules"


@pytest.mark.parametrize(
    ("importer", "source", "breach"),
    [
        (
            "web.ui.x",
            "from envsched.booking.bookings import book_direct",
            ["envsched.booking.bookings"],
        ),
        ("web.ui.x", "from envsched.booking import bookings", ["envsched.booking.bookings"]),
        ("web.ui.x", "from envsched.booking import book_direct", []),
        ("web.ui.x", "from envsched import booking", []),
        (
            "envsched.lifecycle.cancel",
            "from envsched.booking.giveback import offer_days",
            ["envsched.booking.giveback"],
        ),
        ("envsched.booking.move", "from envsched.booking.giveback import offer_days", []),
        (
            "envsched.cli.x",
            "import envsched.planning.rounds.replan",
            ["envsched.planning.rounds.replan"],
        ),
        ("envsched.cli.x", "from envsched.models import Booking", []),
        ("web.api.x", "from envsched.lifecycle.shapes import ReleaseIn", []),
        ("web.api.x", "from envsched.lifecycle import shapes", []),
        (
            "web.api.x",
            "from envsched.lifecycle.shapes.gates import GateOut",
            ["envsched.lifecycle.shapes.gates"],
        ),
        (
            "web.api.x",
            "from envsched.lifecycle.shapes import gates",
            ["envsched.lifecycle.shapes.gates"],
        ),
    ],
)
def test_an_import_behind_a_face_is_found(importer: str, source: str, breach: list[str]) -> None:
    found = next(imports_in(source, importer))
    assert behind_the_face(importer, found) == breach


def test_a_cycle_through_a_package_face_is_found() -> None:
    """The cycle ``web`` had: a helper imported a row type from ``web.ui.queries``, so
    ``web.ui``'s face ran first and imported a page that imports the helper."""
    sources = {
        "web": ("", True),
        "web.ui": ("from web.ui import booking_new, queries", True),
        "web.ui.queries": ("class BookingRow: ...", False),
        "web.ui.booking_new": ("from web.timeline_items import RULE_WORDS", False),
        "web.timeline_items": ("from web.ui.queries import BookingRow", False),
    }
    assert cycle_in(module_graph(sources)) == [
        "web.timeline_items",
        "web.ui",
        "web.ui.booking_new",
        "web.timeline_items",
    ]
    sources["web.timeline_items"] = ("def f():\n    from web.ui.queries import BookingRow", False)
    assert cycle_in(module_graph(sources)) == []


def test_an_import_of_a_module_inside_its_own_package_is_no_cycle() -> None:
    sources = {
        "envsched.booking": ("from envsched.booking.requests import ask", True),
        "envsched.booking.requests": ("from envsched.booking import bookings", False),
        "envsched.booking.bookings": ("if TYPE_CHECKING:\n    import envsched.booking", False),
    }
    assert module_graph(sources) == {
        "envsched.booking": {"envsched.booking.requests"},
        "envsched.booking.requests": {"envsched.booking.bookings"},
        "envsched.booking.bookings": set(),
    }


def test_a_cycle_is_found() -> None:
    assert cycle_in({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle_in({"a": {"b"}, "b": set()}) == []


def test_a_third_party_import_is_not_allowed_in_solver() -> None:
    assert "sqlmodel" not in SOLVER_MAY_IMPORT
    assert "envsched" not in SOLVER_MAY_IMPORT
    assert {"dataclasses", "json", "ortools"} <= SOLVER_MAY_IMPORT
