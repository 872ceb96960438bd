"""How the house of ``envsched`` looks: modules, lines and imports per package, and the
longest chain of imports a reader follows from one module to the next.

Read from the source with ``ast`` (nothing is imported). An import counts once per pair
of modules, whether it runs when the module is imported or inside a function;
``from envsched.booking import x`` is an import of the face ``envsched.booking`` (and of
``envsched.booking.x`` too when ``x`` is a module). The chain is the longest path of the
import graph in which no module appears twice. The totals compare with issue 13's
numbers for ``envsched/services/``: the feature packages without ``demo``.

    .venv/bin/python bench/import_chains.py [--without envsched.solves] [--chain]
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# packages of envsched that are no feature, and the one the services never held
NOT_FEATURES = frozenset({"cli", "models", "migrations"})
NOT_SERVICES = frozenset({"demo"})
KERNEL = "(kernel)"  # the modules at envsched's top level


@dataclass(frozen=True)
class Module:
    name: str  # dotted: "envsched.booking.requests", "envsched.booking" for its face
    path: Path
    lines: int

    @property
    def package(self) -> str:
        parts = self.name.split(".")
        if len(parts) == 1 or (len(parts) == 2 and self.path.name != "__init__.py"):
            return KERNEL
        return parts[1]


def modules(root: Path = ROOT) -> dict[str, Module]:
    found: dict[str, Module] = {}
    for path in sorted((root / "envsched").rglob("*.py")):
        if "migrations" in path.relative_to(root).parts:
            continue
        parts = list(path.relative_to(root).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = Module(name, path, len(path.read_text(encoding="utf-8").splitlines()))
    return found


def _absolute(node: ast.ImportFrom, importer: Module) -> str:
    if node.level == 0:
        return node.module or ""
    base = importer.name.split(".")
    if importer.path.name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


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


def _statements(module: Module) -> Iterator[tuple[str, tuple[str, ...], bool]]:
    """Each import of a module: the module it names, the names it takes, and whether it
    runs when the module is imported."""
    tree = ast.parse(module.path.read_text(encoding="utf-8"))
    deferred = _deferred(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, (), id(node) not in deferred
        elif isinstance(node, ast.ImportFrom):
            names = tuple(alias.name for alias in node.names)
            yield _absolute(node, module), names, id(node) not in deferred


def origins(known: dict[str, Module]) -> dict[tuple[str, str], str]:
    """(face, name) -> the module of the face's package that the name comes from."""
    found: dict[tuple[str, str], str] = {}
    for face in (m for m in known.values() if m.path.name == "__init__.py"):
        for target, names, _ in _statements(face):
            if target in known and target.startswith(f"{face.name}."):
                found |= {(face.name, name): target for name in names}
    return found


def imports_of(
    module: Module, known: dict[str, Module], origin: dict[tuple[str, str], str], top: bool
) -> set[str]:
    """The modules of ``envsched`` a module imports (only those that run when it is
    imported, with ``top``). A name taken from a face counts as an import of the module
    the face takes it from: that is where a reader finds it."""
    reached: set[str] = set()
    for target, names, at_import in _statements(module):
        if top and not at_import:
            continue
        if not names:
            reached.add(target)
        for name in names:
            if f"{target}.{name}" in known:
                reached.add(f"{target}.{name}")
            elif module.name != target and (target, name) in origin:
                reached.add(origin[target, name])
            else:
                reached.add(target)
    return {name for name in reached if name in known and name != module.name}


def import_graph(known: dict[str, Module], top: bool = False) -> dict[str, set[str]]:
    origin = origins(known)
    return {name: imports_of(module, known, origin, top) for name, module in known.items()}


def longest_chain(graph: dict[str, set[str]], nodes: Iterable[str]) -> list[str]:
    """The longest path through ``nodes`` along ``graph``'s edges between them. The graph
    of the imports that run when a module is imported has no cycle (Python would meet a
    module half done); a cycle is an error here."""
    inside = set(nodes)
    tails: dict[str, list[str]] = {}
    on_path: list[str] = []

    def tail(node: str) -> list[str]:
        if node in tails:
            return tails[node]
        if node in on_path:
            cycle = [*on_path[on_path.index(node) :], node]
            raise ValueError("a cycle of imports: " + " → ".join(cycle))
        on_path.append(node)
        longest = [node]
        for nxt in sorted(graph.get(node, set()) & inside):
            if len(found := tail(nxt)) + 1 > len(longest):
                longest = [node, *found]
        on_path.pop()
        tails[node] = longest
        return longest

    return max((tail(node) for node in sorted(inside)), key=len, default=[])


@dataclass(frozen=True)
class Row:
    package: str
    modules: int
    lines: int
    imports: int  # imports between this package's modules and any module of envsched


def rows(known: dict[str, Module], graph: dict[str, set[str]]) -> list[Row]:
    packages = sorted({m.package for m in known.values()}, key=lambda p: (p == KERNEL, p))
    return [
        Row(
            package,
            len(members := [m for m in known.values() if m.package == package]),
            sum(m.lines for m in members),
            sum(len(graph[m.name]) for m in members),
        )
        for package in packages
    ]


def services(known: dict[str, Module]) -> set[str]:
    """The modules that were ``envsched/services/``: the feature packages but demo."""
    return {
        name for name, m in known.items() if m.package not in NOT_FEATURES | NOT_SERVICES | {KERNEL}
    }


def table(found: list[Row], totals: list[tuple[str, int, int, int, int]]) -> str:
    lines = [f"{'package':<28} {'modules':>7} {'lines':>7} {'imports':>7} {'chain':>5}"]
    lines += [f"{r.package:<28} {r.modules:>7} {r.lines:>7,} {r.imports:>7} {'':>5}" for r in found]
    lines.append("-" * len(lines[0]))
    lines += [f"{t[0]:<28} {t[1]:>7} {t[2]:>7,} {t[3]:>7} {t[4]:>5}" for t in totals]
    return "\n".join(lines)


def measure(without: Iterable[str] = (), root: Path = ROOT) -> tuple[str, dict[str, list[str]]]:
    known = modules(root)
    graph = import_graph(known)
    at_import = import_graph(known, top=True)
    left_out = set(without)
    chains: dict[str, list[str]] = {}
    totals = []
    for label, members in (
        ("feature packages (no demo)", services(known)),
        ("all of envsched", set(known)),
    ):
        inside = members - left_out
        chain = longest_chain(at_import, inside)
        chains[label] = chain
        totals.append(
            (
                label,
                len(members),
                sum(known[n].lines for n in members),
                sum(len(graph[n] & members) for n in members),
                len(chain),
            )
        )
    return table(rows(known, graph), totals), chains


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        help="leave a module out of the chains (e.g. envsched.solves); may repeat",
    )
    parser.add_argument("--chain", action="store_true", help="print the longest chains")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to measure")
    args = parser.parse_args(argv)
    text, chains = measure(args.without, args.root)
    print(text)
    if args.chain:
        for label, chain in chains.items():
            print(f"\nlongest chain, {label} ({len(chain)} modules):")
            print("  " + "\n  → ".join(chain))


if __name__ == "__main__":
    main()
