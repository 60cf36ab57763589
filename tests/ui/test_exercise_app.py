"""Drive the real app at 80x24 through the whole chain-rule lesson, as a learner would."""

from __future__ import annotations

import pytest

from tui_grad.core.catalog import load_catalog
from tui_grad.core.parts import ANSWERING as ANSWER, REPLAY as BACKWARD, UPDATING as UPDATE
from tui_grad.ui.app import TuiGradApp
from tui_grad.ui.exercise import ExerciseScreen
from tui_grad.ui.graph_view import GraphView
from tui_grad.ui.home import HomeScreen
from tui_grad.ui.page import PageScreen

from tests.ui.screen_text import screen_text

ANSWERS = {"L": "1", "d": "-2", "f": "4", "e": "-2*1", "c": "(-2)", "a": "6", "b": "-4.0"}



def feedback(screen: ExerciseScreen) -> str:
    return str(screen.query_one("#feedback").render())


def status(screen: ExerciseScreen) -> str:
    return str(screen.query_one("#status").render())


async def type_answer(pilot, text: str) -> None:
    await pilot.press(*text, "enter")
    await pilot.pause()


@pytest.fixture
def app():
    return TuiGradApp(load_catalog(), step_interval=0.05)


async def open_exercise(app, pilot) -> ExerciseScreen:
    assert isinstance(app.screen, HomeScreen)
    app.open_lesson("chain-rule")
    await pilot.pause()
    assert isinstance(app.screen, PageScreen)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, ExerciseScreen)
    return app.screen


async def test_home_lists_the_lessons(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "The chain rule by hand" in text
        assert "▶  1. A derivative is a slope" in text and "Nudge x by a shrinking h" in text
        await pilot.press("down", "down", "down")  # the highlighted lesson's summary under the list
        assert "Every gradient of L" in screen_text(app) and "▶  4. The chain rule by hand" in screen_text(app)


async def test_whole_lesson_by_keyboard(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        assert screen.session.phase == ANSWER
        assert "Find dL/dL" in status(screen)
        graph = screen.query_one(GraphView)
        assert any(node.state == "asked" and node.name == "L" for node in graph.nodes)

        await type_answer(pilot, "1")
        await type_answer(pilot, "5")  # wrong for d
        assert "✗ Wrong" in feedback(screen) and "dL/dd is not 5" in feedback(screen)
        assert screen.session.flow.exercise.current == "d"

        for name in ("d", "f", "e", "c", "a", "b"):
            assert screen.session.flow.exercise.current == name
            await type_answer(pilot, ANSWERS[name])
            if name == "c":
                assert "dL/dc = dL/dd · dd/dc = -2 · 1 = -2" in feedback(screen)
        assert screen.session.phase == BACKWARD
        assert screen.session.replay is not None

        await pilot.press("s")  # skip to the end of the backward pass
        await pilot.pause()
        assert screen.session.replay.done
        table = feedback(screen)
        assert "yours" in table and "engine" in table and "You earned 7 of 7" in table
        assert {n.name: n.grad for n in graph.nodes} == {
            "a": "6", "b": "-4", "e": "-2", "c": "-2", "d": "-2", "f": "4", "L": "1"}

        await pilot.press("u")
        await pilot.press("s")
        await pilot.pause()
        assert screen.session.phase == UPDATE
        assert screen.session.history[-1] == pytest.approx(-7.286496, abs=1e-9)
        assert "a ← 2 + 0.01 × 6 = 2.06" in feedback(screen)
        assert "-7.286496" in status(screen)
        assert {n.name: n.value for n in graph.nodes}["L"] == "-7.286496"

        await pilot.press("u", "s")
        await pilot.pause()
        assert len(screen.session.history) == 3 and screen.session.history[2] > screen.session.history[1]


async def test_backward_animation_plays_step_by_step():
    app = TuiGradApp(load_catalog(), step_interval=30)  # slow enough that only the keys move it on
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        for _ in ANSWERS:
            await pilot.press("ctrl+r")
        assert screen.session.phase == BACKWARD
        await pilot.press("space")  # pause
        assert screen.session.replay.paused
        await pilot.pause()
        last_row = screen_text(app).splitlines()[-1]
        assert "Resume" in last_row and "Pause" not in last_row  # the footer names what space does now
        position = screen.session.replay.position
        await pilot.press("n")
        assert screen.session.replay.position == position + 1
        step = screen.session.flow.exercise.steps[position]
        assert screen.query_one(GraphView).active_edge == (step.node, step.child)
        assert f"{step.child}.grad +=" in feedback(screen)
        await pilot.press("plus")
        assert screen.session.replay.speed == "2×"
        await pilot.press("space")  # resume
        assert not screen.session.replay.paused
        await pilot.press("s")  # and skip to the end
        await pilot.pause()
        assert screen.session.replay.done
        assert "You earned 0 of 7" in feedback(screen)
        assert "~ shown" in feedback(screen)


async def test_show_answer_is_marked_as_shown(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press("ctrl+r")
        assert "~ Shown" in feedback(screen) and "not earned" in feedback(screen)
        assert screen.session.flow.exercise.current == "d"


async def test_unreadable_answer_gets_a_message(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        await type_answer(pilot, "abc")
        assert "Could not read" in feedback(screen)
        assert screen.session.flow.exercise.current == "L"


async def test_a_broken_lesson_is_listed_as_unavailable_and_the_rest_work(tmp_path):
    from tests.conftest import GOOD_LESSON

    (tmp_path / "good.toml").write_text(GOOD_LESSON, encoding="utf-8")
    (tmp_path / "bad.toml").write_text(GOOD_LESSON.replace('"p = x * y"', '"p = log(y)"').replace('"tiny"', '"bad"'),
                                       encoding="utf-8")
    app = TuiGradApp(load_catalog(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "✗ bad.toml is unavailable" in text and "forward pass fails" in text
        assert "1. A tiny lesson" in text
        await pilot.press("enter")  # the good lesson opens (it has no introduction)
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)


async def test_the_feedback_on_screen_grows_and_shrinks_with_the_message(app):
    """Answers no longer lay the screen out again unless the feedback takes another number of
    lines: a longer message must still show every line, and a shorter one leave none behind."""
    from textual.widgets import Static

    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        heights = set()
        for keys in (("1", "enter"), ("9", "enter"), ("ctrl+g",), ("ctrl+g",), ("ctrl+g",), ("x", "enter"),
                     ("ctrl+r",), ("-", "2", "enter"), ("4", "enter")):
            await pilot.press(*keys)
            await pilot.pause()
            box = screen.query_one("#feedback", Static)
            needed = box.get_content_height(screen.size, screen.size, box.size.width)
            assert box.size.height == needed, keys  # laid out again when the line count changed
            lines = screen_text(app).splitlines()
            region = box.content_region
            shown = [lines[y][region.x:region.right].strip() for y in range(region.y, region.bottom)]
            assert " ".join(" ".join(shown).split()) == " ".join(str(box.render()).split()), keys
            heights.add(needed)
        assert heights == {1, 2, 3}  # the message took one, two and three lines

