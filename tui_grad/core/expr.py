"""The whitelist formula language: learners' typed answers and the right-hand sides of lesson formulas.

A small tokenizer and recursive-descent parser of our own (never eval, exec, compile or `ast`). Any text
either parses or raises ExprError with a sentence a learner can act on: what is wrong, at which column, and
what to type instead. Length, nesting and number size are bounded, powers are constant-time float math (exact
powers in `evaluate` are capped), and trees are walked without recursion, so no input can hang, exhaust
memory or overflow the stack. tests/core/test_fuzz.py holds those promises to account.
"""

from __future__ import annotations

import keyword
import math
import operator
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from numbers import Rational
from typing import Any, NamedTuple

FUNCTIONS = ("tanh", "exp", "log", "relu", "sigmoid")
_MAX_DEPTH = 64
_MAX_NUMBER_LENGTH = 50
_MAX_NAMES_LISTED = 12
_MAX_SHOWN = 24
# Exact (int or Fraction) powers are refused beyond this many bits, so that a**b**c on ints stays quick.
_MAX_EXACT_BITS = 100_000
_TOO_LARGE = "too large: numbers must stay below about 1.8e308"
_ALLOWED = "a formula uses numbers, names, + - * / ** and parentheses"
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
# Spellings learners paste or type, mapped to the operator meant; "^" is power, as on calculators.
_SYMBOLS = {"+": "+", "-": "-", "\u2212": "-", "\u2013": "-", "*": "*", "\u00d7": "*", "\u00b7": "*",
            "\u22c5": "*", "/": "/", "\u00f7": "/", "^": "**", "(": "(", ")": ")", ",": ","}
# Characters with a better way to write them, and that way.
_HINTS = {**dict.fromkeys("\u00b2\u00b3\u00b9\u2070\u2074\u2075\u2076\u2077\u2078\u2079",
                          "write powers with ** or ^, like x**2"),
          **dict.fromkeys("\u00bd\u00bc\u00be\u2153\u2154\u2155\u2156\u2157\u2158\u2159\u215a\u215b",
                          "write fractions with /, like 1/2"),
          "\u221a": "write a square root as a power, like x**0.5", "=": "type only the formula, without '='"}
