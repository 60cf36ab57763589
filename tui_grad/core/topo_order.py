"""The order of the backward pass: checking a learner's order, running a wrong one as given, and the
depth-first `build_topo` replayed step by step.

The backward pass calls each node's `_backward` once, and a node may only pass its gradient on once
every path into it has been added: every node that uses it must have run first. An order that breaks
this is run here exactly as given, with each node's local gradients as the engine recorded them, so
the learner sees which gradients come out wrong and the node whose `_backward` ran too early.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tui_grad.core.exercise import format_number
from tui_grad.engine import Value, topological_order

_SEPARATORS = re.compile(r"[\s,;>]+|->|→")
_MAX_TEXT = 500


class OrderError(ValueError):
    """A typed order we cannot read: an unknown name, one given twice, or one missing."""


@dataclass(frozen=True, slots=True)
class OrderStep:
    """One node's `_backward` as run in the learner's order."""

    node: str
    grad_when_run: float
    """What node.grad held when its `_backward` ran (and so what it passed on)."""
    grad_complete: float
    """What node.grad holds once every path is in: the engine's gradient."""
    contributions: tuple[tuple[str, float], ...]
    """(child, amount added to child.grad) for each edge, in operand order."""

    @property
    def early(self) -> bool:
        """True when the node passed on a gradient that was still missing a path (a leaf passes nothing)."""
        return bool(self.contributions) and self.grad_when_run != self.grad_complete


@dataclass(frozen=True)
class OrderRun:
    """A whole backward pass in some order, and how it compares with the engine's."""

    order: tuple[str, ...]
    steps: tuple[OrderStep, ...]
    grads: dict[str, float]
    """Each node's gradient at the end of this pass."""
    right: dict[str, float]
    """Each node's gradient from the engine's own pass."""
    children: dict[str, tuple[str, ...]]
    """Each node's children by name."""

    @property
    def wrong(self) -> tuple[str, ...]:
        """The nodes whose gradient came out wrong, in the order given."""
        return tuple(name for name in self.order if self.grads[name] != self.right[name])

    @property
    def valid(self) -> bool:
        """True when every node comes before each node it was made from (reversed topological order)."""
        return not out_of_order(self.order, self.children)


def named_nodes(output: Value) -> dict[str, Value]:
    """output's graph by label, in the engine's topological order; every node must be labelled."""
    nodes: dict[str, Value] = {}
    for node in topological_order(output):
        if not node.label:
            raise ValueError("every node of an ordering graph needs a label")
        if node.label in nodes and nodes[node.label] is not node:
            raise ValueError(f"two nodes are labelled {node.label!r}")
        nodes[node.label] = node
    return nodes


def children_of(output: Value) -> dict[str, tuple[str, ...]]:
    """Each node's children by label."""
    return {name: tuple(child.label for child in node.children) for name, node in named_nodes(output).items()}


def read_order(text: str, names: Sequence[str]) -> tuple[str, ...]:
    """A typed order ("L e d a b c", commas or arrows allowed) as names; every name once."""
    if len(text) > _MAX_TEXT:
        raise OrderError(f"that is {len(text)} characters; type just the {len(names)} names")
    listed = ", ".join(sorted(names, key=str.lower))
    given = [word for word in _SEPARATORS.split(text.strip()) if word]
    if not given:
        raise OrderError(f"type the {len(names)} names ({listed}) in the order their _backward runs")
    seen: set[str] = set()
    for position, word in enumerate(given, start=1):
        if word not in names:
            raise OrderError(f"name {position}, {word!r}, is not in this graph: its nodes are {listed}")
        if word in seen:
            raise OrderError(f"{word} is given twice: each node's _backward runs once")
        seen.add(word)
    missing = [name for name in names if name not in seen]
    if missing:
        raise OrderError(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing: order all "
                         f"{len(names)} nodes")
    return tuple(given)


def out_of_order(order: Sequence[str], children: dict[str, tuple[str, ...]]) -> list[tuple[str, str]]:
    """(node, user) pairs where a node comes before a node that uses it."""
    position = {name: index for index, name in enumerate(order)}
    return [(child, name) for name in order for child in children[name] if position[child] < position[name]]


