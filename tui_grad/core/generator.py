"""Exercise graphs made on demand: from a level and a seed, a lesson `Part` a learner can work by hand.

Levels build like the curriculum (`LEVELS`). A part is built from the same settings a lesson file's
`[[parts]]` table holds (`lesson.part_from_table`), so every exercise flow runs on it unchanged.

Repeats: each level has a fixed, shuffled list of *keys* (a shape and its first numbers, all visible
in the graph). Seed s takes key s mod the list's length, so that many consecutive seeds (at least
600 on every level, an hour of practice) never share a key and so never share a graph.
`random.Random(f"{level}:{seed}")` draws the rest with integer draws only; a draw that is not fair
(`fairness_problems`) is redrawn from the sub-seed `f"{level}:{seed}:{attempt}"`.

Fair means: the graph fits an 80x24 screen; every value and every gradient stays within +-150;
inputs are integers (halves at level 1) and mostly single digits; values, gradients and updated
parameters have at most 2 decimal places, the loss after an update at most 4, and the update lowers
it; no gradient asked is 0 or equal to its node's value; and for every question each plausible slip
(forgot the upstream or the local gradient, own value for the other factor, sum taken as a product,
sign, value for gradient, one path only; an update the wrong way, without the step size, only the
change, with another parameter's gradient) gives a number unlike the answer and unlike every other
slip, and the real diagnosis names it. Forgetting a factor of exactly 1 changes nothing, so it is
no slip.

Function nodes: tanh, sigmoid and exp are taken where their *output*, hence their local derivative,
is a short decimal (tanh = 0.6 gives 1 - 0.6^2 = 0.64; sigmoid = 0.8 gives 0.16; exp = 2.5 gives
2.5). The bias that puts them there (atanh(0.6) - x) is irrational, rounded to 12 places so that
every machine stores the same input, and it enters only through a sum, which passes the gradient on
unchanged: no gradient needs it. log is taken of 2, 4, 5 or 10, where 1/u is short, and its
irrational value is only ever multiplied by a constant, which is never asked. So every gradient is
an exact short decimal and the default tolerance (relative 1e-6) stands: no rounded answer has to be
let through. Only graphs with tanh, sigmoid, exp or log show values that are not short decimals, and
no answer needs those. relu is taken where its input is positive (a negative one would zero every
gradient below it); a division by 2, 4, 5 or 10; powers 2 and 3 of small integers.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from itertools import product
from typing import Any

from tui_grad.core.diagnosis import uses_of
from tui_grad.core.exercise import GradientExercise, format_number
from tui_grad.core.kinds.registry import kind_of
from tui_grad.core.lesson import LessonError, Part
from tui_grad.core.lesson_file import part_from_table
from tui_grad.core.rule_checker import OPS
from tui_grad.core.rule_exercise import RuleExercise
from tui_grad.core.skills import SKILLS
from tui_grad.core.update import UpdateExercise


@dataclass(frozen=True, slots=True)
class Level:
    """One level of practice: its number, a short name, what its graphs hold, the skills they train."""

    number: int
    name: str
    description: str
    skills: tuple[str, ...]


LEVELS = (
    Level(1, "One operation", "one sum or one product of two numbers", ("product", "sum")),
    Level(2, "A chain", "three or four sums and products in a row", ("product", "sum", "chain")),
    Level(3, "A node used twice", "one value feeding two places, whose paths add up",
          ("product", "sum", "chain", "paths")),
    Level(4, "A function node", "tanh, sigmoid, exp, log, relu, a power or a division inside a chain",
          ("product", "sum", "chain", "function")),
    Level(5, "A neuron", "w1·x1 + w2·x2 + b through tanh, sigmoid or relu", ("product", "sum", "chain", "function")),
    Level(6, "An update step", "the gradients of a squared error, then one step of gradient descent with a step size",
          ("product", "sum", "chain", "update")),
    Level(7, "Reuse and a function", "a value used twice, one of its paths through tanh, sigmoid, exp or a "
          "square", ("product", "sum", "chain", "paths", "function")),
    Level(8, "A backward rule", "one operation's _backward written as code, a line per input", ("rules",)),
    Level(9, "A layer", "two linear neurons reading the same x, one output adding what they say",
          ("product", "chain", "paths")),
    Level(10, "Neuron, loss and step", "tanh(w·x + b) or sigmoid into a squared error: the gradients "
          "through the loss and the activation, then one step", ("product", "sum", "chain", "update")),
)
"""Every level, easiest first; `LEVELS[n - 1]` is level n."""

MAX_MAGNITUDE = 150.0
"""No value or gradient in a generated graph is larger than this."""
DECIMALS = 2
"""Values, gradients and updated parameters have at most this many decimal places."""
NEW_OUTPUT_DECIMALS = 4
"""After an update step the new loss, a square of a 2-decimal error, has at most this many."""
MAX_ATTEMPTS = 200
"""Sub-seeds tried for one key before the next key is taken (never needed for the keys listed)."""

_INTEGERS = (-6, -5, -4, -3, -2, 2, 3, 4, 5, 6)
_FACTORS = (-4, -3, -2, 2, 3, 4)
_TRANSCENDENTAL = ("tanh", "sigmoid", "exp", "log")
# Outputs of the function node where its local derivative is a short decimal (see the docstring).
_FUNCTION_OUTPUTS = {
    "tanh": (-0.8, -0.6, -0.5, -0.4, -0.2, 0.2, 0.4, 0.5, 0.6, 0.8),
    "sigmoid": (0.1, 0.2, 0.4, 0.5, 0.6, 0.8, 0.9),
    "exp": (0.5, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0),
}
_PRE_IMAGE: dict[str, Callable[[float], float]] = {
    "tanh": math.atanh,
    "sigmoid": lambda output: math.log(output / (1.0 - output)),
    "exp": math.log,
}
_LOCAL_RULE = {
    "tanh": "d tanh(u)/du = 1 − y²", "sigmoid": "d sigmoid(u)/du = y·(1 − y)", "exp": "d exp(u)/du = y",
    "log": "d log(u)/du = 1/u", "relu": "d relu(u)/du = 1 for u > 0", "square": "d u²/du = 2u",
    "cube": "d u³/du = 3u²", "divide": "d(x/a)/dx = 1/a and d(x/a)/da = −x/a²",
}


def generate(level: int, seed: int) -> Part:
    """A fair exercise of `level` (1 to 10), the same for the same seed on every machine."""
    if not isinstance(level, int) or not 1 <= level <= len(LEVELS):
        raise ValueError(f"level must be a whole number from 1 to {len(LEVELS)}, not {level!r}")
    keys = _keys(level)
    if level == RULE_LEVEL:  # no graph and nothing drawn: the rule is exact, so every key is fair
        op = keys[seed % len(keys)][0]
        return part_from_table({"kind": "rules", "title": f"Level {level}: {LEVELS[level - 1].name}", "ops": [op],
                                "text": "Write this operation's _backward, one line per input: the local slope "
                                        "times out.grad, added with +=."}, f"<practice level {level}, seed {seed}>")
    start = seed % len(keys)
    for shift in range(len(keys)):
        key = keys[(start + shift) % len(keys)]
        for attempt in range(MAX_ATTEMPTS if level > 1 else 1):
            rng = random.Random(f"{level}:{seed}" if attempt == 0 else f"{level}:{seed}:{attempt}")
            drafted = _draft(level, key, rng)
            if drafted is not None and _fair(drafted[0]):
                return part_from_table(drafted[1], f"<practice level {level}, seed {seed}>")
    raise AssertionError(f"no fair graph at level {level}")  # unreachable: level 1's keys are all fair


def cycle_length(level: int) -> int:
    """How many consecutive seeds of `level` give different graphs (at least 600): seed s and seed
    s + cycle_length share a key, the shape and first numbers of their graphs."""
    return len(_keys(level))


def level_of(number: int) -> Level:
    """The `Level` called `number` (1 to `len(LEVELS)`)."""
    return LEVELS[number - 1]


def skills_of_part(part: Part) -> tuple[str, ...]:
    """The skills answering this part exercises, in the order of `skills.SKILLS`."""
    kind, exercise = kind_of(part), _exercise(part)
    found = {skill for name in exercise.order for skill in kind.skills_of(exercise, name)}
    return tuple(skill for skill in SKILLS if skill in found)


def graph_key(part: Part) -> tuple:
    """What makes two exercises the same: the formulas and the input values (for repeat checks)."""
    return (part.kind, tuple(a.text for a in part.assignments), tuple(sorted(part.inputs.items())),
            kind_of(part).answers_use_step(part))


# --- mistakes and fairness ----------------------------------------------------------------------


def planted_mistakes(part: Part) -> dict[str, tuple[tuple[str, float], ...]]:
    """For every question of the part, each plausible slip (its diagnosis code) and the number it gives."""
    exercise = _exercise(part)
    if isinstance(exercise, RuleExercise):  # a line of code: its slips are rule_checker's named mistakes
        return {name: () for name in exercise.order}
    return {name: tuple(_mistakes(exercise, name)) for name in exercise.order}


def fairness_problems(part: Part) -> list[str]:
    """Every way this part breaks the rules of a fair exercise (see the module docstring); [] if fair."""
    return list(_problems(part))


def _exercise(part: Part) -> GradientExercise | UpdateExercise | RuleExercise:
    exercise = kind_of(part).exercise(part)
    assert isinstance(exercise, GradientExercise | UpdateExercise | RuleExercise), \
        "practice generates parts that ask questions"
    return exercise


def _mistakes(exercise: GradientExercise | UpdateExercise, name: str) -> Iterator[tuple[str, float]]:
    if isinstance(exercise, UpdateExercise) and exercise.gradients is not None and name in exercise.gradient_questions:
        yield from _gradient_mistakes(exercise.gradients, exercise.gradient_questions[name])
    elif isinstance(exercise, UpdateExercise):
        yield from _update_mistakes(exercise, name)
    else:
        yield from _gradient_mistakes(exercise, name)


def _gradient_mistakes(exercise: GradientExercise, name: str) -> Iterator[tuple[str, float]]:
    """The slips `diagnosis` knows that this node's place in the graph allows. Forgetting a factor that
    is exactly 1 changes nothing, so it is no slip; a product whose gradient from above is 1 makes
    "own value" and "value instead of gradient" the same number and the same slip, planted once."""
    graph = exercise.graph
    node = graph.nodes[name]
    uses = uses_of(node, list(graph.nodes.values()))
    paths = [(use, position) for use in uses for position in use.positions]
    if len(paths) > 1:
        for use, position in paths:
            yield "one-path", use.upstream * use.parent.local_grads[position]
    own_value_is_value = False
    if len(uses) == 1:
        use = uses[0]
        if not exercise.is_close(use.upstream, 1.0):
            yield "forgot-upstream", use.local
        if not exercise.is_close(use.local, 1.0):
            yield "forgot-local", use.upstream
        others = [child for i, child in enumerate(use.parent.children) if i not in use.positions]
        if use.parent.op == "*" and len(use.positions) == 1 and others:
            yield "own-value", use.upstream * node.data
            own_value_is_value = exercise.is_close(use.upstream, 1.0)
        if use.parent.op in ("+", "-") and others:
            yield "sum-as-product", use.upstream * others[0].data
    yield "sign", -node.grad
    if not own_value_is_value:
        yield "value-not-gradient", node.data


def _update_mistakes(exercise: UpdateExercise, name: str) -> Iterator[tuple[str, float]]:
    """Stepping the wrong way, without the step size, giving only the change, or with another
    parameter's gradient."""
    move, rule = exercise.move(name), exercise.lesson.update
    sign, step = rule.sign, rule.step_size
    yield "update-wrong-way", move.before - sign * step * move.grad
    yield "update-no-step-size", move.before + sign * move.grad
    yield "update-change-only", sign * step * move.grad
    for other in exercise.lesson.parameters:
        grad = exercise.grads[other]
        if other != name and not exercise.is_close(grad, move.grad):
            yield "update-wrong-gradient", move.before + sign * step * grad