# Names that look like numbers Python's float() would accept but we do not.
_NOT_NUMBERS = ("nan", "inf", "infinity")
_NUMBER = re.compile(r"[0-9]+\.?[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ExprError(ValueError):
    """A text that is not a formula we accept: says what is wrong and where."""

    def __init__(self, message: str, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.column = max(column, 1)


# Each node keeps the 1-based column it came from (0 when built by hand), outside equality and repr.
@dataclass(frozen=True, slots=True)
class Num:
    """A number written in the formula."""
    value: float
    column: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Name:
    """A variable, looked up when the formula is evaluated."""
    name: str
    column: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Unary:
    """A negation: `op` is "-" (a unary plus is dropped while parsing)."""
    op: str
    operand: Expr
    column: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Binary:
    """Two operands joined by "+", "-", "*", "/" or "**"; the column is the operator's."""
    op: str
    left: Expr
    right: Expr
    column: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Call:
    """A function applied to exactly one argument, like tanh(n)."""
    func: str
    arg: Expr
    column: int = field(default=0, compare=False, repr=False)


Expr = Num | Name | Unary | Binary | Call


class _Token(NamedTuple):
    kind: str  # "num", "name", "end" or the operator itself: "+", "**", "(", ","...
    shown: str  # as the learner wrote it, for messages
    column: int
    value: float = 0.0


def parse(text: str, *, names: Collection[str] | None = None, functions: Collection[str] = FUNCTIONS,
          max_length: int = 1000, first_column: int = 1) -> Expr:
    """Parse a formula; names: the names allowed (None = any identifier allowed, checked later at evaluation).

    first_column: the column of `text`'s first character in messages, for a formula that is part of a line.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse() needs a str, not {type(text).__name__}")
    if len(text) > max_length:
        raise ExprError(f"the text is too long ({len(text)} characters; at most {max_length}): "
                        "type a shorter formula", first_column)
    if not text.strip():
        raise ExprError("nothing to read: type a number such as -2 or 1/2", first_column)
    expr = _Parser(_tokenize(text, first_column - 1), names, functions).formula()
    _check_constants(expr)
    return expr


def _tokenize(text: str, shift: int = 0) -> list[_Token]:
    """Split text into tokens, refusing anything outside the whitelist at the column where it starts."""
    index, end = len(text) - len(text.lstrip()), len(text.rstrip())
    tokens: list[_Token] = []
    while index < end:
        char, column = text[index], index + 1 + shift
        if char in _LINE_BREAKS:
            raise ExprError(f"only one line can be read: remove the line break at column {column}", column)
        if char.isspace():
            index += 1
            continue
        previous = tokens[-1] if tokens else None
        touching = previous is not None and previous.column + len(previous.shown) == column
        number_before = touching and previous is not None and previous.kind == "num"
        if char == "." and previous and previous.kind in ("name", ")"):
            raise ExprError(f"'.' at column {column} is not allowed after '{_short(previous.shown)}': formulas "
                            "have no attribute access", column)
        if char in "._" and number_before and previous is not None:
            what = "more than one '.': write decimals like 2.5" if char == "." else \
                "a '_': write numbers without separators, like 1000"
            raise ExprError(f"the number at column {previous.column} has {what}", previous.column)
        number = _NUMBER.match(text, index, end)
        name = _NAME.match(text, index, end)
        if number:
            token = _Token("num", number.group(), column, _read_number(number.group(), column))
        elif name:
            token = _Token("name", name.group(), column)
            _check_name(token)
        elif text.startswith("**", index):
            token = _Token("**", "**", column)
        elif char in _SYMBOLS:
            token = _Token(_SYMBOLS[char], char, column)
        elif ord(char) < 32 or 127 <= ord(char) < 160:
            raise ExprError(f"control character U+{ord(char):04X} at column {column}: delete it", column)
        elif not char.isprintable():
            raise ExprError(f"invisible character U+{ord(char):04X} at column {column}: delete it", column)
        elif char == "\u221e":
            raise _not_a_number(char, column)
        else:
            quoted = '"\'"' if char == "'" else f"'{char}'" if char.isascii() else f"'{char}' (U+{ord(char):04X})"
            raise ExprError(f"{quoted} at column {column} is not allowed: {_HINTS.get(char, _ALLOWED)}", column)
        tokens.append(token)
        index += len(token.shown)
    return [*tokens, _Token("end", "", end + 1 + shift)]


def _short(shown: str) -> str:
    """A name or number as echoed in a message: a 1000-letter name must not make a 1000-letter message."""
    return shown if len(shown) <= _MAX_SHOWN else shown[:_MAX_SHOWN - 3] + "..."


def _read_number(shown: str, column: int) -> float:
    """The value of a number token, refusing digits no one types and values a float cannot hold."""
    if len(shown) > _MAX_NUMBER_LENGTH:
        raise ExprError(f"the number at column {column} is too long (at most {_MAX_NUMBER_LENGTH} characters): "
                        "write it with fewer digits", column)
    value = float(shown)
    if math.isinf(value):
        raise ExprError(f"the number {shown} at column {column} is {_TOO_LARGE}", column)
    return value


def _check_name(token: _Token) -> None:
    """Refuse names that could reach Python's internals or are Python words, saying why."""
    name, column = token.shown, token.column
    if name.startswith("_") or "__" in name:
        raise ExprError(f"'{_short(name)}' at column {column} is not allowed: names cannot start with '_' or "
                        "contain '__'", column)
    if keyword.iskeyword(name):  # at most 8 letters
        raise ExprError(f"'{name}' at column {column} is not allowed: {_ALLOWED}", column)


def _not_a_number(shown: str, column: int) -> ExprError:
    return ExprError(f"'{_short(shown)}' at column {column} is not a number we accept: type a finite number such as "
                     "-2 or 0.5", column)


def _unknown_name(name: str, column: int, known: Collection[str]) -> ExprError:
    """The error for a name that is not defined: a number it resembles, a likely spelling, or the names to use."""
    if name.lower() in _NOT_NUMBERS:
        return _not_a_number(name, column)
    same_letters = [other for other in known if other.lower() == name.lower()]
    if same_letters:
        advice = f"did you mean '{_short(same_letters[0])}'? Names are case-sensitive"
    elif known:
        listed = sorted(known)
        more = ", ..." if len(listed) > _MAX_NAMES_LISTED else ""
        advice = f"use a number or one of the names {', '.join(map(_short, listed[:_MAX_NAMES_LISTED]))}{more}"
    else:
        advice = "type a number such as -2 or 1/2"
    return ExprError(f"unknown name '{_short(name)}' at column {column}: {advice}", column)


class _Parser:
    """Recursive descent over the tokens; the depth is checked before every step down."""

    def __init__(self, tokens: list[_Token], names: Collection[str] | None, functions: Collection[str]) -> None:
        self.tokens, self.names, self.functions = tokens, names, functions
        self.index, self.depth, self.open_groups = 0, -1, 0  # the top level is depth 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        self.index += 1
        return self.tokens[self.index - 1]

    def formula(self) -> Expr:
        expr = self.sum()
        if self.peek().kind != "end":
            raise self.unexpected(self.peek())
        return expr

    def sum(self) -> Expr:
        expr = self.product()
        while self.peek().kind in ("+", "-"):
            op = self.take()
            expr = Binary(op.kind, expr, self.product(), op.column)
        return expr

    def product(self) -> Expr:
        expr = self.unary()
        while self.peek().kind in ("*", "/"):
            op = self.take()
            expr = Binary(op.kind, expr, self.unary(), op.column)
        return expr

    def unary(self) -> Expr:
        """Signs, then a power; each sign and the power itself count as one level of nesting."""
        outer_depth, signs = self.depth, []
        while self.peek().kind in ("+", "-"):
            signs.append(self.descend(self.take()))
        self.descend(self.peek())
        expr = self.power()
        for sign in reversed(signs):
            expr = Unary("-", expr, sign.column) if sign.kind == "-" else expr
        self.depth = outer_depth
        return expr

    def descend(self, token: _Token) -> _Token:
        """Go one level deeper, refusing long before Python's own stack could run out."""
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise ExprError(f"nested too deeply at column {token.column} (at most {_MAX_DEPTH} levels of "
                            "parentheses, signs or powers): write a simpler formula", token.column)
        return token

    def power(self) -> Expr:
        """atom ("**" unary)?: right-associative, and tighter than a sign on its left."""
        base = self.atom()
        if self.peek().kind != "**":
            return base
        op = self.take()
        return Binary("**", base, self.unary(), op.column)

    def atom(self) -> Expr:
        token = self.peek()
        if token.kind not in ("num", "name", "("):
            raise self.missing(token)
        self.take()
        if token.kind == "num":
            return Num(token.value, token.column)
        if token.kind == "(":
            return self.group(token)
        if self.peek().kind == "(":
            if token.shown not in self.functions:
                known = self.names is None or token.shown in self.names
                multiply = f"; to multiply, write {_short(token.shown)} * (...)" if known else ""
                raise ExprError(f"'{_short(token.shown)}' at column {token.column} is not a function you can use "
                                f"(functions: {', '.join(self.functions)}){multiply}", token.column)
            return Call(token.shown, self.group(self.take(), call=token.shown), token.column)
        if token.shown in self.functions:
            raise ExprError(f"'{token.shown}' at column {token.column} is a function: write {token.shown}(x)",
                            token.column)
        if self.names is not None and token.shown not in self.names:
            raise _unknown_name(token.shown, token.column, self.names)
        return Name(token.shown, token.column)

    def group(self, opening: _Token, call: str = "") -> Expr:
        """The formula after the '(' `opening`, up to and including its matching ')'."""
        self.open_groups += 1
        inner, closing = self.sum(), self.peek()
        if closing.kind == "," and call:
            raise ExprError(f"{call}() takes exactly one value: remove the ',' at column {closing.column}",
                            closing.column)
        if closing.kind != ")":
            raise self.unexpected(closing, opening)
        self.take()
        self.open_groups -= 1
        return inner

    def unexpected(self, token: _Token, opening: _Token | None = None) -> ExprError:
        """The error for `token` where an operator, a ')' or the end should come."""
        previous = self.tokens[self.index - 1] if self.index else token
        if token.kind == "end" and opening:
            return ExprError(f"the '(' at column {opening.column} is never closed: add a ')'", opening.column)
        if token.kind == ")":
            return ExprError(f"the ')' at column {token.column} has no matching '(': remove it or add a '('",
                             token.column)
        if token.kind == ",":
            following = self.tokens[self.index + 1]
            digits = previous.shown.isdigit() and following.shown.isdigit()  # "1,5" but not "2.,2" or "1,5e3"
            if digits and previous.column + len(previous.shown) == token.column == following.column - 1:
                return ExprError(f"',' at column {token.column} is not allowed: write decimals with '.', like "
                                 f"{previous.shown}.{following.shown}", token.column)
            return ExprError(f"',' at column {token.column} is not allowed: {_ALLOWED}", token.column)
        return ExprError(f"expected an operator such as * between '{_short(previous.shown)}' and "
                         f"'{_short(token.shown)}' at column {token.column}", token.column)

    def missing(self, token: _Token) -> ExprError:
        """The error for `token` where a number, a name or a '(' should come."""
        previous = self.tokens[self.index - 1] if self.index else None
        if token.kind == "end" and previous:
            return ExprError(f"the formula stops after '{_short(previous.shown)}' at column {previous.column}: add a "
                             "number or a name", previous.column)
        if (token.kind == ")" and not self.open_groups) or token.kind == ",":
            return self.unexpected(token)
        if previous is None:
            return ExprError(f"the formula cannot start with '{_short(token.shown)}' (column {token.column}): begin "
                             "with a number, a name or '('", token.column)
        return ExprError(f"something is missing between '{_short(previous.shown)}' and '{_short(token.shown)}' at "
                         f"column {token.column}: add a number or a name", token.column)


# --- walking a tree -------------------------------------------------------------------------------


def _children(node: Expr) -> tuple[Expr, ...]:
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Unary):
        return (node.operand,)
    return (node.arg,) if isinstance(node, Call) else ()


def _postorder(expr: Expr) -> Iterator[Expr]:
    """Every node after its children, left to right, without recursion (long sums make deep trees)."""
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:
        node, expanded = stack.pop()
        below = () if expanded else _children(node)
        if below:
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(below))
        else:
            yield node


