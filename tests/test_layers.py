"""The map of the house: which part of fenxiao may import which.

fenxiao is built in layers. A module may import from its own layer's package and from the layers below it,
never from a layer above::

    9  fenxiao (the public face), fenxiao.__main__, fenxiao.cli      what people and programs call
    8  fenxiao.serialization, fenxiao.sample,                        the edges: every type's file form, the
       fenxiao.columnar, fenxiao.testing,                            built-in data, the NumPy path, strategies,
       fenxiao.store,                                                the database adapters (SQLite, PostgreSQL),
       fenxiao.simulate,                                             the season simulator (the flywheel, week by week),
       fenxiao.authoring                                             rule authors' tools (schemas, file lint, cases)
    7  fenxiao.market          admission, the selection pool, program goals
       fenxiao.periods         program state between gradings, period runs, schedules, what-if diff, drift
    6  fenxiao.grading         tier policies, decisions, gaps, lint, history, perks, subsidies, the pipeline
    5  fenxiao.scoring         dimensions, context, metrics, scorecards, the plug-in registry
       fenxiao.settlement      plans, platform profiles, orders, the split, the ledger, scenarios
    4  fenxiao.rules           the condition language, its interpreter, witness search, compiler, NumPy
                               evaluator and the rule table shared by tiers, perks and admission
    3  fenxiao.domain          goods, people, listings, snapshots, the catalog
    2  fenxiao._internal       validators, fixed-point, the TOML writer, the converter, trusted builders
    1  fenxiao.money           Money, Rate, Rounding
    0  fenxiao.errors, fenxiao._version, fenxiao._internal.trusted (imports nothing of fenxiao)

Packages on one layer are peers: scoring and settlement never import each other, nor do the four edges
(except that ``sample`` reads its file through ``serialization``, and ``simulate`` runs its columnar season on
``columnar``), and ``__main__`` only calls the CLI.

Three more rules keep the layers honest:

- no private name (``_x``, or anything from a ``_x`` module) is imported from another package, except from
  ``fenxiao._internal``, which exists to be shared, and ``fenxiao._version``;
- a module never imports its own package's ``__init__`` (the package face re-exports its modules, so that
  would be a cycle), and
- there is no import cycle among fenxiao's modules, whether the import is at module level or inside a function.
  Imports under ``if TYPE_CHECKING:`` are for annotations only and are not followed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"

#: Each top-level part of the package and its layer (the docstring above is the map).
LAYERS: dict[str, int] = {
    "fenxiao.errors": 0,
    "fenxiao._version": 0,
    "fenxiao._internal.trusted": 0,
    "fenxiao.money": 1,
    "fenxiao._internal": 2,
    "fenxiao.domain": 3,
    "fenxiao.rules": 4,
    "fenxiao.scoring": 5,
    "fenxiao.settlement": 5,
    "fenxiao.grading": 6,
    "fenxiao.market": 7,
    "fenxiao.periods": 7,
    "fenxiao.serialization": 8,
    "fenxiao.sample": 8,
    "fenxiao.columnar": 8,
    "fenxiao.testing": 8,
    "fenxiao.store": 8,
    "fenxiao.authoring": 8,
    "fenxiao.simulate": 8,
    "fenxiao.plot": 8,
    "fenxiao.cli": 9,
    "fenxiao.__main__": 9,
    "fenxiao": 9,
}

#: Imports between peers on one layer that the map allows.
PEER_IMPORTS: frozenset[tuple[str, str]] = frozenset(
    {
        ("fenxiao.sample", "fenxiao.serialization"),
        ("fenxiao.__main__", "fenxiao.cli"),
        ("fenxiao.simulate", "fenxiao.columnar"),
        ("fenxiao.plot", "fenxiao.simulate"),
    }
)


def module_name(path: Path, root: Path = SRC) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path = SRC) -> dict[str, Path]:
    return {module_name(p, root): p for p in sorted((root / "fenxiao").rglob("*.py"))}


def part_of(module: str) -> str:
    """The layer part that *module* belongs to: the longest key of :data:`LAYERS` that prefixes it."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in LAYERS:
            return candidate
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS and to the map in this docstring")


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk_runtime(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, skipping the bodies of ``if TYPE_CHECKING:`` blocks."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _type_checking_only(node):
            yield from (n for child in node.orelse for n in [child, *_walk_runtime(child)])
            continue
        yield node
        yield from _walk_runtime(node)


def imports(module: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, str | None, int]]:
    """``(imported module, imported name or None, line)`` for every runtime fenxiao import in *path*."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in _walk_runtime(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "fenxiao":
                    yield alias.name, None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] != "fenxiao":
                continue
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                if submodule in known:
                    yield submodule, None, node.lineno
                else:
                    yield target, alias.name, node.lineno


def _private(module: str, name: str | None) -> bool:
    if name is not None and name.startswith("_") and not name.startswith("__"):
        return True
    return any(part.startswith("_") and not part.startswith("__") for part in module.split(".")[1:])


def violations(root: Path = SRC) -> list[str]:
    """Every import that breaks the map, as ``module:line: problem`` lines."""
    known = modules(root)
    found: list[str] = []
    for module, path in known.items():
        mine = part_of(module)
        for target, name, line in imports(module, path, known):
            if target not in known:
                continue  # a name re-exported by a package face resolves through that face below
            theirs = part_of(target)
            where = f"{module}:{line}"
            what = f"{target}.{name}" if name else target
            if LAYERS[theirs] > LAYERS[mine]:
                found.append(f"{where}: imports {what} from a higher layer ({theirs}, layer {LAYERS[theirs]})")
            elif LAYERS[theirs] == LAYERS[mine] and theirs != mine and (mine, theirs) not in PEER_IMPORTS:
                found.append(f"{where}: imports {what} from a peer on its own layer ({theirs})")
            shared = theirs.startswith(("fenxiao._internal", "fenxiao._version"))
            if theirs != mine and not shared and _private(target, name):
                found.append(f"{where}: imports the private {what} from another package ({theirs})")
            own_package = module if path.name == "__init__.py" else module.rpartition(".")[0]
            if target == own_package and module != target and "." in own_package:
                found.append(f"{where}: imports its own package's face {target} (import the module itself)")
    return found


def cycles(root: Path = SRC) -> list[list[str]]:
    """Strongly connected groups of more than one module in the runtime import graph (Tarjan)."""
    known = modules(root)
    graph = {m: sorted({t for t, _, _ in imports(m, p, known) if t in known and t != m}) for m, p in known.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return groups


def test_every_module_belongs_to_a_layer() -> None:
    """Each module of the package sits on one layer of the map."""
    for module in modules():
        assert LAYERS[part_of(module)] >= 0


def test_no_module_imports_upward_or_a_private_name_of_another_package() -> None:
    """Imports point down the map, and private names stay inside their package (or come from _internal)."""
    assert violations() == []


def test_there_is_no_import_cycle() -> None:
    """No group of modules imports itself round, at module level or inside a function."""
    assert cycles() == []


def _plant(tmp_path: Path, module: str, source: str) -> Path:
    """A copy of the source tree with *source* appended to *module*."""
    import shutil

    root = tmp_path / "src"
    shutil.copytree(SRC / "fenxiao", root / "fenxiao", ignore=shutil.ignore_patterns("__pycache__", "*.json"))
    target = root / (module.replace(".", "/") + ".py")
    if not target.exists():
        target = root / module.replace(".", "/") / "__init__.py"
    target.write_text(target.read_text(encoding="utf-8") + "\n" + source, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("module", "planted", "problem"),
    [
        ("fenxiao.money", "from fenxiao.grading.tiers import Tier\n", "from a higher layer"),
        ("fenxiao.domain.goods", "def f() -> None:\n    import fenxiao.market.pool\n", "from a higher layer"),
        ("fenxiao.scoring.metrics", "from fenxiao.settlement.orders import split\n", "from a peer"),
        ("fenxiao.grading.pipeline", "from fenxiao.scoring.dimensions import _ZERO\n", "private"),
        ("fenxiao.market.pool", "from fenxiao.columnar._columns import TextColumn\n", "higher layer"),
        ("fenxiao.grading.tiers", "from fenxiao.grading import Tier\n", "own package's face"),
    ],
)
def test_a_planted_wrong_import_is_found(tmp_path: Path, module: str, planted: str, problem: str) -> None:
    """The test fails when an upward, peer, private or own-face import is planted in the tree."""
    found = violations(_plant(tmp_path, module, planted))
    assert any(problem in line and line.startswith(module) for line in found), found


def test_a_planted_cycle_is_found(tmp_path: Path) -> None:
    """A function-level import that closes a loop inside one package is a cycle."""
    root = _plant(tmp_path, "fenxiao.rules.language", "def f() -> None:\n    import fenxiao.rules.interpreter\n")
    assert ["fenxiao.rules.interpreter", "fenxiao.rules.language"] in [
        [m for m in group if m in {"fenxiao.rules.interpreter", "fenxiao.rules.language"}] for group in cycles(root)
    ]


def test_type_checking_imports_are_not_followed(tmp_path: Path) -> None:
    """An annotation-only import (under TYPE_CHECKING) is neither a violation nor a cycle."""
    planted = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from fenxiao.grading.tiers import Tier\n"
    root = _plant(tmp_path, "fenxiao.money", planted)
    assert not [line for line in violations(root) if line.startswith("fenxiao.money")]
