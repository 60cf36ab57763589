"""A small multi-layer perceptron trained on a two-dimensional toy dataset, as in micrograd's demo.

Pure Python: datasets come from `random.Random(seed)`, the network is built from engine Values,
and the loss is the mean hinge loss `max(0, 1 - label * score)` plus a small L2 penalty on the
weights. The same seed always gives the same points, the same starting weights and the same run.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from typing import Any

from tui_grad.core.lesson import DATASETS, NetworkSpec
from tui_grad.engine import Value, collector_paused

ACTIVATIONS = ("tanh", "relu")
L2_PENALTY = 1e-4
"""micrograd's demo weighs the sum of squared weights by this much: enough to keep them small."""


@dataclass(frozen=True, slots=True)
class Dataset:
    """Points in the plane, each labelled +1 or -1."""

    name: str
    points: tuple[tuple[float, float], ...]
    labels: tuple[int, ...]

    def bounds(self, margin: float = 0.15) -> tuple[float, float, float, float]:
        """(x_min, x_max, y_min, y_max) around every point, widened by `margin` of each side."""
        xs = [x for x, _ in self.points]
        ys = [y for _, y in self.points]
        width, height = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
        return (min(xs) - margin * width, max(xs) + margin * width,
                min(ys) - margin * height, max(ys) + margin * height)