def operands(node: Expr) -> tuple[Expr, ...]:
    """The sub-formulas a node applies to: two for a Binary, one for a Unary or Call, none for a leaf."""
    return _children(node)


def postorder(expr: Expr) -> Iterator[Expr]:
    """Every node of the formula after its operands, without recursion."""
    return _postorder(expr)


def names_in(expr: Expr) -> list[str]:
    """The distinct names in `expr`, in order of first appearance."""
    return list(dict.fromkeys(node.name for node in _postorder(expr) if isinstance(node, Name)))


# Printing precedence, and per operator: (its own level, least level of a bare left / right operand).
_SUM, _PRODUCT, _SIGNED, _POWER, _ATOM = 1, 2, 3, 4, 5
_LEVELS = {"+": (_SUM, _SUM, _PRODUCT), "-": (_SUM, _SUM, _PRODUCT), "*": (_PRODUCT, _PRODUCT, _SIGNED),
           "/": (_PRODUCT, _PRODUCT, _SIGNED), "**": (_POWER, _ATOM, _SIGNED)}


def _format_number(value: float) -> str:
    """The shortest text that reads back as `value`: "2", "0.5", "1e-09"; infinity as "1e999"."""
    if math.isinf(value):
        return "-1e999" if value < 0 else "1e999"
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def to_text(expr: Expr) -> str:
    """Canonical text with the fewest parentheses: "b * f", "(a + b) * c", "-2 * 1", "tanh(n)"."""
    parts: list[tuple[str, int]] = []  # (text, precedence level) of finished sub-formulas

    def operand(least: int) -> str:
        text, level = parts.pop()
        return text if level >= least else f"({text})"

    for node in _postorder(expr):
        if isinstance(node, Num):
            text = _format_number(node.value)
            parts.append((text, _SIGNED if text.startswith("-") else _ATOM))
        elif isinstance(node, Name):
            parts.append((node.name, _ATOM))
        elif isinstance(node, Unary):
            parts.append((node.op + operand(_SIGNED), _SIGNED))
        elif isinstance(node, Call):
            parts.append((f"{node.func}({parts.pop()[0]})", _ATOM))
        else:
            level, left_least, right_least = _LEVELS[node.op]
            right = operand(right_least)
            parts.append((f"{operand(left_least)} {node.op} {right}", level))
    return parts[0][0]


