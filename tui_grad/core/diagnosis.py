"""Work out which mistake produces a wrong gradient, from the graph's structure and operations.

Each rule builds the number a particular slip would give for this node (forgetting the upstream
gradient, using a sum's rule for a product, ...). When the learner's answer matches one, the
tutor names that slip with this graph's numbers. Nothing here is a table of answers per lesson.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tui_grad.engine import Value

Fmt = Callable[[float], str]


def symbol(label: str) -> str:
    """A node's name as it reads inside dL/dx: parenthesised when it is a formula, d(a * b)/da."""
    return label if label.isidentifier() else f"({label})"


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """A named mistake (`code`, for records) and what to tell the learner about it."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Use:
    """One place the node is used: the parent, the node's positions in it, the numbers there."""

    parent: Value
    positions: tuple[int, ...]
    local: float
    upstream: float


def uses_of(node: Value, nodes: list[Value]) -> list[Use]:
    """Every parent of `node` among `nodes`, with the local derivative summed over its positions."""
    result = []
    for parent in nodes:
        positions = tuple(i for i, child in enumerate(parent.children) if child is node)
        if positions:
            local = sum(parent.local_grads[i] for i in positions)
            result.append(Use(parent, positions, local, parent.grad))
    return result


NEAR = 1e-2
"""How far (relative) an answer may be from the right one and still be called close: a working
rounded too early, not a wrong rule."""


def diagnose(node: Value, answer: float, nodes: list[Value], output: Value,
             close: Callable[[float, float], bool], fmt: Fmt) -> Diagnosis | None:
    """The first mistake whose number matches `answer`; failing that, an answer near the right one
    is called close; None when no rule explains it."""
    expected = node.grad
    for diagnosis, number in _candidates(node, nodes, output, fmt):
        if math.isfinite(number) and close(answer, number) and not close(number, expected):
            return diagnosis
    if expected != 0 and math.isclose(answer, expected, rel_tol=NEAR):
        return Diagnosis("rounded",
                         f"Close: keep more digits. {fmt(answer)} is within {NEAR:.0%} of "
                         f"d{symbol(output.label)}/d{symbol(node.label)} but not it: carry more digits through "
                         "your working, or type the working itself (answers may use the nodes' names).")
    return None


def _candidates(node: Value, nodes: list[Value], output: Value, fmt: Fmt) -> Iterator[tuple[Diagnosis, float]]:
    out, name = symbol(output.label), symbol(node.label)
    uses = uses_of(node, nodes)
    yield from _path_slips(node, uses, out, fmt)
    if node is not output and len(uses) == 1:
        use = uses[0]
        p, local = symbol(use.parent.label), local_symbol(use.parent, node, output)
        yield (Diagnosis("forgot-upstream",
                         f"{fmt(use.local)} is only the local derivative {local}. Multiply it by "
                         f"d{out}/d{p} = {fmt(use.upstream)}, the gradient flowing in from above."),
               use.local)
        # The local derivative is named, not given: working it out is the step the learner missed
        # (its number is the second hint).
        yield (Diagnosis("forgot-local",
                         f"{fmt(use.upstream)} is d{out}/d{p}, the gradient from above. Multiply it by the "
                         f"local derivative {local}: how much {p} moves when {name} moves."),
               use.upstream)
        yield from _operation_slips(node, use, local, fmt)
    yield from _power_slips(node, nodes, output, fmt)
    if node.grad != 0:
        yield (Diagnosis("sign", "Right size, wrong sign: check the sign of each factor in the chain rule."),
               -node.grad)
    for other in (node, output, *(use.parent for use in uses)):
        yield (Diagnosis("value-not-gradient",
                         f"{fmt(other.data)} is the value of {other.label}, not a gradient. The gradient "
                         f"says how much {out} moves when {name} moves."),
               other.data)