def _short(number: float, places: int = DECIMALS) -> bool:
    """True when `number` has at most `places` decimal places (up to float noise)."""
    return abs(number - round(number, places)) <= 1e-9 * max(1.0, abs(number))


def _fair(part: Part) -> bool:
    """True when the part breaks no rule, and its inputs stay inside every function's domain."""
    try:
        return next(_problems(part), None) is None
    except LessonError:
        return False


def _problems(part: Part) -> Iterator[str]:
    """The fairness rules, cheapest first, so that `generate` can stop at the first broken one."""
    exercise = _exercise(part)
    if isinstance(exercise, RuleExercise):  # checked exactly at many points: nothing to be unfair about
        return
    graph = exercise.graph
    if isinstance(exercise, UpdateExercise):
        grads = exercise.grads
    else:
        grads = {name: node.grad for name, node in graph.nodes.items()}
    exact = not any(node.op in _TRANSCENDENTAL for node in graph.nodes.values())
    for name, node in graph.nodes.items():
        if not (abs(node.data) <= MAX_MAGNITUDE and abs(grads[name]) <= MAX_MAGNITUDE):
            yield f"{name}: value {node.data:g} or gradient {grads[name]:g} is larger than {MAX_MAGNITUDE:g}"
        if exact and not _short(node.data):
            yield f"{name}: value {node.data!r} has more than {DECIMALS} decimal places"
    questions = (_update_questions(exercise, exact) if isinstance(exercise, UpdateExercise)
                 else _gradient_questions(exercise))
    checked = []
    for name, expected, mistakes, problem in questions:
        if problem:
            yield f"{name}: {problem}"
            continue
        for code, number in mistakes:
            if not math.isfinite(number) or exercise.is_close(number, expected):
                yield f"{name}: the slip {code} gives the right answer {format_number(expected)}"
                continue
            clash = next((other for other, value in mistakes if other != code and exercise.is_close(value, number)), "")
            if clash:
                yield f"{name}: the slips {code} and {clash} both give {format_number(number)}"
            else:
                checked.append((name, code, number))
    for name, code, number in checked:  # the slow part last: what the real diagnosis says
        found = exercise.diagnose(name, number)
        if found is None or found.code != code:
            yield f"{name}: {format_number(number)} ({code}) is diagnosed as {found.code if found else 'nothing'}"


