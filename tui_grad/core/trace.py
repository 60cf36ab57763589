"""`tui-grad trace`: a lesson's forward values, gradients, backward steps and updates as data."""

from __future__ import annotations

from typing import Any

from tui_grad.core.lesson import Lesson
from tui_grad.core.update import take_steps
from tui_grad.engine import backward_steps


def trace(lesson: Lesson, steps: int | None = None) -> dict[str, Any]:
    """The whole run of a lesson in the shape `trace --json` prints (and instructors' scripts read)."""
    graph = lesson.build()
    records = backward_steps(graph.output)
    updates = take_steps(lesson, None, lesson.update.steps if steps is None else steps)
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
        "backward": [
            {
                "node": record.node,
                "child": record.child,
                "local_grad": record.local_grad,
                "upstream_grad": record.upstream_grad,
                "contribution": record.contribution,
            }
            for record in records
        ],
        "updates": [
            {
                "step": update.step,
                "params": {move.name: move.after for move in update.parameters},
                "output": update.output_after,
            }
            for update in updates
        ],
    }
