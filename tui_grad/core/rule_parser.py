"""A learner's backward rule, one line of micrograd-style code: `self.grad += other.data * out.grad`.

Python's `ast` module parses the line and nothing more: no code object is ever made from it. The
tree is then walked and every node type not on a short whitelist is refused, with a message that
says what and at which column; what is allowed is copied into small dataclasses of our own, which
`evaluate` interprets over plain numbers. Length and bracket depth are checked before `ast` sees
the text, so no line can hang the parser or run deep enough to overflow a stack.

The language: the names `self`, `other`, `out` (and `t`, tanh's output; `k`, the exponent of a
power), their `.data` and `.grad`, numbers, `+ - * / **`, unary minus, parentheses, `math.exp(...)`
and one comparison (`out.data > 0`, which counts as 1 or 0, for relu).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

MAX_LENGTH = 300
"""The longest line read; a rule fits in well under a hundred characters."""
MAX_DEPTH = 12
"""The deepest nesting of brackets read."""
NODE_NAMES = ("self", "other", "out")
"""Names of Values a rule reads `.data` and `.grad` from."""
ATTRIBUTES = ("data", "grad")
OPERATORS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
COMPARISONS = {ast.Gt: ">", ast.Lt: "<", ast.GtE: ">=", ast.LtE: "<="}
ASSIGN_MODES = {ast.Add: "+=", ast.Sub: "-="}
_OPERATOR_HINTS = {
    ast.BitXor: "^ is not a power in Python: write ** (self.data**2)",
    ast.FloorDiv: "// rounds down: write / to divide",
    ast.Mod: "% is not part of a rule: use + - * / **",
    ast.MatMult: "@ is not part of a rule: write * to multiply",
}
_CHARACTER_HINTS = {"\u2212": "-", "\u2013": "-", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*", "\u00f7": "/",
                    "\u00b2": "**2", "\u00b3": "**3"}


class RuleSyntaxError(ValueError):
    """A line that is not a rule we read: what is wrong, and the 1-based column where it is."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"column {max(column, 1)}: {message}")
        self.message = message
        self.column = max(column, 1)


@dataclass(frozen=True, slots=True)
class Number:
    """A number written in the line."""

    value: float


@dataclass(frozen=True, slots=True)
class Field:
    """`self.data`, `out.grad`...: one number of one Value; `owner.field`."""

    owner: str
    field: str


@dataclass(frozen=True, slots=True)
class Symbol:
    """A plain-number name: `t` (tanh's output) or `k` (a power's exponent)."""

    name: str


@dataclass(frozen=True, slots=True)
class Negate:
    """`-operand`."""

    operand: RuleExpr


@dataclass(frozen=True, slots=True)
class BinaryOp:
    """`left op right` for op in + - * / **."""

    op: str
    left: RuleExpr
    right: RuleExpr


@dataclass(frozen=True, slots=True)
class Compare:
    """`left op right` for op in > < >= <=: 1.0 when it holds, else 0.0 (micrograd's relu rule)."""

    op: str
    left: RuleExpr
    right: RuleExpr


@dataclass(frozen=True, slots=True)
class Exp:
    """`math.exp(argument)`."""

    argument: RuleExpr


RuleExpr = Number | Field | Symbol | Negate | BinaryOp | Compare | Exp


@dataclass(frozen=True, slots=True)
class RuleLine:
    """A parsed line: `target.grad MODE expr` with MODE one of "+=", "=", "-="."""

    target: str
    mode: str
    expr: RuleExpr
    text: str


class RuleEvaluationError(ArithmeticError):
    """The line's arithmetic failed at some numbers (division by zero, overflow, a complex power)."""


