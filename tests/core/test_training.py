"""Training a formula: the loss falls step by step, and the parameters land where the maths says."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from tui_grad.core.lesson_file import load_lesson
from tui_grad.core.training import TrainingError, describe_loss, describe_params, line_through, loss_at, train_steps
from tui_grad.core.update import take_steps

REPOSITORY = Path(__file__).resolve().parents[2]

ONE_WEIGHT = '''\
id = "one-weight"
title = "One weight"
summary = "w learns to turn x into y."

[[parts]]
kind = "train"
title = "Many steps"
text = "Watch **w** approach 2."
inputs = { w = 0.0, x = 1.0, y = 2.0 }
nodes = ["p = w * x", "e = p - y", "L = e ** 2"]
parameters = ["w"]
step_size = STEP_SIZE
direction = "descent"
steps = STEPS
'''

LINE_FIT = '''\
id = "line-fit"
title = "Fit a line"
summary = "m and b fitted to three points."

[[parts]]
kind = "train"
title = "Fit a line"
text = "The sum of squared errors pulls the line onto the points."
inputs = { m = 0.0, b = 0.0 }
nodes = [
    "e1 = m * 1 + b - 2",
    "e2 = m * 2 + b - 4",
    "e3 = m * 3 + b - 6",
    "L = e1 ** 2 + e2 ** 2 + e3 ** 2",
]
parameters = ["m", "b"]
step_size = 0.01
direction = "descent"
steps = 800
points = [[1, 2], [2, 4], [3, 6]]
line = ["m", "b"]
'''


@pytest.fixture
def one_weight(write_lesson):
    return load_lesson(write_lesson(ONE_WEIGHT.replace("STEP_SIZE", "0.1").replace("STEPS", "30"))).parts[0]


@pytest.fixture
def line_fit(write_lesson):
    return load_lesson(write_lesson(LINE_FIT)).parts[0]


def test_one_weight_walks_to_two(one_weight):
    steps = list(train_steps(one_weight))
    assert [step.step for step in steps] == list(range(31))
    assert steps[0].params == {"w": 0.0} and steps[0].loss == 4.0 and steps[0].grads == {"w": -4.0}
    assert steps[1].params["w"] == pytest.approx(0.4)  # 0 - 0.1 * (-4)
    assert all(later.loss < earlier.loss for earlier, later in itertools.pairwise(steps))
    assert steps[-1].params["w"] == pytest.approx(2 * (1 - 0.8 ** 30))  # the gap shrinks by 0.8 a step


def test_matches_the_update_exercise_step_by_step(one_weight):
    """The trainer and the one-step update exercise are the same arithmetic."""
    steps = list(train_steps(one_weight, steps=5))
    updates = take_steps(one_weight, None, 5)
    for trained, update in zip(steps[1:], updates, strict=True):
        assert trained.params["w"] == pytest.approx(update.parameters[0].after, rel=1e-12)
        assert trained.loss == pytest.approx(update.output_after, rel=1e-12)


def test_line_fit_lands_on_the_points(line_fit):
    steps = list(train_steps(line_fit))
    assert len(steps) == 801
    assert steps[0].loss == 56.0
    slope, intercept = line_through(steps[-1], line_fit)
    assert slope == pytest.approx(2.0, abs=0.01) and intercept == pytest.approx(0.0, abs=0.02)
    assert steps[-1].loss < 1e-3
    assert line_through(steps[0], line_fit) == (0.0, 0.0)


def test_inputs_and_step_count_can_be_given(one_weight):
    steps = list(train_steps(one_weight, {"w": 3.0, "x": 1.0, "y": 2.0}, steps=2))
    assert len(steps) == 3 and steps[0].params == {"w": 3.0} and steps[0].loss == 1.0


def test_a_step_size_too_large_stops_with_a_clear_message(write_lesson):
    part = load_lesson(write_lesson(ONE_WEIGHT.replace("STEP_SIZE", "10").replace("STEPS", "1000"))).parts[0]
    with pytest.raises(TrainingError) as raised:
        list(train_steps(part))
    assert "too large" in raised.value.message and raised.value.step > 0


def test_loss_landscape(one_weight):
    assert loss_at(one_weight, one_weight.inputs, "w", 2.0) == 0.0
    assert loss_at(one_weight, one_weight.inputs, "w", 5.0) == 9.0


@pytest.mark.parametrize("loss, text", [(56.0, "56"), (0.012345, "0.0123"), (3.2e-7, "3.2e-7"), (0.0, "0")])
def test_describe_loss(loss, text):
    assert describe_loss(loss) == text


def test_describe_params(line_fit):
    step = next(iter(train_steps(line_fit, {"m": 1.98, "b": 0.04}, steps=0)))
    assert describe_params(step) == "m = 1.98, b = 0.04"


def test_eight_hundred_steps_run_in_well_under_a_second_of_work(line_fit):
    """Not a timing test: counts graph builds, so a slowdown from building twice per step shows."""
    calls = 0
    original = type(line_fit).build

    def counting_build(self, inputs=None):
        nonlocal calls
        calls += 1
        return original(self, inputs)

    type(line_fit).build = counting_build
    try:
        list(train_steps(line_fit))
    finally:
        type(line_fit).build = original
    assert calls == 801


@pytest.mark.parametrize("module", ["tui_grad.core.training", "tui_grad.core.network", "tui_grad.ui.plot"])
def test_pure_modules_do_not_import_textual_or_rich(module):
    check = (f"import importlib, sys; importlib.import_module({module!r}); "
             "loaded = [n for n in ('textual', 'rich') if n in sys.modules]; assert not loaded, loaded")
    result = subprocess.run([sys.executable, "-c", check], cwd=REPOSITORY, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