def make_dataset(name: str, samples: int, seed: int) -> Dataset:
    """Generate `samples` labelled points of the named shape ("moons", "circles", "blobs", "xor")."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset '{name}' (datasets: {', '.join(DATASETS)})")
    rng = random.Random(seed)
    points, labels = _GENERATORS[name](rng, samples)
    return Dataset(name, tuple(points), tuple(labels))


def _halves(samples: int) -> tuple[int, int]:
    return samples // 2, samples - samples // 2


def _moons(rng: random.Random, samples: int) -> tuple[list[tuple[float, float]], list[int]]:
    """Two interleaving half circles (scikit-learn's make_moons with noise 0.1)."""
    outer, inner = _halves(samples)
    points: list[tuple[float, float]] = []
    labels: list[int] = []
    for index in range(outer):
        angle = math.pi * index / max(outer - 1, 1)
        points.append((math.cos(angle), math.sin(angle)))
        labels.append(-1)
    for index in range(inner):
        angle = math.pi * index / max(inner - 1, 1)
        points.append((1.0 - math.cos(angle), 0.5 - math.sin(angle)))
        labels.append(1)
    return [(x + rng.gauss(0, 0.1), y + rng.gauss(0, 0.1)) for x, y in points], labels


def _circles(rng: random.Random, samples: int) -> tuple[list[tuple[float, float]], list[int]]:
    """A ring around a smaller ring (make_circles with factor 0.5 and noise 0.05)."""
    outer, inner = _halves(samples)
    points, labels = [], []
    for count, radius, label in ((outer, 1.0, -1), (inner, 0.5, 1)):
        for index in range(count):
            angle = 2 * math.pi * index / count
            points.append((radius * math.cos(angle) + rng.gauss(0, 0.05),
                           radius * math.sin(angle) + rng.gauss(0, 0.05)))
            labels.append(label)
    return points, labels


def _blobs(rng: random.Random, samples: int) -> tuple[list[tuple[float, float]], list[int]]:
    """Two round clouds, one around (-1, -1) and one around (1, 1): a straight line separates them."""
    first, second = _halves(samples)
    points, labels = [], []
    for count, centre, label in ((first, -1.0, -1), (second, 1.0, 1)):
        for _ in range(count):
            points.append((centre + rng.gauss(0, 0.5), centre + rng.gauss(0, 0.5)))
            labels.append(label)
    return points, labels


def _xor(rng: random.Random, samples: int) -> tuple[list[tuple[float, float]], list[int]]:
    """Points in the square [-1, 1]², labelled +1 where x and y have the same sign: no single line
    separates the classes. Points too close to an axis are drawn again, so the quadrants read clearly."""
    points: list[tuple[float, float]] = []
    labels: list[int] = []
    while len(points) < samples:
        x, y = rng.uniform(-1, 1), rng.uniform(-1, 1)
        if abs(x) < 0.1 or abs(y) < 0.1:
            continue
        points.append((x, y))
        labels.append(1 if x * y > 0 else -1)
    return points, labels


_GENERATORS = {"moons": _moons, "circles": _circles, "blobs": _blobs, "xor": _xor}


class MLP:
    """Fully connected layers of engine Values: 2 inputs, the hidden sizes, 1 output score.

    Hidden layers use `activation`; the output is linear, its sign the predicted class.
    """

    def __init__(self, hidden: tuple[int, ...], rng: random.Random, activation: str = "tanh") -> None:
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation '{activation}' (choose {', '.join(ACTIVATIONS)})")
        self.activation = activation
        sizes = (2, *hidden, 1)
        self.layers: list[list[tuple[list[Value], Value]]] = [
            [([Value(rng.uniform(-1, 1)) for _ in range(fan_in)], Value(0.0)) for _ in range(fan_out)]
            for fan_in, fan_out in itertools.pairwise(sizes)
        ]

    def parameters(self) -> list[Value]:
        """Every weight and bias, layer by layer."""
        return [p for layer in self.layers for weights, bias in layer for p in (*weights, bias)]

    def __call__(self, x1: float | Value, x2: float | Value) -> Value:
        """The score for one point as a graph of Values (for training); give the point as leaf
        Values made once and reused, so no step spends time wrapping plain numbers."""
        activations = [x if isinstance(x, Value) else Value(x) for x in (x1, x2)]
        last = len(self.layers) - 1
        for index, layer in enumerate(self.layers):
            outputs = []
            for weights, bias in layer:
                total = bias
                for weight, value in zip(weights, activations, strict=True):
                    total = total + weight * value
                if index < last:
                    total = total.tanh() if self.activation == "tanh" else total.relu()
                outputs.append(total)
            activations = outputs
        return activations[0]

    def score(self, x1: float, x2: float) -> float:
        """The same score in plain floats, without building a graph (for drawing the boundary)."""
        activations = [x1, x2]
        last = len(self.layers) - 1
        for index, layer in enumerate(self.layers):
            outputs = []
            for weights, bias in layer:
                total = bias.data + sum(weight.data * value for weight, value in zip(weights, activations, strict=True))
                if index < last:
                    total = math.tanh(total) if self.activation == "tanh" else max(total, 0.0)
                outputs.append(total)
            activations = outputs
        return activations[0]


class _Steps:
    """How far a trainer of `spec` has got: steps taken against the lesson's steps."""

    spec: NetworkSpec
    steps_taken: int

    @property
    def total_steps(self) -> int:
        """How many steps the lesson trains for."""
        return self.spec.steps

    @property
    def done(self) -> bool:
        """True once every step of the lesson has been taken."""
        return self.steps_taken >= self.spec.steps

    @property
    def closed(self) -> bool:
        """True once the trainer can take no more calls (one in this process never stops)."""
        return False

    def close(self) -> None:
        """Stop the trainer (one in this process has nothing to stop)."""


class NetworkTrainer(_Steps):
    """Trains an MLP on a generated dataset, one full-batch gradient-descent step per `step()` call."""

    def __init__(self, spec: NetworkSpec, activation: str | None = None, l2: float = L2_PENALTY) -> None:
        self.spec = spec
        self.dataset = make_dataset(spec.dataset, spec.samples, spec.seed)
        activation = activation or getattr(spec, "activation", None) or "tanh"
        self.model = MLP(spec.hidden, random.Random(spec.seed * 7919 + 1), activation)
        self.l2 = l2
        self.inputs = [(Value(x1, label="x1"), Value(x2, label="x2")) for x1, x2 in self.dataset.points]
        """The points as leaf Values, made once and reused by every step's graph."""
        self.steps_taken = 0
        self.loss = math.nan
        self.accuracy = math.nan

    def _loss(self) -> tuple[Value, float]:
        """The mean hinge loss plus the L2 term, as a graph; and the share of points classed right."""
        scores = [self.model(x1, x2) for x1, x2 in self.inputs]
        margins = [(1 + -label * score).relu() for label, score in zip(self.dataset.labels, scores, strict=True)]
        data_loss = _sum(margins) * (1.0 / len(margins))
        parameters = self.model.parameters()
        penalty = _sum([p * p for p in parameters]) * self.l2
        right = sum((score.data > 0) == (label > 0) for label, score in zip(self.dataset.labels, scores, strict=True))
        return data_loss + penalty, right / len(scores)

    def step(self) -> tuple[float, float]:
        """Take one step down the loss; return the loss and accuracy measured just before it."""
        with collector_paused():  # the graph is acyclic: the collector would only walk it
            loss, accuracy = self._loss()
            loss.backward()
            rate = self.spec.step_size
            for parameter in self.model.parameters():
                parameter.data -= rate * parameter.grad
            value = loss.data
            del loss  # freed here, by reference counting, before the collector is back
        self.steps_taken += 1
        self.loss, self.accuracy = value, accuracy
        return value, accuracy

    def evaluate(self) -> tuple[float, float]:
        """The loss and accuracy at the current weights, without moving them."""
        with collector_paused():
            loss, accuracy = self._loss()
            return loss.data, accuracy

    def score(self, x1: float, x2: float) -> float:
        """The network's score at a point: above 0 it predicts class +1, below 0 class -1."""
        return self.model.score(x1, x2)

    def score_grid(self, columns: int, rows: int, bounds: tuple[float, float, float, float] | None = None
                   ) -> list[list[float]]:
        """Scores at the centre of each cell of a `rows` x `columns` grid over `bounds` (the dataset's by
        default), top row first: what the decision-boundary picture shades."""
        x_min, x_max, y_min, y_max = bounds or self.dataset.bounds()
        return [[self.model.score(x_min + (column + 0.5) * (x_max - x_min) / columns,
                                  y_max - (row + 0.5) * (y_max - y_min) / rows)
                 for column in range(columns)] for row in range(rows)]


def _sum(values: list[Value]) -> Value:
    """Add Values pairwise, as a balanced tree: the same sum, a shallower graph."""
    while len(values) > 1:
        paired = [values[i] + values[i + 1] for i in range(0, len(values) - 1, 2)]
        if len(values) % 2:
            paired.append(values[-1])
        values = paired
    return values[0]


class RemoteTrainer(_Steps):
    """A NetworkTrainer in a process of its own, driven by calls over a pipe.

    Training is pure Python: in a thread of the interface's process it takes the interpreter
    lock from the thread that draws, and every key waits (bench/training.py: key to frame 3.5x
    slower than idle). In its own process it takes nothing. Same interface as NetworkTrainer, as
    far as the training screen uses it; the dataset is made here too (it is cheap and the same
    for a seed), so the first picture needs no answer from the process. A plain subprocess with
    pickled calls on its standard input and output: multiprocessing's spawn trips over Textual's
    captured stderr (fileno -1) and over `python -m tui_grad` as the main module.
    """

    def __init__(self, spec: NetworkSpec) -> None:
        import subprocess
        import sys

        self.spec = spec
        self.dataset = make_dataset(spec.dataset, spec.samples, spec.seed)
        self.steps_taken = 0
        self.loss = math.nan
        self.accuracy = math.nan
        self._process = subprocess.Popen(
            [sys.executable, "-c", "from tui_grad.core.network import serve; serve()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl+C and a hang-up belong to the interface, which closes this
        )
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None  # both asked for as pipes just above
        self._input, self._output = stdin, stdout
        self._send(spec)

    def _send(self, message: object) -> None:
        import pickle

        pickle.dump(message, self._input)
        self._input.flush()

    def _call(self, name: str, *args: object) -> Any:
        import pickle

        try:
            self._send((name, args))
            outcome, result, self.steps_taken, self.loss, self.accuracy = pickle.load(self._output)
        except (EOFError, OSError, ValueError, pickle.UnpicklingError):
            raise ArithmeticError("the training process stopped unexpectedly") from None
        if outcome == "failed":
            raise ArithmeticError(result)
        return result

    def step(self) -> tuple[float, float]:
        """Take one step down the loss (in the training process); the loss and accuracy before it."""
        return self._call("step")

    def evaluate(self) -> tuple[float, float]:
        """The loss and accuracy at the current weights."""
        return self._call("evaluate")

    def score_grid(self, columns: int, rows: int, bounds: tuple[float, float, float, float] | None = None
                   ) -> list[list[float]]:
        """The decision-boundary grid, computed in the training process."""
        return self._call("score_grid", columns, rows, bounds)

    @property
    def closed(self) -> bool:
        """True once the training process has stopped (closed, or gone)."""
        return self._process.poll() is not None

    def close(self) -> None:
        """Stop the training process; safe to repeat."""
        import subprocess

        if self._process.poll() is not None:
            return
        try:
            self._input.close()  # serve() ends at the end of its input
            self._process.wait(timeout=2)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            pass
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._output.close()


def serve() -> None:
    """The training process: read a NetworkSpec, then answer pickled calls until the input ends."""
    import pickle
    import sys

    source, sink = sys.stdin.buffer, sys.stdout.buffer
    try:
        trainer = NetworkTrainer(pickle.load(source))
        while True:
            name, args = pickle.load(source)
            if name not in ("step", "evaluate", "score_grid"):
                return
            try:
                outcome, result = "ok", getattr(trainer, name)(*args)
            except ArithmeticError as error:  # EngineError: a weight or the loss overflowed
                outcome, result = "failed", str(error)
            pickle.dump((outcome, result, trainer.steps_taken, trainer.loss, trainer.accuracy), sink)
            sink.flush()
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        return
