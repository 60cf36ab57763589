"""Lesson files: TOML an instructor writes, read into a `Lesson` the tutor can run.

A lesson names its inputs, its graph as ordered assignments in formula syntax, which inputs are
parameters, and how the update step goes. Formulas are parsed by `tui_grad.core.expr`, which never
executes lesson text. Every problem becomes a `LessonError` naming the file, the line and the fix.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui_grad.core import expr as ex
from tui_grad.engine import EngineError, Value, topological_order

IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
EXERCISE_KINDS = ("gradients",)
DIRECTIONS = ("ascent", "descent")
MAX_NODES = 40


class LessonError(Exception):
    """A lesson file that cannot be used: where it is and what to fix."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class Assignment:
    """One line of the graph: `name = formula`, with the line it came from."""

    name: str
    formula: ex.Expr
    text: str
    line: int | None


@dataclass(frozen=True, slots=True)
class UpdateRule:
    """How parameters move: `p += step_size * grad` (ascent) or `p -= ...` (descent)."""

    step_size: float = 0.01
    direction: str = "descent"
    steps: int = 1

    @property
    def sign(self) -> float:
        """+1 for ascent (along the gradient), -1 for descent (against it)."""
        return 1.0 if self.direction == "ascent" else -1.0


@dataclass(frozen=True)
class Lesson:
    """A parsed, validated lesson: text to read and a graph to work through."""

    id: str
    title: str
    summary: str
    path: Path
    order: int
    intro: str
    outro: str
    inputs: dict[str, float]
    assignments: tuple[Assignment, ...]
    output: str
    parameters: tuple[str, ...]
    kind: str = "gradients"
    relative_tolerance: float = 1e-6
    absolute_tolerance: float = 1e-9
    update: UpdateRule = field(default_factory=UpdateRule)

    def build(self, inputs: Mapping[str, float] | None = None) -> Graph:
        """Run the forward pass on these input values (the lesson's own by default)."""
        return build_graph(self, dict(self.inputs if inputs is None else inputs))


@dataclass(frozen=True)
class Graph:
    """A built computation graph: every node by name, in topological order."""

    nodes: dict[str, Value]
    output: Value
    named: tuple[str, ...]

    def value_of(self, name: str) -> float:
        """The forward value of the node called `name`."""
        return self.nodes[name].data


def build_graph(lesson: Lesson, inputs: dict[str, float]) -> Graph:
    """Build Values for every assignment; name unnamed sub-expressions by their formula text."""
    values: dict[str, Value] = {name: Value(value, label=name) for name, value in inputs.items()}
    for assignment in lesson.assignments:
        try:
            values[assignment.name] = _build(assignment.formula, values, top=assignment.name)
        except EngineError as error:
            raise LessonError(
                lesson.path,
                assignment.line,
                f"the forward pass fails at '{assignment.text}': {error}. "
                "Change the input values or the formula.",
            ) from None
    output = values[lesson.output]
    ordered: dict[str, Value] = {}
    for node in topological_order(output):
        base, count = node.label, 1
        while node.label in ordered:  # two unnamed sub-expressions or constants with the same text
            count += 1
            node.label = f"{base} #{count}"
        ordered[node.label] = node
    named = tuple(name for name in ordered if name in values)
    return Graph(nodes=ordered, output=output, named=named)


def _build(formula: ex.Expr, values: dict[str, Value], top: str = "") -> Value:
    """Turn a parsed formula into engine Values; constant sub-expressions become constant leaves."""
    if not ex.names_in(formula):
        node = Value(ex.evaluate_number(formula), label=ex.to_text(formula))
    elif isinstance(formula, ex.Name):
        return values[formula.name]
    elif isinstance(formula, ex.Unary):
        node = -_build(formula.operand, values)
    elif isinstance(formula, ex.Call):
        node = getattr(_build(formula.arg, values), formula.func)()
    elif formula.op == "**":
        node = _build(formula.left, values) ** ex.evaluate_number(formula.right)
    else:
        left, right = _build(formula.left, values), _build(formula.right, values)
        node = {"+": left.__add__, "-": left.__sub__, "*": left.__mul__, "/": left.__truediv__}[
            formula.op
        ](right)
    node.label = top or ex.to_text(formula)
    return node


