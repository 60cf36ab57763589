"""Lesson files: TOML an instructor writes, read into a `Lesson` the tutor can run.

A lesson names its inputs, its graph as ordered assignments in formula syntax, which inputs are
parameters, and how the update step goes. Formulas are parsed by `tui_grad.core.expr`, which never
executes lesson text. Every problem becomes a `LessonError` naming the file, the line and the fix.
"""

from __future__ import annotations

import math
import os
import re
import stat
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tui_grad.core import expr as ex
from tui_grad.core.safe_text import UnsafeCharacter, safe_text, unsafe_characters
from tui_grad.engine import EngineError, Value, backward_steps, topological_order

IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
PART_KINDS = ("gradients", "slope", "update", "train", "network", "bughunt")
ANSWERED_KINDS = ("gradients", "slope", "update", "bughunt")
"""Parts where the learner types answers; the others ("train", "network") are watched."""
"""What a part asks of the learner: gradients node by node, one slope (with nudges), the new
parameter values after one update step, or watching many steps train (a formula or a network)."""
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
    """Read and validate one lesson file; raise LessonError with file and line on any problem.

    The file is untrusted: only a regular file of at most MAX_FILE_BYTES is read, its nesting is
    bounded before the TOML parser sees it, and every string in it is made safe to print."""
    path = Path(path)
    source = read_lesson_source(path)
    nesting = deepest_nesting(source)
    if nesting is not None:
        raise LessonError(path, nesting, f"brackets are nested more than {MAX_NESTING} deep; a lesson needs "
                          "at most 3 (like points = [[1, 2], [2, 4]])")
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
        line = int(match.group(1)) if match else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error)).rstrip(".")
        column = f", column {match.group(2)}" if match else ""
        raise LessonError(path, line, f"not valid TOML{column}: {reason}") from None
    except RecursionError:  # a safety net: deepest_nesting should have refused the file already
        raise LessonError(path, None, "the file is nested too deeply to read") from None
    except ValueError:  # Python refuses to read a whole number of more than 4300 digits
        raise LessonError(path, _line_of_long_number(source), TOO_BIG) from None
    if _holds_number_too_big(data):
        raise LessonError(path, _line_of_long_number(source), TOO_BIG)
    found: list[UnsafeCharacter] = []
    lesson = _Reader(path, source, _made_safe(data, found)).lesson()
    notices = tuple(LessonError(path, _line_of_character(source, unsafe.character), str(unsafe))
                    for unsafe in found)
    return replace(lesson, notices=notices) if notices else lesson


TOO_BIG = "a whole number here is too big to compute with; numbers in a lesson stay below 1.8e308"
_LONG_NUMBER = re.compile(r"(?<![\w.])[+-]?(?:0[xob])?[0-9a-fA-F_]{256,}")


def _holds_number_too_big(data: dict[str, Any]) -> bool:
    """True when some whole number in the parsed file, at any depth, is beyond what a float holds.

    The one gate every number of a lesson file passes, before any field is read: without it
    `float()`, `math.isfinite()` and the engine raise OverflowError wherever the number is used."""
    stack: list[dict | list] = [data]
    while stack:
        container = stack.pop()
        for value in container.values() if isinstance(container, dict) else container:
            if isinstance(value, dict | list):
                stack.append(value)
            elif isinstance(value, int) and abs(value) > sys.float_info.max:
                return True
    return False


def _line_of_long_number(source: str) -> int | None:
    """The first line holding a run of digits long enough to be a number too big for a float."""
    match = _LONG_NUMBER.search(source)
    return source.count("\n", 0, match.start()) + 1 if match else None


def read_lesson_source(path: Path, what: str = "a lesson file") -> str:
    """The text of a lesson file (or another small text file, `what`: a roster), read so that nothing
    can hang or flood the reader: a FIFO, a device, a folder or anything over MAX_FILE_BYTES is
    refused with the reason."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        descriptor = os.open(path, flags)  # non-blocking: opening a FIFO returns at once
    except OSError as error:
        raise LessonError(path, None, f"cannot read the file ({error.strerror})") from None
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or
                    stat.S_ISBLK(mode) else "a folder" if stat.S_ISDIR(mode) else "a socket" if stat.S_ISSOCK(mode)
                    else "not a regular file")
            raise LessonError(path, None, f"this is {kind}, not {what}; only regular files are read")
        chunks, size = [], 0
        while size <= MAX_FILE_BYTES:  # at most one byte past the cap, whatever size fstat gave
            chunk = os.read(descriptor, MAX_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise LessonError(path, None, f"cannot read the file ({error.strerror})") from None
    finally:
        os.close(descriptor)
    if size > MAX_FILE_BYTES:
        advice = "; split it into several lessons" if what == "a lesson file" else ""
        raise LessonError(path, None, f"the file is larger than {MAX_FILE_BYTES // 1024} KiB, the most {what} "
                          f"may be{advice}")
    try:
        return b"".join(chunks).decode("utf-8")
    except UnicodeDecodeError:
        raise LessonError(path, None, "the file is not UTF-8 text; save it as UTF-8") from None


_STRUCTURE = re.compile(r'"""|' + r"'''" + r"""|["'#\[\]{}]""")
_BASIC_STRING_END = re.compile(r'[^"\\\n]*(?:\\.[^"\\\n]*)*"')
_MULTILINE_BASIC_END = re.compile(r'[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""', re.DOTALL)


