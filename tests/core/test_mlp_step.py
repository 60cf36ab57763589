"""The network step by hand: every number checked against the engine's own pass and against central
differences of a forward function written here with plain floats."""

from __future__ import annotations

import itertools
import math

import pytest

from tui_grad.core.mlp_step import (
    ASKED,
    DEFAULT_NUMBERS,
    PARAMETERS,
    chain,
    run,
    train,
    update,
    without_zero_grad,
)


def plain_loss(numbers: dict[str, float]) -> float:
    """The network with floats only, independent of the engine."""
    n = numbers
    h1 = math.tanh(n["w11"] * n["x1"] + n["w12"] * n["x2"] + n["b1"])
    h2 = math.tanh(n["w21"] * n["x1"] + n["w22"] * n["x2"] + n["b2"])
    return (n["v1"] * h1 + n["v2"] * h2 + n["c"] - n["y"]) ** 2


def central_difference(numbers: dict[str, float], name: str, h: float = 1e-6) -> float:
    up, down = dict(numbers), dict(numbers)
    up[name] += h
    down[name] -= h
    return (plain_loss(up) - plain_loss(down)) / (2 * h)


def test_the_numbers_are_halves_and_the_pre_activations_round():
    assert all((2 * value).is_integer() for value in DEFAULT_NUMBERS.values())
    result = run()
    assert (result.values["z1"], result.values["z2"]) == (0.5, -1.0)
    assert round(result.values["h1"], 4) == 0.4621 and round(result.values["h2"], 4) == -0.7616


def test_forward_values_match_plain_arithmetic():
    result = run()
    assert math.isclose(result.loss, plain_loss(dict(DEFAULT_NUMBERS)), rel_tol=1e-12)
    assert round(result.values["yhat"], 4) == 1.074 and round(result.loss, 4) == 0.8575


@pytest.mark.parametrize("name", (*PARAMETERS, "x1", "x2", "y"))
def test_every_gradient_matches_central_differences(name):
    result = run()
    assert math.isclose(result.grads[name], central_difference(dict(DEFAULT_NUMBERS), name), rel_tol=1e-6,
                        abs_tol=1e-8)


def test_the_asked_chain_is_each_step_times_the_one_before():
    result = run()
    values, grads = result.values, result.grads
    assert math.isclose(grads["yhat"], 2 * values["e"])
    assert math.isclose(grads["v1"], grads["yhat"] * values["h1"])
    assert math.isclose(grads["v2"], grads["yhat"] * values["h2"])
    assert math.isclose(grads["h1"], grads["yhat"] * values["v1"])
    assert math.isclose(grads["z1"], grads["h1"] * (1 - values["h1"] ** 2))
    assert math.isclose(grads["w11"], grads["z1"] * values["x1"])
    assert [name for name, _, _ in chain(result)] == list(ASKED)
    assert [round(value, 4) for _, _, value in chain(result)] == [-1.8521, -0.8559, 1.4105, -2.7781, -2.1848, -1.0924]


def test_one_hand_step_moves_two_weights_against_their_gradients():
    result = run()
    after = update(result, ("v1", "w11"), 0.1)
    assert round(after["v1"], 4) == 1.5856 and round(after["w11"], 4) == 1.1092
    moved = dict(DEFAULT_NUMBERS, **after)
    assert plain_loss(moved) < plain_loss(dict(DEFAULT_NUMBERS))


def test_forgetting_zero_grad_doubles_the_gradient():
    result = run()
    doubled = without_zero_grad(result, ("v1", "w11"))
    assert doubled == {"v1": 2 * result.grads["v1"], "w11": 2 * result.grads["w11"]}


def test_twenty_steps_lower_the_loss_every_step():
    losses = train()
    assert len(losses) == 21
    assert all(later < earlier for earlier, later in itertools.pairwise(losses))
    assert round(losses[0], 4) == 0.8575 and round(losses[-1], 4) == 0.0011