# --- evaluation -----------------------------------------------------------------------------------


def _log(x: float) -> float:
    if x <= 0:
        raise ExprError(f"log{{at}} needs a positive number, not {_format_number(x)}")
    return math.log(x)


def _sigmoid(x: float) -> float:
    """1 / (1 + e^-x), arranged so that exp never overflows."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    return math.exp(x) / (1.0 + math.exp(x))


def _float_power(base: float, exponent: float) -> float:
    """Float power in constant time, refusing what would be complex (Python's answer) or a division by zero."""
    if base < 0 and not exponent.is_integer():
        raise ExprError("a negative number raised to a fractional power{at} has no real value")
    if base == 0 and exponent < 0:
        raise ZeroDivisionError
    return math.pow(base, exponent)  # OverflowError, never a giant number


def _bounded_power(base: Any, exponent: Any) -> Any:
    """`base ** exponent` for any arithmetic type; exact powers (ints, Fractions) that would be huge are refused."""
    if isinstance(base, Rational) and isinstance(exponent, Rational) and exponent.denominator == 1:
        size = max(abs(int(base.numerator)).bit_length(), int(base.denominator).bit_length())  # about log2 of the base
        if abs(base) not in (0, 1) and abs(int(exponent.numerator)) * size > _MAX_EXACT_BITS:
            raise ExprError(f"the power{{at}} is {_TOO_LARGE}")
    return base ** exponent


_FLOAT_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "tanh": math.tanh, "exp": math.exp, "log": _log, "relu": lambda x: max(0.0, x), "sigmoid": _sigmoid}
_OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": _bounded_power}
_FLOAT_OPERATORS = {**_OPERATORS, "**": _float_power}