def deepest_nesting(source: str) -> int | None:
    """The line where [ and { (outside strings and comments) first nest deeper than MAX_NESTING, or None.

    A linear scan over TOML's strings, comments and brackets, because tomllib recurses once per level."""
    depth, position = 0, 0
    while (match := _STRUCTURE.search(source, position)) is not None:
        token, position = match.group(), match.end()
        if token == "#":
            newline = source.find("\n", position)
            position = len(source) if newline < 0 else newline
        elif token == '"':
            end = _BASIC_STRING_END.match(source, position)
            position = end.end() if end else position
        elif token == '"""':
            end = _MULTILINE_BASIC_END.match(source, position)
            position = end.end() if end else len(source)
        elif token in ("'", "'''"):
            end = source.find(token, position)
            position = len(source) if end < 0 else end + len(token)
        elif token in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return source.count("\n", 0, match.start()) + 1
        else:
            depth = max(depth - 1, 0)
    return None


def _made_safe(data: dict[str, Any], found: list[UnsafeCharacter]) -> dict[str, Any]:
    """The parsed TOML with every key and string made safe to print (in place and without recursion,
    since dotted keys nest as deep as they like); each unsafe character found is added to `found`."""

    def clean(text: str, where: str) -> str:
        found.extend(UnsafeCharacter(where, character) for character in unsafe_characters(text))
        return safe_text(text)

    stack: list[tuple[dict | list, str]] = [(data, "")]
    while stack:
        container, where = stack.pop()
        if isinstance(container, dict):
            items = list(container.items())
            container.clear()
            for key, value in items:
                key = clean(key, f"{where}.{key}" if where else key)
                place = f"{where}.{key}" if where else key
                container[key] = clean(value, place) if isinstance(value, str) else value
                if isinstance(value, dict | list):
                    stack.append((value, place))
        else:
            for index, value in enumerate(container):
                place = f"{where}[{index + 1}]"
                if isinstance(value, str):
                    container[index] = clean(value, place)
                elif isinstance(value, dict | list):
                    stack.append((value, place))
    return data


def _line_of_character(source: str, character: str) -> int | None:
    """The first line holding `character`, typed as itself or as a TOML escape (\\u001b, \\r, ...)."""
    code = ord(character)
    spellings = [re.escape(character), rf"\\u{code:04x}", rf"\\U{code:08x}"]
    spellings += {8: [r"\\b"], 12: [r"\\f"], 13: [r"\\r"], 27: [r"\\e"]}.get(code, [])
    match = re.search("|".join(spellings), source, re.IGNORECASE)
    return source.count("\n", 0, match.start()) + 1 if match else None