_Question = tuple[str, float, list[tuple[str, float]], str]
"""A question's name, its answer, its plausible slips with their numbers, and a problem found already."""


def _gradient_questions(exercise: GradientExercise, asked: dict[str, str] | None = None) -> Iterator[_Question]:
    """Each gradient question (`asked`: an update's, question to node; else every node asked)."""
    graph = exercise.graph
    for question, name in (asked or {name: name for name in exercise.order}).items():
        node, expected = graph.nodes[name], graph.nodes[name].grad
        problem = ""
        if expected == 0 or not _short(expected):
            problem = f"gradient {expected!r} is zero or has more than {DECIMALS} decimal places"
        if exercise.is_close(node.data, expected) and not problem:
            problem = f"its value equals its gradient {format_number(expected)}"
        yield question, expected, list(_gradient_mistakes(exercise, name)), problem


def _update_questions(exercise: UpdateExercise, exact: bool = True) -> Iterator[_Question]:
    """Each gradient asked first, then each new value, then the step itself: it lowers the loss, to
    a short decimal where the graph has no tanh or sigmoid (whose new loss is irrational, and not asked)."""
    step, rule = exercise.step, exercise.lesson.update
    if exercise.gradients is not None:
        yield from _gradient_questions(exercise.gradients, exercise.gradient_questions)
    for name in exercise.order:
        if name in exercise.gradient_questions:
            continue
        move = exercise.move(name)
        problem = ""
        if move.before == 0 or move.grad == 0 or not _short(move.grad) or not _short(move.after):
            problem = "starts at 0, has gradient 0, or a gradient or new value that is not short"
        yield name, move.after, list(_update_mistakes(exercise, name)), problem
    if not (abs(step.output_after) <= MAX_MAGNITUDE and (_short(step.output_after, NEW_OUTPUT_DECIMALS) or not exact)):
        yield exercise.output_name, 0.0, [], f"the new output {step.output_after!r} is not a short decimal"
    if (step.output_after - step.output_before) * rule.sign <= 0:
        yield (exercise.output_name, 0.0, [],
               f"the step moves it the wrong way ({step.output_before:g} to {step.output_after:g})")