def _at(column: int) -> str:
    return f" at column {column}" if column else ""


def evaluate(expr: Expr, env: Mapping[str, Any], *, functions: Mapping[str, Callable] | None = None) -> Any:
    """Evaluate with + - * / ** on what env holds (floats, or the engine's Value); functions default to float math.

    Unknown names and functions, and exact powers too large to compute quickly, raise ExprError; the values'
    own arithmetic errors pass through.
    """
    return _walk(expr, env, _FLOAT_FUNCTIONS if functions is None else functions, checked=False)


def evaluate_number(text_or_expr: str | Expr, env: Mapping[str, float] | None = None, *,
                    names: Collection[str] | None = None) -> float:
    """Parse (if given text) and evaluate to a finite float with float math; every failure is an ExprError."""
    expr = parse(text_or_expr, names=names) if isinstance(text_or_expr, str) else text_or_expr
    return _walk(expr, env or {}, _FLOAT_FUNCTIONS, checked=True) + 0.0  # + 0.0 turns -0.0 into 0.0


def _walk(expr: Expr, env: Mapping[str, Any], functions: Mapping[str, Callable], checked: bool) -> Any:
    """Evaluate bottom-up on a value stack; `checked`: float math, every float failure an ExprError."""
    results: list[Any] = []
    for node in _postorder(expr):
        if isinstance(node, Num):
            results.append(_finite(node.value, f"the number{_at(node.column)}", node.column) if checked
                           else node.value)
        elif isinstance(node, Name):
            if node.name not in env:
                raise _unknown_name(node.name, node.column, env)
            value = env[node.name]
            results.append(_finite(value, f"'{node.name}'{_at(node.column)}", node.column) if checked else value)
        else:
            count = len(_children(node))
            arguments = results[-count:]
            del results[-count:]
            results.append(_apply(node, arguments, functions, checked))
    return results[0]


