"""The learner's own formula: `(x+2)**2 + x**3` at `x=5`, cut into named steps the tutor can ask
about one at a time (`u = x + 2`, `p = u ** 2`, ...), as a lesson part every exercise flow runs.

A formula that cannot be read, names something without a value, leaves a function's domain at the
values given, or is too big to draw gets a `FormulaError` that says what and at which column.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from tui_grad.core import expr as ex
from tui_grad.core.lesson import Lesson, LessonError, Part
from tui_grad.core.lesson_file import part_from_table
from tui_grad.engine import EngineError, Value

STEP_NAMES = ("u", "v", "w", "p", "q", "r", "s", "t", "g", "h", "k", "m", "n", "z")
OUTPUT_NAMES = ("L", "f", "y", "out")
FORMULA_ID = "your-formula"
SHOWN_ROUNDING = 1e-3
"""The relative tolerance of an own formula's answers. Its numbers are seldom short decimals and
are shown to 7 significant digits, so a learner works from rounded values: 1 − 0.9999092² from
the shown tanh(5) is 1.8159e-4 where the engine has 1.81583e-4. Answers within the rounding of
what is shown are right; one nearer than 1% but outside is told to keep more digits."""


class FormulaError(ValueError):
    """A formula or its values that cannot be worked: the sentence and the column (0: no column)."""

    def __init__(self, message: str, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.column = column

    def __str__(self) -> str:
        if not self.column or f"column {self.column}" in self.message:
            return self.message
        return f"column {self.column}: {self.message}"


def parse_values(text: str) -> dict[str, float]:
    """`x=5, y=-2` (commas or spaces between) as {"x": 5.0, "y": -2.0}; a value may be a fraction or
    any sum of numbers an answer may be (`x=1/2`), and each name is given once."""
    values: dict[str, float] = {}
    pieces: dict[str, str] = {}
    for piece in text.replace(",", " ").split():
        name, equals, number = piece.partition("=")
        if not equals or not name.isidentifier():
            raise FormulaError(f"'{piece}' is not name=number, like x=5")
        if name in pieces:
            raise FormulaError(f"{name} is given twice ({pieces[name]} and {piece}): give each input one value")
        pieces[name] = piece
        try:
            value = ex.evaluate_number(number, {}, names=[])
        except ex.ExprError:
            raise FormulaError(f"'{number}' in '{piece}' is not a number") from None
        if not math.isfinite(value):
            raise FormulaError(f"{name} must be a finite number, not {number}")
        values[name] = value
    if not values:
        raise FormulaError("give each input a value, like x=5")
    return values


def formula_part(formula: str, values: Mapping[str, float]) -> Part:
    """The formula as a gradients part: one named step per operation, the output last."""
    try:
        tree = ex.parse(formula, names=list(values))
    except ex.ExprError as error:
        raise FormulaError(error.message, error.column) from None
    if not ex.names_in(tree):
        raise FormulaError("the formula has no input: use at least one name given a value, like x", 1)
    _check_exponents(tree)
    taken = set(values)
    free = (name for name in STEP_NAMES if name not in taken)
    steps: list[tuple[str, str, ex.Expr]] = []

    def step_of(node: ex.Expr) -> str:
        if isinstance(node, ex.Num) or not ex.names_in(node):
            text = ex.to_text(node)
            return f"({text})" if text.startswith("-") else text
        if isinstance(node, ex.Name):
            return node.name
        if isinstance(node, ex.Unary):
            text = f"-{step_of(node.operand)}"
        elif isinstance(node, ex.Call):
            text = f"{node.func}({step_of(node.arg)})"
        else:
            left = step_of(node.left)
            right = ex.to_text(node.right) if node.op == "**" else step_of(node.right)
            text = f"{left} {node.op} {right}"
        name = next(free, None)
        if name is None:
            raise FormulaError(f"the formula has more than {len(STEP_NAMES)} operations; a screen cannot show "
                               "that many boxes", node.column)
        steps.append((name, text, node))
        return name

    top = step_of(tree)
    if not steps:
        raise FormulaError("the formula is a single input: write an operation on it, like x**2", 1)
    output = next(name for name in OUTPUT_NAMES if name not in taken)
    steps[-1] = (output, steps[-1][1], steps[-1][2])
    renamed = {top: output}
    lines = [f"{renamed.get(name, name)} = {text}" for name, text, _ in steps]
    _check_domain(steps, values)
    table = {"title": f"Your formula: {formula.strip()}", "kind": "gradients", "inputs": dict(values),
             "nodes": lines, "output": output, "parameters": list(values), "relative_tolerance": SHOWN_ROUNDING}
    try:
        return part_from_table(table, "<your formula>")
    except LessonError as error:
        raise FormulaError(error.message) from None


def _check_exponents(tree: ex.Expr) -> None:
    """Refuse a power whose exponent holds a name (x**y, 2**x), at the column of that name: each step
    is one box with one local rule, and the power rule's box takes a number for its exponent."""
    pending = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ex.Binary):
            if node.op == "**" and ex.names_in(node.right):
                name = _first_name(node.right)
                raise FormulaError(f"the exponent of ** must be a number, like x**2 or x**0.5, not the name "
                                   f"'{name.name}' (at column {name.column})", name.column)
            pending += [node.left, node.right]
        elif isinstance(node, ex.Unary):
            pending.append(node.operand)
        elif isinstance(node, ex.Call):
            pending.append(node.arg)