# --- drafts: one level's graph from a key and a random source -----------------------------------


def _draft(level: int, key: tuple, rng: random.Random | None) -> tuple[Part, dict[str, Any]] | None:
    """A candidate part for this key and draw and the settings it comes from, or None when the draw
    cannot make one (it is then redrawn). Candidates of one shape share one checked part and differ
    only in their inputs; `generate` builds the part it keeps afresh, as a lesson file's is built."""
    settings = _BUILDERS[level](key, rng)
    if settings is None:
        return None
    table = {"title": f"Level {level}: {LEVELS[level - 1].name}", "output": "L", **settings}
    frozen = tuple((name, tuple(value) if isinstance(value, list) else value)
                   for name, value in table.items() if name != "inputs")
    shape = _shape(frozen, tuple(table["inputs"]))
    if shape is None:
        return None
    return replace(shape, inputs=dict(table["inputs"])), table


@cache
def _shape(frozen: tuple[tuple[str, Any], ...], input_names: tuple[str, ...]) -> Part | None:
    """The checked part of one shape (its formulas and settings), at placeholder inputs."""
    table = {name: list(value) if isinstance(value, tuple) else value for name, value in frozen}
    try:
        return part_from_table({**table, "inputs": dict.fromkeys(input_names, 1.0)}, "<practice>")
    except LessonError:
        return None


@cache
def _keys(level: int) -> tuple[tuple, ...]:
    """The level's keys in a fixed shuffled order (built on first use, never at import)."""
    keys = list(_KEY_LISTS[level]())
    random.Random(f"keys:{level}").shuffle(keys)
    return tuple(keys)


def _one_keys() -> list[tuple]:
    """Level 1's keys are whole graphs, so each must be fair by itself: a and b differ in size (else
    a's own value is the other factor, or a sum's slip reads as a sign slip) and L is no 0 or +-1."""
    numbers = (*range(-12, -1), *range(2, 13), -3.5, -2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5)
    return [(op, a, b) for op in "+*" for a in numbers for b in numbers
            if abs(a) != abs(b) and (a + b if op == "+" else a * b) not in (-1, 0, 1)]


