"""A terminal smaller than 80x24: a notice says so and how big it needs to be, over whatever the
learner was doing, which is there as it was when the window grows; at start-up too (a window that
opens small, a tmux pane split before the tutor starts)."""

from __future__ import annotations

from tui_grad.core.catalog import load_catalog
from tui_grad.core.progress import ProgressStore
from tui_grad.ui.answer import AnswerInput
from tui_grad.ui.app import TuiGradApp
from tui_grad.ui.exercise import ExerciseScreen
from tui_grad.ui.home import HomeScreen
from tui_grad.ui.page import PageScreen
from tui_grad.ui.too_small import TooSmallScreen

from tests.ui.screen_text import screen_text


async def test_a_tutor_started_in_a_small_window_says_so_then_opens_the_lesson(tmp_path):
    app = TuiGradApp(load_catalog(), store=ProgressStore(tmp_path).load(), start_lesson="chain-rule")
    async with app.run_test(size=(30, 10)) as pilot:
        await pilot.pause()
        await pilot.resize_terminal(40, 12)  # a resize before the notice was built used to crash
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert "This window is 40×12." in screen_text(app)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert isinstance(app.screen, PageScreen) and "Four numbers go in" in screen_text(app)


async def test_the_list_started_small_comes_up_when_the_window_grows(tmp_path):
    app = TuiGradApp(load_catalog(), store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen) and "60×20" in screen_text(app)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen) and "The chain rule by hand" in screen_text(app)


async def test_shrinking_mid_answer_keeps_what_was_typed(tmp_path):
    app = TuiGradApp(load_catalog(), store=ProgressStore(tmp_path).load(), start_lesson="chain-rule")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
        await pilot.press("-", "2")
        await pilot.resize_terminal(50, 15)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen) and "This window is 50×15." in screen_text(app)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen) and app.screen.query_one(AnswerInput).value == "-2"
