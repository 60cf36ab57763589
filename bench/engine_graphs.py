"""Engine on large graphs: build cost per node at 1e4..1e6 nodes, and forward + backward on a
100,000-node random graph against micrograd, measured side by side in the same run.

Two shapes. "random": 100 leaves, then one node per step, `+`, `*` or `relu` (what micrograd has)
of operands drawn uniformly from every node so far (shallow, since micrograd's backward recurses;
at 1e6 nodes every operand is a cache miss). "layered": each node takes one of the last 1,000
nodes and one of the 100 leaves, as a network's neurons take the layer before and their weights.
The same seed gives both engines the very same graph; their outputs and leaf gradients are checked
to agree before anything is timed. Each timed sample starts after a full collection.

Build cost is measured with the cyclic collector on (as a user's own script runs it) and paused
(as the tutor's training loops run it), each against a control in the same run, with the
collector in the same state: the very same loop and operand picks building a
plain tuple (value, left, right) per node instead of an engine node. The control costs what the
loop and its access pattern cost (the interpreter and the memory hierarchy: at 1e6 random nodes
every operand is a cache miss). The goal is on the engine's growth from the smallest graph to the
largest divided by the control's: what the engine adds beyond the access pattern stays flat. (A
difference of the two costs is too noisy on a shared machine to judge by.)

    python bench/engine_graphs.py [--runs N] [--sizes 10000,100000,1000000]
"""

from __future__ import annotations

import gc
import math
import random
import sys
import time

import common

RANDOM_GRAPH = 100_000
LEAVES = 100
TAIL = 100
WINDOW = 1000
SHAPES = ("random", "layered")


def random_graph(value_class, nodes: int, seed: int = 7, shape: str = "random"):
    """Build a graph of `nodes` operations over LEAVES leaves; returns (output, leaves)."""
    rng = random.Random(seed)
    leaves = [value_class(rng.uniform(-1.0, 1.0)) for _ in range(LEAVES)]
    pool = list(leaves)
    pick, draw = rng.randrange, rng.random
    for _ in range(nodes):
        kind = draw()
        if shape == "random":
            a, b = pool[pick(len(pool))], pool[pick(len(pool))]
        else:  # a recent node and a leaf: bounded values (|leaf| < 1), as in a network's layers
            a, b = pool[len(pool) - 1 - pick(min(WINDOW, len(pool)))], leaves[pick(LEAVES)]
        if kind < 0.45:
            node = a + b
        elif kind < 0.85:
            node = a * b
        else:
            node = a.relu()
        pool.append(node)
    output = pool[-1]
    for node in pool[-TAIL:]:  # a sum over the last nodes, so that gradients reach most leaves
        output = output + node
    return output, leaves


def control_graph(nodes: int, seed: int = 7, shape: str = "random") -> list:
    """The control: random_graph's loop with the very same operand picks, each node a plain tuple
    (value, left, right) made in C: it touches the operands and allocates what a node at least is,
    and nothing more."""
    rng = random.Random(seed)
    leaves = [(rng.uniform(-1.0, 1.0), None, None) for _ in range(LEAVES)]
    pool = list(leaves)
    pick, draw = rng.randrange, rng.random
    for _ in range(nodes):
        kind = draw()
        if shape == "random":
            a, b = pool[pick(len(pool))], pool[pick(len(pool))]
        else:
            a, b = pool[len(pool) - 1 - pick(min(WINDOW, len(pool)))], leaves[pick(LEAVES)]
        if kind < 0.45:
            node = (a[0] + b[0], a, b)
        elif kind < 0.85:
            node = (a[0] * b[0], a, b)
        else:
            node = (a[0] if a[0] > 0 else 0.0, a, None)
        pool.append(node)
    return pool


def build_per_node(value_class, nodes: int, paused: bool, shape: str = "random") -> float:
    """Seconds per node to build a graph of `nodes` nodes, collector on or paused; value_class
    None builds the control."""
    from tui_grad.engine import collector_paused

    def build():
        return control_graph(nodes, shape=shape) if value_class is None else random_graph(value_class, nodes,
                                                                                          shape=shape)

    gc.collect()
    if paused:
        with collector_paused():
            start = time.perf_counter()
            output = build()
            elapsed = time.perf_counter() - start
    else:
        start = time.perf_counter()
        output = build()
        elapsed = time.perf_counter() - start
    del output
    return elapsed / nodes


def forward_backward(value_class, paused: bool) -> float:
    """Seconds to build the 100,000-node graph and run backward on it."""
    from tui_grad.engine import collector_paused

    gc.collect()
    start = time.perf_counter()
    if paused:
        with collector_paused():
            output, _ = random_graph(value_class, RANDOM_GRAPH)
            output.backward()
            elapsed = time.perf_counter() - start
            del output
    else:
        output, _ = random_graph(value_class, RANDOM_GRAPH)
        output.backward()
        elapsed = time.perf_counter() - start
    return elapsed


