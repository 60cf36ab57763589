"""Pausing Python's cyclic garbage collector while a graph is built and run.

A Value graph has no reference cycles (no closures, children point only to older nodes), so
reference counting frees it and the cyclic collector has nothing to find in it. The collector
does not know that: it runs every 700 new objects and, as the graph grows, its older generations
walk everything built so far, so building a large graph costs more per node the larger it gets
(2.4x more per node at a million nodes than at ten thousand, bench/engine_graphs.py). While it is
paused, building costs the same per node at every size.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic collector for the block (building and running graphs, which are acyclic),
    then put it back as it was. Nests; reference counting still frees everything at once.

    Keep the block to graph work: anything else that makes reference cycles inside it waits for
    the collector until the block ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
