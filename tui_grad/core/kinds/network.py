"""Training a small network on a toy dataset, watched: the loss and the decision boundary.

`NetworkRun` takes the steps (on a trainer in this process, or in one of its own for the app) and
words them, as `Frame`s both faces paint."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol

from tui_grad.core.exercise import format_number
from tui_grad.core.kinds.base import Kind
from tui_grad.core.kinds.train import Frame, TrainFlow
from tui_grad.core.lesson import NetworkSpec, Part
from tui_grad.core.tables import TableReader

if TYPE_CHECKING:  # the network and its engine load when a network is trained
    from tui_grad.core.network import Dataset


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

    def run(self, inputs: Mapping[str, float], remote: bool = False) -> NetworkRun:
        """The network's training run; `remote` takes its steps in a process of their own (the app's
        interface stays live), else here (line mode)."""
        spec = self.part.network
        assert spec is not None, "a network part always has its network"
        from tui_grad.core.network import (  # the engine's MLP: loaded when trained
            NetworkTrainer,
            RemoteTrainer,
        )

        return NetworkRun(spec, RemoteTrainer(spec) if remote else NetworkTrainer(spec))


class Trainer(Protocol):
    """A network trainer, in this process or another (`tui_grad.core.network`)."""

    @property
    def steps_taken(self) -> int:
        """Steps taken so far."""

    @property
    def done(self) -> bool:
        """True once every step of the lesson has been taken."""

    @property
    def dataset(self) -> Dataset:
        """The points trained on, with their labels."""

    @property
    def closed(self) -> bool:
        """True once the trainer can take no more calls."""

    def close(self) -> None:
        """Stop the trainer; safe to repeat."""

    def step(self) -> tuple[float, float]:
        """Take one step; the loss and accuracy measured just before it."""

    def evaluate(self) -> tuple[float, float]:
        """The loss and accuracy at the current weights."""

    def score_grid(self, columns: int, rows: int) -> list[list[float]]:
        """The network's score at the centre of each cell of a grid over the data."""


class NetworkRun:
    """A network's training run: one step at a time on its trainer, its losses and its words."""

    slow = True
    picture = "boundary"
    picture_title = "decision boundary"

    def __init__(self, spec: NetworkSpec, trainer: Trainer) -> None:
        self.spec, self.trainer = spec, trainer
        self.total = spec.steps
        self.losses: list[float] = []
        self.accuracy = math.nan
        self.failure = ""
        self.finished = False
        """True once the last step is taken and the final loss and accuracy measured."""

    @property
    def step(self) -> int:
        """Update steps taken so far."""
        return self.trainer.steps_taken

    @property
    def done(self) -> bool:
        """True once every step is taken (or the run stopped early)."""
        return bool(self.failure) or self.trainer.done

    def take_step(self) -> None:
        """One step; a weight or the loss overflowing stops the run, with the reason in `failure`."""
        try:
            loss, self.accuracy = self.trainer.step()
        except ArithmeticError as error:  # EngineError: a weight or the loss overflowed
            self.failure = (f"Training stopped at step {self.trainer.steps_taken}: {error}. The step size "
                            f"{format_number(self.spec.step_size)} is too large for this network; try a smaller one.")
            return
        self.losses.append(loss)

    def finish(self) -> None:
        """Measure the loss and accuracy where the last step left the weights."""
        loss, self.accuracy = self.trainer.evaluate()
        self.losses.append(loss)
        self.finished = True

    def frame(self) -> Frame:
        """The run as it stands (the accuracy is the last step's, nan before the first)."""
        accuracy = self.accuracy if self.losses else math.nan
        return Frame(self.step, self.total, tuple(self.losses), accuracy=accuracy, failure=self.failure)

    def grid(self, columns: int, rows: int) -> list[list[float]]:
        """The network's scores over a `rows` x `columns` grid of the data's plane: the boundary's picture."""
        return self.trainer.score_grid(columns, rows)

    def report(self, every: int) -> Iterator[str]:
        """Line mode's account of the whole run: the network and its data, loss and accuracy every
        `every` steps, then where it ended (or why it stopped)."""
        spec = self.spec
        layers = " and ".join(map(str, spec.hidden))
        yield (f"Training a network with hidden layers of {layers} neurons on {spec.samples} {spec.dataset} "
               f"points: {spec.steps} steps of size {format_number(spec.step_size)}.")
        while not self.done:
            step = self.step
            self.take_step()
            if not self.failure and step % every == 0:
                yield f"step {step}: loss {format_number(round(self.losses[-1], 4))}, accuracy {self.accuracy:.0%}"
        if self.failure:
            yield self.failure
            return
        self.finish()
        yield (f"After {self.step} steps: loss {format_number(round(self.losses[-1], 4))}, "
               f"accuracy {self.accuracy:.0%}.")


class NetworkKind(Kind):
    """`kind = "network"`: a multi-layer perceptron's training on a generated dataset, watched."""

    name = "network"
    flow_type = NetworkFlow
    asks = False

    def read(self, reader: TableReader, table: dict[str, Any], where: str, common: dict[str, Any]) -> Part:
        return Part(**common, network=reader.network(table, where))

    def trace_without_graph(self, part: Part) -> dict[str, Any] | None:
        """The training as the learner watches it: each step's loss and accuracy, measured on the whole
        dataset just before the step; where a step overflows, the step and why."""
        from tui_grad.core.network import NetworkTrainer

        spec = part.network
        if spec is None:
            return None
        trainer = NetworkTrainer(spec)
        records: list[dict[str, Any]] = []
        stopped: dict[str, Any] | None = None
        for number in range(1, spec.steps + 1):
            try:
                loss, accuracy = trainer.step()
            except (ArithmeticError, ValueError) as error:  # a step size too large: the weights overflowed
                stopped = {"step": number, "reason": str(error)}
                break
            records.append({"step": number, "loss": loss, "accuracy": accuracy})
        data: dict[str, Any] = {
            "network": {"dataset": spec.dataset, "samples": spec.samples, "hidden": list(spec.hidden),
                        "step_size": spec.step_size, "seed": spec.seed},
            "steps": records,
        }
        if stopped is not None:
            data["stopped"] = stopped
        return data


KIND = NetworkKind()