def _first_name(tree: ex.Expr) -> ex.Name:
    """The leftmost name in `tree` (which holds one)."""
    pending = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ex.Name):
            return node
        if isinstance(node, ex.Binary):
            pending += [node.right, node.left]
        elif isinstance(node, ex.Unary):
            pending.append(node.operand)
        elif isinstance(node, ex.Call):
            pending.append(node.arg)
    raise ValueError("no name in the expression")


def _check_domain(steps: list[tuple[str, str, ex.Expr]], values: Mapping[str, float]) -> None:
    """Run each step through the engine, so a log of a negative is named at its column."""
    known = {name: Value(value, label=name) for name, value in values.items()}
    for name, text, node in steps:
        try:
            formula = ex.parse(text, names=list(known))
            known[name] = _value(formula, known)
        except (EngineError, ArithmeticError, ValueError) as error:
            shown = ex.to_text(node)
            raise FormulaError(f"{shown} cannot be computed at {_listing(values)}: {error}", node.column) from None


def _value(formula: ex.Expr, known: dict[str, Value]) -> Value:
    """A parsed step evaluated on engine Values (the engine's rules and errors, not floats)."""
    if isinstance(formula, ex.Num) or not ex.names_in(formula):
        return Value(ex.evaluate_number(formula))
    if isinstance(formula, ex.Name):
        return known[formula.name]
    if isinstance(formula, ex.Unary):
        return -_value(formula.operand, known)
    if isinstance(formula, ex.Call):
        result: Value = getattr(_value(formula.arg, known), formula.func)()
        return result
    left = _value(formula.left, known)
    if formula.op == "**":
        return left ** ex.evaluate_number(formula.right)
    right = _value(formula.right, known)
    if formula.op == "+":
        return left + right
    if formula.op == "-":
        return left - right
    if formula.op == "*":
        return left * right
    return left / right


def _listing(values: Mapping[str, float]) -> str:
    from tui_grad.core.exercise import format_number

    return ", ".join(f"{name} = {format_number(value)}" for name, value in values.items())


def formula_lesson(formula: str, values: Mapping[str, float]) -> Lesson:
    """The formula as a one-part lesson (not saved as a lesson: its attempts carry the formula)."""
    part = formula_part(formula, values)
    return Lesson(FORMULA_ID, part.title, "Your own formula, worked like a lesson.", part.path, 0, "", "", (part,))