def _one(key: tuple, rng: random.Random | None) -> dict[str, Any]:
    op, a, b = key
    verb = "sum" if op == "+" else "product"
    return {"inputs": {"a": float(a), "b": float(b)}, "nodes": [f"L = a {op} b"],
            "text": f"L is a {verb}. Find dL/dL, then dL/da and dL/db."}


def _chain_keys() -> list[tuple]:
    patterns = [(*first, "*") for count in (3, 4) for first in product("+*", repeat=count - 1)]
    return [(ops, a, b) for ops in patterns for a in _INTEGERS for b in _INTEGERS
            if abs(a) != abs(b) and _chain_feasible(ops, a, b)]


def _chain_feasible(ops: tuple[str, ...], a: int, b: int) -> bool:
    """Keys whose first result is no 0 or +-1 (which would make slips coincide) and small enough for
    the products after it: with two or three more factors, at most 20 or 6 (limits found by trying
    every key; beyond them no draw is both small and free of coinciding slips)."""
    first = a + b if ops[0] == "+" else a * b
    limit = {1: 36, 2: 20, 3: 6}[ops[1:].count("*")] if ops[:3] != ("+", "+", "+") else 6
    return 1 < abs(first) <= limit


def _chain(key: tuple, rng: random.Random) -> dict[str, Any]:
    """a op b, then each result combined with a new input; the last operation is a product, so that
    every gradient on the way down is multiplied by something other than 1."""
    ops, a, b = key
    inputs = {"a": float(a), "b": float(b)}
    nodes, previous = [f"e = a {ops[0]} b"], "e"
    # a chain of three operations uses two of the three operands: zip stops at the shorter on purpose
    for op, name, operand in zip(ops[1:], [*["d", "g"][:len(ops) - 2], "L"], ("c", "f", "h"), strict=False):
        inputs[operand] = float(rng.choice(_FACTORS if op == "*" else _INTEGERS))
        left, right = (previous, operand) if rng.randrange(2) else (operand, previous)
        nodes.append(f"{name} = {left} {op} {right}")
        previous = name
    return {"inputs": inputs, "nodes": nodes,
            "text": "Work back from L one node at a time: "
                    "each gradient is the one above it times the local derivative."}


_TWICE_SHAPES = (
    ("x", ("u = x + a", "v = x * b", "L = u * v")),
    ("x", ("u = x * a", "v = u + x", "L = v * b")),
    ("u", ("u = x + a", "s = u * u", "L = s * b")),
    ("x", ("u = x * a", "v = x + b", "L = u * v")),
    ("x", ("u = x + a", "v = u * x", "L = v * b")),
    ("x", ("u = x + a", "v = x + b", "L = u * v")),
)
_TWICE_NUMBERS = (-8, -7, -6, -5, -4, -3, -2, 2, 3, 4, 5, 6, 7, 8)


def _twice_keys() -> list[tuple]:
    return [(shape, x, a) for shape in range(len(_TWICE_SHAPES)) for x in _TWICE_NUMBERS for a in _TWICE_NUMBERS
            if _twice_feasible(shape, x, a)]


def _twice_feasible(shape: int, x: int, a: int) -> bool:
    """Keys that some b makes fair: x + a is no 0 or +-1 where it is a node; x and a differ in size where
    they are multiplied (or the other factor would be the node's own value); dL/dx = b·(2x + a) is not
    0; neither path's share of dL/dx is minus the whole (which would read as a sign slip); a is not x
    or 2x in u·x (found to leave no fair b); and the smallest completion (b = +-2) stays within the
    size limit."""
    sums = shape in (0, 2, 4, 5)
    if (sums and abs(x + a) <= 1) or (not sums and abs(x) == abs(a)):
        return False
    if (shape in (0, 4) and a in (-3 * x, -2 * x, x, 2 * x, -1.5 * x)) or (shape == 1 and a == -2):
        return False
    smallest = {0: abs((x + a) * x) * 2, 1: abs(x * a + x) * 2, 2: (x + a) ** 2 * 2, 3: abs(x * a * x) * 2,
                4: abs((x + a) * x) * 2, 5: abs(x + a) * 2}[shape]
    return smallest <= MAX_MAGNITUDE


def _twice(key: tuple, rng: random.Random) -> dict[str, Any]:
    shape, x, a = key
    shared, nodes = _TWICE_SHAPES[shape]
    return {"inputs": {"x": float(x), "a": float(a), "b": float(rng.choice(_INTEGERS))}, "nodes": list(nodes),
            "text": f"{shared} is used twice. Its gradient adds up what reaches it along each path."}


_FUNCTIONS = ("tanh", "sigmoid", "exp", "log", "relu", "square", "cube", "divide")


