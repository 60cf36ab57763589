"""The learner's own engine: the backward rules they wrote, run over a graph beside the engine's pass.

Rules are kept as text (in progress, in exports) and only ever interpreted: each is parsed by
`rule_parser` and evaluated over the numbers of one edge. The pass walks the graph in the engine's
order, edge by edge, exactly as `backward_steps` records it, so the two passes can be laid side by
side; the first edge where they part is reported with the rule that made the difference (every edge
before it agreed, so its inputs were the same in both).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from tui_grad.core.exercise import format_number
from tui_grad.core.rule_checker import OPS, run_line
from tui_grad.core.rule_exercise import RULES_LESSON, rule_name
from tui_grad.core.rule_parser import RuleEvaluationError, RuleSyntaxError, parse_rule
from tui_grad.engine import Value, backward_steps, topological_order

ENGINE_OPS = {"+": "add", "*": "mul", "tanh": "tanh", "exp": "exp", "relu": "relu"}
"""The engine's op names for which the learner writes a rule; `**k` is "pow"."""
_RELATIVE_TOLERANCE = 1e-9


def rule_key(op: str, target: str) -> str:
    """How a rule is stored: "mul:self", "tanh:self"."""
    return f"{op}:{target}"


def op_key(engine_op: str) -> str | None:
    """The rule op for an engine op ("*" is "mul", "**2" is "pow"), or None when there is none."""
    if engine_op.startswith("**"):
        return "pow"
    return ENGINE_OPS.get(engine_op)


@dataclass(frozen=True, slots=True)
class EngineStep:
    """One edge of the backward pass, run by the learner's rule and by the engine."""

    node: str
    child: str
    rule: str
    """The rule's key, "mul:other"."""
    text: str
    """The learner's line for that rule, as written ("" when they have none)."""
    upstream_grad: float
    """out.grad when the edge ran (the same in both passes up to the first difference)."""
    before: float
    """The child's grad before the edge, in the learner's pass."""
    yours: float | None
    """The child's grad after the learner's rule; None when the rule is missing or fails."""
    engine: float
    """The child's grad after the engine's step."""
    problem: str = ""
    """Why the learner's rule gave no number: missing, unreadable, or its arithmetic failed."""

    @property
    def agrees(self) -> bool:
        """True when the learner's rule left the same gradient as the engine."""
        return self.yours is not None and math.isclose(self.yours, self.engine, rel_tol=_RELATIVE_TOLERANCE,
                                                       abs_tol=1e-12)


@dataclass(frozen=True)
class EngineRun:
    """Both passes over one graph, edge by edge."""

    steps: tuple[EngineStep, ...]

    @property
    def first_difference(self) -> int | None:
        """The index of the first edge where the passes part, or None when they agree throughout."""
        return next((index for index, step in enumerate(self.steps) if not step.agrees), None)

    def verdict(self) -> str:
        """What the comparison found, naming the rule at the first difference."""
        index = self.first_difference
        if index is None:
            return f"your engine agrees with tui-grad's at all {len(self.steps)} steps"
        step = self.steps[index]
        where = f"step {index + 1} of {len(self.steps)}, {step.node} → {step.child}"
        if step.yours is None:
            return f"{where}: {step.problem}"
        return (f"{where}: your {rule_name(step.rule)} ({step.text}) leaves {step.child}.grad = "
                f"{format_number(step.yours)}; the engine's is {format_number(step.engine)}. Every step before "
                "this one agreed, so this rule is where the two engines part")


def run_your_engine(output: Value, rules: Mapping[str, str]) -> EngineRun:
    """Run `rules` (key to line of text) over output's graph beside the engine's backward pass."""
    order = topological_order(output)
    names = {node: node.label or f"#{index}" for index, node in enumerate(order)}
    engine_steps = iter(backward_steps(output))
    grads = {node: 0.0 for node in order}
    grads[output] = 1.0
    steps: list[EngineStep] = []
    for node in reversed(order):
        children = node.children
        for position, child in enumerate(children):
            recorded = next(engine_steps)
            target = "self" if position == 0 else "other"
            op = op_key(node.op)
            key = rule_key(op or node.op, target)
            text = rules.get(key, "")
            before = grads[child]
            yours, problem = _apply(op, key, text, node, children, grads)
            if yours is not None:
                grads[child] = yours
            steps.append(EngineStep(names[node], names[child], key, text, grads[node], before, yours,
                                    recorded.child_grad_after, problem))
    return EngineRun(tuple(steps))


def _apply(op: str | None, key: str, text: str, node: Value, children: tuple[Value, ...],
           grads: dict[Value, float]) -> tuple[float | None, str]:
    """The child's grad after the learner's line for this edge, or None and why."""
    if op is None:
        return None, f"the op {node.op!r} is not one you wrote a rule for"
    if not text:
        return None, f"you have no {rule_name(key)} yet: write it in the lesson {RULES_LESSON}"
    spec = OPS[op]
    try:
        line = parse_rule(text, symbols=spec.symbols, owners=spec.owners)
    except RuleSyntaxError as error:
        return None, f"your {rule_name(key)} cannot be read: column {error.column}: {error.message}"
    left = children[0]
    point = {"self.data": left.data, "self.grad": grads[left], "out.data": node.data, "out.grad": grads[node]}
    if len(children) > 1:
        point.update({"other.data": children[1].data, "other.grad": grads[children[1]]})
    if op == "pow":
        point["k"] = point["other"] = float(node.op[2:])
    if op == "tanh":
        point["t"] = node.data
    target = "self" if line.target == "self" else "other"
    if target == "other" and len(children) < 2:
        return None, f"your {rule_name(key)} writes to other.grad, but this op has one input"
    try:
        after = run_line(line, point)
    except RuleEvaluationError as error:
        return None, f"your {rule_name(key)} fails here: {error}"
    wanted = children[0] if key.endswith(":self") else children[-1]
    written = children[0] if target == "self" else children[1]
    if written is not wanted:
        return None, f"your {rule_name(key)} writes to {target}.grad instead"
    return after, ""


def rules_needed(output: Value) -> tuple[str, ...]:
    """The rule keys a backward pass over output's graph calls, in the order it first calls them."""
    needed: list[str] = []
    for node in reversed(topological_order(output)):
        for position, _ in enumerate(node.children):
            key = rule_key(op_key(node.op) or node.op, "self" if position == 0 else "other")
            if key not in needed:
                needed.append(key)
    return tuple(needed)


def missing_rules(output: Value, rules: Mapping[str, str]) -> tuple[str, ...]:
    """The rules this graph needs that the learner has not written yet."""
    return tuple(key for key in rules_needed(output) if not rules.get(key))


def describe_step(step: EngineStep) -> str:
    """One edge side by side: `e → a   mul:self   yours -4 · engine -4  ✓ same`."""
    engine = format_number(step.engine)
    if step.yours is None:
        return f"{step.node} → {step.child}   {rule_name(step.rule)}   yours: none · engine {engine}  ✗ {step.problem}"
    mark = "✓ same" if step.agrees else "✗ differs"
    return (f"{step.node} → {step.child}   {step.text}   yours {format_number(step.yours)} · engine {engine}  "
            f"{mark}")