# --- reading files ---------------------------------------------------------------------------


def load_lesson(path: Path | str) -> Lesson:
    """Read and validate one lesson file; raise LessonError with file and line on any problem."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise LessonError(path, None, "the file is not UTF-8 text; save it as UTF-8") from None
    except OSError as error:
        raise LessonError(path, None, f"cannot read the file ({error.strerror})") from None
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
        line = int(match.group(1)) if match else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error)).rstrip(".")
        column = f", column {match.group(2)}" if match else ""
        raise LessonError(path, line, f"not valid TOML{column}: {reason}") from None
    return _Reader(path, source, data).lesson()


class _Reader:
    """Checks one file's parsed TOML field by field, pointing at lines in the source."""

    def __init__(self, path: Path, source: str, data: dict[str, Any]) -> None:
        self.path, self.data = path, data
        self.lines = source.splitlines()

    def line_of(self, *needles: str) -> int | None:
        """The first line that contains every needle (to point an error at), if any."""
        for number, text in enumerate(self.lines, start=1):
            if all(needle in text for needle in needles):
                return number
        return None

    def fail(self, message: str, *needles: str) -> LessonError:
        return LessonError(self.path, self.line_of(*needles) if needles else None, message)

    def field(self, table: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str,
              example: str, default: Any = ...) -> Any:
        """One field of the right type, or a LessonError that shows how to write it."""
        if key not in table:
            if default is not ...:
                return default
            place = f"in [{where}] " if where else ""
            raise self.fail(f"missing '{key}' {place}(write it like: {example})", f"[{where}]" if where else "\0")
        value = table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise self.fail(f"'{key}' has the wrong type (write it like: {example})", key)
        return value

    def lesson(self) -> Lesson:
        data = self.data
        lesson_id = self.field(data, "id", str, "", 'id = "chain-rule"')
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", lesson_id):
            raise self.fail(f"id '{lesson_id}' must be lowercase words joined by '-'", "id")
        text = self.field(data, "text", dict, "", '[text] with intro = """...""" ', default={})
        graph = self.field(data, "graph", dict, "", "[graph] with inputs and nodes")
        inputs = self.inputs(graph)
        assignments = self.assignments(graph, inputs)
        defined = [*inputs, *(a.name for a in assignments)]
        output = self.field(graph, "output", str, "graph", 'output = "L"', default=defined[-1])
        if output not in defined:
            raise self.fail(f"output '{output}' is not a node (nodes: {', '.join(defined)})", "output")
        parameters = self.parameters(graph, inputs)
        exercise = self.field(data, "exercise", dict, "", '[exercise] kind = "gradients"', default={})
        kind = self.field(exercise, "kind", str, "exercise", 'kind = "gradients"', default="gradients")
        if kind not in EXERCISE_KINDS:
            raise self.fail(f"unknown exercise kind '{kind}' (kinds: {', '.join(EXERCISE_KINDS)})", "kind")
        lesson = Lesson(
            id=lesson_id,
            title=self.field(data, "title", str, "", 'title = "The chain rule by hand"'),
            summary=self.field(data, "summary", str, "", 'summary = "One line about the lesson"'),
            path=self.path,
            order=self.field(data, "order", int, "", "order = 4", default=1000),
            intro=self.field(text, "intro", str, "text", 'intro = """Markdown"""', default=""),
            outro=self.field(text, "outro", str, "text", 'outro = """Markdown"""', default=""),
            inputs=inputs,
            assignments=assignments,
            output=output,
            parameters=parameters,
            kind=kind,
            relative_tolerance=self.tolerance(exercise, "relative_tolerance", 1e-6),
            absolute_tolerance=self.tolerance(exercise, "absolute_tolerance", 1e-9),
            update=self.update_rule(),
        )
        graph_built = lesson.build()
        unused = [name for name in defined if name not in graph_built.nodes]
        if unused:
            raise self.fail(
                f"'{unused[0]}' does not feed the output '{output}'; use it or remove it", unused[0]
            )
        if len(graph_built.nodes) > MAX_NODES:
            raise self.fail(
                f"the graph has {len(graph_built.nodes)} nodes; at most {MAX_NODES} can be drawn. "
                "Split the lesson or name fewer intermediate steps",
                "[graph]",
            )
        return lesson

    def inputs(self, graph: dict[str, Any]) -> dict[str, float]:
        table = self.field(graph, "inputs", dict, "graph", "inputs = { a = 2.0, b = -3.0 }")
        if not table:
            raise self.fail("'inputs' is empty: name at least one input value", "inputs")
        inputs = {}
        for name, value in table.items():
            self.check_name(name, inputs)
            if isinstance(value, bool) or not isinstance(value, int | float) or value != value or abs(value) == float("inf"):
                raise self.fail(f"input '{name}' must be a finite number, like {name} = 2.0", name)
            inputs[name] = float(value)
        return inputs

    def check_name(self, name: str, defined: Mapping[str, Any] | list[str]) -> None:
        if not IDENTIFIER.match(name) or "__" in name:
            raise self.fail(f"'{name}' is not a usable name: use letters, digits and single '_'", name)
        if name in ex.FUNCTIONS:
            raise self.fail(f"'{name}' is a function name; call the node something else", name)
        if name in defined:
            raise self.fail(f"'{name}' is defined twice; give the second one another name", f"{name} ")

    def assignments(self, graph: dict[str, Any], inputs: dict[str, float]) -> tuple[Assignment, ...]:
        lines = self.field(graph, "nodes", list, "graph", 'nodes = ["e = a * b", "L = e + c"]')
        if not lines:
            raise self.fail("'nodes' is empty: write at least one assignment like \"L = a * b\"", "nodes")
        defined: list[str] = list(inputs)
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
                formula = ex.parse(rhs, names=defined)
            except ex.ExprError as error:
                hint = ""
                if isinstance(error, ex.ExprError) and name in rhs and "unknown name" in error.message:
                    hint = " A node cannot depend on itself."
                raise LessonError(self.path, line, f"in '{text}': {error.message}.{hint}") from None
            if isinstance(formula, ex.Name):
                raise LessonError(self.path, line, f"'{text}' only renames {formula.name}; a node needs an operation")
            if not ex.names_in(formula):
                raise LessonError(self.path, line, f"'{text}' is a constant; put {name} in [graph] inputs instead")
            if _has_variable_exponent(formula):
                raise LessonError(self.path, line, f"in '{text}': an exponent must be a plain number, like x ** 2")
            defined.append(name)
            result.append(Assignment(name, formula, text.strip(), line))
        return tuple(result)

    def parameters(self, graph: dict[str, Any], inputs: dict[str, float]) -> tuple[str, ...]:
        names = self.field(graph, "parameters", list, "graph", 'parameters = ["a", "b"]', default=list(inputs))
        for name in names:
            if name not in inputs:
                raise self.fail(f"parameter '{name}' is not one of the inputs ({', '.join(inputs)})", "parameters")
        return tuple(names)

    def tolerance(self, exercise: dict[str, Any], key: str, default: float) -> float:
        value = self.field(exercise, key, float, "exercise", f"{key} = {default:g}", default=default)
        if not 0 <= value < 1:
            raise self.fail(f"'{key}' must be at least 0 and below 1", key)
        return value

    def update_rule(self) -> UpdateRule:
        table = self.field(self.data, "update", dict, "", "[update] step_size = 0.01", default={})
        step_size = self.field(table, "step_size", float, "update", "step_size = 0.01", default=0.01)
        direction = self.field(table, "direction", str, "update", 'direction = "descent"', default="descent")
        steps = self.field(table, "steps", int, "update", "steps = 1", default=1)
        if not 0 < step_size <= 10:
            raise self.fail("'step_size' must be above 0 and at most 10", "step_size")
        if direction not in DIRECTIONS:
            raise self.fail(f"'direction' must be \"ascent\" or \"descent\", not \"{direction}\"", "direction")
        if not 1 <= steps <= 100_000:
            raise self.fail("'steps' must be between 1 and 100000", "steps")
        return UpdateRule(step_size, direction, steps)


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