def parse_rule(text: str, *, symbols: Collection[str] = ("t", "k"), owners: Collection[str] = NODE_NAMES) -> RuleLine:
    """Parse one rule line; raise RuleSyntaxError naming the first thing we do not read.

    symbols: the plain-number names this rule may use; owners: the Values it may read.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_rule() needs a str, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise RuleSyntaxError(f"the line is {len(text)} characters long; a rule fits in {MAX_LENGTH}: "
                              "write one line such as self.grad += other.data * out.grad", MAX_LENGTH + 1)
    line = text.strip()
    offset = len(text) - len(text.lstrip())
    if not line:
        raise RuleSyntaxError("nothing to read: write a line such as self.grad += other.data * out.grad", 1)
    _check_characters(line, offset)
    _check_brackets(line, offset)
    try:
        module = ast.parse(line, mode="exec")
    except SyntaxError as error:
        raise RuleSyntaxError(_syntax_message(error), offset + (error.offset or 1)) from None
    except (ValueError, RecursionError, MemoryError):
        raise RuleSyntaxError("this line cannot be read as a rule", offset + 1) from None
    return _Reader(line, offset, tuple(symbols), tuple(owners)).statement(module)


def _check_characters(line: str, offset: int) -> None:
    """Refuse characters outside printable ASCII, suggesting the ASCII spelling where there is one."""
    for index, char in enumerate(line):
        if " " <= char <= "~":
            continue
        column = offset + index + 1
        if char in _CHARACTER_HINTS:
            raise RuleSyntaxError(f"{_shown(char)} is not Python: write {_CHARACTER_HINTS[char]}", column)
        raise RuleSyntaxError(f"the character {_shown(char)} is not part of a rule (only plain ASCII)", column)


def _shown(char: str) -> str:
    """A character as messages show it: visible ones quoted, others as their code point."""
    return f"'{char}'" if char.isprintable() else f"U+{ord(char):04X}"


def _check_brackets(line: str, offset: int) -> None:
    """Brackets must balance and nest at most MAX_DEPTH deep; say which one is unmatched."""
    pairs = {")": "(", "]": "[", "}": "{"}
    opened: list[tuple[str, int]] = []
    for index, char in enumerate(line):
        column = offset + index + 1
        if char in "([{":
            opened.append((char, column))
            if len(opened) > MAX_DEPTH:
                raise RuleSyntaxError(f"brackets nest more than {MAX_DEPTH} deep", column)
        elif char in pairs:
            if not opened:
                raise RuleSyntaxError(f"unbalanced brackets: this '{char}' closes nothing", column)
            last, last_column = opened.pop()
            if last != pairs[char]:
                raise RuleSyntaxError(f"unbalanced brackets: '{char}' cannot close the '{last}' of column "
                                      f"{last_column}", column)
    if opened:
        char, column = opened[-1]
        raise RuleSyntaxError(f"unbalanced brackets: this '{char}' is never closed", column)


def _syntax_message(error: SyntaxError) -> str:
    """Python's own complaint, shortened to what a learner can act on."""
    reason = (error.msg or "invalid syntax").split("\n")[0]
    if "invalid syntax" in reason or "expected" in reason:
        return f"this is not a line of Python ({reason}); a rule reads like self.grad += other.data * out.grad"
    return f"this is not a line of Python: {reason}"


