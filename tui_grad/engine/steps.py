"""The backward pass as plain data: one frozen record per edge, in the order the engine ran it.

A screen replays these records; it never recomputes a derivative, so what the learner watches is
exactly what the engine did.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui_grad.engine.value import Value, _check_gradients, _start_backward


@dataclass(frozen=True, slots=True)
class BackwardStep:
    """One edge of the backward pass: child.grad += local_grad * upstream_grad, before and after."""

    node: str
    """The parent's name: its label, or "#i" for the i-th node in topological order."""
    child: str
    """The child's name, named the same way."""
    op: str
    """The parent's operation, e.g. "*" or "tanh"."""
    child_position: int
    """Which operand of the parent the child is (0 for the left one)."""
    local_grad: float
    """d(node)/d(child), fixed at forward time."""
    upstream_grad: float
    """d(output)/d(node), complete by the time this step runs."""
    contribution: float
    """local_grad * upstream_grad: what this edge adds to the child's grad."""
    child_grad_before: float
    """The child's grad before this step."""
    child_grad_after: float
    """The child's grad after this step."""


def backward_steps(output: Value) -> list[BackwardStep]:
    """Run output.backward() and return what it did: one record per edge, in the order it ran.

    Grads end up exactly as backward() leaves them: reset, then accumulated over every path.
    """
    order = _start_backward(output)
    names = {node: node.label or f"#{index}" for index, node in enumerate(order)}
    steps: list[BackwardStep] = []
    for node in reversed(order):
        upstream_grad = node.grad
        for position, (child, local_grad) in enumerate(zip(node.children, node.local_grads, strict=True)):
            before = child.grad
            contribution = local_grad * upstream_grad
            child.grad = after = before + contribution
            steps.append(
                BackwardStep(
                    node=names[node],
                    child=names[child],
                    op=node.op,
                    child_position=position,
                    local_grad=local_grad,
                    upstream_grad=upstream_grad,
                    contribution=contribution,
                    child_grad_before=before,
                    child_grad_after=after,
                )
            )
    _check_gradients(order, output)
    return steps
