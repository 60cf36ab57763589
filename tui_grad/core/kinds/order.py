"""The order of the backward pass: the learner orders a graph's nodes as `_backward` must run them. A
wrong order is run as given and the node that ran too early is named; a right one (or the order
shown) is followed by micrograd's depth-first `build_topo` on the same graph, step by step."""

from __future__ import annotations

from collections.abc import Mapping

from tui_grad.core.exercise import EARNED, Questions, format_number
from tui_grad.core.kinds.base import GraphKind, PartFlow
from tui_grad.core.lesson import Graph, Part
from tui_grad.core.order_exercise import ORDER, ORDER_ATTEMPT_KIND, OrderExercise
from tui_grad.core.tables import TableReader
from tui_grad.core.views import MOVE_UP, PICK_DOWN, PICK_UP, NodeView


class OrderFlow(PartFlow):
    """Type (or arrange) the order; then build_topo's walk is shown."""

    hint_labels = ("Think", "The reused node", "The start", "Answer")
    subtitle = "order the backward pass"
    default_text = "Put the nodes in the order their _backward runs, the output first."

    def ordering(self) -> OrderExercise:
        """The part's exercise."""
        exercise = self.exercise
        assert isinstance(exercise, OrderExercise)
        return exercise

    def prompt(self, name: str) -> str:
        return "backward order"

    def prompt_end(self, name: str) -> str:
        return ":"

    def answer_hint(self, name: str) -> str:
        names = sorted(self.ordering().names, key=str.lower)
        return f"the {len(names)} names ({', '.join(names)}) in the order their _backward runs; Enter"

    def answer_form(self, name: str) -> str:
        names = sorted(self.ordering().names, key=str.lower)
        return (f"the {len(names)} names ({', '.join(names)}) separated by spaces, in the order their _backward "
                "runs, the output first")

    arranges = True
    picked = 0
    """The node the app's keys move, by its place in the arrangement."""

    def arrange(self, action: str) -> None:
        exercise = self.ordering()
        last = len(exercise.arrangement) - 1
        if action in (PICK_UP, PICK_DOWN):
            self.picked = min(max(self.picked + (-1 if action == PICK_UP else 1), 0), last)
            return
        delta = -1 if action == MOVE_UP else 1
        exercise.move(exercise.arrangement[self.picked], delta)
        self.picked = min(max(self.picked + delta, 0), last)

    def status(self, name: str, values: dict[str, float]) -> str:
        exercise = self.ordering()
        shown = " ".join(f"[{node}]" if index == self.picked else node
                         for index, node in enumerate(exercise.arrangement))
        return f"▶ Order, output first: {shown}   ↑↓ pick, Ctrl+↑↓ move, Enter checks it (or type the names)"

    def done_line(self) -> str:
        exercise = self.ordering()
        how = "found by you" if exercise.status[ORDER] == EARNED else "shown"
        return f"Order {how}: {' '.join(exercise.arrangement)}."

    def nodes(self, values: dict[str, float], replay: dict[str, float] | None = None,
              active: str | None = None, finished: bool = False) -> tuple[NodeView, ...]:
        """Every box with its value; the gradients once the order is in (the right pass's)."""
        exercise = self.ordering()
        done = exercise.done
        views = []
        for name, node in exercise.graph_nodes().items():
            grad = format_number(node.grad) if done else ""
            state = ("given" if done else "hidden") if node.children or name in self.part.inputs else "constant"
            title = next((a.text for a in self.part.assignments if a.name == name), name)
            views.append(NodeView(name, title, tuple(child.label for child in node.children),
                                  format_number(values.get(name, node.data)), grad, state))
        return tuple(views)


class OrderKind(GraphKind):
    """`kind = "order"`: a graph (inputs, nodes) with a node used twice, ordered for the backward pass."""

    name = "order"
    flow_type = OrderFlow
    steps_parameters = False
    attempt_kind = ORDER_ATTEMPT_KIND

    def check(self, reader: TableReader, part: Part, graph: Graph) -> None:
        used = {name: 0 for name in graph.nodes}
        for node in graph.nodes.values():
            for child in node.children:
                used[child.label] += 1
        if not any(count > 1 and graph.nodes[name].children for name, count in used.items()):
            raise reader.fail("an order part needs a node, not an input, used by two others: on a chain every "
                              "order that starts at the output is the only one", "nodes")
        unnamed = [name for name in graph.nodes if name not in graph.named and graph.nodes[name].children]
        if unnamed:
            raise reader.fail(f"an order part names every step: give '{unnamed[0]}' a name of its own", "nodes")

    def exercise(self, part: Part, inputs: Mapping[str, float] | None = None) -> Questions | None:
        return OrderExercise(part.build(inputs).output)

    def questions(self, part: Part) -> tuple[str, ...]:
        return (ORDER,)

    def skills_of(self, exercise: Questions, node: str) -> tuple[str, ...]:
        return ("paths",)  # a node passes its gradient on only once every path into it has arrived


KIND = OrderKind()
