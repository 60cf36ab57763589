"""Training a small network on a toy dataset, watched: the loss and the decision boundary."""

from __future__ import annotations

import math
from typing import Any

from tui_grad.core.exercise import format_number
from tui_grad.core.kinds.base import Kind
from tui_grad.core.kinds.train import TrainFlow
from tui_grad.core.lesson import Part
from tui_grad.core.tables import TableReader


class NetworkFlow(TrainFlow):
    """A small network trained on a toy dataset, watched: the loss and the decision boundary.

    One step at a time, evenly: the small network's 100 steps take 15 s at 1×, slow enough to
    watch the boundary bend (a step takes about 16 ms to compute)."""

    run_seconds = 15.0

    @property
    def total_steps(self) -> int:
        network = self.part.network
        return network.steps if network is not None else 0

    def steps_per_tick(self, position: int) -> int:
        return max(1, math.ceil(self.total_steps / self.ticks()))

    def failure(self, step: int, reason: str) -> str:
        """Why training stopped at `step` (a weight or the loss overflowed), and what to try."""
        network = self.part.network
        size = format_number(network.step_size) if network is not None else "?"
        return (f"Training stopped at step {step}: {reason}. The step size {size} is too large for this "
                "network; try a smaller one.")


class NetworkKind(Kind):
    """`kind = "network"`: a multi-layer perceptron's training on a generated dataset, watched."""

    name = "network"
    flow_type = NetworkFlow
    asks = False

    def read(self, reader: TableReader, table: dict[str, Any], where: str, common: dict[str, Any]) -> Part:
        return Part(**common, network=reader.network(table, where))


KIND = NetworkKind()
