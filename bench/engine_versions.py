"""Engine against an earlier version of itself: micrograd's demo network, forward and backward,
both versions in the same process, alternating, so that the machine's load falls on both alike.

The earlier engine is `tui_grad/engine/value.py` as committed at --against (read with `git show`),
loaded as a module of its own; the network code, weights and points are bench/engine.py's. A
ratio below 1 means the working tree's engine takes less time than the earlier one.

    python bench/engine_versions.py --against COMMIT [--runs N]
"""

from __future__ import annotations

import gc
import subprocess
import sys
import time
import types

from engine import Network, moons

import common


def earlier_engine(commit: str) -> types.ModuleType:
    """value.py as committed at `commit`, as a module named after it."""
    source = subprocess.run(["git", "show", f"{commit}:tui_grad/engine/value.py"], cwd=common.REPOSITORY,
                            capture_output=True, text=True, check=True).stdout
    module = types.ModuleType(f"value_at_{commit}")
    exec(compile(source, f"{commit}:tui_grad/engine/value.py", "exec"), module.__dict__)
    return module


def timed_halves(network: Network, xs, ys) -> tuple[float, float]:
    """Seconds for one forward and for the backward after it, after a full garbage collection."""
    gc.collect()
    start = time.perf_counter()
    total = network.loss(xs, ys)
    built = time.perf_counter()
    total.backward()
    return built - start, time.perf_counter() - built


def main() -> int:
    parser = common.parser(__doc__.splitlines()[0], runs=21)
    parser.add_argument("--against", required=True, metavar="COMMIT", help="the earlier engine's commit")
    args = parser.parse_args()
    sys.path.insert(0, str(common.REPOSITORY))
    from tui_grad.engine import Value

    xs, ys = moons()
    ours, theirs = Network(Value), Network(earlier_engine(args.against).Value)
    timed_halves(ours, xs, ys), timed_halves(theirs, xs, ys)  # warm up both
    now, before = common.alternate(args.runs, lambda: timed_halves(ours, xs, ys),
                                   lambda: timed_halves(theirs, xs, ys))
    for name, part in (("forward", 0), ("backward", 1)):
        mine, earlier = [step[part] for step in now], [step[part] for step in before]
        print(f"{name}: working tree {common.spread(mine, 1000, ' ms')}")
        print(f"{name}: {args.against:<12} {common.spread(earlier, 1000, ' ms')}")
        print(f"{name}: working tree / {args.against}: {common.median(mine) / common.median(earlier):.2f} "
              "(ratio of medians)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
