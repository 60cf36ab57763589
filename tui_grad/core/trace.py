"""`tui-grad trace`: a lesson's forward values, gradients, backward steps and updates as data."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tui_grad.core.kinds.base import trace_step
from tui_grad.core.kinds.registry import kind_of
from tui_grad.core.lesson import Lesson
from tui_grad.core.update import take_steps
from tui_grad.engine import backward_steps


def traceable_parts(lesson: Lesson) -> list[int]:
    """The indexes of the parts that have something to trace: a formula graph, or what their kind
    traces without one (the rules of a rules part, a network's training)."""
    # A network is traceable without training it here: its trace is its whole training run.
    return [index for index, part in enumerate(lesson.parts)
            if part.assignments or part.network is not None or kind_of(part).trace_without_graph(part) is not None]


def trace(lesson: Lesson, steps: int | None = None, part_index: int | None = None) -> dict[str, Any]:
    """The whole run of a lesson part (the first traceable by default) in the shape `trace --json`
    prints, which instructors' scripts read."""
    part = lesson.parts[traceable_parts(lesson)[0] if part_index is None else part_index]
    if not part.assignments:
        if steps is not None and part.network is not None:  # --steps: a network trained that far
            part = replace(part, network=replace(part.network, steps=steps))
        return {"lesson": lesson.id, "kind": part.kind, **(kind_of(part).trace_without_graph(part) or {})}
    graph = part.build()
    records = backward_steps(graph.output)
    kind = kind_of(part)
    updates = take_steps(part, None, part.update.steps if steps is None else steps) if kind.steps_parameters else []
    extras = kind.trace_extras(graph, records)  # a bug hunt's buggy pass, which the learner watches first
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
        "backward": [trace_step(record) for record in records],
        **extras,
        "updates": [
            {
                "step": update.step,
                "params": {move.name: move.after for move in update.parameters},
                "output": update.output_after,
            }
            for update in updates
        ],
    }

