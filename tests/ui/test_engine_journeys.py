"""The lessons that build the engine, in the app: leaving mid-lesson and coming back finds the
learner where they were, with what they wrote (line mode's journeys are in tests/core)."""

from __future__ import annotations

from tui_grad.core.catalog import load_catalog
from tui_grad.core.progress import ProgressStore
from tui_grad.core.views import text_of
from tui_grad.ui.app import TuiGradApp
from tui_grad.ui.exercise import ExerciseScreen
from tui_grad.ui.home import HomeScreen
from tui_grad.ui.page import PageScreen

from tests.ui.screen_text import screen_text

CATALOG = load_catalog()


def flat(app) -> str:
    """The screen's words with line breaks and padding folded into single spaces."""
    return " ".join(screen_text(app).split())


async def type_line(pilot, text: str) -> None:
    await pilot.press(*text)
    await pilot.press("enter")
    await pilot.pause()


async def test_backward_rules_left_mid_part_comes_back_with_the_lines_written(tmp_path):
    app = TuiGradApp(CATALOG, step_interval=0.01, store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("backward-rules")
        await pilot.pause()
        assert isinstance(app.screen, PageScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
        await type_line(pilot, "self.grad = out.grad")
        assert "path through the other use is lost" in flat(app)
        await type_line(pilot, "self.grad += out.grad")
        assert app.screen.session.asked == "add:other"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)

        app.open_lesson("backward-rules")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExerciseScreen) and screen.session.asked == "add:other"
        assert "✓ self.grad += out.grad ▶ other's line" in flat(app)
        assert "You are back where you left off" in flat(app)
        await type_line(pilot, "other.grad += out.grad")
        assert screen.session.asked == "mul:self"


async def test_mlp_step_left_mid_part_comes_back_at_the_next_question(tmp_path):
    app = TuiGradApp(CATALOG, step_interval=0.01, store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("mlp-step")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "h1 = tanh(z1) = 0.4621" in flat(app)
        await type_line(pilot, "-1.8521")
        await type_line(pilot, "-1.8521 * 0.4621")
        assert app.screen.session.asked == "v2"
        await pilot.press("escape")
        await pilot.pause()
        app.open_lesson("mlp-step")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen) and app.screen.session.asked == "v2"
        assert "You are back where you left off" in flat(app)


async def test_topological_order_left_after_a_hint_comes_back_to_the_question(tmp_path):
    app = TuiGradApp(CATALOG, step_interval=0.01, store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("topological-order")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await type_line(pilot, "L d e a b c")
        assert "a = -12 (should be 6)" in flat(app)
        await pilot.press("ctrl+g")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        app.open_lesson("topological-order")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExerciseScreen) and screen.session.asked == "order"
        await type_line(pilot, "L e d c b a")
        assert "build_topo(d): already visited, skip" in text_of(screen.session.message)
        assert "Order found by you" in flat(app)


async def test_your_engine_without_rules_says_where_to_write_them(tmp_path):
    app = TuiGradApp(CATALOG, step_interval=0.01, store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("your-engine")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
        assert "write them in the lesson 'backward-rules' first" in flat(app)
        await pilot.press("enter")  # no rules to run: the part waits for them, Enter does not pass it
        await pilot.pause()
        assert app.screen.session.part_index == 0 and not app.screen.session.tutor.finished


async def test_topological_order_is_arranged_with_keys_in_the_app(tmp_path):
    app = TuiGradApp(CATALOG, step_interval=0.01, store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("topological-order")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        session = app.screen.session
        assert session.flow.ordering().arrangement == ["a", "b", "c", "d", "e", "L"]
        await pilot.press(*["down"] * 5, *["ctrl+up"] * 5)  # L to the top
        for moves in (4, 3, 2, 1):  # then e, d, c and b, each from the bottom to just under the last
            await pilot.press(*["down"] * 5, *["ctrl+up"] * moves)
        await pilot.pause()
        assert session.flow.ordering().arrangement == ["L", "e", "d", "c", "b", "a"]
        assert "Order, output first: L e d c [b] a" in flat(app)
        await pilot.press("enter")  # nothing typed: the arrangement is the answer
        await pilot.pause()
        assert session.flow.ordering().done and "Order found by you" in flat(app)


async def test_two_bugs_asks_the_doubled_gradient_and_comes_back_to_it(tmp_path):
    """Bug 2 was only watched: the app asks what .grad holds after a second backward(), grades it,
    and a learner who leaves mid-part comes back to the next question."""
    from tui_grad.core.flow import LessonSession

    from tests.core.test_two_bugs import to_the_zero_grad_part

    to_the_zero_grad_part(LessonSession(CATALOG.find("two-bugs"), ProgressStore(tmp_path).load())).leave()
    app = TuiGradApp(CATALOG, step_interval=0.01, store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_lesson("two-bugs")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen) and app.screen.session.asked == "m.grad without zero_grad"
        assert "m.grad = -56 b.grad = -24" in flat(app)
        await type_line(pilot, "-56")
        assert "as if the second replaced the first" in flat(app)
        await type_line(pilot, "-56 + -56")
        assert app.screen.session.asked == "b.grad without zero_grad" and "m.grad = -112" in flat(app)
        await pilot.press("escape")
        await pilot.pause()
        app.open_lesson("two-bugs")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen) and app.screen.session.asked == "b.grad without zero_grad"
        await type_line(pilot, "-48")
        assert app.screen.session.asked is None
