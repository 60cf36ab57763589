"""`tui-grad trace`: a lesson's forward values, gradients, backward steps and updates as data."""

from __future__ import annotations

from typing import Any

from tui_grad.core.kinds.base import trace_step
from tui_grad.core.kinds.registry import kind_of
from tui_grad.core.lesson import Lesson, Part
from tui_grad.core.update import take_steps
from tui_grad.engine import backward_steps


def traceable_parts(lesson: Lesson) -> list[int]:
    """The indexes of the parts that have numbers to trace: a formula graph, or a network's training."""
    return [index for index, part in enumerate(lesson.parts) if part.assignments or part.network is not None]


def trace(lesson: Lesson, steps: int | None = None, part_index: int | None = None) -> dict[str, Any]:
    """The whole run of a lesson part (the first traceable by default) in the shape `trace --json`
    prints, which instructors' scripts read."""
    part = lesson.parts[traceable_parts(lesson)[0] if part_index is None else part_index]
    if part.network is not None:
        return trace_network(lesson, part, steps)
    graph = part.build()
    records = backward_steps(graph.output)
    updates = take_steps(part, None, part.update.steps if steps is None else steps)
    extras = kind_of(part).trace_extras(graph, records)  # a bug hunt's buggy pass, which the learner watches first
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


def trace_network(lesson: Lesson, part: Part, steps: int | None = None) -> dict[str, Any]:
    """A network part's training as the learner watches it: each step's loss and accuracy, measured
    on the whole dataset just before the step (the lesson's steps unless `steps` says otherwise)."""
    from tui_grad.core.network import NetworkTrainer

    spec = part.network
    assert spec is not None
    total = spec.steps if steps is None else steps
    trainer = NetworkTrainer(spec)
    records: list[dict[str, Any]] = []
    stopped: dict[str, Any] | None = None
    for number in range(1, total + 1):
        try:
            loss, accuracy = trainer.step()
        except (ArithmeticError, ValueError) as error:  # a step size too large: the weights overflowed
            stopped = {"step": number, "reason": str(error)}
            break
        records.append({"step": number, "loss": loss, "accuracy": accuracy})
    data: dict[str, Any] = {
        "lesson": lesson.id,
        "kind": "network",
        "network": {"dataset": spec.dataset, "samples": spec.samples, "hidden": list(spec.hidden),
                    "step_size": spec.step_size, "seed": spec.seed},
        "steps": records,
    }
    if stopped is not None:
        data["stopped"] = stopped
    return data
