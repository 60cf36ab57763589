"""The network lesson's core: datasets, the MLP and its trainer, all deterministic for a seed."""

from __future__ import annotations

import math

import pytest

from tui_grad.core.lesson import DATASETS, NetworkSpec
from tui_grad.core.lesson_file import load_lesson
from tui_grad.core.network import MLP, NetworkTrainer, make_dataset
from tui_grad.engine import Value

NETWORK_LESSON = '''\
id = "a-network"
title = "A network"
summary = "An MLP learns two moons."

[[parts]]
kind = "network"
title = "Two moons"
text = "Each step nudges every weight."
dataset = "moons"
samples = 60
hidden = [8, 8]
steps = 100
step_size = 0.5
seed = 1
'''


@pytest.mark.parametrize("name", DATASETS)
def test_datasets_have_both_classes_and_are_seeded(name):
    data = make_dataset(name, 40, seed=3)
    assert len(data.points) == len(data.labels) == 40
    assert sorted(set(data.labels)) == [-1, 1]
    assert abs(sum(data.labels)) <= 40 // 2  # neither class is a token few
    assert make_dataset(name, 40, seed=3) == data
    assert make_dataset(name, 40, seed=4) != data
    x_min, x_max, y_min, y_max = data.bounds()
    assert all(x_min < x < x_max and y_min < y < y_max for x, y in data.points)


def test_xor_labels_follow_the_quadrants():
    data = make_dataset("xor", 50, seed=1)
    assert all((label > 0) == (x * y > 0) for (x, y), label in zip(data.points, data.labels, strict=True))


def test_unknown_dataset_is_refused():
    with pytest.raises(ValueError, match="unknown dataset 'spirals'"):
        make_dataset("spirals", 10, 1)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_float_score_matches_the_graph(activation):
    import random

    model = MLP((4, 3), random.Random(5), activation)
    for x1, x2 in [(0.3, -1.2), (1.5, 0.5), (-2.0, 2.0)]:
        assert model.score(x1, x2) == pytest.approx(model(x1, x2).data, rel=1e-12)
    assert len(model.parameters()) == (2 * 4 + 4) + (4 * 3 + 3) + (3 + 1)
    assert all(isinstance(p, Value) for p in model.parameters())


def test_gradient_matches_central_differences():
    trainer = NetworkTrainer(NetworkSpec(samples=12, hidden=(3,), steps=1, seed=2))
    loss, _ = trainer._loss()
    loss.backward()
    for parameter in trainer.model.parameters()[::4]:
        h = 1e-6
        parameter.data += h
        up = trainer.evaluate()[0]
        parameter.data -= 2 * h
        down = trainer.evaluate()[0]
        parameter.data += h
        assert parameter.grad == pytest.approx((up - down) / (2 * h), rel=1e-4, abs=1e-7)


def test_the_lesson_network_learns_the_moons(write_lesson):
    part = load_lesson(write_lesson(NETWORK_LESSON)).parts[0]
    trainer = NetworkTrainer(part.network)
    history = [trainer.step() for _ in range(trainer.total_steps)]
    assert trainer.done and trainer.steps_taken == 100
    first_loss, first_accuracy = history[0]
    final_loss, final_accuracy = trainer.evaluate()
    assert final_loss < first_loss / 10
    assert final_accuracy >= 0.95 > first_accuracy
    # the boundary picture agrees with the accuracy: most points sit on their own side
    right = sum((trainer.score(x, y) > 0) == (label > 0)
                for (x, y), label in zip(trainer.dataset.points, trainer.dataset.labels, strict=True))
    assert right / len(trainer.dataset.points) == pytest.approx(final_accuracy)


def test_training_is_deterministic_for_a_seed():
    spec = NetworkSpec(dataset="xor", samples=20, hidden=(4,), steps=5, step_size=0.3, seed=9)
    runs = []
    for _ in range(2):
        trainer = NetworkTrainer(spec)
        runs.append([trainer.step() for _ in range(5)] + [trainer.score(0.2, -0.4)])
    assert runs[0] == runs[1]
    other = NetworkTrainer(NetworkSpec(dataset="xor", samples=20, hidden=(4,), steps=5, step_size=0.3, seed=10))
    assert other.step() != runs[0][0]


def test_score_grid_is_top_row_first():
    trainer = NetworkTrainer(NetworkSpec(samples=10, hidden=(2,), seed=1))
    grid = trainer.score_grid(4, 3, bounds=(0.0, 4.0, 0.0, 3.0))
    assert len(grid) == 3 and all(len(row) == 4 for row in grid)
    assert grid[0][0] == trainer.score(0.5, 2.5)
    assert grid[2][3] == trainer.score(3.5, 0.5)
    assert all(math.isfinite(value) for row in grid for value in row)


def test_a_trainer_in_its_own_process_gives_the_same_numbers():
    """The training screen trains in a separate process (no lock taken from the drawing thread);
    it must learn exactly what the in-process trainer learns, and leave no process behind."""
    from tui_grad.core.lesson import NetworkSpec
    from tui_grad.core.network import NetworkTrainer, RemoteTrainer

    spec = NetworkSpec(dataset="moons", samples=20, hidden=(4,), steps=3, step_size=0.2, seed=3)
    here, there = NetworkTrainer(spec), RemoteTrainer(spec)
    try:
        assert there.dataset == here.dataset
        for _ in range(3):
            assert there.step() == here.step()
        assert there.done and there.steps_taken == 3
        assert there.evaluate() == here.evaluate()
        assert there.score_grid(5, 3) == here.score_grid(5, 3)
    finally:
        there.close()
    assert there._process.poll() is not None
    there.close()  # twice is fine
