"""The shipped curriculum: every lesson loads, comes in teaching order, and gives the numbers the
source material (`/work/shared/seeds`) gives. A failure here means a learner would be taught, or
graded against, a number that is not the one the lesson's text promises."""

from __future__ import annotations

import itertools
import math
import re

import pytest

from tui_grad.core.catalog import load_catalog, shipped_lessons_dir
from tui_grad.core.exercise import GradientExercise
from tui_grad.core.kinds.registry import kind_of
from tui_grad.core.lesson import Lesson, distances_to_output
from tui_grad.core.lesson_file import load_lesson
from tui_grad.core.trace import trace
from tui_grad.core.tutor import draw_inputs

CURRICULUM = (
    "derivative-slope",
    "partial-derivatives",
    "first-graph",
    "chain-rule",
    "two-paths",
    "loss-descent",
    "neuron",
    "line-fit",
    "small-network",
    "two-bugs",
    "backward-rules",
    "topological-order",
    "your-engine",
    "mlp-step",
)
"""Lesson ids in teaching order, as the curriculum issue lists them."""

MAX_COLUMNS = 5
"""Box columns a graph may need: 5 boxes of 12 plus 4 gaps of 4 is 76, inside an 80-column terminal."""
MAX_NAMED = 12


@pytest.fixture(scope="module")
def lessons() -> dict[str, Lesson]:
    catalog = load_catalog()
    assert not catalog.broken, [str(error) for error in catalog.broken]
    return {lesson.id: lesson for lesson in catalog.lessons}


def grads(lesson: Lesson, part_index: int = 0) -> dict[str, float]:
    """Each node's gradient in one part, as `tui-grad trace` reports it."""
    return {node["name"]: node["grad"] for node in trace(lesson, 0, part_index)["nodes"]}


def values(lesson: Lesson, part_index: int = 0) -> dict[str, float]:
    """Each node's forward value in one part."""
    return {node["name"]: node["data"] for node in trace(lesson, 0, part_index)["nodes"]}


def last_update(lesson: Lesson, part_index: int, steps: int | None = None) -> dict:
    """The record of the last update step `trace` takes in one part."""
    return trace(lesson, steps, part_index)["updates"][-1]


# --- the catalog as a whole -----------------------------------------------------------------


def test_every_shipped_lesson_loads_and_they_come_in_teaching_order():
    catalog = load_catalog()
    assert not catalog.broken, [str(error) for error in catalog.broken]
    assert tuple(lesson.id for lesson in catalog.lessons) == CURRICULUM
    assert [lesson.order for lesson in catalog.lessons] == list(range(1, len(CURRICULUM) + 1))


@pytest.mark.parametrize("lesson_id", CURRICULUM)
def test_every_lesson_has_its_texts(lessons, lesson_id):
    lesson = lessons[lesson_id]
    assert lesson.title and lesson.summary and "\n" not in lesson.summary
    assert lesson.intro.strip().startswith("# ") and lesson.outro.strip()
    for part in lesson.parts:
        assert part.title, f"{lesson_id}: every part needs a title"


@pytest.mark.parametrize("lesson_id", CURRICULUM)
def test_every_answered_graph_fits_an_80_column_terminal(lessons, lesson_id):
    for part in lessons[lesson_id].parts:
        if not kind_of(part).asks or not kind_of(part).drawn:
            continue
        graph = part.build()
        columns = max(distances_to_output(graph).values()) + 1
        assert columns <= MAX_COLUMNS, f"{lesson_id}, '{part.title}': {columns} box columns"
        assert len(graph.named) <= MAX_NAMED, f"{lesson_id}, '{part.title}': {len(graph.named)} named nodes"


def test_text_about_backward_says_it_starts_from_zero(lessons):
    """tui-grad's backward() replaces gradients (unlike PyTorch's, which add up): any text that
    names it must not teach the opposite."""
    for lesson in lessons.values():
        for text in (lesson.intro, lesson.outro, *(part.text for part in lesson.parts)):
            if re.search(r"(?<!_)backward\(\)", text):  # ours, not a rule's _backward()
                assert "zero" in text and "zero_grad()" in text, lesson.id


