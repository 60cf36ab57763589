"""Ordering the backward pass as a learner's exercise: one question, the order of every node.

The learner arranges the nodes (the app moves one up or down; line mode reads typed names) and
submits. A right order is any in which each node comes after every node that uses it. A wrong one
is run exactly as given (`topo_order.run_order`), and the verdict names the node whose `_backward`
ran too early and the gradients it spoiled. Then micrograd's `build_topo` is replayed.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from tui_grad.core.exercise import (
    EARNED,
    HINT_LEVELS,
    PENDING,
    SHOWN,
    Attempt,
    Hint,
    Questions,
    Verdict,
)
from tui_grad.core.topo_order import (
    OrderError,
    OrderRun,
    TopoStep,
    build_topo_steps,
    describe_topo_step,
    explain,
    named_nodes,
    read_order,
    run_order,
)
from tui_grad.engine import Value

ORDER = "order"
"""The exercise's one question."""
ORDER_ATTEMPT_KIND = "order"
EARLY_NODE, LEAF_OUT_OF_ORDER = "early-node", "leaf-out-of-order"
"""Mistake codes: a node ran before every path into it was added; only a leaf out of place."""


@dataclass
class OrderExercise(Questions):
    """The backward pass's order for one graph, arranged and submitted by the learner."""

    output: Value
    names: tuple[str, ...] = field(init=False)
    """Every node, in the engine's topological order (inputs first)."""
    arrangement: list[str] = field(init=False)
    """The order as the learner has arranged it so far (alphabetical to start: no hint)."""
    status: dict[str, str] = field(init=False)
    hints: dict[str, int] = field(init=False)
    attempts: list[Attempt] = field(init=False)
    last_run: OrderRun | None = field(init=False, default=None)
    """The last order submitted, as run."""
    answers: dict[str, float] = field(init=False)
    """Always empty: an order is a list of names, kept in the attempt log as text."""

    def __post_init__(self) -> None:
        self.names = tuple(named_nodes(self.output))
        self.arrangement = sorted(self.names, key=lambda name: (name.lower(), name))
        self.status = {ORDER: PENDING}
        self.hints, self.attempts, self.answers = {}, [], {}
        self.order = (ORDER,)

    @property
    def output_name(self) -> str:
        """The graph's output, whose gradients the learner's order computes."""
        return self.output.label

    @property
    def current(self) -> str | None:
        """ORDER until the order is found or shown."""
        return ORDER if self.status[ORDER] == PENDING else None

    @property
    def done(self) -> bool:
        """True once the order is found or shown."""
        return self.current is None

    def right_order(self) -> tuple[str, ...]:
        """build_topo's list reversed: the order micrograd's backward() uses."""
        return tuple(reversed(build_topo_steps(self.output)[-1].topo))

    def move(self, name: str, delta: int) -> None:
        """Move a node up (delta -1) or down (+1) in the arrangement; at an end it stays."""
        index = self.arrangement.index(name)
        target = min(max(index + delta, 0), len(self.arrangement) - 1)
        self.arrangement.insert(target, self.arrangement.pop(index))

    def submit(self, text: str = "") -> Verdict:
        """Grade an order: the typed one, or the arrangement when nothing is typed."""
        if self.current is None:
            raise RuntimeError("the order is already in")
        try:
            order = read_order(text, self.names) if text.strip() else tuple(self.arrangement)
        except OrderError as error:
            return Verdict(ORDER, False, None, f"Could not read that: {error}.", readable=False)
        self.arrangement = list(order)
        result = self.last_run = run_order(self.output, order)
        hints = self.hints.get(ORDER, 0)
        written = " ".join(order)
        if result.valid:
            self.attempts.append(Attempt(ORDER, written, None, True, False, time.time(), hints=hints))
            self.status[ORDER] = EARNED
            return Verdict(ORDER, True, None, f"{explain(result)}.", self.topo_text())
        mistake = EARLY_NODE if result.wrong else LEAF_OUT_OF_ORDER
        self.attempts.append(Attempt(ORDER, written, None, False, False, time.time(), mistake, hints))
        return Verdict(ORDER, False, None, explain(result), mistake=mistake)

    def reveal(self) -> Verdict:
        """Show the reversed build_topo order; counted as shown."""
        if self.current is None:
            raise RuntimeError("the order is already in")
        right = self.right_order()
        self.attempts.append(Attempt(ORDER, "", None, False, True, time.time(), hints=self.hints.get(ORDER, 0)))
        self.status[ORDER], self.arrangement = SHOWN, list(right)
        self.last_run = run_order(self.output, right)
        return Verdict(ORDER, False, None, f"Shown: {' '.join(right)} (build_topo's list, reversed)",
                       self.topo_text(), shown=True)

    def hint(self) -> Hint:
        """What to think about, which node is used twice, the first node, then the answer."""
        level = min(self.hints.get(ORDER, 0) + 1, HINT_LEVELS)
        self.hints[ORDER] = level
        users: dict[str, list[str]] = {name: [] for name in self.names}
        for name, node in named_nodes(self.output).items():
            for child in node.children:
                users[child.label].append(name)
        shared = [f"{name} (used by {' and '.join(used)})" for name, used in users.items() if len(used) > 1]
        texts = {
            1: "A node may pass its gradient on only once everything that uses it has passed theirs to it.",
            2: "Used more than once: " + (", ".join(shared) or "no node") + ". It must wait for all its users.",
            3: f"The output, {self.output.label}, is used by nothing: it goes first. Its inputs come after it.",
        }
        if level < HINT_LEVELS:
            return Hint(ORDER, level, texts[level])
        return Hint(ORDER, level, self.reveal().message + " (marked as shown, not earned)")

    def restore(self, status: Mapping[str, str], answers: Mapping[str, float], hints: Mapping[str, int]) -> None:
        """Pick up a saved session: a found or shown order comes back as build_topo's (the saved record
        keeps no names; any right order is as good as another)."""
        state = status.get(ORDER)
        if state in (EARNED, SHOWN):
            self.status[ORDER], self.arrangement = state, list(self.right_order())
        if ORDER in hints:
            self.hints[ORDER] = max(0, int(hints[ORDER]))

    def topo_replay(self) -> list[TopoStep]:
        """build_topo on this graph, step by step, for the replay after the answer."""
        return build_topo_steps(self.output)

    def topo_text(self) -> str:
        """How micrograd finds a right order by itself: build_topo's walk, one numbered step a line."""
        steps = self.topo_replay()
        lines = [f"{number}. {describe_topo_step(step)}" for number, step in enumerate(steps, start=1)]
        return ("micrograd finds an order by itself: build_topo visits a node's inputs first, then appends it "
                "(depth first). On this graph:\n" + "\n".join(lines) + "\nbackward() runs that list reversed: "
                + " ".join(reversed(steps[-1].topo)) + ".")

    def graph_nodes(self) -> dict[str, Value]:
        """Every node by name, with the engine's gradients."""
        self.output.backward()
        return named_nodes(self.output)