def _function_keys() -> list[tuple]:
    """Keys where no slip is bound to coincide with another: x feeds relu or a division directly, so x
    must not equal k there (forgetting the local derivative would give x's own value); u must not equal
    k for a cube (u is +-2) or log (u is 2, 4, 5 or 10), for the same reason."""
    excluded = {"relu": lambda x, k: x == k, "divide": lambda x, k: x == k, "cube": lambda x, k: abs(k) == 2,
                "log": lambda x, k: k in _FUNCTION_INPUTS["log"]}
    return [(function, x, k) for function in _FUNCTIONS for x in _INTEGERS for k in _INTEGERS
            if not (function in excluded and excluded[function](x, k))]


# The function node's input u = x + a for log and the powers: where 1/u, 2u or 3u² are short and small.
_FUNCTION_INPUTS = {"log": (2, 4, 5, 10), "square": (-5, -4, -3, -2, 2, 3, 4, 5), "cube": (-2, 2)}


def _function(key: tuple, rng: random.Random) -> dict[str, Any] | None:
    """x, then one function node, then a product with k that carries a gradient other than 1 down."""
    function, x, k = key
    inputs: dict[str, float] = {"x": float(x)}
    top = ["L = y * k"]
    if function in _PRE_IMAGE:
        output = rng.choice(_FUNCTION_OUTPUTS[function])
        inputs["b"] = round(_PRE_IMAGE[function](output) - x, 12)
        nodes = ["u = x + b", f"y = {function}(u)"]
    elif function in _FUNCTION_INPUTS:
        inputs["a"] = float(rng.choice(_FUNCTION_INPUTS[function]) - x)
        if abs(inputs["a"]) <= 1:
            return None
        if function == "log":
            nodes, top = ["u = x + a", "y = log(u)"], [f"L = {k} * y"]  # log(u) is irrational: k is no node
        else:
            nodes = ["u = x + a", f"y = u ** {2 if function == 'square' else 3}"]
    elif function == "relu":
        inputs["a"] = float(math.copysign(rng.choice(_INTEGERS[5:]), x))  # x·a > 0, where relu passes it on
        nodes = ["u = x * a", "y = relu(u)"]
    else:
        inputs["a"] = float(rng.choice((-10, -5, -4, -2, 2, 4, 5, 10)))
        nodes = ["y = x / a"]
    if top == ["L = y * k"]:
        inputs["k"] = float(k)
    return {"inputs": inputs, "nodes": nodes + top,
            "text": f"y is a function node: {_LOCAL_RULE[function]}. Work back from L through it."}


def _neuron_keys() -> list[tuple]:
    return [(activation, x1, w1, x2) for activation in ("tanh", "sigmoid", "relu")
            for x1 in _INTEGERS for w1 in _INTEGERS for x2 in _INTEGERS if abs(x1) != abs(w1)]


def _neuron(key: tuple, rng: random.Random) -> dict[str, Any] | None:
    """The lecture's neuron: two weighted inputs and a bias, summed, through an activation."""
    activation, x1, w1, x2 = key
    w2 = rng.choice(_INTEGERS)
    if abs(w2) == abs(x2):
        return None
    total = x1 * w1 + x2 * w2
    if activation == "relu":
        bias = float(rng.randint(1, 9) - total)  # the sum lands on 1 to 9, where relu passes it on
    else:
        bias = round(_PRE_IMAGE[activation](rng.choice(_FUNCTION_OUTPUTS[activation])) - total, 12)
    if bias == 0:
        return None
    inputs = {"x1": float(x1), "x2": float(x2), "w1": float(w1), "w2": float(w2), "b": bias}
    nodes = ["x1w1 = x1 * w1", "x2w2 = x2 * w2", "x1w1x2w2 = x1w1 + x2w2", "n = x1w1x2w2 + b",
             f"L = {activation}(n)"]
    return {"inputs": inputs, "nodes": nodes, "parameters": ["w1", "w2", "b"],
            "text": f"A neuron: L = {activation}(x1·w1 + x2·w2 + b). Work back from L; {_NEURON_RULE[activation]}."}


_NEURON_RULE = {"tanh": "dL/dn = 1 − L²", "sigmoid": "dL/dn = L·(1 − L)", "relu": "dL/dn = 1, as n > 0"}
_STEP_SIZES = (0.1, 0.05, 0.02, 0.01)