class _Reader:
    """Walks an `ast` tree, copying the allowed nodes and refusing every other with its column."""

    def __init__(self, line: str, offset: int, symbols: tuple[str, ...], owners: tuple[str, ...]) -> None:
        self.line = line
        self.offset = offset
        self.symbols = symbols
        self.owners = owners

    def column(self, node: ast.AST) -> int:
        """The 1-based column of node in the learner's text (ast counts UTF-8 bytes from 0)."""
        byte_offset = getattr(node, "col_offset", 0)
        return self.offset + len(self.line.encode()[:byte_offset].decode(errors="ignore")) + 1

    def refuse(self, node: ast.AST, message: str) -> RuleSyntaxError:
        """The error for node, at its column."""
        return RuleSyntaxError(message, self.column(node))

    def statement(self, module: ast.Module) -> RuleLine:
        """The one statement: `X.grad += expr`, `X.grad = expr` or `X.grad -= expr`."""
        if len(module.body) != 1:
            node = module.body[1] if len(module.body) > 1 else module
            raise self.refuse(node, "write one statement on the line (no ';')")
        node = module.body[0]
        if isinstance(node, ast.Import | ast.ImportFrom):
            raise self.refuse(node, "import is not allowed: a rule only reads .data and .grad and may call math.exp")
        if isinstance(node, ast.AugAssign):
            mode = ASSIGN_MODES.get(type(node.op))
            if mode is None:
                raise self.refuse(node, "a rule adds its share with += (or sets with =); this operator is not one")
            return RuleLine(self.target(node.target), mode, self.expr(node.value), self.line)
        if isinstance(node, ast.Assign):
            if len(node.targets) != 1:
                raise self.refuse(node, "assign to one gradient only, like self.grad += ...")
            return RuleLine(self.target(node.targets[0]), "=", self.expr(node.value), self.line)
        if isinstance(node, ast.Expr):
            self.expr(node.value)  # refuse what it cannot read first, at its own column
            raise self.refuse(node, "write the whole line, starting with the gradient it adds to: self.grad += ...")
        raise self.refuse(node, f"a {type(node).__name__} statement is not a rule: write self.grad += ...")

    def target(self, node: ast.expr) -> str:
        """The Value whose .grad the line changes: self or other."""
        field = self.expr(node)
        if isinstance(field, Field) and field.field == "grad" and field.owner in ("self", "other"):
            return field.owner
        raise self.refuse(node, "the left side must be self.grad or other.grad: a rule adds to an input's gradient")

    def expr(self, node: ast.expr) -> RuleExpr:
        """Copy one expression node, refusing what is not on the whitelist."""
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise self.refuse(node, f"{value!r} is not a number a rule can use")
            number = float(value) if isinstance(value, float) or abs(value) < 10**300 else math.inf
            if not math.isfinite(number):
                raise self.refuse(node, "this number is too large for a float")
            return Number(number)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return Negate(self.expr(node.operand))
            if isinstance(node.op, ast.UAdd):
                return self.expr(node.operand)
            raise self.refuse(node, "only - can stand before a value")
        if isinstance(node, ast.BinOp):
            op = OPERATORS.get(type(node.op))
            if op is None:
                hint = _OPERATOR_HINTS.get(type(node.op), "a rule uses + - * / ** only")
                raise RuleSyntaxError(hint, self.operator_column(node))
            return BinaryOp(op, self.expr(node.left), self.expr(node.right))
        if isinstance(node, ast.Compare):
            if len(node.ops) != 1:
                raise self.refuse(node, "compare two things at most, like (out.data > 0)")
            compare = COMPARISONS.get(type(node.ops[0]))
            if compare is None:
                raise self.refuse(node, "a rule compares with > < >= <= only, like (out.data > 0)")
            return Compare(compare, self.expr(node.left), self.expr(node.comparators[0]))
        if isinstance(node, ast.Call):
            return self.call(node)
        raise self.refuse(node, f"{_describe(node)} is not allowed in a rule: use numbers, self, other, out, "
                                ".data, .grad, + - * / ** and math.exp")

    def operator_column(self, node: ast.BinOp) -> int:
        """The column of a binary operator: the first non-space after its left operand."""
        end = getattr(node.left, "end_col_offset", None)
        if end is None:
            return self.column(node)
        start = len(self.line.encode()[:end].decode(errors="ignore"))
        rest = self.line[start:]
        skipped = len(rest) - len(rest.lstrip(" )"))
        return self.offset + start + skipped + 1

    def name(self, node: ast.Name) -> RuleExpr:
        """A bare name: t or k (a plain number); self, other, out need .data or .grad."""
        name = node.id
        if name.startswith("__"):
            raise self.refuse(node, f"{name}: names with double underscores are not allowed")
        if name in self.symbols:
            return Symbol(name)
        if name in self.owners:
            raise self.refuse(node, f"{name} is a Value: write {name}.data for its number or {name}.grad "
                                    "for its gradient")
        if name == "math":
            raise self.refuse(node, "math is only for math.exp(...)")
        known = ", ".join(self.owners + self.symbols)
        raise self.refuse(node, f"unknown name '{name}': this rule reads {known}")

    def attribute(self, node: ast.Attribute) -> RuleExpr:
        """`owner.data` or `owner.grad`."""
        if node.attr.startswith("__"):
            raise RuleSyntaxError(f".{node.attr}: names with double underscores are not allowed",
                                  self.column(node) + len(self.line_part(node.value)))
        owner = node.value
        if not isinstance(owner, ast.Name):
            raise self.refuse(node, f".{node.attr} belongs after a name, like self.{node.attr}")
        if owner.id.startswith("__"):
            raise self.refuse(owner, f"{owner.id}: names with double underscores are not allowed")
        if owner.id == "math":
            if node.attr == "exp":
                raise self.refuse(node, "math.exp needs its argument in brackets: math.exp(self.data)")
            raise self.refuse(node, f"math.{node.attr} is not allowed: the only function a rule calls is math.exp")
        if owner.id in self.symbols:
            raise self.refuse(node, f"{owner.id} is already a plain number: write {owner.id}, not "
                                    f"{owner.id}.{node.attr}")
        if owner.id not in self.owners:
            return self.name(owner)
        if node.attr not in ATTRIBUTES:
            raise RuleSyntaxError(f"a Value has .data and .grad, not .{node.attr}",
                                  self.column(node) + len(owner.id))
        return Field(owner.id, node.attr)

    def line_part(self, node: ast.AST) -> str:
        """The text of node in the line."""
        return ast.get_source_segment(self.line, node) or ""

    def call(self, node: ast.Call) -> RuleExpr:
        """`math.exp(x)`, the one function a rule calls."""
        func = node.func
        is_exp = (isinstance(func, ast.Attribute) and func.attr == "exp" and isinstance(func.value, ast.Name)
                  and func.value.id == "math")
        if not is_exp:
            shown = self.line_part(func) or "this"
            if isinstance(func, ast.Name) and func.id.startswith("__"):
                raise self.refuse(func, f"{func.id}: names with double underscores are not allowed")
            hint = " (for tanh, its output is t)" if shown.endswith("tanh") else ""
            raise self.refuse(node, f"{shown}(...) is not allowed: the only function a rule calls is math.exp{hint}")
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise self.refuse(node, "math.exp takes one number: math.exp(self.data)")
        return Exp(self.expr(node.args[0]))