def test_micrograd_adding_across_calls_is_said_once_where_paths_add_up(lessons):
    """Every seed builds micrograd, whose backward() adds into .grad across calls, like PyTorch's: a
    learner moving on must hear it, once, in the lesson about adding up paths."""
    saying = [lesson.id for lesson in lessons.values()
              for text in (lesson.intro, lesson.outro, *(part.text for part in lesson.parts))
              if "micrograd" in text and "zero_grad()" in text]
    assert saying == ["two-paths"]
    assert "so does micrograd" in lessons["two-paths"].outro


# --- lesson by lesson, against the seeds ------------------------------------------------------


def test_slopes_of_lesson_1(lessons):
    lesson = lessons["derivative-slope"]
    first, second = lesson.parts
    assert first.kind == second.kind == "slope"
    assert values(lesson, 0)["f"] == 20 and grads(lesson, 0)["x"] == 14  # seed 003
    assert values(lesson, 1)["y"] == 208 and grads(lesson, 1)["x"] == 76  # seed 002


@pytest.mark.parametrize("part_index, slope", [(0, 14.0), (1, 76.0)])
def test_lesson_1_accepts_a_settled_estimate_but_not_a_rough_one(lessons, part_index, slope):
    exercise = GradientExercise(lessons["derivative-slope"].parts[part_index])
    [name] = exercise.order
    assert exercise.expected(name) == slope
    assert exercise.is_close(exercise.nudge(name, 1e-3).estimate, slope)
    assert not exercise.is_close(exercise.nudge(name, 1e-2).estimate, slope)


def test_partial_derivatives_of_lesson_2(lessons):
    lesson = lessons["partial-derivatives"]
    [part] = lesson.parts
    assert set(part.ask) == {"a", "b", "c"}
    assert values(lesson)["d"] == 4
    assert {name: grads(lesson)[name] for name in "abc"} == {"a": -3, "b": 2, "c": 1}  # seeds 002, 003


def test_lesson_2_fresh_numbers_keep_its_rules(lessons):
    part = lessons["partial-derivatives"].parts[0]
    drawn = [draw_inputs(part, seed, "partial-derivatives:0") for seed in range(20)]
    assert sum(inputs != part.inputs for inputs in drawn) > 10, "--seed should give fresh numbers"
    for inputs in drawn:
        assert all(low <= inputs[name] <= high for name, (low, high) in part.randomize.items())
        graph = part.build(inputs)
        graph.output.backward()
        assert graph.nodes["a"].grad == inputs["b"] and graph.nodes["b"].grad == inputs["a"]
        assert graph.nodes["c"].grad == 1


def test_first_graph_and_first_step_of_lesson_3(lessons):
    lesson = lessons["first-graph"]
    gradients, update = lesson.parts
    assert (gradients.kind, update.kind) == ("gradients", "update")
    assert values(lesson)["L"] == 80
    assert {name: grads(lesson)[name] for name in "abcd"} == {"a": 10, "b": 10, "c": 10, "d": 8}  # seed 000
    assert update.ask == ("a", "b", "d") and update.update.direction == "descent"
    step = last_update(lesson, 1)
    assert step["params"] == pytest.approx({"a": 4.9, "b": 2.9, "d": 9.92})
    assert step["output"] == pytest.approx(77.376, abs=1e-9)  # seed 000


def test_chain_rule_is_lesson_4(lessons):
    assert lessons["chain-rule"].order == 4
    assert last_update(lessons["chain-rule"], 0)["output"] == pytest.approx(-7.286496, abs=1e-9)  # seed 002


def test_two_paths_of_lesson_5_add_up(lessons):
    lesson = lessons["two-paths"]
    assert grads(lesson, 0)["a"] == 2
    data = trace(lesson, 0, 1)
    assert {node["name"]: node["grad"] for node in data["nodes"]}["x"] == 89  # seed 001
    into_x = [step["contribution"] for step in data["backward"] if step["child"] == "x"]
    assert sorted(into_x) == [14, 75], "x must collect one += per path"


def test_loss_of_lesson_6_from_one_step_to_thirty(lessons):
    lesson = lessons["loss-descent"]
    kinds = [part.kind for part in lesson.parts]
    assert kinds == ["gradients", "update", "train"]
    assert values(lesson)["L"] == 4 and grads(lesson)["w"] == -4  # seed 004
    assert last_update(lesson, 1)["params"]["w"] == pytest.approx(0.4)  # seed 004
    train = lesson.parts[2]
    assert train.update.direction == "descent" and train.update.step_size == 0.1
    updates = trace(lesson, None, 2)["updates"]
    assert len(updates) == train.update.steps
    assert updates[-1]["params"]["w"] == pytest.approx(2, abs=0.01)
    losses = [update["output"] for update in updates]
    assert all(later < earlier for earlier, later in itertools.pairwise(losses))