def _update_keys() -> list[tuple]:
    """One weight, or a weight and a bias; only step sizes that make the error shrink, not overshoot.
    dL/dw = 2e·x is asked, so x is no +-1 (forgetting the local x would change nothing) and w and x
    differ in size (else w's own value would read as the other factor); w = 1 makes w·upstream the
    upstream itself."""
    keys = []
    for with_bias, w, x, step in product((False, True), (*range(-8, 0), *range(1, 9)), (*range(-6, 0), *range(1, 7)),
                                         _STEP_SIZES):
        curvature = x * x + (1 if with_bias else 0)  # the error shrinks by 1 - 2·step·curvature
        if step * curvature < 1 and abs(x) != 1 and abs(w) != abs(x) and w != 1:
            keys.append((with_bias, w, x, step))
    return keys


def _update(key: tuple, rng: random.Random) -> dict[str, Any] | None:
    """L = (w·x [+ b] − y)², one step of descent from a point where the error is a small integer."""
    with_bias, w, x, step = key
    error = rng.choice((-6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6))
    inputs = {"w": float(w), "x": float(x)}
    if with_bias:
        inputs["b"] = float(rng.choice(_INTEGERS))
        nodes = ["z = w * x", "p = z + b", "e = p - y", "L = e ** 2"]
    else:
        nodes = ["z = w * x", "e = z - y", "L = e ** 2"]
    inputs["y"] = w * x + inputs.get("b", 0.0) - error
    parameters = ["w", "b"] if with_bias else ["w"]
    gradients = " and ".join(f"dL/d{name}" for name in parameters)
    return {"kind": "update", "inputs": inputs, "nodes": nodes, "parameters": parameters, "ask": parameters,
            "step_size": step, "direction": "descent", "ask_gradients": True,
            # θ, not p: a graph with a bias has a node p, and the rule would read as about it.
            "text": f"One step of gradient descent with step size {format_number(step)}: θ ← θ − "
                    f"{format_number(step)} × dL/dθ for each parameter θ. Find {gradients} from the graph "
                    "first, then each new value. After the step, the forward pass runs again."}


_REUSE_FUNCTIONS = ("tanh", "sigmoid", "exp", "square")
_REUSE_SHAPES = (
    ("u = x + b", "y = {f}", "v = y * k", "L = v * x"),  # x feeds u and, again, L
    ("u = x + b", "y = {f}", "v = x * k", "L = y * v"),  # x feeds u and v
    ("u = x + b", "y = {f}", "v = y + x", "L = v * k"),  # x feeds u and, past the function, v
)


def _reuse_keys() -> list[tuple]:
    """A shape, a function and x: the function's output and k are drawn."""
    return [(shape, function, x, k) for shape in range(len(_REUSE_SHAPES)) for function in _REUSE_FUNCTIONS
            for x in _INTEGERS for k in _INTEGERS if abs(k) != abs(x) and _reuse_feasible(shape, function, x, k)]


def _reuse_feasible(shape: int, function: str, x: int, k: int) -> bool:
    """Keys some draw makes fair (found by trying every key): exp at x = -2 (or times k = -2 after
    the sum), and a square at x = 4 or beside k = +-4, leave slips that always coincide."""
    if function == "exp":
        return x != -2 and not (shape == 2 and k == -2)
    if function == "square":
        return x != 4 and abs(k) != 4
    return True


def _reuse(key: tuple, rng: random.Random) -> dict[str, Any] | None:
    """x used twice, one path through a function node at a point where its slope is a short decimal
    (tanh, sigmoid, exp as in level 4; a square of a small integer)."""
    shape, function, x, k = key
    inputs: dict[str, float] = {"x": float(x), "k": float(k)}
    if function in _PRE_IMAGE:
        output = rng.choice(_FUNCTION_OUTPUTS[function])
        inputs["b"] = round(_PRE_IMAGE[function](output) - x, 12)
        formula = f"{function}(u)"
    else:
        inputs["b"] = float(rng.choice(_FUNCTION_INPUTS["square"]) - x)
        if abs(inputs["b"]) <= 1:
            return None
        formula = "u ** 2"
    nodes = [line.format(f=formula) for line in _REUSE_SHAPES[shape]]
    return {"inputs": inputs, "nodes": nodes,
            "text": f"x is used twice, and one of its paths goes through y = {formula}: "
                    f"{_LOCAL_RULE['square' if function == 'square' else function]}. Add up both paths."}


_LOSS_ERRORS = tuple(step / 20 for step in range(-30, 31) if step)
"""The neuron's error o − y, a multiple of 0.05 up to 1.5: y is o minus one of these."""
_LOSS_STEPS = (0.1, 0.2, 0.5)


def _neuron_loss_keys() -> list[tuple]:
    """The activation, its output and w and x (of different sizes, so that w's own value is not the
    other factor): the error and the step size are drawn."""
    return [(activation, output, w, x) for activation in ("tanh", "sigmoid") for output in _FUNCTION_OUTPUTS[activation]
            for w in _INTEGERS for x in _INTEGERS if abs(w) != abs(x)]


