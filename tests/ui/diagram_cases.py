"""The boxes every shipped lesson part draws, with the numbers a learner can meet: the lesson's own
inputs, the extreme `--seed` draws, and several updates after each."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from tui_grad.core.catalog import load_catalog
from tui_grad.core.exercise import format_number
from tui_grad.core.lesson import Part
from tui_grad.core.tutor import draw_inputs
from tui_grad.core.update import take_steps
from tui_grad.ui.diagram import DiagramNode

GRAPH_KINDS = ("gradients", "update")
SEEDS = range(200)
UPDATES = 6


@dataclass(frozen=True)
class GraphCase:
    """One part's graph at one set of inputs, named for a test id."""

    label: str
    nodes: tuple[DiagramNode, ...]


def diagram_nodes(part: Part, inputs: dict[str, float], state: str = "found") -> tuple[DiagramNode, ...]:
    """The boxes the exercise screen draws for `part` at `inputs`, every gradient shown as `state`."""
    graph = part.build(inputs)
    graph.output.backward()
    titles = {assignment.name: assignment.text for assignment in part.assignments}
    nodes = []
    for name, node in graph.nodes.items():
        constant = not node.children and name not in part.inputs
        nodes.append(DiagramNode(name, titles.get(name, name), tuple(child.label for child in node.children),
                                 format_number(node.data), "" if constant else format_number(node.grad),
                                 "constant" if constant else state))
    return tuple(nodes)


def graph_parts() -> Iterator[tuple[str, Part]]:
    """Every shipped part that draws a graph, as ("lesson:part", part)."""
    for lesson in load_catalog().lessons:
        for index, part in enumerate(lesson.parts):
            if part.kind in GRAPH_KINDS:
                yield f"{lesson.id}:{index}", part


def widest_inputs(label: str, part: Part) -> list[dict[str, float]]:
    """The part's own inputs, then the seeds whose numbers print widest, each followed by updates."""
    starts = [dict(part.inputs)]
    if part.randomize:
        drawn = [draw_inputs(part, seed, label) for seed in SEEDS]
        starts += sorted(drawn, key=lambda inputs: -_printed_width(part, inputs))[:3]
    result = []
    for inputs in starts:
        result.append(inputs)
        if part.update.step_size:
            for step in take_steps(part, inputs, UPDATES):
                result.append(step.new_inputs(result[-1]))
    return result


def _printed_width(part: Part, inputs: dict[str, float]) -> int:
    return sum(len(node.value) + len(node.grad) for node in diagram_nodes(part, inputs))


def graph_cases() -> list[GraphCase]:
    """Every case the diagram tests draw."""
    return [GraphCase(f"{label}#{index}", diagram_nodes(part, inputs))
            for label, part in graph_parts() for index, inputs in enumerate(widest_inputs(label, part))]


TOKEN = re.compile(r"[^\s│┃║┆─━═┄╭╮╰╯┏┓┗┛╔╗╚╝┌┐└┘├┤┬┴┼▷▶✓~?=•]+")


def tokens(lines: list[str]) -> Counter[str]:
    """Every word and number drawn, counted: a number cut short or rounded is missing from it."""
    return Counter(token for line in lines for token in TOKEN.findall(line))


def numbers(nodes: tuple[DiagramNode, ...] | list[DiagramNode]) -> Counter[str]:
    """Each box's value and gradient as the exercise screen writes them."""
    return Counter(text for node in nodes if node.state != "constant" for text in (node.value, node.grad) if text)
