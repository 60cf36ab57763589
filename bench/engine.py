"""Engine speed: micrograd's demo network, forward and backward, against micrograd in the same run.

The demo (micrograd's demo.ipynb): a 2-16-16-1 ReLU network on 100 two-moons points, the
hinge loss averaged over the points plus 1e-4 times the sum of squared parameters. One timed run
builds that loss and runs backward; the two halves are timed too, so that the ratio of each is
printed beside the total's. Both engines run the very same network code, weights and points; only
the Value class differs. The cyclic garbage collector runs before each timed run
(micrograd's closures make reference cycles, freed only by it) and stays on during the run.

    python bench/engine.py [--runs N]
"""

from __future__ import annotations

import gc
import itertools
import math
import random
import sys
import time

import common

GOAL = 10.0


def moons(points: int = 100, noise: float = 0.1, seed: int = 1) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles like sklearn's make_moons, labels -1 and 1, fixed by seed."""
    rng = random.Random(seed)
    outer, inner = points // 2, points - points // 2
    xs, ys = [], []
    for index in range(outer):
        angle = math.pi * index / (outer - 1)
        xs.append([math.cos(angle) + rng.gauss(0, noise), math.sin(angle) + rng.gauss(0, noise)])
        ys.append(-1.0)
    for index in range(inner):
        angle = math.pi * index / (inner - 1)
        xs.append([1 - math.cos(angle) + rng.gauss(0, noise), 0.5 - math.sin(angle) + rng.gauss(0, noise)])
        ys.append(1.0)
    return xs, ys


class Network:
    """micrograd.nn.MLP([2, 16, 16, 1]) written once for any Value class, with seeded weights."""

    def __init__(self, value_class, sizes=(2, 16, 16, 1), seed: int = 1337) -> None:
        rng = random.Random(seed)
        self.value_class = value_class
        self.layers = []
        for index, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
            neurons = [([value_class(rng.uniform(-1, 1)) for _ in range(fan_in)], value_class(0.0))
                       for _ in range(fan_out)]
            self.layers.append((neurons, index != len(sizes) - 2))

    def parameters(self) -> list:
        """Every weight and bias, as micrograd lists them."""
        return [p for neurons, _ in self.layers for weights, bias in neurons for p in (*weights, bias)]

    def __call__(self, inputs):
        """The network's output for one point: micrograd's Neuron, Layer and MLP, step for step."""
        for neurons, nonlinear in self.layers:
            outputs = []
            for weights, bias in neurons:
                activation = sum((w * x for w, x in zip(weights, inputs, strict=True)), bias)
                outputs.append(activation.relu() if nonlinear else activation)
            inputs = outputs
        return inputs[0]

    def loss(self, xs, ys):
        """micrograd's demo loss: mean hinge loss plus 1e-4 times the sum of squared parameters."""
        inputs = [list(map(self.value_class, row)) for row in xs]
        scores = list(map(self, inputs))
        losses = [(1 + -y * score).relu() for y, score in zip(ys, scores, strict=True)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in self.parameters())
        return data_loss + reg_loss


def timed_step(network: Network, xs, ys) -> tuple[float, float]:
    """Seconds for one forward and for the backward after it, after a full garbage collection."""
    for parameter in network.parameters():
        parameter.grad = 0.0  # micrograd accumulates; ours resets in backward() anyway
    gc.collect()
    start = time.perf_counter()
    total = network.loss(xs, ys)
    built = time.perf_counter()
    total.backward()
    done = time.perf_counter()
    del total
    return built - start, done - built


def check_same_numbers(ours: Network, theirs: Network, xs, ys) -> None:
    """Refuse to time engines that disagree: same loss and same gradients, to 1e-9."""
    our_loss, their_loss = ours.loss(xs, ys), theirs.loss(xs, ys)
    our_loss.backward()
    their_loss.backward()
    assert math.isclose(our_loss.data, their_loss.data, rel_tol=1e-9), (our_loss.data, their_loss.data)
    for mine, yours in zip(ours.parameters(), theirs.parameters(), strict=True):
        assert math.isclose(mine.grad, yours.grad, rel_tol=1e-9, abs_tol=1e-12), (mine.grad, yours.grad)


def main() -> int:
    args = common.parser(__doc__.splitlines()[0], runs=15).parse_args()
    sys.path.insert(0, str(common.REPOSITORY))
    from micrograd.engine import Value as MicrogradValue

    from tui_grad.engine import Value

    xs, ys = moons()
    ours, theirs = Network(Value), Network(MicrogradValue)
    check_same_numbers(ours, theirs, xs, ys)
    timed_step(ours, xs, ys), timed_step(theirs, xs, ys)  # warm up both
    our_times, their_times = common.alternate(
        args.runs, lambda: timed_step(ours, xs, ys), lambda: timed_step(theirs, xs, ys)
    )
    for name, part in (("forward", 0), ("backward", 1), ("forward+backward", None)):
        ours_part = [sum(step) if part is None else step[part] for step in our_times]
        theirs_part = [sum(step) if part is None else step[part] for step in their_times]
        speedup = common.median(theirs_part) / common.median(ours_part)
        print(f"{name}:")
        print(f"  tui_grad.engine {common.spread(ours_part, 1000, ' ms')}")
        print(f"  micrograd 0.1.0 {common.spread(theirs_part, 1000, ' ms')}")
        print(f"  micrograd / tui_grad: {speedup:.2f}x (ratio of medians)")
    met = common.verdict("engine", f"{speedup:.2f}x faster than micrograd (ratio of medians)",
                         f"at least {GOAL:g}x", speedup >= GOAL)
    return common.finish([met])


if __name__ == "__main__":
    sys.exit(main())