def run_order(output: Value, order: Sequence[str]) -> OrderRun:
    """Run the backward pass calling `_backward` in `order` exactly as given, from the engine's
    recorded local gradients, and compare each gradient with the engine's."""
    nodes = named_nodes(output)
    output.backward()
    right = {name: node.grad for name, node in nodes.items()}
    grads = dict.fromkeys(nodes, 0.0)
    grads[output.label] = 1.0
    steps = []
    for name in order:
        node = nodes[name]
        upstream = grads[name]
        contributions = []
        for child, local in zip(node.children, node.local_grads, strict=True):
            amount = local * upstream
            grads[child.label] += amount
            contributions.append((child.label, amount))
        steps.append(OrderStep(name, upstream, right[name], tuple(contributions)))
    children = {name: tuple(child.label for child in node.children) for name, node in nodes.items()}
    return OrderRun(tuple(order), tuple(steps), grads, right, children)


def explain(result: OrderRun) -> str:
    """Why an order's gradients came out wrong, naming the first node that ran too early, or that
    they are right."""
    if not result.wrong:
        if result.valid:
            return "every node ran after all the nodes that use it, so each passed on its full gradient"
        return ("the gradients come out right, but only because a leaf has no _backward to run: "
                "keep each node after every node that uses it")
    early = next((step for step in result.steps if step.early), None)
    if early is None:  # cannot happen with each node once; said plainly rather than raised
        return "some gradients came out wrong: a node must run after every node that uses it"
    users = [user for user, children in result.children.items() if early.node in children]
    late = [user for user in users if result.order.index(user) > result.order.index(early.node)]
    wrong = ", ".join(f"{name} = {format_number(result.grads[name])} (should be {format_number(result.right[name])})"
                      for name in result.wrong)
    return (f"{early.node}'s _backward ran when {early.node}.grad held {format_number(early.grad_when_run)}, "
            f"before the path through {' and '.join(late)} had added its share; the full gradient is "
            f"{format_number(early.grad_complete)}. What {early.node} passed on was incomplete, so these came out "
            f"wrong: {wrong}. A node must run after every node that uses it.")


@dataclass(frozen=True, slots=True)
class TopoStep:
    """One step of micrograd's recursive build_topo(v)."""

    action: str
    """"visit" (first time at v), "seen" (v already visited: skip) or "append" (all children done)."""
    node: str
    depth: int
    """How deep the recursion is: 0 for the output."""
    topo: tuple[str, ...]
    """The list as it stands after this step."""


def build_topo_steps(output: Value) -> list[TopoStep]:
    """Replay build_topo on output's graph: visit a node, recurse into each child in operand order,
    then append the node. Written with an explicit stack, step for step what the recursion does."""
    named_nodes(output)  # every node labelled
    steps: list[TopoStep] = []
    topo: list[str] = []
    visited: set[int] = set()
    stack: list[tuple[Value, int, int]] = [(output, 0, -1)]  # (node, depth, next child index; -1 = not entered)
    while stack:
        node, depth, index = stack.pop()
        if index == -1:
            if id(node) in visited:
                steps.append(TopoStep("seen", node.label, depth, tuple(topo)))
                continue
            visited.add(id(node))
            steps.append(TopoStep("visit", node.label, depth, tuple(topo)))
            index = 0
        children = node.children
        if index < len(children):
            stack.append((node, depth, index + 1))
            stack.append((children[index], depth + 1, -1))
            continue
        topo.append(node.label)
        steps.append(TopoStep("append", node.label, depth, tuple(topo)))
    return steps


def describe_topo_step(step: TopoStep) -> str:
    """One line of the replay: `  visit d`, `  d done: topo = [a, b, d]`."""
    indent = "  " * step.depth
    if step.action == "visit":
        return f"{indent}build_topo({step.node}): first visit, its children next"
    if step.action == "seen":
        return f"{indent}build_topo({step.node}): already visited, skip"
    return f"{indent}{step.node} done: topo = [{', '.join(step.topo)}]"