def check_same_numbers(ours, theirs) -> None:
    """Refuse to time engines that disagree on the random graph: same output and leaf gradients."""
    our_out, our_leaves = random_graph(ours, RANDOM_GRAPH)
    their_out, their_leaves = random_graph(theirs, RANDOM_GRAPH)
    our_out.backward()
    their_out.backward()
    assert math.isclose(our_out.data, their_out.data, rel_tol=1e-9), (our_out.data, their_out.data)
    for mine, yours in zip(our_leaves, their_leaves, strict=True):
        assert math.isclose(mine.grad, yours.grad, rel_tol=1e-9, abs_tol=1e-12), (mine.grad, yours.grad)


def main() -> int:
    parser = common.parser(__doc__.splitlines()[0], runs=5)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="graph sizes for the build cost")
    args = parser.parse_args()
    sys.path.insert(0, str(common.REPOSITORY))
    from micrograd.engine import Value as MicrogradValue

    from tui_grad.engine import Value

    check_same_numbers(Value, MicrogradValue)
    sizes = [int(size) for size in args.sizes.split(",")]
    print("build cost per node (median, min..max over runs):")
    growth, growth_on = {}, {}
    for shape in SHAPES:
        results = []
        for size in sizes:
            on, paused, control, control_on = [], [], [], []
            sides = [(on, Value, False), (paused, Value, True), (control, None, True), (control_on, None, False)]
            for round_number in range(args.runs):  # one of each a round, the order rotating
                turn = round_number % len(sides)
                for samples, kind, pause in sides[turn:] + sides[:turn]:
                    samples.append(build_per_node(kind, size, pause, shape))
            results.append((size, on, paused, control, control_on))
            print(f"  {shape:>7} {size:>9,} nodes: tui_grad collector on {common.spread(on, 1e9, ' ns')}")
            print(f"  {shape:>7} {size:>9,} nodes: tui_grad paused       {common.spread(paused, 1e9, ' ns')}")
            print(f"  {shape:>7} {size:>9,} nodes: control (no engine)   {common.spread(control, 1e9, ' ns')}")
            print(f"  {shape:>7} {size:>9,} nodes: control, collector on {common.spread(control_on, 1e9, ' ns')}")
            if shape == "random":
                theirs = [build_per_node(MicrogradValue, size, False) for _ in range(max(1, args.runs // 2))]
                print(f"  {shape:>7} {size:>9,} nodes: micrograd             {common.spread(theirs, 1e9, ' ns')}")
        smallest, largest = results[0], results[-1]
        on_growth, paused_growth, control_growth, control_on_growth = (
            common.median(largest[column]) / common.median(smallest[column]) for column in (1, 2, 3, 4))
        growth[shape] = (paused_growth / control_growth, paused_growth, control_growth)
        growth_on[shape] = (on_growth / control_on_growth, on_growth, control_on_growth)
        print(f"  {shape}: per-node cost at {largest[0]:,} vs {smallest[0]:,} nodes: collector on {on_growth:.2f}x "
              f"(control {control_on_growth:.2f}x, the engine's beyond it {growth_on[shape][0]:.2f}x), "
              f"paused {paused_growth:.2f}x (control {control_growth:.2f}x, beyond it {growth[shape][0]:.2f}x)")
    rounds = [[], [], []]
    for _ in range(args.runs):  # ours paused, ours with the collector on, micrograd: one of each a round
        rounds[0].append(forward_backward(Value, True))
        rounds[1].append(forward_backward(Value, False))
        rounds[2].append(forward_backward(MicrogradValue, False))
    print(f"{RANDOM_GRAPH:,}-node random graph, build + backward:")
    print(f"  tui_grad, collector paused: {common.spread(rounds[0], 1000, ' ms')}")
    print(f"  tui_grad, collector on    : {common.spread(rounds[1], 1000, ' ms')}")
    print(f"  micrograd 0.1.0           : {common.spread(rounds[2], 1000, ' ms')}")
    ratios = [theirs / ours for ours, theirs in zip(rounds[0], rounds[2], strict=True)]
    print(f"  micrograd / tui_grad (paused), per round: {common.spread(ratios, 1, 'x')}")
    met = [common.verdict(f"build cost flat, {shape} graph",
                          f"{growth[shape][0]:.2f}x beyond the control's growth at {sizes[-1]:,} vs {sizes[0]:,} nodes "
                          f"(paused {growth[shape][1]:.2f}x, control {growth[shape][2]:.2f}x)", "at most 1.3x",
                          growth[shape][0] <= 1.3)
           for shape in SHAPES]
    met += [common.verdict(f"build cost flat with the collector on (as a user runs it), {shape} graph",
                           f"{growth_on[shape][0]:.2f}x beyond the control's growth at {sizes[-1]:,} vs {sizes[0]:,} "
                           f"nodes (engine {growth_on[shape][1]:.2f}x, control {growth_on[shape][2]:.2f}x)",
                           "at most 1.3x", growth_on[shape][0] <= 1.3)
            for shape in SHAPES]
    return common.finish(met)


if __name__ == "__main__":
    sys.exit(main())
