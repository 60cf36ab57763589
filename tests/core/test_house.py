"""The shape of the house, read from the source: no import cycle anywhere in `tui_grad`, nothing
outside the web lab imports it, and no part kind's name is tested outside the kinds' registry."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

import tui_grad
from tui_grad.core.kinds.registry import kind_names

PACKAGE = Path(tui_grad.__file__).parent
KINDS_PACKAGE = PACKAGE / "core" / "kinds"
WEB_ENTRY = {"tui_grad.serve"}
"""The one module outside `tui_grad.web` that may import it: the `tui-grad serve` command that starts it."""


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources(root: Path = PACKAGE) -> dict[str, ast.Module]:
    """Every module of the package by its dotted name, parsed."""
    return {module_name(path, root): ast.parse(path.read_text(encoding="utf-8"), str(path))
            for path in sorted(root.rglob("*.py"))}


def _type_checking_only(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return isinstance(test, ast.Name | ast.Attribute) and ast.unparse(test).endswith("TYPE_CHECKING")


def _walk_runtime(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node that runs: module level and inside functions, but not `if TYPE_CHECKING:` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not _type_checking_only(child):
                stack.append(child)


def imports_of(name: str, tree: ast.Module, modules: Iterable[str]) -> set[str]:
    """The package's modules `name` imports, at module level or inside a function."""
    known, found = set(modules), set()
    package = name if any(m.startswith(name + ".") for m in known) else name.rpartition(".")[0]
    for node in _walk_runtime(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        found.update(target for target in targets if target in known and target != name)
    return found


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """Who imports whom inside the package."""
    trees = sources(root)
    return {name: imports_of(name, tree, trees) for name, tree in trees.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as the modules along it (the first repeated at the end), or None."""
    state: dict[str, int] = {}
    for start in sorted(graph):
        if state.get(start):
            continue
        path, stack = [start], [iter(sorted(graph[start]))]
        state[start] = 1
        while stack:
            following = next(stack[-1], None)
            if following is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(following) == 1:
                return [*path[path.index(following):], following]
            elif not state.get(following):
                state[following] = 1
                path.append(following)
                stack.append(iter(sorted(graph[following])))
    return None


def test_no_module_of_the_package_takes_part_in_an_import_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle or [])


def test_the_cycle_finder_sees_a_cycle_through_a_function_local_import(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import thing\n")
    (package / "b.py").write_text("def thing():\n    from pkg import a\n    return a\n")
    (package / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n")
    graph = import_graph(package)
    assert find_cycle(graph) == ["pkg.a", "pkg.b", "pkg.a"]
    assert graph["pkg.c"] == set()  # an import for the type checker only runs never


def test_nothing_outside_the_web_lab_imports_it() -> None:
    graph = import_graph()
    wrong = sorted(f"{name} imports {target}" for name, targets in graph.items() for target in targets
                   if target.startswith("tui_grad.web") and not name.startswith("tui_grad.web")
                   and name not in WEB_ENTRY)
    assert wrong == []


# --- kinds ---------------------------------------------------------------------------------------


def _mentions_kind(node: ast.AST) -> bool:
    """True when an expression reads something called `kind` (`part.kind`, `kind`)."""
    return any((isinstance(n, ast.Attribute) and n.attr == "kind") or (isinstance(n, ast.Name) and n.id == "kind")
               for n in ast.walk(node))


def _names_a_kind(node: ast.AST, names: set[str]) -> bool:
    """True for a kind's name as a literal, or a tuple, list or set literal holding one."""
    if isinstance(node, ast.Constant):
        return node.value in names
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_names_a_kind(element, names) for element in node.elts)
    return False


def kind_tests(tree: ast.Module, names: set[str]) -> Iterator[tuple[int, str]]:
    """Each place that tests a part kind by its name: `part.kind == "slope"`, `kind in ("a", "b")`,
    `{"update": ...}.get(part.kind)`, `RENDERERS[flow.kind]`, or the old lists of kind names."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_names_a_kind(o, names) for o in operands) and any(_mentions_kind(o) for o in operands):
                yield node.lineno, ast.unparse(node)
        elif _looks_up_a_kind(node, names):
            yield node.lineno, ast.unparse(node)
        elif isinstance(node, ast.Name) and node.id in ("PART_KINDS", "ANSWERED_KINDS", "PART_FLOWS"):
            yield node.lineno, node.id


def _looks_up_a_kind(node: ast.AST, names: set[str]) -> bool:
    """`{"update": ...}.get(part.kind)` or `RENDERERS[flow.kind]`: a table keyed by kind names."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" \
            and isinstance(node.func.value, ast.Dict):
        return any(k is not None and _names_a_kind(k, names) for k in node.func.value.keys)
    return isinstance(node, ast.Subscript) and any(isinstance(n, ast.Attribute) and n.attr == "kind"
                                                   for n in ast.walk(node.slice))


def kind_tests_in(root: Path, names: set[str], exempt: Path | None = None) -> list[str]:
    """Every kind test under `root` outside `exempt`, as `path:line: code`."""
    found = []
    for path in sorted(root.rglob("*.py")):
        if exempt is not None and path.is_relative_to(exempt):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        found += [f"{path.relative_to(root.parent)}:{line}: {code}" for line, code in kind_tests(tree, names)]
    return found


def test_no_kind_is_tested_by_its_name_outside_the_registry() -> None:
    assert kind_tests_in(PACKAGE, set(kind_names()), exempt=KINDS_PACKAGE) == []


@pytest.mark.parametrize("code", [
    'if part.kind == "slope": pass',
    'ok = self.lesson.kind != "update"',
    'ok = kind in ("gradients", "update", "bughunt")',
    'label = {"update": "update", "slope": "slope"}.get(self.part.kind, "gradient")',
    'RENDERERS[session.flow.kind](plain, session)',
    'ok = part.kind in ANSWERED_KINDS',
])
def test_the_kind_scan_catches_each_way_of_testing_a_kind(code: str) -> None:
    assert list(kind_tests(ast.parse(code), set(kind_names())))


def test_the_kind_scan_leaves_other_kinds_of_thing_alone() -> None:
    code = ('ok = replay.kind == "backward"\nok = token.kind in ("num", "name")\naction = TYPED.get("update")\n'
            'style = BORDERS[kind]\n')
    assert list(kind_tests(ast.parse(code), set(kind_names()))) == []