class _Reader:
    """Checks one file's parsed TOML field by field, pointing at lines in the source."""

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
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise self.fail(f"'{key}' has the wrong type (write it like: {example})", key)
        return value

    def lesson(self) -> Lesson:
        data = self.data
        lesson_id = self.field(data, "id", str, "", 'id = "chain-rule"')
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", lesson_id):
            raise self.fail(f"id '{lesson_id}' must be lowercase words joined by '-'", "id")
        if lesson_id in COMMAND_NAMES:
            raise self.fail(f"id '{lesson_id}' is the name of the command 'tui-grad {lesson_id}', so the lesson "
                            "could not be opened by its id; choose another id", "id")
        text = self.field(data, "text", dict, "", '[text] with intro = """...""" ', default={})
        title = self.field(data, "title", str, "", 'title = "The chain rule by hand"')
        summary = self.field(data, "summary", str, "", 'summary = "One line about the lesson"')
        order = self.field(data, "order", int, "", "order = 4", default=1000)
        intro = self.field(text, "intro", str, "[text]", 'intro = """Markdown"""', default="")
        outro = self.field(text, "outro", str, "[text]", 'outro = """Markdown"""', default="")
        return Lesson(lesson_id, title, summary, self.path, order, intro, outro, self.parts(title))

    def parts(self, title: str) -> tuple[Part, ...]:
        """The `[[parts]]` of the file, or its one part written as [graph], [exercise] and [update]."""
        data = self.data
        if "parts" not in data:
            graph = self.field(data, "graph", dict, "", "[graph] with inputs and nodes, or [[parts]]")
            exercise = self.field(data, "exercise", dict, "", '[exercise] kind = "gradients"', default={})
            update = self.field(data, "update", dict, "", "[update] step_size = 0.01", default={})
            return (self.part({"title": title, **graph, **exercise, **update}, "[graph]"),)
        tables = data["parts"]
        if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
            raise self.fail("'parts' must be one or more [[parts]] tables", "parts")
        starts = [number for number, text in enumerate(self.lines) if text.strip() == "[[parts]]"]
        parts = []
        for index, table in enumerate(tables):
            self.start = starts[index] if index < len(starts) else 0
            parts.append(self.part(table, f"part {index + 1}"))
        self.start = 0
        return tuple(parts)

    def part(self, table: dict[str, Any], where: str) -> Part:
        """One part from a flat table of its settings."""
        kind = self.field(table, "kind", str, where, 'kind = "gradients"', default="gradients")
        if kind not in PART_KINDS:
            raise self.fail(f"unknown kind '{kind}' (kinds: {', '.join(PART_KINDS)})", "kind")
        common = dict(
            title=self.field(table, "title", str, where, 'title = "A first graph"', default=""),
            kind=kind,
            text=self.field(table, "text", str, where, 'text = """Markdown"""', default=""),
            path=self.path,
        )
        if kind == "network":
            return Part(**common, network=self.network(table, where))
        inputs = self.inputs(table, where)
        assignments = self.assignments(table, inputs, where)
        defined = [*inputs, *(a.name for a in assignments)]
        output = self.field(table, "output", str, where, 'output = "L"', default=defined[-1])
        if output not in defined:
            raise self.fail(f"output '{output}' is not a node (nodes: {', '.join(defined)})", "output")
        parameters = self.parameters(table, inputs)
        part = Part(
            **common,
            inputs=inputs,
            assignments=assignments,
            output=output,
            parameters=parameters,
            ask=self.ask(table, kind, defined, inputs, parameters),
            relative_tolerance=self.tolerance(table, "relative_tolerance", 1e-6),
            absolute_tolerance=self.tolerance(table, "absolute_tolerance", 1e-9),
            update=self.update_rule(table, kind),
            randomize=self.randomize(table, inputs),
            plot=self.line_plot(table, parameters),
            zero_grad=self.field(table, "zero_grad", bool, where, "zero_grad = false", default=True),
        )
        graph_built = part.build()
        unused = [name for name in defined if name not in graph_built.nodes]
        if unused:
            raise self.fail(f"'{unused[0]}' does not feed the output '{output}'; use it or remove it", unused[0])
        if len(graph_built.nodes) > MAX_NODES:
            raise self.fail(self.too_many_nodes(len(graph_built.nodes)), "nodes")
        work = part.update.steps * len(graph_built.nodes)
        if work > MAX_TRAINING_WORK:  # each step is a forward and a backward pass over the whole graph
            raise self.fail(f"{part.update.steps} steps on a graph of {len(graph_built.nodes)} nodes is {work} "
                            f"node-steps; at most {MAX_TRAINING_WORK}, about a second to trace. Use fewer steps "
                            f"(at most {MAX_TRAINING_WORK // len(graph_built.nodes)} on this graph) or a smaller graph",
                            "steps")
        if kind in ("gradients", "update", "bughunt"):
            self.check_drawable(graph_built)
        if kind == "bughunt" and not _bug_shows(graph_built):
            raise self.fail("with these inputs `=` in place of `+=` changes no gradient: a bughunt part needs a node "
                            "used twice whose paths both carry gradient", "nodes")
        return part

    @staticmethod
    def too_many_nodes(count: int) -> str:
        return (f"the graph has {'at least ' if count > MAX_NODES + 1 else ''}{count} nodes; at most {MAX_NODES} "
                "can be drawn. Split the lesson or name fewer intermediate steps")

    def check_drawable(self, graph: Graph) -> None:
        """Refuse a graph the exercise screen cannot draw at 80x24, saying which way it is too big."""
        levels = distances_to_output(graph)
        boxed = [name for name, node in graph.nodes.items() if node.children or name in graph.named]
        deepest = max(levels[name] for name in boxed) + 1
        tallest = max(sum(levels[name] == level for name in boxed) for level in range(deepest))
        if deepest > MAX_LEVELS or tallest > MAX_TALL:
            raise self.fail(
                f"the graph is {deepest} steps deep and {tallest} nodes tall; an 80x24 screen draws at most "
                f"{MAX_LEVELS} deep and {MAX_TALL} tall. Name fewer intermediate steps (write them inside one "
                "formula) or split the part in two",
                "nodes",
            )

    def inputs(self, graph: dict[str, Any], where: str) -> dict[str, float]:
        table = self.field(graph, "inputs", dict, where, "inputs = { a = 2.0, b = -3.0 }")
        if not table:
            raise self.fail("'inputs' is empty: name at least one input value", "inputs")
        if len(table) > MAX_NODES:
            raise self.fail(self.too_many_nodes(len(table)), "inputs")
        inputs = {}
        for name, value in table.items():
            self.check_name(name, inputs)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
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

    def assignments(self, graph: dict[str, Any], inputs: dict[str, float], where: str) -> tuple[Assignment, ...]:
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
        names = self.field(graph, "parameters", list, "", 'parameters = ["a", "b"]', default=list(inputs))
        for name in names:
            if name not in inputs:
                raise self.fail(f"parameter '{name}' is not one of the inputs ({', '.join(inputs)})", "parameters")
        return tuple(names)

    def ask(self, table: dict[str, Any], kind: str, defined: list[str], inputs: dict[str, float],
            parameters: tuple[str, ...]) -> tuple[str, ...]:
        """Which nodes are asked: every node by default; for a slope, the one input; for an update, the parameters."""
        default = {"slope": tuple(inputs)[:1], "update": parameters}.get(kind, ())
        names = self.field(table, "ask", list, "", 'ask = ["a", "b"]', default=list(default))
        allowed = parameters if kind == "update" else defined
        for name in names:
            if name not in allowed:
                what = "parameter" if kind == "update" else "node"
                raise self.fail(f"ask: '{name}' is not a {what} (choose from {', '.join(allowed)})", "ask")
        if kind == "slope" and len(names) != 1:
            raise self.fail("a slope part asks about exactly one input, like ask = [\"x\"]", "ask")
        return tuple(names)

    def tolerance(self, table: dict[str, Any], key: str, default: float) -> float:
        value = self.field(table, key, float, "", f"{key} = {default:g}", default=default)
        if not 0 <= value < 1:
            raise self.fail(f"'{key}' must be at least 0 and below 1", key)
        return value

    def update_rule(self, table: dict[str, Any], kind: str) -> UpdateRule:
        step_size = self.field(table, "step_size", float, "", "step_size = 0.01", default=0.01)
        direction = self.field(table, "direction", str, "", 'direction = "descent"', default="descent")
        steps = self.field(table, "steps", int, "", "steps = 1", default=1)
        if not 0 < step_size <= 10:
            raise self.fail("'step_size' must be above 0 and at most 10", "step_size")
        if direction not in DIRECTIONS:
            raise self.fail(f"'direction' must be \"ascent\" or \"descent\", not \"{direction}\"", "direction")
        if not 1 <= steps <= 100_000:
            raise self.fail("'steps' must be between 1 and 100000", "steps")
        return UpdateRule(step_size, direction, steps)

    def randomize(self, table: dict[str, Any], inputs: dict[str, float]) -> dict[str, tuple[float, float]]:
        ranges = self.field(table, "randomize", dict, "", "randomize = { a = [-5, 5] }", default={})
        result = {}
        for name, bounds in ranges.items():
            if name not in inputs:
                raise self.fail(f"randomize: '{name}' is not an input ({', '.join(inputs)})", "randomize")
            if (not isinstance(bounds, list) or len(bounds) != 2
                    or not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds) or bounds[0] >= bounds[1]):
                raise self.fail(f"randomize: '{name}' needs two whole numbers, low then high, like {name} = [-5, 5]",
                                "randomize")
            result[name] = (float(bounds[0]), float(bounds[1]))
        return result

    def line_plot(self, table: dict[str, Any], parameters: tuple[str, ...]) -> LinePlot | None:
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


def part_from_table(table: Mapping[str, Any], path: Path | str = "<generated>") -> Part:
    """A part built in code (a generated exercise, a typed formula) from the settings one [[parts]]
    table holds, checked exactly as a lesson file's part is; a problem raises LessonError."""
    return _Reader(Path(path), "", {}).part(dict(table), "the part")


def _bug_shows(graph: Graph) -> bool:
    """True when the `=`-for-`+=` bug gets some gradient of the graph wrong."""
    from tui_grad.core.bughunt import buggy_steps  # bughunt builds on the exercise, which reads lessons

    steps = backward_steps(graph.output)
    buggy: dict[str, float] = {}
    for step in buggy_steps(steps, graph.output.label):
        buggy[step.child] = step.child_grad_after
    return any(not math.isclose(buggy.get(name, node.grad), node.grad, rel_tol=1e-9, abs_tol=1e-12)
               for name, node in graph.nodes.items())


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