def _check_constants(expr: Expr) -> None:
    """Compute every part made of numbers only, so that `x * 10**10**10` or `x + 1/0` is refused when read.

    Evaluation would refuse them anyway; refusing them here gives lesson files the error with their line.
    """
    results: list[float | None] = []  # None: the part depends on a name
    for node in _postorder(expr):
        if isinstance(node, Num):
            results.append(node.value)
        elif isinstance(node, Name):
            results.append(None)
        else:
            count = len(_children(node))
            arguments = results[-count:]
            del results[-count:]
            known = not isinstance(node, Call) or node.func in _FLOAT_FUNCTIONS
            constant = known and all(argument is not None for argument in arguments)
            results.append(_apply(node, arguments, _FLOAT_FUNCTIONS, checked=True) if constant else None)


def _finite(value: Any, what: str, column: int) -> float:
    try:
        number = float(value)
    except OverflowError:
        raise ExprError(f"{what} is {_TOO_LARGE}", column) from None
    if not math.isfinite(number):
        raise ExprError(f"{what} is not a finite number", column)
    return number


def _apply(node: Unary | Binary | Call, arguments: list[Any], functions: Mapping[str, Callable],
           checked: bool) -> Any:
    """One operation of `_walk`; when `checked`, float failures become an ExprError pointing at the node."""
    what = f"the result of {node.func}()" if isinstance(node, Call) else f"the result of '{node.op}'"
    try:
        if isinstance(node, Unary):
            result = -arguments[0]
        elif isinstance(node, Binary):
            result = (_FLOAT_OPERATORS if checked else _OPERATORS)[node.op](*arguments)
        elif node.func in functions:
            result = functions[node.func](arguments[0])
        else:
            raise ExprError(f"'{node.func}'{{at}} is not a function you can use (functions: {', '.join(functions)})")
    except ExprError as error:
        # The helpers' messages say where the place goes: "log{at} needs ..." reads "log at column 3 needs ...".
        raise ExprError(error.message.replace("{at}", _at(node.column)), node.column) from None
    except (ArithmeticError, ValueError) as error:
        if not checked:
            raise
        if isinstance(error, ZeroDivisionError):
            raise ExprError(f"division by zero{_at(node.column)}", node.column) from None
        if isinstance(error, OverflowError):
            raise ExprError(f"{what}{_at(node.column)} is {_TOO_LARGE}", node.column) from None
        raise ExprError(f"{what}{_at(node.column)} cannot be computed", node.column) from None
    if checked and not math.isfinite(result):
        raise ExprError(f"{what}{_at(node.column)} is {_TOO_LARGE}", node.column)
    return result
