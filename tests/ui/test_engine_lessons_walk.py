"""What a walk through the lessons that build the engine found, in the app: the last hint, the last
verdict before a replay, coming back to a part left mid-animation (line mode's side is in
tests/core/test_engine_lessons_walk.py)."""

from __future__ import annotations

import pytest

from tui_grad.core.catalog import load_catalog
from tui_grad.core.progress import ProgressStore
from tui_grad.ui.app import TuiGradApp
from tui_grad.ui.exercise import ExerciseScreen
from tui_grad.ui.home import HomeScreen

from tests.core.test_your_engine_kind import write_rules
from tests.ui.screen_text import screen_text

CATALOG = load_catalog()


def flat(app) -> str:
    """The screen's words with line breaks and padding folded into single spaces."""
    return " ".join(screen_text(app).split())


async def open_part(app, pilot, lesson: str) -> None:
    app.open_lesson(lesson)
    await pilot.pause()
    await pilot.press("enter")  # past the introduction
    await pilot.pause()
    assert isinstance(app.screen, ExerciseScreen)


@pytest.mark.parametrize(("lesson", "asked", "shown"), [
    ("backward-rules", "add:self", "Answer: Shown: self.grad += out.grad"),
    ("topological-order", "order", "Answer: Shown: L e c d b a"),
])
async def test_the_fourth_hint_shows_the_answer_and_comes_back_shown(tmp_path, lesson, asked, shown):
    app = TuiGradApp(CATALOG, step_interval=0.01, store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_part(app, pilot, lesson)
        await pilot.press("ctrl+g", "ctrl+g", "ctrl+g")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        app.open_lesson(lesson)
        await pilot.pause()
        assert app.screen.session.asked == asked
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert shown in flat(app)
        assert app.screen.session.asked != asked


async def test_the_last_verdict_of_mlp_step_is_on_screen_while_its_replay_runs(tmp_path):
    app = TuiGradApp(CATALOG, step_interval=60, store=ProgressStore(tmp_path).load())  # steps only on a key
    async with app.run_test(size=(80, 24)) as pilot:
        await open_part(app, pilot, "mlp-step")
        session = app.screen.session
        exercise = session.flow.exercise
        while [name for name in exercise.order if exercise.status[name] == "pending"][1:]:
            await pilot.press("ctrl+r")
            await pilot.pause()
        assert session.prompt_line == "v1.grad without zero_grad ="
        await pilot.press(*"-1.7117322", "enter")
        await pilot.pause()
        assert session.phase == "replay"
        await pilot.press("n")  # the replay's first step, which used to replace the verdict
        await pilot.pause()
        assert session.replay.position == 1
        assert "✓ Right: v1.grad without zero_grad" in flat(app)
        assert "Reset with zero_grad() before every backward pass" in flat(app)


async def test_your_engine_left_mid_animation_comes_back_to_the_part(tmp_path):
    write_rules(tmp_path)
    app = TuiGradApp(CATALOG, step_interval=60, store=ProgressStore(tmp_path).load())  # a step only on a key
    async with app.run_test(size=(80, 24)) as pilot:
        await open_part(app, pilot, "your-engine")
        await pilot.press("n", "n")  # two steps of the pass, paused
        await pilot.pause()
        assert app.screen.session.status()[0].text.startswith("Step 2 of 6")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        app.open_lesson("your-engine")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen), "not the introduction again"
        assert "You are back where you left off" in flat(app)