def _describe(node: ast.AST) -> str:
    """What a refused node is, in a learner's words."""
    names = {ast.Lambda: "lambda", ast.IfExp: "if ... else", ast.BoolOp: "and / or", ast.Subscript: "indexing []",
             ast.List: "a list", ast.Tuple: "a tuple (a comma)", ast.Dict: "a dict", ast.Set: "a set",
             ast.JoinedStr: "an f-string", ast.NamedExpr: ":=", ast.Await: "await", ast.Starred: "*",
             ast.ListComp: "a comprehension", ast.GeneratorExp: "a generator", ast.Slice: "a slice"}
    return names.get(type(node), type(node).__name__)


def evaluate(expr: RuleExpr, fields: Mapping[tuple[str, str], float], symbols: Mapping[str, float]) -> float:
    """The value of expr, reading `owner.field` from fields and `t`/`k` from symbols.

    Raises RuleEvaluationError when the arithmetic fails or leaves the finite floats.
    """
    try:
        value = _evaluate(expr, fields, symbols)
    except (ZeroDivisionError, OverflowError, ValueError) as error:
        raise RuleEvaluationError(_arithmetic_reason(error)) from None
    if not math.isfinite(value):
        raise RuleEvaluationError("the result is too large for a float")
    return value


def _arithmetic_reason(error: Exception) -> str:
    """Why arithmetic failed, in words."""
    if isinstance(error, ZeroDivisionError):
        return "it divides by zero"
    if isinstance(error, OverflowError):
        return "a number grows too large for a float"
    return "a power is undefined there (0 to a negative power, or a negative number to a fractional one)"


def _evaluate(expr: RuleExpr, fields: Mapping[tuple[str, str], float], symbols: Mapping[str, float]) -> float:
    """The recursion behind evaluate; depth is bounded by MAX_LENGTH and MAX_DEPTH."""
    if isinstance(expr, Number):
        return expr.value
    if isinstance(expr, Field):
        return fields[(expr.owner, expr.field)]
    if isinstance(expr, Symbol):
        return symbols[expr.name]
    if isinstance(expr, Negate):
        return -_evaluate(expr.operand, fields, symbols)
    if isinstance(expr, Exp):
        return math.exp(_evaluate(expr.argument, fields, symbols))
    left = _evaluate(expr.left, fields, symbols)
    right = _evaluate(expr.right, fields, symbols)
    if isinstance(expr, Compare):
        holds = {">": left > right, "<": left < right, ">=": left >= right, "<=": left <= right}[expr.op]
        return 1.0 if holds else 0.0
    if expr.op == "+":
        return left + right
    if expr.op == "-":
        return left - right
    if expr.op == "*":
        return left * right
    if expr.op == "/":
        return left / right
    return math.pow(left, right)


def reads(expr: RuleExpr) -> set[tuple[str, str]]:
    """Every `owner.field` the expression reads (for telling, say, a missing out.grad)."""
    found: set[tuple[str, str]] = set()
    stack: list[RuleExpr] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Field):
            found.add((node.owner, node.field))
        elif isinstance(node, Negate):
            stack.append(node.operand)
        elif isinstance(node, Exp):
            stack.append(node.argument)
        elif isinstance(node, BinaryOp | Compare):
            stack.extend((node.left, node.right))
    return found
