"""One training step of a small network, by hand: two inputs, a layer of two tanh neurons, one linear
output and a squared loss on one point.

    z1 = w11·x1 + w12·x2 + b1    h1 = tanh(z1)
    z2 = w21·x1 + w22·x2 + b2    h2 = tanh(z2)
    ŷ  = v1·h1 + v2·h2 + c       L  = (ŷ − y)²

Every number comes from the engine: the network is built as Values named as above, its backward
pass recorded with `backward_steps`. The learner finds a chain of gradients (the `ASKED` names, from
the loss into one first-layer weight), the engine's replay fills in the rest, the learner takes one
update step for two weights, sees what a second backward pass without `zero_grad` would add (the
gradient twice over, as in micrograd and PyTorch), and watches a run of steps lower the loss.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tui_grad.engine import BackwardStep, Value, backward_steps, collector_paused

PARAMETERS = ("w11", "w12", "b1", "w21", "w22", "b2", "v1", "v2", "c")
"""Every weight and bias, first layer then output, in the order tables list them."""
DATA = ("x1", "x2", "y")
"""The point and its target: inputs of the graph that training never moves."""
ASKED = ("yhat", "v1", "v2", "h1", "z1", "w11")
"""What the learner finds, from the loss back: dL/dŷ, the output weights, into h1, through its tanh,
and one first-layer weight."""

DEFAULT_NUMBERS: Mapping[str, float] = {
    "x1": 0.5, "x2": 1.0, "y": 2.0,
    "w11": 1.0, "w12": 0.5, "b1": -0.5,
    "w21": -1.0, "w22": -0.5, "b2": 0.0,
    "v1": 1.5, "v2": -0.5, "c": 0.0,
}
"""Halves a learner can multiply by hand: z1 = 0.5 and z2 = -1, so h1 = tanh(0.5) and h2 = tanh(-1)."""


@dataclass(frozen=True)
class MlpPass:
    """One forward and backward pass of the network at some numbers, as the engine did them."""

    numbers: dict[str, float]
    """Every input of the graph: the point, the target and each parameter."""
    values: dict[str, float]
    """Every named node's forward value: z1, h1, z2, h2, yhat, e, L (and the inputs)."""
    grads: dict[str, float]
    """dL/d(name) for every named node."""
    steps: list[BackwardStep] = field(repr=False)
    """The engine's backward pass, edge by edge, for the replay."""

    @property
    def loss(self) -> float:
        """L at these numbers."""
        return self.values["L"]


def build(numbers: Mapping[str, float]) -> dict[str, Value]:
    """The network as engine Values, every named node labelled; the loss is `L`."""
    leaves = {name: Value(float(numbers[name]), label=name) for name in (*DATA, *PARAMETERS)}
    x1, x2 = leaves["x1"], leaves["x2"]
    nodes = dict(leaves)
    for neuron in ("1", "2"):
        z = leaves[f"w{neuron}1"] * x1 + leaves[f"w{neuron}2"] * x2 + leaves[f"b{neuron}"]
        z.label = f"z{neuron}"
        h = z.tanh()
        h.label = f"h{neuron}"
        nodes[z.label], nodes[h.label] = z, h
    yhat = leaves["v1"] * nodes["h1"] + leaves["v2"] * nodes["h2"] + leaves["c"]
    yhat.label = "yhat"
    error = yhat - leaves["y"]
    error.label = "e"
    loss = error**2
    loss.label = "L"
    nodes.update(yhat=yhat, e=error, L=loss)
    return nodes


def run(numbers: Mapping[str, float] = DEFAULT_NUMBERS) -> MlpPass:
    """Forward and backward through the network at `numbers`."""
    with collector_paused():
        nodes = build(numbers)
        steps = backward_steps(nodes["L"])
    return MlpPass(dict(numbers), {name: node.data for name, node in nodes.items()},
                   {name: node.grad for name, node in nodes.items()}, steps)


def update(result: MlpPass, names: tuple[str, ...], step_size: float) -> dict[str, float]:
    """Each named parameter after one descent step: p − step_size × dL/dp."""
    return {name: result.numbers[name] - step_size * result.grads[name] for name in names}


def without_zero_grad(result: MlpPass, names: tuple[str, ...]) -> dict[str, float]:
    """What .grad would hold after a second backward pass at the same numbers with no zero_grad
    between, in an engine that adds into .grad across calls (micrograd, PyTorch): twice the gradient."""
    again = run(result.numbers)
    return {name: result.grads[name] + again.grads[name] for name in names}


def train(numbers: Mapping[str, float] = DEFAULT_NUMBERS, *, steps: int = 20, step_size: float = 0.02
          ) -> list[float]:
    """The loss before each of `steps` descent steps on every parameter, then after the last.

    0.02 lets twenty steps show the fall (0.8575 to 0.0011); the hand step's 0.1 would be done in four.
    """
    current = dict(numbers)
    losses = []
    for _ in range(steps + 1):
        result = run(current)
        losses.append(result.loss)
        current.update(update(result, PARAMETERS, step_size))
    return losses


def chain(result: MlpPass) -> list[tuple[str, str, float]]:
    """The asked gradients with the chain-rule product behind each, as a replay states it:
    (name, "dL/dŷ = 2 × e", value)."""
    values, grads = result.values, result.grads
    return [
        ("yhat", f"dL/dŷ = 2 × (ŷ − y) = 2 × {values['e']:.4f}", grads["yhat"]),
        ("v1", f"dL/dv1 = dL/dŷ × h1 = {grads['yhat']:.4f} × {values['h1']:.4f}", grads["v1"]),
        ("v2", f"dL/dv2 = dL/dŷ × h2 = {grads['yhat']:.4f} × {values['h2']:.4f}", grads["v2"]),
        ("h1", f"dL/dh1 = dL/dŷ × v1 = {grads['yhat']:.4f} × {values['v1']:g}", grads["h1"]),
        ("z1", f"dL/dz1 = dL/dh1 × (1 − h1²) = {grads['h1']:.4f} × {1 - values['h1'] ** 2:.4f}", grads["z1"]),
        ("w11", f"dL/dw11 = dL/dz1 × x1 = {grads['z1']:.4f} × {values['x1']:g}", grads["w11"]),
    ]