def _neuron_loss(key: tuple, rng: random.Random) -> dict[str, Any] | None:
    """o = tanh(w·x + b) (or sigmoid), L = (o − y)²: the neuron's output where its slope is a short
    decimal (b puts it there, as at level 5), and an error e = o − y that keeps every gradient short.
    b is irrational, so only w's new value is asked; b's gradient is asked, and b moves too."""
    activation, output, w, x = key
    slope = 1 - output * output if activation == "tanh" else output * (1 - output)
    errors = [e for e in _LOSS_ERRORS if _short(2 * e * slope) and abs(2 * e * slope * x) >= 0.1]
    if not errors:
        return None
    error = rng.choice(errors)
    inputs = {"w": float(w), "x": float(x), "b": round(_PRE_IMAGE[activation](output) - w * x, 12),
              "y": round(output - error, 2)}
    step = rng.choice(_LOSS_STEPS)
    rule = "do/dn = 1 − o²" if activation == "tanh" else "do/dn = o·(1 − o)"
    return {"kind": "update", "inputs": inputs, "parameters": ["w", "b"], "ask": ["w"],
            "nodes": ["n = w * x + b", f"o = {activation}(n)", "e = o - y", "L = e ** 2"],
            "step_size": step, "direction": "descent", "ask_gradients": True,
            "text": f"A neuron and its squared error: o = {activation}(w·x + b), L = (o − y)². Find dL/dw and "
                    f"dL/db back through the loss (dL/de = 2e) and the {activation} ({rule}), then w after one "
                    f"step of size {format_number(step)}: w ← w − {format_number(step)} × dL/dw. b moves too."}


_LAYER_NODES = ("n1 = w1 * x", "n2 = w2 * x", "L = v1 * n1 + v2 * n2")
# No bias: in n1 = w1·x + b1 the unnamed product w1·x would show its gradient, dL/dn1, before n1 is asked.
_LAYER_ASKED = ("n1", "n2", "v1", "w1", "w2", "x")


def _layer_keys() -> list[tuple]:
    """x, both weights and the first output weight (v2 is drawn). w1's gradient v1·x
    and its slips are fixed by the key, so keys where two coincide are left out (found by trying every
    key): x, v1, v1·w1, −v1·x and w1 must all differ, |v1·x| is not |w1| nor |w1·x| v1's size (v1's
    gradient is n1 = w1·x); no weight is x's size;
    and v1·w1·x, most of v1·n1, stays within the size limit."""
    return [(x, w1, w2, v1) for x in _INTEGERS for w1 in _INTEGERS for w2 in _INTEGERS for v1 in _INTEGERS
            if w1 != w2 and abs(x) not in (abs(w1), abs(w2), abs(v1)) and v1 != w1 and x != v1 * w1
            and abs(w1) != abs(v1 * x) and abs(v1) != abs(w1 * x) and abs(v1 * w1 * x) <= MAX_MAGNITUDE]


def _layer(key: tuple, rng: random.Random) -> dict[str, Any] | None:
    """Two linear neurons n1 = w1·x and n2 = w2·x side by side, into L = v1·n1 + v2·n2: small integers
    throughout, so every gradient is an integer and each slip a different one (redrawn until so)."""
    x, w1, w2, v1 = key
    inputs = {"x": float(x), "w1": float(w1), "w2": float(w2), "v1": float(v1), "v2": float(rng.choice(_INTEGERS))}
    return {"inputs": inputs, "nodes": list(_LAYER_NODES), "ask": list(_LAYER_ASKED),
            "parameters": ["w1", "w2", "v1", "v2"],
            "text": "A layer: two neurons read the same x, and L adds what they say, each times its weight. Work "
                    "back from L: v1 and each neuron first, then the weights; x feeds both neurons, so add its two "
                    "paths."}


RULE_LEVEL = 8
"""The level that asks for a backward rule as code: no graph, one op of `rule_checker.OPS` a key."""


def _rule_keys() -> list[tuple]:
    return [(op,) for op in OPS]


_KEY_LISTS: dict[int, Callable[[], list[tuple]]] = {
    1: _one_keys, 2: _chain_keys, 3: _twice_keys, 4: _function_keys, 5: _neuron_keys, 6: _update_keys,
    7: _reuse_keys, 8: _rule_keys, 9: _layer_keys, 10: _neuron_loss_keys,
}
_BUILDERS: dict[int, Callable[[tuple, Any], dict[str, Any] | None]] = {
    1: _one, 2: _chain, 3: _twice, 4: _function, 5: _neuron, 6: _update, 7: _reuse, 9: _layer, 10: _neuron_loss,
}