def _path_slips(node: Value, uses: list[Use], out: str, fmt: Fmt) -> Iterator[tuple[Diagnosis, float]]:
    """Counting one path of several: a node used by two parents, or twice by one (b = a + a)."""
    name = node.label
    paths = [(use, i) for use in uses for i in use.positions]
    if len(paths) > 1:  # several uses, in different parents or twice in one (b = a + a)
        for use, position in paths:
            share = use.upstream * use.parent.local_grads[position]
            where = (f"the path through {use.parent.label}" if len(uses) > 1
                     else f"one of the {len(paths)} times {use.parent.label} uses {name}")
            yield (Diagnosis("one-path",
                             f"{name} reaches {out} by {len(paths)} paths; {fmt(share)} counts only {where}. "
                             "Add the contributions of every path."),
                   share)


def _power_slips(node: Value, nodes: list[Value], output: Value, fmt: Fmt) -> Iterator[tuple[Diagnosis, float]]:
    """The power rule's k left out, anywhere on the one path from `node` up to the output (a squared
    loss above it: the learner wrote e for d(e²)/de, so every gradient below it is k times too small)."""
    child, seen = node, 0
    while seen < len(nodes):
        uses = uses_of(child, nodes)
        if len(uses) != 1:
            return
        parent = uses[0].parent
        k = _exponent(parent.op)
        if k is not None and k not in (0.0, 1.0):
            p, c = symbol(parent.label), symbol(child.label)
            lowered = c if k == 2 else f"{c}^{fmt(k - 1)}"
            yield (Diagnosis("power-missing-k",
                             f"That is the gradient without the factor {fmt(k)} of the power rule: {p} = "
                             f"{c}^{fmt(k)}, so {local_symbol(parent, child, output)} = {fmt(k)}·{lowered} = "
                             f"{fmt(uses[0].local)}, not {fmt(uses[0].local / k)}."),
                   node.grad / k)
        child, seen = parent, seen + 1


def _exponent(op: str) -> float | None:
    """k of a `**k` op, or None for any other op."""
    if not op.startswith("**"):
        return None
    try:
        return float(op[2:])
    except ValueError:
        return None


def local_symbol(parent: Value, node: Value, output: Value) -> str:
    """The local derivative's symbol: `de/da`, or `∂L/∂d` when the parent is the output itself, where
    `dL/dd` would read the same as the gradient asked for."""
    p, name = symbol(parent.label), symbol(node.label)
    return f"∂{p}/∂{name}" if parent is output else f"d{p}/d{name}"


def _operation_slips(node: Value, use: Use, local: str, fmt: Fmt) -> Iterator[tuple[Diagnosis, float]]:
    """Slips that belong to the parent's operation: a product's other factor, a sum's 1 (`local` is
    the local derivative's symbol)."""
    parent, name = use.parent, node.label
    p = symbol(parent.label)
    others = [child for i, child in enumerate(parent.children) if i not in use.positions]
    if parent.op == "*" and len(use.positions) == 1 and others:
        other = others[0]
        yield (Diagnosis("own-value",
                         f"In {p} = {' · '.join(c.label for c in parent.children)}, {local} is the other "
                         f"factor {other.label} = {fmt(other.data)}, not {name}'s own value {fmt(node.data)}."),
               use.upstream * node.data)
    if parent.op == "tanh":
        yield (Diagnosis("tanh-no-square",
                         f"That is 1 − {parent.label} = {fmt(1 - parent.data)}, without the square: tanh's "
                         f"derivative is 1 − tanh({name})² = 1 − {parent.label}² = 1 − {fmt(parent.data)}²."),
               use.upstream * (1 - parent.data))
    if parent.op in ("+", "-") and others:
        other = others[0]
        yield (Diagnosis("sum-as-product",
                         f"{p} is a sum, not a product: nudging {name} moves {p} by the same amount, so "
                         f"{local} = {fmt(use.local)}, not {other.label} = {fmt(other.data)}."),
               use.upstream * other.data)