def test_tanh_neuron_of_lesson_7(lessons):
    lesson = lessons["neuron"]
    assert values(lesson)["o"] == pytest.approx(0.7071, abs=1e-4)
    expected = {"n": 0.5, "x1w1": 0.5, "x2w2": 0.5, "b": 0.5, "x1": -1.5, "w1": 1, "x2": 0.5, "w2": 0}
    assert {name: grads(lesson)[name] for name in expected} == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("node, typed", [
    ("n", "0.5"), ("n", "1 - 0.7071**2"), ("n", "1 - 0.71**2"), ("x1", "-3 * (1 - 0.71**2)"),
    ("w1", "2 * (1 - 0.71**2)"), ("w2", "0"),
])
def test_lesson_7_accepts_answers_worked_from_rounded_numbers(lessons, node, typed):
    exercise = GradientExercise(lessons["neuron"].parts[0])
    assert exercise.is_close(exercise.read(typed), exercise.expected(node))


def test_lesson_7_still_rejects_a_wrong_local_derivative(lessons):
    exercise = GradientExercise(lessons["neuron"].parts[0])
    for wrong in ("0.7071", "1 - 0.7071", "-0.5", "1 - 0.7**2"):
        assert not exercise.is_close(exercise.read(wrong), exercise.expected("n")), wrong


def test_line_fit_of_lesson_8(lessons):
    lesson = lessons["line-fit"]
    assert [part.kind for part in lesson.parts] == ["gradients", "update", "train"]
    assert grads(lesson, 0)["m"] == -16 and grads(lesson, 0)["b"] == -8
    assert last_update(lesson, 1)["params"] == pytest.approx({"m": 0.16, "b": 0.08})
    train = lesson.parts[2]
    assert train.plot is not None and (train.plot.slope, train.plot.intercept) == ("m", "b")
    assert train.plot.points == ((1, 2), (2, 4), (3, 6))  # seed 004
    first = last_update(lesson, 2, steps=1)["params"]
    assert first == pytest.approx({"m": 0.56, "b": 0.24})
    assert train.update.steps == 800 and train.update.step_size == 0.01
    final = last_update(lesson, 2)["params"]
    assert (f"{final['m']:.2f}", f"{final['b']:.2f}") == ("2.00", "0.00")  # seed 004: y = 2.00x + 0.00


def test_lesson_8_loss_is_the_squared_error_of_the_points_it_draws(lessons):
    train = lessons["line-fit"].parts[2]
    for m, b in ((0.0, 0.0), (0.5, -1.0), (2.0, 0.0), (-1.5, 3.0)):
        expected = sum((m * x + b - y) ** 2 for x, y in train.plot.points)
        assert train.forward({"m": m, "b": b})["L"] == pytest.approx(expected)


def test_small_network_of_lesson_9_learns_the_moons(lessons):
    from tui_grad.core.network import NetworkTrainer

    [part] = lessons["small-network"].parts
    spec = part.network
    assert part.kind == "network" and spec is not None
    assert (spec.dataset, spec.samples, spec.hidden) == ("moons", 60, (8, 8))
    trainer = NetworkTrainer(spec)
    first_loss, first_accuracy = trainer.step()
    while not trainer.done:
        trainer.step()
    loss, accuracy = trainer.evaluate()
    assert math.isfinite(loss) and loss < first_loss / 4
    assert accuracy >= 0.9 > first_accuracy


# --- the instructors' guide ------------------------------------------------------------------


def test_the_example_in_the_lessons_readme_passes_check_with_the_numbers_it_states(tmp_path):
    guide = (shipped_lessons_dir() / "README.md").read_text(encoding="utf-8")
    example = guide.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "sum-product.toml"
    path.write_text(example, encoding="utf-8")
    lesson = load_lesson(path)
    assert [part.kind for part in lesson.parts] == ["gradients", "update"]
    assert values(lesson)["L"] == -6
    assert {name: grads(lesson)[name] for name in "xyz"} == {"x": -2, "y": -2, "z": 3}
    step = last_update(lesson, 1)
    assert step["params"] == pytest.approx({"x": 2.2, "y": 1.2, "z": -2.3})
    assert step["output"] == pytest.approx(-7.82)
