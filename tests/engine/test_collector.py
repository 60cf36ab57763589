"""collector_paused: graphs are built and run with the cyclic collector paused, and it comes back
as it was, whatever happens in the block."""

from __future__ import annotations

import gc

import pytest

from tui_grad.engine import Value, collector_paused


@pytest.fixture
def collections():
    """Counts the cyclic collector's runs while the test builds graphs."""
    runs = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            runs.append(info["generation"])

    gc.callbacks.append(count)
    yield runs
    gc.callbacks.remove(count)


def chain(length: int) -> Value:
    out, weight = Value(0.5), Value(1.0)
    for _ in range(length):
        out = out * weight
    return out


def test_building_a_graph_runs_no_collection_while_paused(collections):
    assert gc.isenabled()
    chain(20_000)  # with the collector on, 20,000 new nodes set it off many times
    assert collections
    collections.clear()
    with collector_paused():
        output = chain(20_000)
        output.backward()
        during = list(collections)  # read inside: the first allocation after the block may collect
    assert during == [] and gc.isenabled()


def test_it_comes_back_after_an_error_and_nests():
    with pytest.raises(ZeroDivisionError), collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block leaves the outer one's pause alone
        raise ZeroDivisionError("inside the block")
    assert gc.isenabled()


def test_a_collector_already_off_stays_off():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
