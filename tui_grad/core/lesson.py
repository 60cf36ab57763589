"""Lessons as data: a `Lesson`, its `Part`s, the settings they carry, and the graph a part builds.

A lesson names its inputs, its graph as ordered assignments in formula syntax, which inputs are
parameters, and how the update step goes. Formulas are parsed by `tui_grad.core.expr`, which never
executes lesson text. Reading a file into these types is `tui_grad.core.lesson_file`'s work; every
problem there becomes a `LessonError` naming the file, the line and the fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tui_grad.core import expr as ex
from tui_grad.core.safe_text import safe_text
from tui_grad.engine import EngineError, Value, topological_order

DIRECTIONS = ("ascent", "descent")
DATASETS = ("moons", "circles", "blobs", "xor")
MAX_NODES = 40
MAX_LEVELS, MAX_TALL = 5, 4
"""The largest graph an 80x24 screen draws: five box columns, four boxes high (constants get no box)."""
MAX_FILE_BYTES = 256 * 1024
"""The largest lesson file read: the shipped ones are under 5 KiB; anything near this is a mistake or an attack."""
MAX_TRAINING_WORK = 50_000
"""The most steps × graph nodes a part may run: about a second of `trace` (25 µs a node-step), three
times the longest shipped run (line-fit: 800 steps on 22 nodes)."""
MAX_NESTING = 16
"""The deepest nesting of [ ] and { } a lesson file may have (lessons need 3); checked before the TOML parser."""
COMMAND_NAMES = ("list", "trace", "check", "progress", "reset", "practice", "serve", "class", "help")
"""Sub-commands of `tui-grad`, present and planned: a lesson id may not be one, or `tui-grad ID` could
never open it. The command line takes its commands from this list."""


class LessonError(Exception):
    """A lesson file that cannot be used: where it is and what to fix."""

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.message = safe_text(message)
        self.file_name = safe_text(self.path.name)
        """The file's name, safe to print (a file name may hold control characters too)."""
        where = safe_text(f"{self.path}:{line}" if line else str(self.path))
        super().__init__(f"{where}: {self.message}")


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


@dataclass(frozen=True, slots=True)
class LinePlot:
    """Data points and the two parameters of the line `y = slope * x + intercept` fitted to them."""

    points: tuple[tuple[float, float], ...]
    slope: str
    intercept: str


@dataclass(frozen=True, slots=True)
class NetworkSpec:
    """A small multi-layer perceptron trained on a two-dimensional toy dataset the lesson generates."""

    dataset: str = "moons"
    samples: int = 60
    hidden: tuple[int, ...] = (8, 8)
    steps: int = 100
    step_size: float = 0.05
    seed: int = 1


@dataclass(frozen=True)
class Part:
    """One exercise of a lesson: its text, its graph (or network) and what it asks."""

    title: str
    kind: str
    text: str = ""
    inputs: dict[str, float] = field(default_factory=dict)
    assignments: tuple[Assignment, ...] = ()
    output: str = ""
    parameters: tuple[str, ...] = ()
    ask: tuple[str, ...] = ()
    """The nodes whose gradient (or, in an update, whose new value) is asked; () means every node."""
    relative_tolerance: float = 1e-6
    absolute_tolerance: float = 1e-9
    update: UpdateRule = field(default_factory=UpdateRule)
    randomize: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Inputs that `--seed` may draw afresh, each from an inclusive integer range."""
    plot: LinePlot | None = None
    network: NetworkSpec | None = None
    zero_grad: bool = True
    """False in a "train" part that shows the bug of never zeroing gradients between steps."""
    path: Path = Path()

    def build(self, inputs: Mapping[str, float] | None = None) -> Graph:
        """Run the forward pass on these input values (the part's own by default)."""
        return build_graph(self, dict(self.inputs if inputs is None else inputs))

    def forward(self, inputs: Mapping[str, float] | None = None, nudge: tuple[str, float] | None = None
                ) -> dict[str, float]:
        """Every named node's value after a forward pass through the engine, optionally with one node
        moved by h on the way (`nudge=(name, h)`): how the learner checks a gradient by hand.

        Raises ExprError, with a sentence, when the pass leaves a function's domain."""
        values = {name: Value(value, label=name) for name, value in (self.inputs if inputs is None else inputs).items()}
        if nudge and nudge[0] in values:
            values[nudge[0]] = Value(values[nudge[0]].data + nudge[1], label=nudge[0])
        try:
            for assignment in self.assignments:
                node = _build(assignment.formula, values, top=assignment.name)
                values[assignment.name] = node + nudge[1] if nudge and nudge[0] == assignment.name else node
        except EngineError as error:
            raise ex.ExprError(str(error)) from None
        return {name: node.data for name, node in values.items()}


@dataclass(frozen=True)
class Lesson:
    """A parsed, validated lesson: text to read and one or more parts to work through."""

    id: str
    title: str
    summary: str
    path: Path
    order: int
    intro: str
    outro: str
    parts: tuple[Part, ...]
    notices: tuple[LessonError, ...] = ()
    """Problems that do not stop the lesson (control characters, shown as visible glyphs): `check` reports them."""
    group: str = ""
    """The group the lesson is listed under ("Build the engine"); "" for the first, FIRST_GROUP."""


FIRST_GROUP = "Backpropagation by hand"
"""The heading of the lessons whose file names no group (the shipped lessons 1 to 10)."""
MAX_GROUP_LENGTH = 40


@dataclass(frozen=True)
class Graph:
    """A built computation graph: every node by name, in topological order."""

    nodes: dict[str, Value]
    output: Value
    named: tuple[str, ...]

    def value_of(self, name: str) -> float:
        """The forward value of the node called `name`."""
        return self.nodes[name].data


def distances_to_output(graph: Graph) -> dict[str, int]:
    """Longest path from each node to the output, in edges (the output is 0)."""
    distance = {graph.output.label: 0}
    for node in reversed(graph.nodes.values()):
        for child in node.children:
            distance[child.label] = max(distance.get(child.label, 0), distance[node.label] + 1)
    return distance


def build_graph(lesson: Part, inputs: dict[str, float]) -> Graph:
    """Build Values for every assignment; name unnamed sub-expressions by their formula text."""
    values: dict[str, Value] = {name: Value(value, label=name) for name, value in inputs.items()}
    for assignment in lesson.assignments:
        try:
            values[assignment.name] = _build(assignment.formula, values, top=assignment.name)
        except (EngineError, ex.ExprError) as error:
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
    if isinstance(formula, ex.Num) or not ex.names_in(formula):
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
