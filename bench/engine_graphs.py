"""Engine on large random graphs: build cost per node at 1e4..1e6 nodes (collector on, and paused
as the tutor's training loops run), and forward + backward on a 100,000-node graph against
micrograd, measured side by side in the same run.

A random graph: 100 leaves, then one node per step, `+`, `*` or `relu` (what micrograd has) of operands drawn
uniformly from every node so far (so it stays shallow: micrograd's backward recurses). The same
seed gives both engines the very same graph; their outputs and leaf gradients are checked to agree
before anything is timed. Each timed sample starts after a full collection; micrograd's graphs,
whose closures make reference cycles, run with the collector on, as micrograd's users run them.

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


def random_graph(value_class, nodes: int, seed: int = 7):
    """Build a random graph of `nodes` operations over LEAVES leaves; returns (output, leaves)."""
    rng = random.Random(seed)
    leaves = [value_class(rng.uniform(-1.0, 1.0)) for _ in range(LEAVES)]
    pool = list(leaves)
    pick, draw = rng.randrange, rng.random
    for _ in range(nodes):
        a, b = pool[pick(len(pool))], pool[pick(len(pool))]
        kind = draw()
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


def build_per_node(value_class, nodes: int, paused: bool) -> float:
    """Seconds per node to build a random graph of `nodes` nodes, collector on or paused."""
    from tui_grad.engine import collector_paused

    gc.collect()
    if paused:
        with collector_paused():
            start = time.perf_counter()
            output = random_graph(value_class, nodes)
            elapsed = time.perf_counter() - start
    else:
        start = time.perf_counter()
        output = random_graph(value_class, nodes)
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
    (our_out, our_leaves), (their_out, their_leaves) = random_graph(ours, RANDOM_GRAPH), random_graph(theirs, RANDOM_GRAPH)
    our_out.backward()
    their_out.backward()
    assert math.isclose(our_out.data, their_out.data, rel_tol=1e-9), (our_out.data, their_out.data)
    for mine, yours in zip(our_leaves, their_leaves):
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
    results = []
    for size in sizes:
        on, paused = common.alternate(args.runs, lambda: build_per_node(Value, size, False),
                                      lambda: build_per_node(Value, size, True))
        theirs = [build_per_node(MicrogradValue, size, False) for _ in range(max(1, args.runs // 2))]
        results.append((size, on, paused))
        print(f"  {size:>9,} nodes: tui_grad collector on {common.spread(on, 1e9, ' ns')}")
        print(f"  {size:>9,} nodes: tui_grad paused       {common.spread(paused, 1e9, ' ns')}")
        print(f"  {size:>9,} nodes: micrograd             {common.spread(theirs, 1e9, ' ns')}")
    smallest, largest = results[0], results[-1]
    growth_on = common.median(largest[1]) / common.median(smallest[1])
    growth_paused = common.median(largest[2]) / common.median(smallest[2])
    print(f"per-node build cost, {largest[0]:,} vs {smallest[0]:,} nodes: collector on {growth_on:.2f}x, "
          f"paused {growth_paused:.2f}x")
    rounds = [[], [], []]
    for _ in range(args.runs):  # ours paused, ours with the collector on, micrograd: one of each a round
        rounds[0].append(forward_backward(Value, True))
        rounds[1].append(forward_backward(Value, False))
        rounds[2].append(forward_backward(MicrogradValue, False))
    print(f"{RANDOM_GRAPH:,}-node random graph, build + backward:")
    print(f"  tui_grad, collector paused: {common.spread(rounds[0], 1000, ' ms')}")
    print(f"  tui_grad, collector on    : {common.spread(rounds[1], 1000, ' ms')}")
    print(f"  micrograd 0.1.0           : {common.spread(rounds[2], 1000, ' ms')}")
    ratios = [theirs / ours for ours, theirs in zip(rounds[0], rounds[2])]
    print(f"  micrograd / tui_grad (paused), per round: {common.spread(ratios, 1, 'x')}")
    met = [common.verdict("build cost flat", f"{growth_paused:.2f}x per node at {largest[0]:,} vs {smallest[0]:,}",
                          "at most 1.3x", growth_paused <= 1.3)]
    return common.finish(met)


if __name__ == "__main__":
    sys.exit(main())
