"""Reading one table of a lesson file field by field, each problem a `LessonError` that points at the
line it comes from and shows how to write the field. The part kinds (`tui_grad.core.kinds`) read
their tables with it; `tui_grad.core.lesson_file` reads whole files.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tui_grad.core import expr as ex
from tui_grad.core.lesson import (
    DATASETS,
    DIRECTIONS,
    MAX_LEVELS,
    MAX_NODES,
    MAX_TALL,
    NARROW_TALL,
    Assignment,
    Graph,
    LessonError,
    LinePlot,
    NetworkSpec,
    UpdateRule,
    distances_to_output,
)

IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


class TableReader:
    """Checks the tables of one file's parsed TOML field by field, pointing at lines in the source."""

    def __init__(self, path: Path, source: str, data: dict[str, Any]) -> None:
        self.path, self.data = path, data
        self.lines = source.splitlines()
        self.start = 0  # errors point at the first match at or after this line (the part being read)

    def line_of(self, *needles: str) -> int | None:
        """The first line from `start` on that contains every needle (to point an error at), if any."""
        for number, text in enumerate(self.lines[self.start:], start=self.start + 1):
            if all(needle in text for needle in needles):
                return number
        return None


    def fail(self, message: str, *needles: str) -> LessonError:
        """A LessonError at the first line from `start` holding every needle."""
        return LessonError(self.path, self.line_of(*needles) if needles else None, message)

    def field(self, table: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str,
              example: str, default: Any = ...) -> Any:
        """One field of the right type, or a LessonError that shows how to write it."""
        if key not in table:
            if default is not ...:
                return default
            place = f"in {where} " if where else ""
            raise self.fail(f"missing '{key}' {place}(write it like: {example})", where or "\0")
        value = table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise self.fail(f"'{key}' has the wrong type (write it like: {example})", key)
        return value


    @staticmethod
    def too_many_nodes(count: int) -> str:
        """The error for a graph of `count` nodes, more than an 80x24 screen draws."""
        return (f"the graph has {'at least ' if count > MAX_NODES + 1 else ''}{count} nodes; at most {MAX_NODES} "
                "can be drawn. Split the lesson or name fewer intermediate steps")

    def check_drawable(self, graph: Graph) -> None:
        """Refuse a graph the exercise screen cannot draw at 80x24, saying which way it is too big."""
        levels = distances_to_output(graph)
        boxed = [name for name, node in graph.nodes.items() if node.children or name in graph.named]
        deepest = max(levels[name] for name in boxed) + 1
        tallest = max(sum(levels[name] == level for name in boxed) for level in range(deepest))
        if (deepest > MAX_LEVELS and not (deepest == MAX_LEVELS + 1 and tallest <= NARROW_TALL)) or tallest > MAX_TALL:
            raise self.fail(
                f"the graph is {deepest} steps deep and {tallest} nodes tall; an 80x24 screen draws at most "
                f"{MAX_LEVELS} deep and {MAX_TALL} tall. Name fewer intermediate steps (write them inside one "
                "formula) or split the part in two",
                "nodes",
            )

    def inputs(self, graph: dict[str, Any], where: str) -> dict[str, float]:
        """The part's `inputs`: named finite numbers, at least one."""
        table = self.field(graph, "inputs", dict, where, "inputs = { a = 2.0, b = -3.0 }")
        if not table:
            raise self.fail("'inputs' is empty: name at least one input value", "inputs")
        if len(table) > MAX_NODES:
            raise self.fail(self.too_many_nodes(len(table)), "inputs")
        inputs: dict[str, float] = {}
        for name, value in table.items():
            self.check_name(name, inputs)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise self.fail(f"input '{name}' must be a finite number, like {name} = 2.0", name)
            inputs[name] = float(value)
        return inputs

    def check_name(self, name: str, defined: Mapping[str, Any] | list[str]) -> None:
        """Refuse a name that is not an identifier, is a function's, or is defined already."""
        if not IDENTIFIER.match(name) or "__" in name:
            raise self.fail(f"'{name}' is not a usable name: use letters, digits and single '_'", name)
        if name in ex.FUNCTIONS:
            raise self.fail(f"'{name}' is a function name; call the node something else", name)
        if name in defined:
            raise self.fail(f"'{name}' is defined twice; give the second one another name", f"{name} ")

    def assignments(self, graph: dict[str, Any], inputs: dict[str, float], where: str) -> tuple[Assignment, ...]:
        """The part's `nodes`, each `name = formula` parsed against the names before it."""
        lines = self.field(graph, "nodes", list, where, 'nodes = ["e = a * b", "L = e + c"]')
        if not lines:
            raise self.fail("'nodes' is empty: write at least one assignment like \"L = a * b\"", "nodes")
        if len(inputs) + len(lines) > MAX_NODES:  # before reading any: checking stays quick on a huge file
            raise self.fail(self.too_many_nodes(len(inputs) + len(lines)), "nodes")
        defined: list[str] = list(inputs)
        size = len(inputs)  # the graph's nodes so far: inputs, then each formula's operations and constants
        result = []
        for text in lines:
            if not isinstance(text, str):
                raise self.fail(f"each entry in 'nodes' must be a string like \"e = a * b\", not {text!r}", "nodes")
            line = self.line_of(text) or self.line_of("nodes")
            name, equals, rhs = text.partition("=")
            name = name.strip()
            if not equals or not name:
                raise LessonError(self.path, line, f"'{text}' needs the form name = formula, like \"e = a * b\"")
            try:
                self.check_name(name, defined)
            except LessonError as error:
                raise LessonError(self.path, line, error.message) from None
            try:
                formula = ex.parse(rhs, names=defined, first_column=len(text) - len(rhs) + 1)
            except ex.ExprError as error:
                itself = re.search(rf"\b{re.escape(name)}\b", rhs) and "unknown name" in error.message
                hint = " A node cannot depend on itself." if itself else ""
                raise LessonError(self.path, line, f"in '{text}': {error.message}.{hint}") from None
            if isinstance(formula, ex.Name):
                raise LessonError(self.path, line, f"'{text}' only renames {formula.name}; a node needs an operation")
            if not ex.names_in(formula):
                raise LessonError(self.path, line, f"'{text}' is a constant; put {name} in the inputs instead")
            if _has_variable_exponent(formula):
                raise LessonError(self.path, line, f"in '{text}': an exponent must be a plain number, like x ** 2")
            size += _node_count(formula)
            if size > MAX_NODES:
                raise LessonError(self.path, line, self.too_many_nodes(size))
            defined.append(name)
            result.append(Assignment(name, formula, text.strip(), line))
        return tuple(result)

    def parameters(self, graph: dict[str, Any], inputs: dict[str, float]) -> tuple[str, ...]:
        """The inputs an update moves (every input by default)."""
        names = self.field(graph, "parameters", list, "", 'parameters = ["a", "b"]', default=list(inputs))
        for name in names:
            if name not in inputs:
                raise self.fail(f"parameter '{name}' is not one of the inputs ({', '.join(inputs)})", "parameters")
        return tuple(names)

    def ask(self, table: dict[str, Any], default: tuple[str, ...], allowed: list[str] | tuple[str, ...],
            what: str = "node") -> tuple[str, ...]:
        """Which nodes are asked: the `ask` list, else `default` (the kind's); each one of `allowed`."""
        names = self.field(table, "ask", list, "", 'ask = ["a", "b"]', default=list(default))
        for name in names:
            if name not in allowed:
                raise self.fail(f"ask: '{name}' is not a {what} (choose from {', '.join(allowed)})", "ask")
        return tuple(names)

    def tolerance(self, table: dict[str, Any], key: str, default: float) -> float:
        """A grading tolerance from 0 up to (not including) 1."""
        value = self.field(table, key, float, "", f"{key} = {default:g}", default=default)
        if not 0 <= value < 1:
            raise self.fail(f"'{key}' must be at least 0 and below 1", key)
        return value

    def update_rule(self, table: dict[str, Any]) -> UpdateRule:
        """How the part's parameters move: step size, direction and step count."""
        step_size = self.field(table, "step_size", float, "", "step_size = 0.01", default=0.01)
        direction = self.field(table, "direction", str, "", 'direction = "descent"', default="descent")
        steps = self.field(table, "steps", int, "", "steps = 1", default=1)
        if not 0 < step_size <= 10:
            raise self.fail("'step_size' must be above 0 and at most 10", "step_size")
        if direction not in DIRECTIONS:
            raise self.fail(f"'direction' must be \"ascent\" or \"descent\", not \"{direction}\"", "direction")
        if not 1 <= steps <= 100_000:
            raise self.fail("'steps' must be between 1 and 100000", "steps")
        ask_gradients = self.field(table, "ask_gradients", bool, "", "ask_gradients = true", default=False)
        return UpdateRule(step_size, direction, steps, ask_gradients)


    def randomize(self, table: dict[str, Any], inputs: dict[str, float]) -> dict[str, tuple[float, float]]:
        """The inputs `--seed` may draw afresh, each from a range of whole numbers."""
        ranges = self.field(table, "randomize", dict, "", "randomize = { a = [-5, 5] }", default={})
        result = {}
        for name, bounds in ranges.items():
            if name not in inputs:
                raise self.fail(f"randomize: '{name}' is not an input ({', '.join(inputs)})", "randomize")
            if (not isinstance(bounds, list) or len(bounds) != 2
                    or not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds)
                    or bounds[0] >= bounds[1]):
                raise self.fail(f"randomize: '{name}' needs two whole numbers, low then high, like {name} = [-5, 5]",
                                "randomize")
            result[name] = (float(bounds[0]), float(bounds[1]))
        return result

    def line_plot(self, table: dict[str, Any], parameters: tuple[str, ...]) -> LinePlot | None:
        """The points and the line's two parameters of a part that fits a line, or None."""
        if "points" not in table and "line" not in table:
            return None
        points = self.field(table, "points", list, "", "points = [[1, 2], [2, 4]]")
        line = self.field(table, "line", list, "", 'line = ["m", "b"]')
        if not points or not all(isinstance(p, list) and len(p) == 2 and all(_is_number(v) for v in p) for p in points):
            raise self.fail("'points' must be pairs of numbers, like points = [[1, 2], [2, 4]]", "points")
        if len(line) != 2 or not all(name in parameters for name in line):
            raise self.fail("'line' names the slope and the intercept parameters, like line = [\"m\", \"b\"]", "line")
        return LinePlot(tuple((float(x), float(y)) for x, y in points), line[0], line[1])

    def network(self, table: dict[str, Any], where: str) -> NetworkSpec:
        """A network part's dataset, layers, steps, step size and seed."""
        dataset = self.field(table, "dataset", str, where, 'dataset = "moons"', default="moons")
        if dataset not in DATASETS:
            raise self.fail(f"unknown dataset '{dataset}' (datasets: {', '.join(DATASETS)})", "dataset")
        samples = self.field(table, "samples", int, where, "samples = 60", default=60)
        hidden = self.field(table, "hidden", list, where, "hidden = [8, 8]", default=[8, 8])
        steps = self.field(table, "steps", int, where, "steps = 100", default=100)
        step_size = self.field(table, "step_size", float, where, "step_size = 0.05", default=0.05)
        seed = self.field(table, "seed", int, where, "seed = 1", default=1)
        if not 4 <= samples <= 400:
            raise self.fail("'samples' must be between 4 and 400", "samples")
        if not hidden or len(hidden) > 3 or not all(isinstance(n, int) and 1 <= n <= 32 for n in hidden):
            raise self.fail("'hidden' lists one to three layer sizes from 1 to 32, like hidden = [8, 8]", "hidden")
        if not 1 <= steps <= 10_000:
            raise self.fail("'steps' must be between 1 and 10000", "steps")
        if not 0 < step_size <= 10:
            raise self.fail("'step_size' must be above 0 and at most 10", "step_size")
        return NetworkSpec(dataset, samples, tuple(hidden), steps, step_size, seed)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _node_count(formula: ex.Expr) -> int:
    """How many graph nodes building `formula` makes, as `_build` does: one per operation and one per
    constant operand (a part without names is one constant; an exponent is no node). One pass, no recursion."""
    has_name: dict[int, bool] = {}
    count = 0
    for node in ex.postorder(formula):
        children = ex.operands(node)
        has_name[id(node)] = isinstance(node, ex.Name) or any(has_name[id(child)] for child in children)
        if has_name[id(node)] and children:
            operands = children[:1] if isinstance(node, ex.Binary) and node.op == "**" else children
            count += 1 + sum(not has_name[id(child)] for child in operands)
    return count


def _has_variable_exponent(formula: ex.Expr) -> bool:
    """True when some `x ** y` has names in its exponent (the engine takes numeric exponents only)."""
    if isinstance(formula, ex.Binary):
        if formula.op == "**" and ex.names_in(formula.right):
            return True
        return _has_variable_exponent(formula.left) or _has_variable_exponent(formula.right)
    if isinstance(formula, ex.Unary):
        return _has_variable_exponent(formula.operand)
    if isinstance(formula, ex.Call):
        return _has_variable_exponent(formula.arg)
    return False
