"""The registry of part kinds: every kind found by its name, each building its own exercise and flow
from a part and its values alone (no tutor), and the errors of a file naming the kinds there are."""

from __future__ import annotations

import pytest

from tui_grad.core.catalog import load_catalog, shipped_lessons_dir
from tui_grad.core.exercise import GradientExercise
from tui_grad.core.kinds.base import Kind, PartFlow
from tui_grad.core.kinds.registry import KINDS, find_kind, kind_names, kind_of
from tui_grad.core.kinds.slope import SlopeExercise, SlopeFlow
from tui_grad.core.lesson import LessonError
from tui_grad.core.lesson_file import part_from_table

SLOPE = {"kind": "slope", "inputs": {"x": 3.0}, "nodes": ["f = 3*x**2 - 4*x + 5"]}


def test_every_shipped_part_has_a_registered_kind_that_builds_it_without_a_tutor() -> None:
    catalog = load_catalog(shipped_lessons_dir())
    seen = set()
    for lesson in catalog.lessons:
        for index, part in enumerate(lesson.parts):
            kind = kind_of(part)
            seen.add(kind.name)
            exercise = kind.exercise(part, part.inputs)
            assert (exercise is not None) == kind.asks, f"{lesson.id} part {index + 1}"
            following = lesson.parts[index + 1:index + 2]
            flow = kind.flow(part, exercise, kind_of(following[0]) if following else None)
            assert isinstance(flow, kind.flow_type) and isinstance(flow, PartFlow)
    assert seen == set(kind_names())  # the shipped lessons use every kind


@pytest.mark.parametrize("name", kind_names())
def test_each_kind_is_found_by_its_own_name(name: str) -> None:
    kind = find_kind(name)
    assert isinstance(kind, Kind) and kind.name == name and KINDS[name] is kind


def test_a_slope_is_a_kind_of_its_own_with_its_own_exercise() -> None:
    part = part_from_table(SLOPE)
    kind = kind_of(part)
    exercise = kind.exercise(part)
    assert isinstance(exercise, SlopeExercise) and exercise.order == ("x",)
    assert kind.flow(part, exercise, None).__class__ is SlopeFlow
    assert "Nudge x by smaller and smaller h" in exercise.submit("5").message
    assert exercise.hint().text.startswith("The slope says how much f moves per unit of x")
    assert type(find_kind("gradients").exercise(part_from_table({**SLOPE, "kind": "gradients"}))) is GradientExercise


def test_an_unknown_kind_is_refused_with_the_kinds_there_are() -> None:
    with pytest.raises(LessonError) as caught:
        part_from_table({**SLOPE, "kind": "slopes"})
    assert caught.value.message == f"unknown kind 'slopes' (kinds: {', '.join(kind_names())})"


def test_a_kind_checks_its_own_table() -> None:
    with pytest.raises(LessonError, match="a slope part asks about exactly one input"):
        part_from_table({**SLOPE, "inputs": {"x": 3.0, "y": 1.0}, "nodes": ["f = x * y"], "ask": ["x", "y"]})
    with pytest.raises(LessonError, match="is not a parameter"):
        part_from_table({"kind": "update", "inputs": {"w": 1.0, "x": 2.0}, "nodes": ["L = (w * x)**2"],
                         "parameters": ["w"], "ask": ["x"]})
