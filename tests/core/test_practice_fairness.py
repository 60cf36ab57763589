"""Practice is fair at every level: 1,000 consecutive exercises of each graph level are checked by a
computation independent of the engine (the formulas evaluated with plain floats, each asked gradient
by central differences, each update by the step rule on those), and by the rules for numbers a
learner can work by hand (`generator.fairness_problems`). The rule level's exercises are checked
in test_generator: micrograd's own lines pass each one."""

from __future__ import annotations

import math

import pytest

from tui_grad.core import expr as ex, generator
from tui_grad.core.kinds.registry import kind_of
from tui_grad.core.update import UpdateExercise

EXERCISES = 1_000
FIRST_SEED = 5_000
GRAPH_LEVELS = [level.number for level in generator.LEVELS if level.number != generator.RULE_LEVEL]


def output_with(part, inputs: dict[str, float], fixed: tuple[str, float] | None = None) -> float:
    """The output, the formulas evaluated with floats; `fixed` holds one named node at a value."""
    values = dict(inputs)
    if fixed and fixed[0] in values:
        values[fixed[0]] = fixed[1]
    for assignment in part.assignments:
        if fixed and assignment.name == fixed[0]:
            values[assignment.name] = fixed[1]
        else:
            values[assignment.name] = float(ex.evaluate(assignment.formula, values))
    return values[part.output]


def central_difference(part, name: str, h: float = 1e-6) -> float:
    values = dict(part.inputs)
    for assignment in part.assignments:
        values[assignment.name] = float(ex.evaluate(assignment.formula, values))
    here = values[name]
    up = output_with(part, part.inputs, (name, here + h))
    down = output_with(part, part.inputs, (name, here - h))
    return (up - down) / (2 * h)


@pytest.mark.parametrize("level", GRAPH_LEVELS)
def test_a_thousand_exercises_of_each_level_are_right_by_central_differences_and_fair(level):
    for seed in range(FIRST_SEED, FIRST_SEED + EXERCISES):
        part = generator.generate(level, seed)
        exercise = kind_of(part).exercise(part)
        assert exercise is not None and exercise.order
        for name in exercise.order:
            if isinstance(exercise, UpdateExercise) and name in exercise.gradient_questions:
                slope = central_difference(part, exercise.gradient_questions[name])
                assert math.isclose(exercise.expected(name), slope, rel_tol=1e-5, abs_tol=1e-6), (level, seed, name)
            elif isinstance(exercise, UpdateExercise):
                move = exercise.move(name)
                slope = central_difference(part, name)
                assert math.isclose(move.grad, slope, rel_tol=1e-5, abs_tol=1e-6), (level, seed, name)
                expected = part.inputs[name] - part.update.step_size * slope
                assert math.isclose(exercise.expected(name), expected, rel_tol=1e-5, abs_tol=1e-6)
            else:
                slope = central_difference(part, name)
                assert math.isclose(exercise.expected(name), slope, rel_tol=1e-5, abs_tol=1e-6), \
                    (level, seed, name, exercise.expected(name), slope, [a.text for a in part.assignments])
        assert generator.fairness_problems(part) == [], (level, seed)
