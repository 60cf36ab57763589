"""Engine depth: time per node of backward on chains of 10,000 and 1,000,000 nodes.

Each chain is out = out * w, repeated: one new node per step, every node depending on the one
before, so the graph is as deep as it is long. Backward must finish without a recursion error
and cost the same per node at both lengths (linear). The short chain is the baseline, run 100
times per sample so that both samples cover a million nodes; the garbage collector runs first.

    python bench/engine_depth.py [--runs N]
"""

from __future__ import annotations

import gc
import sys
import time

import common

GOAL = 1.5
SHORT, LONG = 10_000, 1_000_000


def chain(length: int):
    """The output of a chain of `length` multiplications by one shared weight."""
    from tui_grad.engine import Value

    out, weight = Value(0.5, label="x"), Value(1.0, label="w")
    for _ in range(length):
        out = out * weight
    return out


def per_node_backward(output, length: int) -> float:
    """Seconds per node of backward on output's graph, after a full garbage collection.

    The short chain's backward takes only milliseconds, so it is repeated until it has covered
    as many nodes as one long backward, and the total is divided out.
    """
    repeats = max(1, LONG // length)
    gc.collect()
    start = time.perf_counter()
    for _ in range(repeats):
        output.backward()
    return (time.perf_counter() - start) / (repeats * (length + 2))


def main() -> int:
    args = common.parser(__doc__.splitlines()[0], runs=5).parse_args()
    sys.path.insert(0, str(common.REPOSITORY))
    try:
        short, long = chain(SHORT), chain(LONG)
        short_times, long_times = common.alternate(
            args.runs, lambda: per_node_backward(short, SHORT), lambda: per_node_backward(long, LONG)
        )
    except (RecursionError, MemoryError, ArithmeticError) as error:
        return common.finish([common.verdict("engine depth", f"backward failed: {error!r}", "no error", False)])
    ratio = common.median(long_times) / common.median(short_times)
    print(f"chain of {SHORT:>9,} nodes: backward {common.spread(short_times, 1e9, ' ns/node')}")
    print(f"chain of {LONG:>9,} nodes: backward {common.spread(long_times, 1e9, ' ns/node')}")
    met = common.verdict("engine depth", f"per-node time, long / short = {ratio:.2f}",
                         f"at most {GOAL:g}, no error", ratio <= GOAL)
    return common.finish([met])


if __name__ == "__main__":
    sys.exit(main())
