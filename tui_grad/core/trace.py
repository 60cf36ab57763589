"""`tui-grad trace`: a lesson's forward values, gradients, backward steps and updates as data."""

from __future__ import annotations

from typing import Any

from tui_grad.core.lesson import Lesson
from tui_grad.core.update import take_steps
from tui_grad.engine import BackwardStep, backward_steps


def traceable_parts(lesson: Lesson) -> list[int]:
    """The indexes of the parts that have a formula graph to trace (a network part has none)."""
    return [index for index, part in enumerate(lesson.parts) if part.assignments]


def trace(lesson: Lesson, steps: int | None = None, part_index: int | None = None) -> dict[str, Any]:
    """The whole run of a lesson part (the first with a graph by default) in the shape `trace --json`
    prints, which instructors' scripts read."""
    part = lesson.parts[traceable_parts(lesson)[0] if part_index is None else part_index]
    graph = part.build()
    records = backward_steps(graph.output)
    updates = take_steps(part, None, part.update.steps if steps is None else steps)
    buggy = {}
    if part.kind == "bughunt":  # what the learner watches first: the same steps with `=` for `+=`
        from tui_grad.core.bughunt import buggy_steps

        buggy = {"buggy_backward": [_step(record) | {"lost": record.child_grad_before}
                                    for record in buggy_steps(records, graph.output.label)]}
    return {
        "lesson": lesson.id,
        "output": graph.output.label,
        "nodes": [
            {
                "name": name,
                "op": node.op,
                "data": node.data,
                "grad": node.grad,
                "children": [child.label for child in node.children],
            }
            for name, node in graph.nodes.items()
        ],
        "backward": [_step(record) for record in records],
        **buggy,
        "updates": [
            {
                "step": update.step,
                "params": {move.name: move.after for move in update.parameters},
                "output": update.output_after,
            }
            for update in updates
        ],
    }


def _step(record: BackwardStep) -> dict[str, Any]:
    return {
        "node": record.node,
        "child": record.child,
        "local_grad": record.local_grad,
        "upstream_grad": record.upstream_grad,
        "contribution": record.contribution,
    }
